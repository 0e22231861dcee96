"""The report to school leaders as files: a printable A4 PDF (reportlab, with the catalogue's
embedded Chinese font and reportlab's own charts) and an .xlsx workbook (openpyxl). Both are
drawn from a ``reports.selectors.leaders.LeadersReport`` and read nothing else."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from library_site.dates import datetime_text
from library_site.documents.sheets import spreadsheet_safe

from ..selectors.leaders import LeadersReport, period_label
from .a4 import (
    CONTENT_WIDTH,
    HEADER_FONT,
    NO_DATA,
    TITLE_FONT,
    WARNING_FONT,
    a4_pdf,
    figures_table,
    number_text,
    paragraph_styles,
    paragraph_text,
    report_font,
    sheet_table,
)
from .board import board_pdf_table, board_sheet

BAR_COLOUR = colors.HexColor("#2f6fb3")
PREVIOUS_COLOUR = colors.HexColor("#b8c7d9")


def _change(figure) -> str:
    if figure.change is None:
        return NO_DATA
    text = f"{figure.change:+,}"
    if figure.change_percent is not None:
        text += f" ({figure.change_percent:+.1f}%)"
    return text


def _short(label: str, length: int) -> str:
    """A chart's axis label cut to ``length`` characters (the table beside it has it whole)."""
    return label if len(label) <= length else label[: length - 1] + "…"


# --- charts (also shown on the report page, as SVG) ---------------------------------------------


def _bar_chart(
    font: str,
    labels: list[str],
    series: list[list],
    *,
    width: float,
    height: float,
    title: str,
    horizontal: bool = False,
    legend: list[str] | None = None,
) -> Drawing:
    drawing = Drawing(width, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    left = 118 if horizontal else 36
    chart.x, chart.y = left, 28 if not horizontal else 18
    chart.width = width - left - 12
    chart.height = height - chart.y - 26
    chart.data = [[value if value is not None else None for value in values] for values in series]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    peak = max((value or 0 for values in series for value in values), default=0)
    chart.valueAxis.valueMax = max(peak * 1.15, 4)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.barSpacing = 1
    chart.groupSpacing = 4 if not horizontal else 2
    if horizontal:
        chart.categoryAxis.reverseDirection = True
        chart.categoryAxis.labels.boxAnchor = "e"
    elif len(labels) > 8:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.bars[0].fillColor = BAR_COLOUR
    chart.bars[0].strokeColor = None
    if len(series) > 1:
        chart.bars[1].fillColor = PREVIOUS_COLOUR
        chart.bars[1].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(left, height - 14, title, fontName=font, fontSize=10))
    if legend:
        x = width - 12
        for name, colour in reversed(list(zip(legend, (BAR_COLOUR, PREVIOUS_COLOUR), strict=False))):
            drawing.add(
                String(x, height - 14, name, fontName=font, fontSize=7, textAnchor="end", fillColor=colour)
            )
            x -= 7 * len(name) + 16
    return drawing


def report_charts(report: LeadersReport, font: str, *, width: float = CONTENT_WIDTH) -> dict[str, Drawing]:
    """The report's three charts: loans per month, loans by grade, loans by CLC class."""
    statistics = report.statistics
    month_labels = [f"{month.month:%Y-%m}" for month in report.trend]
    grades = statistics.by_grade
    clc = [line for line in statistics.by_clc if line.loans or line.copies]
    return {
        "months": _bar_chart(
            font,
            month_labels,
            [[month.loans for month in report.trend]],
            width=width,
            height=190,
            title=_("Loans per month"),
        ),
        "grades": _bar_chart(
            font,
            [line.label for line in grades] or [NO_DATA],
            [[line.loans for line in grades] or [0]],
            width=width,
            height=180,
            title=_("Loans by grade"),
        ),
        "clc": _bar_chart(
            font,
            [_short(line.label, 10) for line in clc] or [NO_DATA],
            [[line.loans for line in clc] or [0]],
            width=width,
            height=max(120, 16 * len(clc) + 50),
            title=_("Loans by CLC class"),
            horizontal=True,
        ),
    }


def report_charts_svg(report: LeadersReport) -> dict[str, str]:
    """The same charts as SVG, for the report page."""
    from reportlab.graphics import renderSVG

    font = report_font()
    return {
        name: renderSVG.drawToString(drawing).split("?>", 1)[-1]
        for name, drawing in report_charts(report, font, width=520).items()
    }


# --- the PDF --------------------------------------------------------------------------------


def _missing_text(report: LeadersReport) -> str:
    return _(
        "No statistics were computed for %(months)s: these months are not counted here, "
        "and the figures below are incomplete."
    ) % {"months": report.missing_label}


def _previous_text(report: LeadersReport) -> str:
    if report.previous is None:
        return _("There are no statistics for the period before, so there is nothing to compare with.")
    text = _("Compared with %(period)s.") % {"period": period_label(report.previous.period)}
    if report.previous.missing_months:
        text += " " + _("That period lacks the statistics of %(months)s.") % {
            "months": "、".join(f"{month:%Y-%m}" for month in report.previous.missing_months)
        }
    return text


def leaders_report_pdf(report: LeadersReport) -> bytes:
    """The report as PDF bytes: A4, the embedded Chinese font, page numbers."""
    font = report_font()
    styles = paragraph_styles(font)
    statistics = report.statistics
    school = report.school or _("School library")
    generated = timezone.localtime()
    story: list = [
        Paragraph(paragraph_text(school), styles["subtitle"]),
        Paragraph(paragraph_text(report.title), styles["title"]),
        Paragraph(paragraph_text(report.period_label), styles["subtitle"]),
        Spacer(1, 4 * mm),
    ]
    if statistics.missing_months:
        story.append(Paragraph(paragraph_text(_missing_text(report)), styles["warning"]))

    story.append(Paragraph(paragraph_text(_("Key figures")), styles["heading"]))
    rows = [[_("Figure"), _("This period"), _("Period before"), _("Change")]]
    for figure in report.key_figures:
        rows.append([figure.label, number_text(figure.value), number_text(figure.previous), _change(figure)])
    story.append(figures_table(font, rows, [70 * mm, 32 * mm, 32 * mm, CONTENT_WIDTH - 134 * mm]))
    story.append(Paragraph(paragraph_text(_previous_text(report)), styles["small"]))

    if report.note_text:
        story.append(Paragraph(paragraph_text(_("The librarian's note")), styles["heading"]))
        story.append(Paragraph(paragraph_text(report.note_text), styles["note"]))
        if report.note.written_by:
            story.append(
                Paragraph(
                    paragraph_text(
                        _("Written by %(name)s, %(when)s")
                        % {
                            "name": report.note.written_by.display_name,
                            "when": f"{timezone.localtime(report.note.written_at):%Y-%m-%d %H:%M}",
                        }
                    ),
                    styles["small"],
                )
            )

    charts = report_charts(report, font)
    story.append(Paragraph(paragraph_text(_("Loans and visits per month")), styles["heading"]))
    story.append(charts["months"])
    rows = [[_("Month"), _("Loans"), _("Returns"), _("Reading-room visits")]]
    for month in report.trend:
        rows.append(
            [
                f"{month.month:%Y-%m}",
                number_text(month.loans),
                number_text(month.returns),
                number_text(month.visits),
            ]
        )
    story.append(figures_table(font, rows, [40 * mm, 40 * mm, 40 * mm, CONTENT_WIDTH - 120 * mm]))

    story.append(
        KeepTogether(
            [
                Paragraph(paragraph_text(_("Loans by grade")), styles["heading"]),
                charts["grades"],
                figures_table(
                    font,
                    [[_("Grade"), _("Loans"), _("Active readers"), _("Reading-room visits")]]
                    + [
                        [
                            line.label,
                            number_text(line.loans),
                            number_text(line.active_readers),
                            number_text(line.visits),
                        ]
                        for line in statistics.by_grade
                    ],
                    [50 * mm, 35 * mm, 40 * mm, CONTENT_WIDTH - 125 * mm],
                ),
            ]
        )
    )
    story.append(Paragraph(paragraph_text(_("Loans by reader type")), styles["heading"]))
    story.append(
        figures_table(
            font,
            [[_("Reader type"), _("Loans"), _("Active readers"), _("Reading-room visits")]]
            + [
                [
                    line.label,
                    number_text(line.loans),
                    number_text(line.active_readers),
                    number_text(line.visits),
                ]
                for line in statistics.by_kind
            ],
            [50 * mm, 35 * mm, 40 * mm, CONTENT_WIDTH - 125 * mm],
        )
    )

    story.append(Paragraph(paragraph_text(_("Class ranking")), styles["heading"]))
    rows = [
        [
            _("Place"),
            pgettext("school class", "Class"),
            _("Loans"),
            _("Active readers"),
            _("Reading-room visits"),
        ]
    ]
    rows += [
        [
            str(line.rank),
            line.label,
            number_text(line.loans),
            number_text(line.active_readers),
            number_text(line.visits),
        ]
        for line in statistics.by_class
    ]
    if len(rows) == 1:
        rows.append([NO_DATA, _("No class borrowed in this period."), "", "", ""])
    story.append(
        figures_table(
            font, rows, [16 * mm, 50 * mm, 30 * mm, 35 * mm, CONTENT_WIDTH - 131 * mm], numeric_from=2
        )
    )

    story.append(Paragraph(paragraph_text(_("Loans by CLC class")), styles["heading"]))
    story.append(charts["clc"])
    rows = [[_("CLC class"), _("Loans"), _("Copies held"), _("Loans per copy")]]
    rows += [
        [
            Paragraph(paragraph_text(line.label), styles["cell"]),
            number_text(line.loans),
            number_text(line.copies),
            NO_DATA if line.loans_per_copy is None else f"{line.loans_per_copy:.2f}",
        ]
        for line in statistics.by_clc
        if line.loans or line.copies
    ]
    story.append(figures_table(font, rows, [80 * mm, 30 * mm, 30 * mm, CONTENT_WIDTH - 140 * mm]))

    story.append(Paragraph(paragraph_text(_("Most borrowed titles")), styles["heading"]))
    rows = [[_("Place"), _("Title"), _("Loans")]]
    rows += [
        [str(title.rank), Paragraph(paragraph_text(title.title), styles["cell"]), number_text(title.loans)]
        for title in statistics.top_titles
    ]
    if len(rows) == 1:
        rows.append([NO_DATA, _("Nothing was borrowed in this period."), ""])
    story.append(figures_table(font, rows, [16 * mm, CONTENT_WIDTH - 46 * mm, 30 * mm], numeric_from=2))

    if report.targets is not None:
        story.append(Paragraph(paragraph_text(_("Targets")), styles["heading"]))
        story.append(board_pdf_table(report.targets, font, styles))

    footer = _("Generated %(when)s from the monthly statistics; page %(page)s") % {
        "when": datetime_text(generated),
        "page": "%(page)s",
    }
    return a4_pdf(
        story,
        font=font,
        title=f"{report.title} {report.period_label}",
        school=school,
        footer_left=f"{school} · {report.period_label}",
        footer_right=footer,
    )


# --- the workbook -------------------------------------------------------------------------------


def _sheet_begin(workbook, title: str, report: LeadersReport, heading: str):
    sheet = workbook.create_sheet(title)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = "&P / &N"
    sheet["A1"] = spreadsheet_safe(f"{report.school or _('School library')} · {heading}")
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = spreadsheet_safe(report.period_label)
    if report.statistics.missing_months:
        sheet["A3"] = spreadsheet_safe(_missing_text(report))
        sheet["A3"].font = WARNING_FONT
    return sheet


def _month_value(value):
    return NO_DATA if value is None else value


def leaders_report_xlsx(report: LeadersReport) -> bytes:
    """The report as an .xlsx workbook: the key figures and the note, then one sheet per table."""
    statistics = report.statistics
    workbook = Workbook()
    workbook.remove(workbook.active)

    sheet = _sheet_begin(workbook, _("Report summary"), report, report.title)
    row = sheet_table(
        sheet,
        5,
        [_("Figure"), _("This period"), _("Period before"), _("Change"), _("Change (%)")],
        [
            [
                figure.label,
                _month_value(figure.value),
                _month_value(figure.previous),
                _month_value(figure.change),
                NO_DATA if figure.change_percent is None else figure.change_percent / 100,
            ]
            for figure in report.key_figures
        ],
        [36, 14, 14, 12, 12],
    )
    for (cell,) in sheet.iter_rows(min_row=6, max_row=row - 1, min_col=5, max_col=5):
        cell.number_format = "+0.0%;-0.0%;0.0%"
    for (cell,) in sheet.iter_rows(min_row=6, max_row=row - 1, min_col=4, max_col=4):
        cell.number_format = "+#,##0;-#,##0;0"
    sheet.cell(row=row, column=1, value=spreadsheet_safe(_previous_text(report)))
    row += 2
    if report.note_text:
        sheet.cell(row=row, column=1, value=spreadsheet_safe(_("The librarian's note"))).font = HEADER_FONT
        cell = sheet.cell(row=row + 1, column=1, value=spreadsheet_safe(report.note_text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=4)
        sheet.row_dimensions[row + 1].height = min(
            400, 16 * (report.note_text.count("\n") + 2 + len(report.note_text) // 60)
        )
        if report.note.written_by:
            sheet.cell(
                row=row + 2,
                column=1,
                value=spreadsheet_safe(
                    _("Written by %(name)s, %(when)s")
                    % {
                        "name": report.note.written_by.display_name,
                        "when": f"{timezone.localtime(report.note.written_at):%Y-%m-%d %H:%M}",
                    }
                ),
            )

    sheet = _sheet_begin(workbook, _("Per month"), report, _("Loans and visits per month"))
    end = sheet_table(
        sheet,
        5,
        [_("Month"), _("Loans"), _("Returns"), _("Reading-room visits")],
        [
            [
                f"{month.month:%Y-%m}",
                _month_value(month.loans),
                _month_value(month.returns),
                _month_value(month.visits),
            ]
            for month in report.trend
        ],
        [12, 12, 12, 16],
    )
    if report.trend:
        chart = BarChart()
        chart.title = _("Loans per month")
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=2, min_row=5, max_row=end - 1), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=6, max_row=end - 1))
        chart.width, chart.height = 18, 8
        sheet.add_chart(chart, "F5")

    sheet = _sheet_begin(workbook, _("By grade"), report, _("Loans by grade"))
    lines = statistics.by_grade + statistics.by_kind
    sheet_table(
        sheet,
        5,
        [_("Grade or reader type"), _("Loans"), _("Returns"), _("Active readers"), _("Reading-room visits")],
        [[line.label, line.loans, line.returns, line.active_readers, line.visits] for line in lines],
        [20, 12, 12, 14, 16],
    )

    sheet = _sheet_begin(workbook, _("Class ranking"), report, _("Class ranking"))
    sheet_table(
        sheet,
        5,
        [
            _("Place"),
            pgettext("school class", "Class"),
            _("Loans"),
            _("Active readers"),
            _("Reading-room visits"),
        ],
        [
            [line.rank, line.label, line.loans, line.active_readers, line.visits]
            for line in statistics.by_class
        ],
        [8, 20, 12, 14, 16],
    )

    sheet = _sheet_begin(workbook, _("CLC classes"), report, _("Loans by CLC class"))
    sheet_table(
        sheet,
        5,
        [_("CLC class"), _("Loans"), _("Copies held"), _("Loans per copy")],
        [
            [
                line.label,
                line.loans,
                line.copies,
                line.loans_per_copy if line.loans_per_copy is not None else NO_DATA,
            ]
            for line in statistics.by_clc
        ],
        [30, 12, 12, 14],
    )

    sheet = _sheet_begin(workbook, _("Top titles"), report, _("Most borrowed titles"))
    sheet_table(
        sheet,
        5,
        [_("Place"), _("Title"), _("Loans")],
        [[title.rank, title.title, title.loans] for title in statistics.top_titles],
        [8, 50, 12],
    )
    if report.targets is not None:
        targets = workbook.create_sheet(_("Targets")[:31])
        board_sheet(targets, report.targets, 1)
    for sheet in workbook.worksheets:
        sheet.freeze_panes = None
    output = io.BytesIO()
    workbook.properties.title = f"{report.title} {report.period_label}"
    workbook.properties.creator = "School library"
    workbook.save(output)
    return output.getvalue()
