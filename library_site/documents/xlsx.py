"""A small streaming .xlsx writer for large exports: rows go straight into the zip file as they
come, so memory stays flat whatever the number of rows.

openpyxl's write-only mode does the same job but builds an object per cell (about 10 µs a cell
here): 200,000 copies × 30 columns took 32–39 s. This writer emits the sheet's XML directly
(about ten times faster) with inline strings, so no shared-string table grows in memory. The
files open in Excel, WPS, LibreOffice and openpyxl. Styling is limited to what an export needs:
a bold, frozen header row and column widths; and, for a register that a school prints and files
(``add_sheet(..., layout=SheetLayout(...))``), title lines above a bordered table, dates in the
writer's date format, a totals row, and A4 print settings (orientation, fit to the page's width,
header rows repeated on every page, page numbers in the footer).

Cells are written as they are given: callers pass every exported value through
``library_site.documents.sheets.spreadsheet_safe`` first.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone

from library_site.dates import date_text, excel_date_format, excel_datetime_format

# Characters that XML 1.0 forbids; one of them in a cell makes the whole file unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
MAX_CELL_LENGTH = 32_767  # Excel's limit for one cell
ROWS_PER_WRITE = 500
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

CONTENT_TYPES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
# Cell styles (indexes into cellXfs below).
PLAIN, BOLD, TITLE, SUBTITLE, HEADER, TEXT, INTEGER, DECIMAL, DATE = range(9)
TOTAL_TEXT, TOTAL_INTEGER, TOTAL_DECIMAL, SUMMARY = range(9, 13)
PLAIN_DATE, PLAIN_DATETIME, DATETIME = range(13, 16)
BODY_STYLES = {None: TEXT, "text": TEXT, "integer": INTEGER, "decimal": DECIMAL, "date": DATE}
TOTAL_STYLES = {None: TOTAL_TEXT, "text": TOTAL_TEXT, "integer": TOTAL_INTEGER, "decimal": TOTAL_DECIMAL}
TOTAL_STYLES["date"] = TOTAL_TEXT
EXCEL_EPOCH = date(1899, 12, 30)
DEFAULT_DATE_FORMAT = "yyyy-mm-dd"
DEFAULT_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

_THIN = '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border>'
_CENTER = '<alignment horizontal="center" vertical="center"/>'
_WRAP = '<alignment vertical="center" wrapText="1"/>'


def _styles(date_format: str, datetime_format: str) -> str:
    xfs = [
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',  # PLAIN
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',  # BOLD
        f'<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">{_CENTER}</xf>',
        f'<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">{_CENTER}</xf>',
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
        'applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>',
        f'<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1">{_WRAP}</xf>',
        '<xf numFmtId="1" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1"/>',
        '<xf numFmtId="4" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1"/>',
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" '
        f'applyAlignment="1">{_CENTER}</xf>',
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1"/>',
        '<xf numFmtId="1" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>',
        '<xf numFmtId="4" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>',
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',  # SUMMARY
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',  # PLAIN_DATE
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',  # PLAIN_DATETIME
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" '
        f'applyAlignment="1">{_CENTER}</xf>',  # DATETIME
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<numFmts count="2"><numFmt numFmtId="164" formatCode={quoteattr(date_format)}/>'
        f'<numFmt numFmtId="165" formatCode={quoteattr(datetime_format)}/></numFmts>'
        '<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="16"/><name val="Calibri"/></font>'
        '<font><sz val="10"/><name val="Calibri"/></font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFE7E6E6"/><bgColor indexed="64"/></patternFill></fill></fills>'
        f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>{_THIN}</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


_STYLE_ATTRIBUTES: dict[tuple, list[str]] = {}
_DATE_ATTRIBUTE = f' s="{DATE}"'
_DATETIME_ATTRIBUTE = f' s="{DATETIME}"'
_PLAIN_DATE_ATTRIBUTE = f' s="{PLAIN_DATE}"'
_PLAIN_DATETIME_ATTRIBUTE = f' s="{PLAIN_DATETIME}"'


@dataclass(frozen=True)
class SheetLayout:
    """How a sheet is laid out to be printed and filed (a register).

    ``title_rows`` are written above the table, each merged across its columns (the first one
    large and bold). ``formats`` gives each column's kind (``text``, ``integer``, ``decimal``,
    ``date``); the table is bordered. ``footer`` is called once every row has been written and
    returns the rows to add below (totals); a row of a single text is a summary line, merged
    across the table. ``footer_text`` is the printed page footer in Excel's header/footer codes
    (``&P`` the page, ``&N`` the pages). The header rows are repeated on every printed page."""

    formats: Sequence[str | None]
    title_rows: Sequence[str] = ()
    footer: Callable[[], Iterable[Sequence]] | None = None
    landscape: bool = False
    footer_text: str = "&C&P / &N"


SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text(value: str) -> str:
    if not value.isprintable():
        value = XML_ILLEGAL.sub("", value)
    if len(value) > MAX_CELL_LENGTH:
        value = value[:MAX_CELL_LENGTH]
    if "&" in value or "<" in value or ">" in value:
        value = escape(value)
    return value


class XlsxStreamWriter:
    """Write sheets one after another into ``target`` (a path or a binary file object)::

    with XlsxStreamWriter(path) as writer:
        writer.add_sheet("馆藏", rows, widths=[30, 12], header_rows=1)

    Dates and moments are written as real Excel values, shown with one number format per
    language: ``date_format`` and ``datetime_format`` (by default the current language's, from
    ``library_site.dates``: ``yyyy-mm-dd``, ``d mmm yyyy``), the same as the pages."""

    def __init__(
        self,
        target,
        *,
        compresslevel: int = 1,
        date_format: str | None = None,
        datetime_format: str | None = None,
    ):

        self._zip = zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._sheets: list[str] = []
        self._print_titles: dict[int, str] = {}
        self._date_format = date_format or excel_date_format()
        self._datetime_format = datetime_format or excel_datetime_format()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        self.close()

    def add_sheet(
        self,
        name: str,
        rows: Iterable[Sequence],
        *,
        widths: Sequence[float] | None = None,
        header_rows: int = 0,
        layout: SheetLayout | None = None,
    ) -> int:
        """Write a sheet; the first ``header_rows`` rows are bold and stay in view when
        scrolling. With a ``layout``, its title lines come first and the rows form a bordered
        table (see SheetLayout). Returns the number of rows written (title lines and footer
        rows not counted)."""
        name = SHEET_NAME_FORBIDDEN.sub("_", name)[:31] or f"Sheet{len(self._sheets) + 1}"
        self._sheets.append(name)
        number = len(self._sheets)
        letters: list[str] = []
        written = 0
        titles = list(layout.title_rows) if layout else []
        width = len(layout.formats) if layout else 0
        last_letter = column_letter(max(width, 1) - 1)
        frozen = len(titles) + header_rows
        merged: list[str] = []
        row_number = 0
        with self._zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as stream:
            head = [SHEET_HEAD]
            if layout:
                head.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
            if frozen:
                head.append(
                    '<sheetViews><sheetView workbookViewId="0">'
                    f'<pane ySplit="{frozen}" topLeftCell="A{frozen + 1}" activePane="bottomLeft" '
                    'state="frozen"/></sheetView></sheetViews>'
                )
            if widths:
                head.append("<cols>")
                head += [
                    f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
                    for index, width in enumerate(widths, start=1)
                ]
                head.append("</cols>")
            head.append("<sheetData>")
            parts: list[str] = []
            for index, title in enumerate(titles):
                row_number += 1
                style, height = (TITLE, 30) if index == 0 else (SUBTITLE, 18)
                head.append(
                    f'<row r="{row_number}" ht="{height}" customHeight="1">'
                    f'<c r="A{row_number}" s="{style}" t="inlineStr"><is><t>{_text(title)}</t></is></c></row>'
                )
                merged.append(f"A{row_number}:{last_letter}{row_number}")
            stream.write("".join(head).encode())
            header_styles = [HEADER if layout else BOLD]
            body_styles = [BODY_STYLES.get(kind, TEXT) for kind in layout.formats] if layout else []
            for cells in rows:
                written += 1
                row_number += 1
                while len(letters) < len(cells):
                    letters.append(column_letter(len(letters)))
                if written <= header_rows:
                    # A laid-out table's header has room for two lines (long headers wrap).
                    parts.append(
                        self._row(
                            row_number,
                            cells,
                            letters,
                            header_styles,
                            fill=bool(layout),
                            height=30 if layout else 0,
                        )
                    )
                elif layout:
                    parts.append(self._row(row_number, cells, letters, body_styles, fill=True))
                else:
                    parts.append(self._row(row_number, cells, letters, None))
                if written % ROWS_PER_WRITE == 0:
                    stream.write("".join(parts).encode("utf-8", "replace"))
                    parts.clear()
            if layout and layout.footer:
                total_styles = [TOTAL_STYLES.get(kind, TOTAL_TEXT) for kind in layout.formats]
                for cells in layout.footer():
                    row_number += 1
                    while len(letters) < max(len(cells), width):
                        letters.append(column_letter(len(letters)))
                    if len(cells) == 1 and isinstance(cells[0], str):
                        parts.append(self._row(row_number, cells, letters, [SUMMARY]))
                        merged.append(f"A{row_number}:{last_letter}{row_number}")
                    else:
                        padded = list(cells) + [None] * (width - len(cells))
                        parts.append(self._row(row_number, padded, letters, total_styles, fill=True))
            parts.append("</sheetData>")
            if merged:
                parts.append(f'<mergeCells count="{len(merged)}">')
                parts += [f'<mergeCell ref="{ref}"/>' for ref in merged]
                parts.append("</mergeCells>")
            if layout:
                orientation = "landscape" if layout.landscape else "portrait"
                parts.append(
                    '<printOptions horizontalCentered="1"/>'
                    '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.7" header="0.3" footer="0.3"/>'
                    f'<pageSetup paperSize="9" orientation="{orientation}" fitToWidth="1" fitToHeight="0"/>'
                    f"<headerFooter><oddFooter>{escape(layout.footer_text)}</oddFooter></headerFooter>"
                )
                if header_rows:
                    self._print_titles[number - 1] = f"{quote_sheet(name)}!${len(titles) + 1}:${frozen}"
            parts.append("</worksheet>")
            stream.write("".join(parts).encode("utf-8", "replace"))
        return written

    @staticmethod
    def _row(
        row_number: int, cells: Sequence, letters: list[str], styles, *, fill: bool = False, height: int = 0
    ) -> str:
        """One row's XML; ``styles`` gives each column's style (the last one for the columns
        after; None: unstyled cells). With ``fill``, empty cells are written too, so that their
        borders show. Called once per row of a large export: kept lean."""
        number = str(row_number)
        parts = ['<row r="', number, f'" ht="{height}" customHeight="1">' if height else '">']
        append = parts.append
        if styles is None:
            attributes = None
        else:
            attributes = _STYLE_ATTRIBUTES.get(tuple(styles))
            if attributes is None:
                attributes = _STYLE_ATTRIBUTES[tuple(styles)] = [f' s="{code}"' for code in styles]
            if len(attributes) < len(cells):
                attributes = attributes + [attributes[-1]] * (len(cells) - len(attributes))
        for index, value in enumerate(cells):
            if value is None:
                if fill:
                    append(f'<c r="{letters[index]}{number}"{attributes[index] if attributes else ""}/>')
                continue
            style = attributes[index] if attributes else ""
            kind = type(value)
            if kind is str:
                if not value:
                    if fill:
                        append(f'<c r="{letters[index]}{number}"{style}/>')
                    continue
                space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                append(
                    f'<c r="{letters[index]}{number}"{style} t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'
                )
            elif kind is int or kind is Decimal or (kind is float and value == value):
                append(f'<c r="{letters[index]}{number}"{style}><v>{value}</v></c>')
            elif kind is date:
                # A real date: bordered in a laid-out table, plain in a plain sheet.
                style = _DATE_ATTRIBUTE if style else _PLAIN_DATE_ATTRIBUTE
                append(f'<c r="{letters[index]}{number}"{style}><v>{(value - EXCEL_EPOCH).days}</v></c>')
            elif kind is datetime:
                style = _DATETIME_ATTRIBUTE if style else _PLAIN_DATETIME_ATTRIBUTE
                if timezone.is_aware(value):
                    value = timezone.localtime(value)
                serial = (value.replace(tzinfo=None) - datetime(1899, 12, 30)).total_seconds() / 86400
                append(f'<c r="{letters[index]}{number}"{style}><v>{serial:.8f}</v></c>')
            elif kind is bool:
                append(f'<c r="{letters[index]}{number}"{style} t="b"><v>{int(value)}</v></c>')
            else:
                if isinstance(value, date):
                    value = date_text(value)
                append(
                    f'<c r="{letters[index]}{number}"{style} t="inlineStr"><is><t>{_text(str(value))}</t></is></c>'
                )
        append("</row>")
        return "".join(parts)

    def close(self) -> None:
        if self._zip.fp is None:
            return
        if not self._sheets:
            self.add_sheet("Sheet1", [])
        sheets = self._sheets
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for number in range(1, len(sheets) + 1)
        )
        defined_names = ""
        if self._print_titles:
            defined_names = (
                "<definedNames>"
                + "".join(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">{escape(reference)}</definedName>'
                    for index, reference in sorted(self._print_titles.items())
                )
                + "</definedNames>"
            )
        self._zip.writestr("[Content_Types].xml", CONTENT_TYPES_HEAD + overrides + "</Types>")
        self._zip.writestr("_rels/.rels", ROOT_RELS)
        self._zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(
                f'<sheet name={quoteattr(name)} sheetId="{number}" r:id="rId{number}"/>'
                for number, name in enumerate(sheets, start=1)
            )
            + "</sheets>"
            + defined_names
            + "</workbook>",
        )
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{number}" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                f'Target="worksheets/sheet{number}.xml"/>'
                for number in range(1, len(sheets) + 1)
            )
            + f'<Relationship Id="rId{len(sheets) + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        self._zip.writestr("xl/styles.xml", _styles(self._date_format, self._datetime_format))
        self._zip.close()


def quote_sheet(name: str) -> str:
    """A sheet's name as a formula or a defined name refers to it: 'Name' (quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"
