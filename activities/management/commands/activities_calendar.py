"""Write a school year's activities, their results and the months without a themed activity to
an .xlsx file.

    python manage.py activities_calendar 2026 --out calendar-2026.xlsx

The year is the one the school year begins in (2026 for 2026–2027)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...exports import activities_calendar_write
from ...selectors.calendar import calendar_year


class Command(BaseCommand):
    help = "Write a school year's activity calendar to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="the year the school year begins in, e.g. 2026")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")

    def handle(self, *args, **options):
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("Give the school year as the year it begins in, e.g. 2026.")
        if not options["out"].lower().endswith(".xlsx"):
            raise CommandError("The output file must end in .xlsx.")
        with open(options["out"], "wb") as target:
            count = activities_calendar_write(target, year=year)
        missing = calendar_year(year)["flagged_months"]
        self.stdout.write(
            f"{count} activities of {year}–{year + 1} written to {options['out']}; "
            f"months without a themed activity: {', '.join(f'{month:%Y-%m}' for month in missing) or 'none'}."
        )
