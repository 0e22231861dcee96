"""The targets board as a table of a PDF and as a workbook's sheet (met shaded green, missed
red), for the leaders' report, the term summary and the board's own .xlsx."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from library_site.documents.sheets import spreadsheet_safe

from ..selectors.targets import MET, MISSED, TargetsBoard
from .a4 import CONTENT_WIDTH, TITLE_FONT, figures_table, paragraph_text, sheet_header

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


def board_header() -> list[str]:
    return [_("Target"), _("Goal"), _("Measured"), _("Gap"), pgettext("target", "Result")]


def board_pdf_table(board: TargetsBoard, font: str, styles):
    """The board's table for a PDF, the result shaded green (met) or red (missed)."""
    rows = [board_header()] + [
        [Paragraph(paragraph_text(cell), styles["cell"]) for cell in line] for line in board_rows(board)
    ]
    table = figures_table(font, rows, [62 * mm, 24 * mm, 22 * mm, 16 * mm, CONTENT_WIDTH - 124 * mm])
    for index, row in enumerate(board.rows, start=1):
        if row.met:
            table.setStyle([("BACKGROUND", (4, index), (4, index), MET_COLOUR)])
        elif row.missed:
            table.setStyle([("BACKGROUND", (4, index), (4, index), MISSED_COLOUR)])
    return table


def board_sheet(sheet, board: TargetsBoard, start: int) -> int:
    """The board by month: target, goal, each month, the period, gap, result."""
    header = [
        _("Target"),
        _("Goal"),
        *board.month_labels,
        _("Whole period"),
        _("Gap"),
        pgettext("target", "Result"),
    ]
    sheet_header(sheet, start, header)
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
    board_sheet(sheet, board, 4)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
