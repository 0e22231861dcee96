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
    line (who gets a hold-ready notice) or back to the shelf. Reservations of periodical issues
    kept past their day expire too, and their copies go to the next teachers waiting."""
    from library_site.system.jobs import job_run

    from .services.holds import hold_expire
    from .services.issue_reservations import issue_reservations_expire

    with job_run("expire_holds", run_id=job_run_id, task_id=self.request.id, param=param) as run:
        today = _day_param(param)
        expired = hold_expire(today=today)
        issues_expired = issue_reservations_expire(today=today)
        run.result = {"expired": expired, "issues_expired": issues_expired}
    if expired or issues_expired:
        logger.info("Expired %s holds and %s reservations of issues.", expired, issues_expired)
    return {"expired": expired, "issues_expired": issues_expired}


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


# --- moving from the old library system (services/old_system.py) ---------------------------------


@shared_task(name="circulation.tasks.old_system_step_task", ignore_result=True)
def old_system_step_task(
    token: str,
    *,
    step: str,
    extension: str,
    name: str = "",
    profile: dict | None = None,
    location_id: int | None = None,
    user_id: int | None = None,
    language: str = "zh-hans",
) -> None:
    """Save one confirmed step of a migration (all or nothing), its progress and then its
    report written beside the file for the page. Safe to run twice: a job with a result, or
    whose file is gone, does nothing; and the step itself matches what it already saved."""
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from catalog.models import Location
    from catalog.old_system import MigrationRefused, profile_with
    from library_site.documents import uploads

    from .services.old_system import step_run

    path = uploads.upload_path(token, claimed=True)
    if path is None or not path.exists() or uploads.job_result_read(token) is not None:
        return
    with translation.override(language):
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        try:
            options = {}
            if step == "records":
                options["profile"] = profile_with(
                    (profile or {}).get("name", ""), (profile or {}).get("mapping")
                )
                options["location"] = Location.objects.get(pk=location_id)
            report = step_run(
                step=step,
                path=path,
                extension=extension,
                name=name,
                dry_run=False,
                user=user,
                progress=lambda done, total: uploads.job_progress_write(token, done=done, total=total),
                **options,
            )
        except MigrationRefused as error:
            uploads.job_result_write(token, {"step": step, "problems": [str(error.message)], "saved": False})
            return
        except Exception:
            logger.exception("Migration step %s (%s) failed", step, token)
            from django.utils.translation import gettext as _

            uploads.job_result_write(
                token,
                {
                    "step": step,
                    "problems": [_("The step stopped because of an error; nothing was saved.")],
                    "saved": False,
                },
            )
            raise
        uploads.job_result_write(token, report.as_dict())
