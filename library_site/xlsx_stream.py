"""A small streaming .xlsx writer for large exports: rows go straight into the zip file as they
come, so memory stays flat whatever the number of rows.

openpyxl's write-only mode does the same job but builds an object per cell (about 10 µs a cell
here): 200,000 copies × 30 columns took 32–39 s. This writer emits the sheet's XML directly
(about ten times faster) with inline strings, so no shared-string table grows in memory. The
files open in Excel, WPS, LibreOffice and openpyxl. Styling is limited to what an export needs:
a bold, frozen header row and column widths.

Cells are written as they are given: callers pass every exported value through
``library_site.spreadsheets.spreadsheet_safe`` first.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

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
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
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
    """

    def __init__(self, target, *, compresslevel: int = 1):
        self._zip = zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._sheets: list[str] = []

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
    ) -> int:
        """Write a sheet; the first ``header_rows`` rows are bold and stay in view when
        scrolling. Returns the number of rows written."""
        name = SHEET_NAME_FORBIDDEN.sub("_", name)[:31] or f"Sheet{len(self._sheets) + 1}"
        self._sheets.append(name)
        number = len(self._sheets)
        letters: list[str] = []
        written = 0
        with self._zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as stream:
            head = [SHEET_HEAD]
            if header_rows:
                head.append(
                    '<sheetViews><sheetView workbookViewId="0">'
                    f'<pane ySplit="{header_rows}" topLeftCell="A{header_rows + 1}" activePane="bottomLeft" '
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
            stream.write("".join(head).encode())
            parts: list[str] = []
            for cells in rows:
                written += 1
                while len(letters) < len(cells):
                    letters.append(column_letter(len(letters)))
                style = ' s="1"' if written <= header_rows else ""
                parts.append(f'<row r="{written}">')
                for index, value in enumerate(cells):
                    if value is None or value == "":
                        continue
                    kind = type(value)
                    if kind is str:
                        space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                        parts.append(
                            f'<c r="{letters[index]}{written}"{style} t="inlineStr"><is><t{space}>'
                            f"{_text(value)}</t></is></c>"
                        )
                    elif kind is bool:
                        parts.append(f'<c r="{letters[index]}{written}"{style} t="b"><v>{int(value)}</v></c>')
                    elif kind is int or kind is Decimal or (kind is float and value == value):
                        parts.append(f'<c r="{letters[index]}{written}"{style}><v>{value}</v></c>')
                    else:
                        if isinstance(value, datetime):
                            value = value.strftime("%Y-%m-%d %H:%M")
                        elif isinstance(value, date):
                            value = value.isoformat()
                        parts.append(
                            f'<c r="{letters[index]}{written}"{style} t="inlineStr"><is><t>'
                            f"{_text(str(value))}</t></is></c>"
                        )
                parts.append("</row>")
                if written % ROWS_PER_WRITE == 0:
                    stream.write("".join(parts).encode("utf-8", "replace"))
                    parts.clear()
            parts.append("</sheetData></worksheet>")
            stream.write("".join(parts).encode("utf-8", "replace"))
        return written

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
            + "</sheets></workbook>",
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
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.close()
