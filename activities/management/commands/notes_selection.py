"""Write a month's reviewed reading notes and excerpt cards (grades, nominations, winners) to an
.xlsx file.

    python manage.py notes_selection 2026-03 --out selection-2026-03.xlsx
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from ...exports import notes_selection_write


class Command(BaseCommand):
    help = "Write a month's reviewed notes and cards with grades and winners to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("month", help="the month, YYYY-MM")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")

    def handle(self, *args, **options):
        try:
            month = datetime.strptime(options["month"], "%Y-%m").date()
        except ValueError:
            raise CommandError(f"The month is written YYYY-MM, not {options['month']!r}.") from None
        count = notes_selection_write(options["out"], month=month)
        self.stdout.write(f"{count} notes and cards of {month:%Y-%m} written to {options['out']}.")
