"""The streaming xlsx writer keeps dates and moments as real Excel values, shown with the one
number format of the language (library_site.dates), in plain and in laid-out sheets."""

import datetime

from django.utils import timezone, translation
from openpyxl import load_workbook

from library_site.documents.xlsx import SheetLayout, XlsxStreamWriter


def test_dates_and_moments_are_real_values_with_the_languages_format(tmp_path):
    day = datetime.date(2026, 12, 6)
    moment = datetime.datetime(2026, 12, 6, 14, 5, tzinfo=timezone.get_current_timezone())
    for language, day_format, moment_format in (
        ("zh-hans", "yyyy-mm-dd", "yyyy-mm-dd hh\\:mm"),
        ("en", "d mmm yyyy", "d mmm yyyy hh\\:mm"),
    ):
        path = tmp_path / f"{language}.xlsx"
        with translation.override(language), XlsxStreamWriter(path) as writer:
            writer.add_sheet("plain", [["day", "moment"], [day, moment]], header_rows=1)
            writer.add_sheet(
                "laid out", [["day", "moment"], [day, moment]], header_rows=1,
                layout=SheetLayout(formats=["date", "text"]),
            )  # fmt: skip
        book = load_workbook(path)
        for sheet in book.worksheets:
            day_cell, moment_cell = sheet.cell(2, 1), sheet.cell(2, 2)
            assert day_cell.value == datetime.datetime(2026, 12, 6)
            assert moment_cell.value == datetime.datetime(2026, 12, 6, 14, 5)
            assert (day_cell.number_format, moment_cell.number_format) == (day_format, moment_format)
