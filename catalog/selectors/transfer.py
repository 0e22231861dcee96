"""The export of records with their copies (.xlsx, .csv) and the blank import template.

The export renders every copy through the fields of the import's ``CatalogueResource``, so that
an export can be imported again, here or into another system; every text cell goes through
``spreadsheet_safe``. It is streamed: tablib (django-import-export's own export) would hold the
whole sheet in memory, so rows go one by one to ``XlsxStreamWriter`` or the CSV writer (see
benchmarks/bench_transfer.py for the figures).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext as _

from catalog.models import Contributor, Copy, Location
from catalog.resources import CatalogueResource
from catalog.spreadsheet import COLUMNS, IMPORT_COLUMNS, Fate
from library_site.documents.xlsx import XlsxStreamWriter

EXPORT_CHUNK = 2_000
TEMPLATE_FILENAME = "馆藏导入模板.xlsx"


# --- export ----------------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "record_id",
    "record__title",
    "record__subtitle",
    "record__publisher",
    "record__place",
    "record__year",
    "record__edition",
    "record__isbn",
    "record__price",
    "record__pages",
    "record__size",
    "record__series",
    "record__subjects",
    "record__summary",
    "record__clc_code",
    "record__call_number",
    "record__language",
    "record__material_type",
    "record__reading_level_from",
    "record__reading_level_to",
    "record__link",
    "barcode",
    "accession_number",
    "location__name",
    "shelf",
    "acquired_on",
    "source",
    "donor",
    "price_paid",
    "notes",
    "status",
)


# The names under which export_rows hands the values of a record and of a copy to the fields.
_COPY_START = EXPORT_FIELDS.index("barcode")  # the record's values come first, then the copy's
EXPORT_RECORD_KEYS = tuple(name.removeprefix("record__") for name in EXPORT_FIELDS[:_COPY_START])
EXPORT_COPY_KEYS = tuple(name.replace("location__name", "location") for name in EXPORT_FIELDS[_COPY_START:])


def export_rows(*, location: Location | None = None) -> Iterator[list]:
    """Every copy with its record's columns, header first, in record order, each cell rendered
    by a field of CatalogueResource (a record's cells once for all its copies); the database is
    read in chunks, the contributors of each chunk's records in one query."""
    resource = CatalogueResource()
    yield resource.get_export_headers()
    record_fields, copy_fields = resource.export_parts()
    export = resource.export_field
    queryset = Copy.objects.order_by("record_id", "barcode")
    if location is not None:
        queryset = queryset.filter(location=location)
    rows = queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    split = len(EXPORT_RECORD_KEYS)
    record_cells: list = []
    record_id = None
    while True:
        chunk = list(islice(rows, EXPORT_CHUNK))
        if not chunk:
            return
        contributors: dict[int, list] = {}
        for owner, name, role in (
            Contributor.objects.filter(record_id__in={row[0] for row in chunk})
            .order_by("record_id", "position", "pk")
            .values_list("record_id", "name", "role")
        ):
            contributors.setdefault(owner, []).append((name, role))
        for row in chunk:
            if row[0] != record_id:
                record_id = row[0]
                record = dict(zip(EXPORT_RECORD_KEYS, row[:split], strict=True))
                record["contributors"] = contributors.get(record_id, ())
                record["reading_level"] = (record["reading_level_from"], record["reading_level_to"])
                record_cells = [export(field_, record) for field_ in record_fields]
            copy = dict(zip(EXPORT_COPY_KEYS, row[split:], strict=True))
            yield [*record_cells, *(export(field_, copy) for field_ in copy_fields)]


def export_xlsx(target, *, location: Location | None = None) -> int:
    """Write the export as .xlsx into a path or a binary file; returns the number of copies."""
    with XlsxStreamWriter(target) as writer:
        written = writer.add_sheet(
            "馆藏", export_rows(location=location), widths=[column.width for column in COLUMNS], header_rows=1
        )
    return written - 1


class _Echo:
    def write(self, value):
        return value


def export_csv_lines(*, location: Location | None = None) -> Iterator[str]:
    """The export as CSV text, a few hundred rows at a time, starting with the byte-order mark
    that makes Excel read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    buffer: list[str] = []
    for row in export_rows(location=location):
        buffer.append(writer.writerow(["" if value is None else value for value in row]))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def export_csv(target, *, location: Location | None = None) -> int:
    """Write the export as CSV (UTF-8 with BOM) into a path or a binary file; returns the number
    of copies."""
    if isinstance(target, (str, Path)):
        handle = open(target, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    else:
        handle = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(handle)
    written = -1
    try:
        for row in export_rows(location=location):
            writer.writerow(["" if value is None else value for value in row])
            written += 1
    finally:
        if isinstance(handle, io.TextIOWrapper) and handle.buffer is target:
            handle.flush()
            handle.detach()
        else:
            handle.close()
    return written


# --- the template ------------------------------------------------------------------------------------


def template_write(target) -> None:
    """The blank import template: the column headers, an example row, and a second sheet that
    explains each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "馆藏"
    sheet.append([column.header for column in IMPORT_COLUMNS])
    sheet.append([column.example for column in IMPORT_COLUMNS])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = header_fill
        example = sheet.cell(row=2, column=index)
        example.font = Font(italic=True, color="808080")
        example.number_format = "@"  # text: ISBNs, barcodes and dates stay as typed
        sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("说明")
    guide.append([_("Column"), _("Required"), _("What to write"), _("Example"), _("Also accepted as header")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for column in IMPORT_COLUMNS:
        guide.append(
            [
                column.header,
                _("yes") if column.required else "",
                str(column.help),
                column.example,
                "、".join((column.key, *column.aliases)),
            ]
        )
    guide.append([])
    for line in (
        _("One row per copy: a record with three copies takes three rows."),
        _("Row 2 of the first sheet is an example: replace it with your own rows or delete it."),
        _("The header row may have a title row above it; columns may come in any order."),
        _("The whole file is checked first: nothing is saved until every row is right."),
    ):
        guide.append([line])
    for letter, width in zip("ABCDE", (14, 8, 70, 22, 40), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(target)


# --- the preview of an import (its report, kept as JSON between requests) --------------------------


def import_report_rows(report: dict, *, only_errors: bool = False) -> list[list]:
    """The report's rows (ImportPlan.report), or only those in error."""
    if only_errors:
        return [row for row in report["rows"] if row[1] == Fate.ERROR]
    return report["rows"]


def import_report_row(row: list) -> dict:
    """A row of the report as the preview shows it, its fate one of Fate."""
    number, fate, title, isbn, barcode, location, first_row, existing_id, existing_title, errors, warnings = (
        row
    )
    return {
        "number": number,
        "fate": Fate(fate),
        "title": title,
        "isbn": isbn,
        "barcode": barcode,
        "location": location,
        "first_row": first_row,
        "existing_id": existing_id,
        "existing_title": existing_title,
        "errors": errors,
        "warnings": warnings,
    }


def import_report_confirmable(report: dict) -> bool:
    """Whether the librarian may confirm the import: rows, none of them wrong, no refusal."""
    counts = report["counts"]
    return not report["refusal"] and counts["errors"] == 0 and counts["rows"] > 0
