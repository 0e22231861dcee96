"""Background jobs of the reports app."""

from __future__ import annotations

import logging
import os

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import register_files

logger = logging.getLogger(__name__)


def _month_of(param: str | None):
    """The month a run counts: ``param`` (YYYY-MM) when given, else the month before today."""
    from .periods import month_first, month_parse, month_previous

    if param:
        return month_parse(param)
    return month_previous(month_first(timezone.localdate()))


@shared_task(
    name="reports.tasks.compute_monthly_stats_task",
    bind=True,
    acks_late=True,
    # A database that is briefly away (a restart, a failover): try again a little later.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
)
def compute_monthly_stats_task(self, param: str | None = None, job_run_id: int | None = None) -> dict:
    """On the 1st of each month, early in the morning, count the month before; on demand, the
    month ``param`` (YYYY-MM). An upsert: running it twice leaves one snapshot per month."""
    from library_site.system.jobs import job_run

    from .services import monthly_snapshot_compute

    with job_run("monthly_stats", run_id=job_run_id, task_id=self.request.id, param=param) as run:
        snapshot = monthly_snapshot_compute(month=_month_of(param))
        run.result = snapshot_summary(snapshot)
    logger.info(
        "Monthly statistics for %s: %s loans in %s ms.", snapshot, snapshot.loans, snapshot.duration_ms
    )
    return run.result


def snapshot_summary(snapshot) -> dict:
    """What a run says it did, as JSON."""
    return {
        "month": f"{snapshot.month:%Y-%m}",
        "loans": snapshot.loans,
        "returns": snapshot.returns,
        "renewals": snapshot.renewals,
        "active_readers": snapshot.active_readers,
        "visits": snapshot.visits,
        "new_copies": snapshot.new_copies,
        "duration_ms": snapshot.duration_ms,
    }


def register_export_run(job_id: str) -> None:
    """Make a register file for its job: written beside the job under a temporary name, then
    renamed, so that a download never gets half a file. Does nothing for a job that has a
    result already or is gone (safe to run twice)."""
    from .exports import register_write
    from .registers import RegisterQuery

    meta = register_files.job_meta(job_id)
    if meta is None or register_files.job_result(job_id) is not None:
        return
    target = register_files.job_file(job_id, meta["format"])
    partial = target.with_name(target.name + ".partial")
    total = meta.get("total") or 0
    with translation.override(meta.get("language")):
        try:
            query = RegisterQuery.from_json(meta["query"])
            register_files.job_progress_write(job_id, done=0, total=total)
            rows = register_write(
                query,
                partial,
                fmt=meta["format"],
                progress=lambda done: register_files.job_progress_write(job_id, done=done, total=total),
            )
            os.replace(partial, target)
        except (OperationalError, InterfaceError):
            partial.unlink(missing_ok=True)
            raise  # retried by LibraryTask
        except Exception:
            partial.unlink(missing_ok=True)
            logger.exception("Register export %s failed", job_id)
            register_files.job_result_write(
                job_id, {"ok": False, "message": _("The register could not be made because of an error.")}
            )
            raise
    register_files.job_progress_write(job_id, done=rows, total=total)
    register_files.job_result_write(job_id, {"ok": True, "rows": rows})


@shared_task(name="reports.tasks.register_export_task", ignore_result=True)
def register_export_task(job_id: str) -> None:
    """A register too large to be made while the page waits."""
    register_export_run(job_id)


@shared_task(name="reports.tasks.register_exports_purge_task", bind=True, ignore_result=True)
def register_exports_purge_task(self, param: str | None = None, job_run_id: int | None = None) -> int:
    """Every night: remove the register files made more than a day ago."""
    from library_site.system.jobs import job_run

    with job_run("purge_register_files", run_id=job_run_id, task_id=self.request.id) as run:
        run.result = {"removed": register_files.jobs_purge()}
    return run.result["removed"]
