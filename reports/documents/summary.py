"""The term summary as files (a PDF with the embedded Chinese font, a Word .docx, an .xlsx
workbook) and the targets board as a workbook. Drawn from ``TermSummary`` and ``TargetsBoard``;
they read nothing else."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from library_site.dates import datetime_text
from library_site.documents.sheets import spreadsheet_safe

from ..selectors.summary import TermSummary
from ..selectors.targets import MET, MISSED, TargetsBoard
from .leaders import (
    CONTENT_WIDTH,
    HEADER_FILL_XLSX,
    HEADER_FONT,
    TITLE_FONT,
    _font,
    _styles,
    _table,
    _text,
    a4_pdf,
)

MET_FILL = PatternFill("solid", fgColor="D1E7DD")
MISSED_FILL = PatternFill("solid", fgColor="F8D7DA")
MET_COLOUR = colors.HexColor("#d1e7dd")
MISSED_COLOUR = colors.HexColor("#f8d7da")


def _verdict_text(row) -> str:
    if row.not_measured:
        return row.not_measured
    return row.total.verdict_label


def board_rows(board: TargetsBoard) -> list[list[str]]:
    """The board's table: target, goal, measured, gap, met or missed."""
    return [[row.name, row.goal, row.total.text, row.gap, _verdict_text(row)] for row in board.rows]


def _board_header() -> list[str]:
    return [_("Target"), _("Goal"), _("Measured"), _("Gap"), pgettext("target", "Result")]


def board_pdf_table(board: TargetsBoard, font: str, styles):
    """The board's table for a PDF, the result shaded green (met) or red (missed)."""
    rows = [_board_header()] + [
        [Paragraph(_text(cell), styles["cell"]) for cell in line] for line in board_rows(board)
    ]
    table = _table(font, rows, [62 * mm, 24 * mm, 22 * mm, 16 * mm, CONTENT_WIDTH - 124 * mm])
    for index, row in enumerate(board.rows, start=1):
        if row.met:
            table.setStyle([("BACKGROUND", (4, index), (4, index), MET_COLOUR)])
        elif row.missed:
            table.setStyle([("BACKGROUND", (4, index), (4, index), MISSED_COLOUR)])
    return table


# --- PDF -----------------------------------------------------------------------------------------


def term_summary_pdf(summary: TermSummary) -> bytes:
    font = _font()
    styles = _styles(font)
    school = summary.school or _("School library")
    story: list = [
        Paragraph(_text(school), styles["subtitle"]),
        Paragraph(_text(summary.title), styles["title"]),
        Paragraph(_text(summary.dates), styles["subtitle"]),
        Spacer(1, 4 * mm),
    ]
    if summary.missing_months:
        story.append(
            Paragraph(
                _text(
                    _("No statistics were computed for %(months)s: these months are not counted here.")
                    % {"months": "、".join(f"{month:%Y-%m}" for month in summary.missing_months)}
                ),
                styles["warning"],
            )
        )
    story.append(Paragraph(_text(_("The term in figures")), styles["heading"]))
    rows = [[_("Figure"), _("This term")]] + [
        [Paragraph(_text(figure.label), styles["cell"]), Paragraph(_text(figure.text), styles["cell"])]
        for figure in summary.figures
    ]
    story.append(_table(font, rows, [80 * mm, CONTENT_WIDTH - 80 * mm]))
    story.append(Paragraph(_text(_("Targets")), styles["heading"]))
    story.append(board_pdf_table(summary.board, font, styles))
    story.append(Paragraph(_text(_("The librarian's summary")), styles["heading"]))
    story.append(Paragraph(_text(summary.own_text or _("(not written yet)")), styles["note"]))
    footer = _("Generated %(when)s; page %(page)s") % {
        "when": datetime_text(timezone.localtime()),
        "page": "%(page)s",
    }
    return a4_pdf(
        story,
        font=font,
        title=summary.title,
        school=school,
        footer_left=f"{school} · {summary.term.name}",
        footer_right=footer,
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
    grid = table(_board_header(), board_rows(summary.board))
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


def _header(sheet, row: int, values: list[str]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=spreadsheet_safe(value))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL_XLSX


def _board_sheet(sheet, board: TargetsBoard, start: int) -> int:
    """The board by month: target, goal, each month, the period, gap, result."""
    header = [
        _("Target"),
        _("Goal"),
        *board.month_labels,
        _("Whole period"),
        _("Gap"),
        pgettext("target", "Result"),
    ]
    _header(sheet, start, header)
    for offset, row in enumerate(board.rows, start=1):
        values = [
            row.name,
            row.goal,
            *[cell.text for cell in row.months],
            row.total.text,
            row.gap,
            _verdict_text(row),
        ]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=start + offset, column=column, value=spreadsheet_safe(value))
        for column, cell in enumerate([*row.months, row.total], start=3):
            if cell.verdict == MET:
                sheet.cell(row=start + offset, column=column).fill = MET_FILL
            elif cell.verdict == MISSED:
                sheet.cell(row=start + offset, column=column).fill = MISSED_FILL
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 14
    return start + len(board.rows) + 1


def targets_board_xlsx(board: TargetsBoard, *, school: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Targets")[:31]
    sheet["A1"] = spreadsheet_safe(f"{school} · {board.title}".strip(" ·"))
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = f"{board.period.first_day:%Y-%m-%d} – {board.period.last_day:%Y-%m-%d}"
    _board_sheet(sheet, board, 4)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def term_summary_xlsx(summary: TermSummary) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = pgettext("term summary", "Summary")[:31]
    sheet["A1"] = spreadsheet_safe(summary.title)
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = spreadsheet_safe(f"{summary.school} · {summary.dates}".strip(" ·"))
    _header(sheet, 4, [_("Figure"), _("This term")])
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
    _board_sheet(targets, summary.board, 1)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
