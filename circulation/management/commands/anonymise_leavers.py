"""Detach the returned loans of readers who left the school long enough ago from them (the
period is the circulation settings' "anonymise after (years)"); the loans stay for the
statistics. Meant for a yearly or nightly cron.

python manage.py anonymise_leavers [--date YYYY-MM-DD] [--dry-run]
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from circulation.services.leavers import loans_anonymise


class Command(BaseCommand):
    help = "Anonymise the closed loans of readers who graduated or left before the configured period."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Count the period back from this day (YYYY-MM-DD; default today).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; change nothing.")

    def handle(self, *args, date: str | None, dry_run: bool, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date.strip())
            except ValueError:
                raise CommandError(f"--date {date!r} is not a day written YYYY-MM-DD.") from None
        result = loans_anonymise(today=today, dry_run=dry_run)
        if result.cutoff is None:
            self.stdout.write(
                "Anonymising is turned off (0 years in the circulation settings); nothing changed."
            )
            return
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{result.loans:,} closed loans of {result.readers:,} readers who left on or before "
            f"{result.cutoff.isoformat()} {verb} anonymised."
            + (" Dry run: nothing was changed." if dry_run else "")
        )
