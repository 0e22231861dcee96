"""The A4 page of the library's management documents (the leaders' report, a plan, the term
summary, the targets board): the embedded Chinese font, the paragraph styles, the figures table,
the page with its footer, and the workbook's title, header and table. One kit, so the documents
look alike and none of them imports another."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from library_site.dates import datetime_text
from library_site.documents.exceptions import DocumentError
from library_site.documents.sheets import spreadsheet_safe

from ..exceptions import ReportsError

MARGIN = 18 * mm


CONTENT_WIDTH = A4[0] - 2 * MARGIN


HEADER_FILL = colors.HexColor("#e8eef6")


NO_DATA = "—"


def number_text(value) -> str:
    return NO_DATA if value is None else f"{value:,}"


def report_font() -> str:
    from library_site.documents.pdf import label_font

    try:
        return label_font()
    except DocumentError as error:
        raise ReportsError(error.message) from error


def paragraph_text(value) -> str:
    """Text for a reportlab Paragraph, which reads < and & as markup: escaped, lines kept."""
    return escape(str(value)).replace("\n", "<br/>")


def paragraph_styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10, leading=16, wordWrap="CJK")
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=18, alignment=1),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=13, leading=22, spaceBefore=8, spaceAfter=4
        ),
        "warning": ParagraphStyle(
            "warning",
            parent=base,
            textColor=colors.HexColor("#8a4b00"),
            backColor=colors.HexColor("#fff3cd"),
            borderPadding=5,
            spaceBefore=4,
            spaceAfter=8,
        ),
        "note": ParagraphStyle(
            "note",
            parent=base,
            fontSize=11,
            leading=19,
            backColor=colors.HexColor("#f4f6f8"),
            borderPadding=6,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#555555")
        ),
    }


def figures_table(font: str, rows: list[list], widths: list[float], *, numeric_from: int = 1) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def generated_footer() -> str:
    """The right-hand footer of most documents: when it was made, and ``%(page)s`` for the page."""
    return _("Generated %(when)s; page %(page)s") % {
        "when": datetime_text(timezone.localtime()),
        "page": "%(page)s",
    }


def a4_pdf(
    story, *, font: str, title: str, school: str, footer_left: str, footer_right: str | None = None
) -> bytes:
    """An A4 report of the library's management (the leaders' report, a plan, a term summary):
    the story with each page's footer, the document's own line on the left, cut with "…" where it
    would run into the right one, which says when it was made and the page (``%(page)s``;
    ``generated_footer()`` when not given)."""
    footer_right = footer_right or generated_footer()

    def _page(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        right = footer_right % {"page": document.page}
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, right)
        room = CONTENT_WIDTH - canvas.stringWidth(right, font, 8) - 6 * mm
        left = footer_left
        while left and canvas.stringWidth(left, font, 8) > room:
            left = left[:-2] + "…"
        canvas.drawString(MARGIN, 10 * mm, left)
        canvas.restoreState()

    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=school,
        creator="School library",
        pageCompression=1,
    )
    document.build(story, onFirstPage=_page, onLaterPages=_page)
    return output.getvalue()


# --- the workbook -------------------------------------------------------------------------------

TITLE_FONT = Font(size=16, bold=True)

HEADER_FONT = Font(bold=True)

HEADER_FILL_XLSX = PatternFill("solid", fgColor="E8EEF6")

WARNING_FONT = Font(color="8A4B00", bold=True)


def sheet_table(sheet, start_row: int, header: list[str], rows: list[list], widths: list[int]) -> int:
    """A header and rows from ``start_row``; returns the row after the table."""
    for column, value in enumerate(header, start=1):
        cell = sheet.cell(row=start_row, column=column, value=spreadsheet_safe(value))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL_XLSX
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=start_row + offset, column=column, value=spreadsheet_safe(value))
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, width)
    return start_row + len(rows) + 1


def sheet_header(sheet, row: int, values: list[str]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=spreadsheet_safe(value))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL_XLSX
