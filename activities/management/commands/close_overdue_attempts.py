"""Close and grade, at its deadline, every quiz attempt whose time ran out: what the beat task
(``activities.tasks.close_overdue_attempts_task``, every minute) runs. Safe to run any time."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from library_site.system.jobs import job_run
from library_site.system.models import JobRun

from ...services.quiz import attempts_close_overdue


class Command(BaseCommand):
    help = "Close and grade the quiz attempts whose time ran out."

    def handle(self, *args, **options):
        with job_run("close_overdue_attempts", trigger=JobRun.Trigger.COMMAND) as run:
            closed = attempts_close_overdue()
            run.result = {"closed": closed}
        self.stdout.write(f"{closed} attempt(s) closed at their deadline.")
