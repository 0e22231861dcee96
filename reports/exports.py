"""A register written as a file: an .xlsx laid out to be printed and filed, or a CSV.

The workbook has one sheet per table of the register: the school's name and the register's
name, the period and filters, a bordered table with a frozen header repeated on every printed
page, dates in the language's own format (2026年9月1日), a totals row and summary lines, and A4
print settings (landscape for the wide registers, fitted to the page's width, page numbers).
Rows stream from the database to the file (library_site.xlsx_stream): memory stays flat
whatever their number. The CSV (UTF-8 with a byte-order mark, so that Excel reads Chinese)
holds the same tables, one after another, without the title lines.

Every text cell goes through ``spreadsheet_safe``: a title or a name that begins with = + - @
is written as text, never run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.utils import formats, timezone
from django.utils.translation import get_language, gettext

from catalog.labels import library_name_for_labels
from library_site.spreadsheets import FORMULA_TRIGGERS, spreadsheet_safe
from library_site.xlsx_stream import SheetLayout, XlsxStreamWriter

from .registers import NUMBER, Register, RegisterQuery, Table, register_get

FORMATS = ("xlsx", "csv")
PROGRESS_EVERY = 500
# Excel's number format for dates, per interface language.
EXCEL_DATE_FORMATS = {"zh-hans": 'yyyy"年"m"月"d"日"', "en": "mmm d, yyyy"}

Progress = Callable[[int], None]


def school_name() -> str:
    """The name that heads every register: the library's name if set, else the school's."""
    return library_name_for_labels()


def day_text(day: date) -> str:
    """A day as the language writes it: 2026年9月1日, Sept. 1, 2026."""
    return formats.date_format(day, "DATE_FORMAT")


def register_title(register: Register) -> str:
    school = school_name()
    return f"{school} {register.name}" if school else str(register.name)


def register_subtitle(register: Register, query: RegisterQuery) -> str:
    parts = [
        gettext("Period: %(start)s to %(end)s")
        % {"start": day_text(query.date_from), "end": day_text(query.date_to)}
    ]
    if query.room is not None:
        parts.append(gettext("Room: %(room)s") % {"room": query.room.name})
    if query.school_class is not None:
        parts.append(gettext("Class: %(class)s") % {"class": query.school_class.name})
    elif query.grade:
        from library_site.school import grade_name

        parts.append(gettext("Grade: %(grade)s") % {"grade": grade_name(query.grade)})
    if query.reader_kind:
        from circulation.models import Reader

        parts.append(gettext("Readers: %(kind)s") % {"kind": Reader.Kind(query.reader_kind).label})
    parts.append(gettext("Made on %(day)s") % {"day": day_text(timezone.localdate())})
    return "　".join(parts)


def register_filename(query: RegisterQuery, fmt: str) -> str:
    register = register_get(query.letter)
    return f"{register.letter}-{register.name}-{query.date_from:%Y%m%d}-{query.date_to:%Y%m%d}.{fmt}"


class _Counter:
    """Numbers a table's rows, sums its total columns and reports progress, as the rows pass."""

    def __init__(self, table: Table, progress: Progress | None, done_before: int):
        self.table = table
        self.sums: list = [None] * len(table.columns)
        self.totalled = [index for index, column in enumerate(table.columns) if column.total]
        self.count = 0
        self.progress = progress
        self.done_before = done_before

    def rows(self, cell: Callable | None) -> Iterator[list]:
        """The rows, numbered; ``cell`` turns each value into the file's cell (None: text is
        only made safe, as the .xlsx needs; inlined, since it runs for every cell)."""
        totalled, sums = self.totalled, self.sums
        triggers = FORMULA_TRIGGERS
        for row in self.table.rows:
            self.count += 1
            for index in totalled:
                value = row[index]
                if value is not None:
                    sums[index] = value if sums[index] is None else sums[index] + value
            if cell is None:
                yield [
                    self.count,
                    *(
                        "'" + value if type(value) is str and value.startswith(triggers) else value
                        for value in row
                    ),
                ]
            else:
                yield [self.count, *(cell(value) for value in row)]
            if self.progress is not None and self.count % PROGRESS_EVERY == 0:
                self.progress(self.done_before + self.count)

    def footer(self) -> list[list]:
        lines: list[list] = []
        if self.totalled:
            sums = [
                (self.sums[index] if self.sums[index] is not None else _zero(column.kind))
                if column.total
                else None
                for index, column in enumerate(self.table.columns)
            ]
            if self.table.totals is not None:
                sums = self.table.totals(sums)
            lines.append([gettext("Total"), *sums])
        if not self.count:
            lines.append([gettext("Nothing was recorded in this period.")])
        lines += [[spreadsheet_safe(text)] for text in self.table.summary()]
        return lines


def _zero(kind: str):
    return Decimal("0.00") if kind == "decimal" else 0


def _csv_cell_maker() -> Callable:
    """A CSV cell from a value; dates as the language writes them (each day formatted once: a
    year's register has a few hundred days and a hundred thousand dates)."""
    days: dict[date, str] = {}

    def cell(value):
        if value is None:
            return ""
        kind = type(value)
        if kind is str:
            return spreadsheet_safe(value)
        if kind is date:
            text = days.get(value)
            if text is None:
                text = days[value] = day_text(value)
            return text
        return value

    return cell


def register_write(
    query: RegisterQuery, target, *, fmt: str = "xlsx", progress: Progress | None = None
) -> int:
    """Write the register into ``target`` (a path or a binary file); returns its number of rows
    (of all its tables). ``progress`` is called with the rows written so far."""
    register = register_get(query.letter)
    tables = register.build(query)
    if fmt == "csv":
        return _write_csv(tables, target, progress)
    return _write_xlsx(register, query, tables, target, progress)


def _write_xlsx(register: Register, query: RegisterQuery, tables: list[Table], target, progress) -> int:
    title = spreadsheet_safe(register_title(register))
    subtitle = spreadsheet_safe(register_subtitle(register, query))
    footer_text = "&L" + str(register.name).replace("&", "&&") + "&C" + gettext("Page &P of &N")
    date_format = EXCEL_DATE_FORMATS.get(get_language() or "", EXCEL_DATE_FORMATS["en"])
    written = 0
    with XlsxStreamWriter(target, date_format=date_format) as writer:
        for table in tables:
            counter = _Counter(table, progress, written)
            columns = [NUMBER, *table.columns]
            titles = [title, subtitle]
            if len(tables) > 1:
                titles.append(str(table.name))
            writer.add_sheet(
                str(table.name),
                _with_header(columns, counter.rows(None)),
                widths=[column.width for column in columns],
                header_rows=1,
                layout=SheetLayout(
                    formats=[column.kind for column in columns],
                    title_rows=titles,
                    footer=counter.footer,
                    landscape=register.landscape,
                    footer_text=footer_text,
                ),
            )
            written += counter.count
    return written


def _with_header(columns, rows: Iterator[list]) -> Iterator[list]:
    yield [str(column.label) for column in columns]
    yield from rows


def _write_csv(tables: list[Table], target, progress) -> int:
    if isinstance(target, (str, Path)):
        handle = open(target, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    else:
        handle = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(handle)
    cell = _csv_cell_maker()
    written = 0
    try:
        for number, table in enumerate(tables):
            if number:
                writer.writerow([])
            if len(tables) > 1:
                writer.writerow([str(table.name)])
            counter = _Counter(table, progress, written)
            writer.writerow([str(column.label) for column in [NUMBER, *table.columns]])
            writer.writerows(counter.rows(cell))
            writer.writerows([cell(value) for value in line] for line in counter.footer())
            written += counter.count
    finally:
        handle.flush()
        if isinstance(target, (str, Path)):
            handle.close()
        else:
            handle.detach()
    return written
