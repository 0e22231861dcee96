"""Background jobs of the reports."""

from __future__ import annotations

import logging
import os

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext as _

from . import jobs

logger = logging.getLogger(__name__)


def register_export_run(job_id: str) -> None:
    """Make a register file for its job: written beside the job under a temporary name, then
    renamed, so that a download never gets half a file. Does nothing for a job that has a
    result already or is gone (safe to run twice)."""
    from .exports import register_write
    from .registers import RegisterQuery

    meta = jobs.job_meta(job_id)
    if meta is None or jobs.job_result(job_id) is not None:
        return
    target = jobs.job_file(job_id, meta["format"])
    partial = target.with_name(target.name + ".partial")
    total = meta.get("total") or 0
    with translation.override(meta.get("language")):
        try:
            query = RegisterQuery.from_json(meta["query"])
            jobs.job_progress_write(job_id, done=0, total=total)
            rows = register_write(
                query,
                partial,
                fmt=meta["format"],
                progress=lambda done: jobs.job_progress_write(job_id, done=done, total=total),
            )
            os.replace(partial, target)
        except (OperationalError, InterfaceError):
            partial.unlink(missing_ok=True)
            raise  # retried by LibraryTask
        except Exception:
            partial.unlink(missing_ok=True)
            logger.exception("Register export %s failed", job_id)
            jobs.job_result_write(
                job_id, {"ok": False, "message": _("The register could not be made because of an error.")}
            )
            raise
    jobs.job_progress_write(job_id, done=rows, total=total)
    jobs.job_result_write(job_id, {"ok": True, "rows": rows})


@shared_task(name="reports.tasks.register_export_task", ignore_result=True)
def register_export_task(job_id: str) -> None:
    """A register too large to be made while the page waits."""
    register_export_run(job_id)


@shared_task(name="reports.tasks.register_exports_purge_task", ignore_result=True)
def register_exports_purge_task() -> int:
    """Every night: remove the register files made more than a day ago."""
    return jobs.jobs_purge()
