"""The term summary as files (a PDF with the embedded Chinese font, a Word .docx, an .xlsx
workbook) and the targets board as a workbook. Drawn from ``TermSummary`` and ``TargetsBoard``;
they read nothing else."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from library_site.documents.sheets import spreadsheet_safe

from ..selectors.summary import TermSummary
from .a4 import (
    CONTENT_WIDTH,
    HEADER_FONT,
    TITLE_FONT,
    a4_pdf,
    figures_table,
    paragraph_styles,
    paragraph_text,
    report_font,
    sheet_header,
)
from .board import board_header, board_pdf_table, board_rows, board_sheet

# --- PDF -----------------------------------------------------------------------------------------


def term_summary_pdf(summary: TermSummary) -> bytes:
    font = report_font()
    styles = paragraph_styles(font)
    school = summary.school or _("School library")
    story: list = [
        Paragraph(paragraph_text(school), styles["subtitle"]),
        Paragraph(paragraph_text(summary.title), styles["title"]),
        Paragraph(paragraph_text(summary.dates), styles["subtitle"]),
        Spacer(1, 4 * mm),
    ]
    if summary.missing_months:
        story.append(
            Paragraph(
                paragraph_text(
                    _("No statistics were computed for %(months)s: these months are not counted here.")
                    % {"months": "、".join(f"{month:%Y-%m}" for month in summary.missing_months)}
                ),
                styles["warning"],
            )
        )
    story.append(Paragraph(paragraph_text(_("The term in figures")), styles["heading"]))
    rows = [[_("Figure"), _("This term")]] + [
        [
            Paragraph(paragraph_text(figure.label), styles["cell"]),
            Paragraph(paragraph_text(figure.text), styles["cell"]),
        ]
        for figure in summary.figures
    ]
    story.append(figures_table(font, rows, [80 * mm, CONTENT_WIDTH - 80 * mm]))
    story.append(Paragraph(paragraph_text(_("Targets")), styles["heading"]))
    story.append(board_pdf_table(summary.board, font, styles))
    story.append(Paragraph(paragraph_text(_("The librarian's summary")), styles["heading"]))
    story.append(Paragraph(paragraph_text(summary.own_text or _("(not written yet)")), styles["note"]))
    return a4_pdf(
        story,
        font=font,
        title=summary.title,
        school=school,
        footer_left=f"{school} · {summary.term.name}",
    )


# --- Word ----------------------------------------------------------------------------------------


def term_summary_docx(summary: TermSummary) -> bytes:
    """A Word document schools hand in: the title, the figures and targets as tables (the met and
    missed shaded), the librarian's text as paragraphs. East-Asian text set in 宋体 (SimSun)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    core = document.core_properties
    core.title, core.author = summary.title, summary.school or ""

    heading = document.add_heading(summary.title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(f"{summary.school} · {summary.dates}".strip(" ·"))
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def shade(cell, colour: str) -> None:
        properties = cell._tc.get_or_add_tcPr()
        fill = OxmlElement("w:shd")
        fill.set(qn("w:val"), "clear")
        fill.set(qn("w:color"), "auto")
        fill.set(qn("w:fill"), colour)
        properties.append(fill)

    def table(header, rows):
        grid = document.add_table(rows=1, cols=len(header))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, header, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
            shade(cell, "E8EEF6")
        for values in rows:
            cells = grid.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                cell.text = str(text)
        return grid

    document.add_heading(_("The term in figures"), level=1)
    table([_("Figure"), _("This term")], [[figure.label, figure.text] for figure in summary.figures])
    document.add_heading(_("Targets"), level=1)
    grid = table(board_header(), board_rows(summary.board))
    for index, row in enumerate(summary.board.rows, start=1):
        if row.met:
            shade(grid.rows[index].cells[4], "D1E7DD")
        elif row.missed:
            shade(grid.rows[index].cells[4], "F8D7DA")
    document.add_heading(_("The librarian's summary"), level=1)
    for paragraph in (summary.own_text or _("(not written yet)")).split("\n"):
        document.add_paragraph(paragraph)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# --- workbooks -----------------------------------------------------------------------------------


def term_summary_xlsx(summary: TermSummary) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = pgettext("term summary", "Summary")[:31]
    sheet["A1"] = spreadsheet_safe(summary.title)
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = spreadsheet_safe(f"{summary.school} · {summary.dates}".strip(" ·"))
    sheet_header(sheet, 4, [_("Figure"), _("This term")])
    for offset, figure in enumerate(summary.figures, start=1):
        sheet.cell(row=4 + offset, column=1, value=spreadsheet_safe(figure.label))
        value = figure.value if isinstance(figure.value, int) else figure.text
        sheet.cell(row=4 + offset, column=2, value=spreadsheet_safe(value))
    row = 6 + len(summary.figures)
    sheet.cell(row=row, column=1, value=_("The librarian's summary")).font = HEADER_FONT
    sheet.cell(row=row + 1, column=1, value=spreadsheet_safe(summary.own_text))
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 40
    targets = workbook.create_sheet(_("Targets")[:31])
    board_sheet(targets, summary.board, 1)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
