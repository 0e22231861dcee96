"""The writes of the registers page: a register file's job started (made at once while the page
waits, or handed to the background worker when it is large), and the file made for its job.

A job lives in a folder of its own (``reports.register_files``); its state moves through
``REGISTER_JOB_STATES`` in ``reports/states.py``: being made, then ready or failed, once.
"""

from __future__ import annotations

import contextlib
import logging
import os

from celery import current_app
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from library_site.accounts.models import User

from .. import register_files
from ..documents.registers import RegisterQuery, register_filename, register_get, register_write
from ..selectors.register_jobs import RegisterJob, register_job_state
from ..states import REGISTER_JOB_STATES

# The worker's task, named rather than imported: reports/tasks.py calls this module.
REGISTER_EXPORT_TASK = "reports.tasks.register_export_task"

logger = logging.getLogger(__name__)


def inline_rows() -> int:
    """Registers up to this many rows are made while the page waits."""
    return getattr(settings, "REPORTS_REGISTER_INLINE_ROWS", 3000)


def register_export_start(*, user: User, query: RegisterQuery, fmt: str, token: str) -> str:
    """The job that makes ``query``'s register as ``fmt`` for ``user``; returns its id. The
    job's id comes from the person, the page's one-time token and what was asked, so a second
    press of the button finds the first one's job and makes nothing again. A small register
    (``inline_rows()`` rows or fewer, counted first) is made at once; a larger one is handed to
    the background worker."""
    asked = {"query": query.to_json(), "format": fmt, "language": get_language()}
    job_id = register_files.job_id_for(user_id=user.pk, token=token, request=asked)
    if register_files.job_meta(job_id) is None:
        total = register_get(query.letter).count(query)
        inline = total <= inline_rows()
        created = register_files.job_create(
            job_id,
            {
                **asked,
                "user_id": user.pk,
                "total": total,
                "inline": inline,
                "filename": register_filename(query, fmt),
            },
        )
        if created:
            if inline:
                # A failure is kept in the job's result and the log; the job's page says so.
                with contextlib.suppress(Exception):
                    register_export_run(job_id)
            else:
                # Nothing was written to the database: the worker may start at once.
                current_app.tasks[REGISTER_EXPORT_TASK].delay(job_id)
    return job_id


def _result_write(job_id: str, state: str, result: dict) -> None:
    """End the job in ``state`` (ready or failed) with ``result``, through its table's guard."""
    REGISTER_JOB_STATES.check(register_job_state(job_id), state)
    register_files.job_result_write(job_id, result)


def register_export_run(job_id: str) -> None:
    """Make a register file for its job: written beside the job under a temporary name, then
    renamed, so that a download never gets half a file. Does nothing for a job that has a
    result already or is gone (safe to run twice)."""
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
            _result_write(
                job_id,
                RegisterJob.State.FAILED,
                {"ok": False, "message": _("The register could not be made because of an error.")},
            )
            raise
    register_files.job_progress_write(job_id, done=rows, total=total)
    _result_write(job_id, RegisterJob.State.MADE, {"ok": True, "rows": rows})
