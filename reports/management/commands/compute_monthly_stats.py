"""Count a month's statistics into its snapshot (again, if it was counted before).

python manage.py compute_monthly_stats YYYY-MM
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from library_site.system.jobs import job_run
from library_site.system.models import JobRun
from reports.exceptions import ReportsError
from reports.periods import month_parse
from reports.services.statistics import monthly_snapshot_compute
from reports.tasks import snapshot_summary


class Command(BaseCommand):
    help = "Compute the monthly statistics of one month (YYYY-MM) and store them as its snapshot."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month to count, written YYYY-MM (for example 2026-03).")

    def handle(self, *args, month: str, **options):
        with translation.override("en"):
            try:
                first = month_parse(month)
            except ReportsError as error:
                raise CommandError(str(error.message)) from None
        with job_run("monthly_stats", trigger=JobRun.Trigger.COMMAND, param=f"{first:%Y-%m}") as run:
            snapshot = monthly_snapshot_compute(month=first)
            run.result = snapshot_summary(snapshot)
        self.stdout.write(
            f"{snapshot.month:%Y-%m}: {snapshot.loans:,} loans, {snapshot.returns:,} returns, "
            f"{snapshot.renewals:,} renewals, {snapshot.active_readers:,} active readers, "
            f"{snapshot.visits:,} visits, {snapshot.class_sessions:,} class sessions, "
            f"{snapshot.new_copies:,} new copies (counted in {snapshot.duration_ms:,} ms)."
        )
