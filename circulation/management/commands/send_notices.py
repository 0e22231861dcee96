"""Send the due-date reminders, overdue notices, hold-ready notices still missing and the head
teachers' class lists, with their e-mails: what the daily job does, run by hand or by cron.

    python manage.py send_notices [--date YYYY-MM-DD]

Safe to run again (each notice exists once); a run that stopped half-way is completed.
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from circulation.services.notices import notices_send
from library_site.system.jobs import job_run
from library_site.system.models import JobRun


def day_option(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"--date {text!r} is not a day written YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Send due-date reminders and overdue notices (the daily notice job)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to send for (YYYY-MM-DD; default today).")

    def handle(self, *args, date: str | None, **options):
        today = day_option(date)
        started = time.perf_counter()
        with job_run("send_notices", trigger=JobRun.Trigger.COMMAND, param=date or "") as job:
            run = notices_send(today=today)
            job.result = run.as_dict()
        self.stdout.write(
            f"{run.reminders:,} reminders, {run.overdue:,} overdue notices, {run.hold_ready:,} hold-ready "
            f"notices and {run.class_lists:,} class lists made; {run.emailed:,} e-mails sent, "
            f"{run.email_failed:,} failed, in {time.perf_counter() - started:.1f} s."
        )
