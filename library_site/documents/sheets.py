"""Spreadsheets, for every app: reading an uploaded .xlsx or CSV file (a sheet at a time, a cell
at a time) within the site's limits, and the one rule every export (Excel or CSV) follows before
a cell is written.

- ``sheets_open`` gives the sheets of a file, refusing (``FileRefused``, with what to do) a file
  that is empty, too large, an old .xls under a new name, a damaged workbook, or a zip that would
  unpack to gigabytes (``archives.archive_check``, from the zip's directory); a CSV file is read in UTF-8, UTF-16 or GB18030 (GBK), with its delimiter
  found from its first lines.
- ``cell_text`` reads a cell as the text a librarian typed.
- ``spreadsheet_safe`` keeps an exported cell from running as a formula.

The limits are settings (their names date from when only the catalogue imported spreadsheets):
``CATALOG_IMPORT_MAX_ROWS`` and ``CATALOG_IMPORT_MAX_BYTES``.
"""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .archives import archive_check
from .exceptions import FileRefused

DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# The header row is looked for among this many first rows (and a CSV file's delimiter in them).
HEADER_SEARCH_ROWS = 20
EXTENSIONS = (".xlsx", ".csv")

# A cell that begins with one of these is run as a formula by Excel or LibreOffice
# (CSV injection); tab and carriage return can hide one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# --- the limits ---------------------------------------------------------------------------------


def max_rows() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_bytes() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_megabytes() -> str:
    """The upload limit as a librarian reads it: 20, or 0.5."""
    return f"{max_bytes() / (1024 * 1024):.1f}".removesuffix(".0")


# --- writing a cell -----------------------------------------------------------------------------


def spreadsheet_safe(value):
    """The value as a spreadsheet cell that can never run as a formula: text that begins with
    = + - @ (or a tab or carriage return) is prefixed with an apostrophe. Numbers and dates are
    left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# --- reading a file -----------------------------------------------------------------------------


def _refuse(message) -> FileRefused:
    return FileRefused(str(message))


@contextmanager
def sheets_open(path: Path, extension: str):
    """The sheets of a file, each as (name, a function that returns a fresh iterator of
    (row number, cells))."""
    size = path.stat().st_size
    if size == 0:
        raise _refuse(_("The file is empty."))
    if size > max_bytes():
        raise _refuse(
            _("The file is larger than %(limit)s MB: split it into several files.")
            % {"limit": max_megabytes()}
        )
    if extension == ".xlsx":
        with _xlsx_sheets(path) as sheets:
            yield sheets
    elif extension == ".csv":
        yield _csv_sheets(path)
    else:
        raise _refuse(_("Only .xlsx and .csv files can be imported."))


@contextmanager
def _xlsx_sheets(path: Path):
    from openpyxl import load_workbook

    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _(
                "This is an old Excel file (.xls) under a new name: open it in Excel or WPS and save it as .xlsx."
            )
        )
    unreadable = _(
        "This file is not an Excel workbook (.xlsx), or it is damaged: open it in Excel or WPS and "
        "save it again as .xlsx, or as CSV."
    )
    if not magic.startswith(b"PK"):
        raise _refuse(unreadable)
    # A zip bomb is refused from the archive's directory, before openpyxl unpacks anything.
    archive_check(path)
    # A file object, not the path: openpyxl would judge the file by its name's extension.
    handle = path.open("rb")
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False, keep_links=False)
    except FileRefused:
        handle.close()
        raise
    except Exception as error:  # zipfile, XML and openpyxl's own errors: all mean "not a workbook"
        handle.close()
        raise _refuse(unreadable) from error
    try:

        def reader(worksheet):
            def rows():
                # The size that a file states can be wrong (some programs write A1 whatever the
                # data): read every row there is, not the rows it claims.
                worksheet.reset_dimensions()
                try:
                    yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
                except FileRefused:
                    raise
                except Exception as error:
                    raise _refuse(unreadable) from error

            return rows

        yield [(worksheet.title, reader(worksheet)) for worksheet in workbook.worksheets]
    finally:
        workbook.close()
        handle.close()


def _csv_sheets(path: Path):
    data = path.read_bytes()
    text = None
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    del data
    if text is None:
        raise _refuse(
            _("The CSV file's text encoding is not UTF-8 or GB18030 (GBK): save it again as CSV UTF-8.")
        )
    if "\x00" in text:
        raise _refuse(_("This is not a CSV text file: save the spreadsheet as .xlsx or as CSV."))
    first_lines = "\n".join(text[:20_000].splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = max(",\t;", key=first_lines.count) if first_lines else ","

    def rows():
        try:
            yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
        except csv.Error as error:
            raise _refuse(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error

    return [("csv", rows)]


# --- reading a cell -----------------------------------------------------------------------------


def cells_blank(cells) -> bool:
    """Whether a row holds nothing but empty cells."""
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in cells)


def cell_text(value) -> tuple[str, bool]:
    """A cell as text, and whether it held a formula. Numbers lose a trailing .0 (an ISBN or a
    barcode typed as a number), dates become 2024-09-01, and the apostrophe that an export puts
    before = + - @ is taken off again."""
    if value is None:
        return "", False
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("'") and text[1:2] and text[1] in FORMULA_TRIGGERS:
            return text[1:], False
        return text, text.startswith("=") and len(text) > 1
    if isinstance(value, bool):
        return ("1" if value else "0"), False
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), False
        return repr(value), False
    if isinstance(value, datetime):
        return value.date().isoformat(), False
    if isinstance(value, date):
        return value.isoformat(), False
    return str(value).strip(), False


def single_line(text: str) -> str:
    """Text on one line: line breaks and tabs become spaces."""
    return " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text
