"""Close the holds not collected by their deadline: each kept copy goes to the next reader in
line (who is notified) or back to the shelf. What the daily job does.

    python manage.py expire_holds [--date YYYY-MM-DD]
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from circulation.management.commands.send_notices import day_option
from circulation.services.holds import hold_expire
from library_site.system.jobs import job_run
from library_site.system.models import JobRun


class Command(BaseCommand):
    help = "Expire the holds not collected in time and pass their copies on."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Expire holds to be collected before this day (default today).")

    def handle(self, *args, date: str | None, **options):
        today = day_option(date)
        with job_run("expire_holds", trigger=JobRun.Trigger.COMMAND, param=date or "") as job:
            expired = hold_expire(today=today)
            job.result = {"expired": expired}
        self.stdout.write(f"{expired:,} holds expired.")
