"""Background jobs of circulation."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="circulation.tasks.anonymise_leavers_task", bind=True, ignore_result=True)
def anonymise_leavers_task(self, param: str | None = None, job_run_id: int | None = None) -> int:
    """Nightly: detach the closed loans of readers who left long enough ago (the settings'
    period; nothing when it is 0). Safe to run any number of times."""
    from library_site.system.jobs import job_run

    from .services.leavers import loans_anonymise

    with job_run("anonymise_leavers", run_id=job_run_id, task_id=self.request.id) as run:
        result = loans_anonymise()
        run.result = {"loans": result.loans, "readers": result.readers}
    if result.loans:
        logger.info(
            "Anonymised %s loans of %s leavers (left on or before %s).",
            result.loans,
            result.readers,
            result.cutoff,
        )
    return result.loans


def _day_param(param: str | None):
    from datetime import date

    from django.utils import timezone

    return date.fromisoformat(param) if param else timezone.localdate()


@shared_task(
    name="circulation.tasks.send_notices_task",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
)
def send_notices_task(self, param: str | None = None, job_run_id: int | None = None) -> dict:
    """Daily: due-date reminders, overdue notices, hold-ready notices still missing, the head
    teachers' class lists, and their e-mails. ``param`` is the day (YYYY-MM-DD), today if
    empty. Safe to run twice, and at once: each notice exists once (a unique constraint) and
    each e-mail is claimed before it is sent."""
    from library_site.system.jobs import job_run

    from .services.notices import notices_send

    with job_run("send_notices", run_id=job_run_id, task_id=self.request.id, param=param) as run:
        run.result = notices_send(today=_day_param(param)).as_dict()
    logger.info("Notices sent: %s", run.result)
    return run.result


@shared_task(
    name="circulation.tasks.expire_holds_task",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=10 * 60,
    time_limit=15 * 60,
)
def expire_holds_task(self, param: str | None = None, job_run_id: int | None = None) -> dict:
    """Daily: close the holds not collected in time; each kept copy goes to the next reader in
    line (who gets a hold-ready notice) or back to the shelf."""
    from library_site.system.jobs import job_run

    from .services.holds import hold_expire

    with job_run("expire_holds", run_id=job_run_id, task_id=self.request.id, param=param) as run:
        expired = hold_expire(today=_day_param(param))
        run.result = {"expired": expired}
    if expired:
        logger.info("Expired %s holds.", expired)
    return {"expired": expired}


@shared_task(
    name="circulation.tasks.hold_ready_notice_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def hold_ready_notice_task(hold_id: int) -> int:
    """Right after a copy is kept for a hold: the reader's notice (once per hold)."""
    from .services.notices import notices_send_for_hold

    return notices_send_for_hold(hold_id=hold_id).hold_ready


# --- First passwords (issue 13) ---------------------------------------------------------------


@shared_task(name="circulation.tasks.password_slips_task", ignore_result=True)
def password_slips_task(batch_id: int) -> None:
    """Make a batch of first passwords and their slips (too many to hash in the page). Safe to
    run twice: a batch already made is left as it is; one cut off resumes where it stopped."""
    from .services.first_passwords import password_slips_make

    password_slips_make(batch_id=batch_id)
