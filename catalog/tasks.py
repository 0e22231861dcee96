"""Background jobs of the catalogue."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext as _

from library_site.documents import uploads

from .exceptions import ImportFailed
from .marc import MarcImportRefused, marc_import
from .models import Location
from .services.transfer import import_file

logger = logging.getLogger(__name__)


@shared_task(name="catalog.tasks.marc_import_task", ignore_result=True)
def marc_import_task(
    token: str,
    *,
    copies_per_record: int,
    location_id: int,
    existing: str,
    user_id: int | None,
    language: str,
) -> None:
    """Save a confirmed MARC import too large for the page (catalog.marc.marc_import, one
    transaction). Its progress and result are written beside the file for the page to show.
    Safe to run twice: a job with a result, or whose file is gone, does nothing."""
    data = uploads.upload_load(token, claimed=True)
    expected = uploads.expected_read(token, claimed=True)
    if data is None or expected is None or uploads.job_result_read(token) is not None:
        return
    with translation.override(language):
        location = Location.objects.filter(pk=location_id, is_active=True).first()
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        try:
            if location is None:
                raise MarcImportRefused(
                    _("The location chosen for the copies is no longer in use; upload the file again.")
                )
            result = marc_import(
                data=data,
                copies_per_record=copies_per_record,
                location=location,
                existing=existing,
                skip_invalid=True,
                expected=expected,
                user=user,
                progress=lambda done, total: _progress(token, done, total),
            )
        except MarcImportRefused as error:
            uploads.job_result_write(token, {"ok": False, "message": str(error.message)})
            return
        except (OperationalError, InterfaceError):
            raise  # retried by LibraryTask; the transaction was rolled back
        except Exception:
            logger.exception("MARC import %s failed", token)
            uploads.job_result_write(
                token,
                {"ok": False, "message": _("The import stopped because of an error; nothing was saved.")},
            )
            raise
        uploads.job_result_write(
            token,
            {
                "ok": True,
                "records": len(result.records_created),
                "copies": result.copies_created,
                "given": len(result.records_given_copies),
                "skipped": result.skipped,
            },
        )


def _progress(token: str, done: int, total: int) -> None:
    """Report progress; inside the import's transaction, so that a job the page has given up on
    (it reported the import as stopped and gave the file back) rolls back instead of saving."""
    if not uploads.upload_is_claimed(token):
        raise MarcImportRefused(_("The import was given up while it was being saved; nothing was saved."))
    uploads.job_progress_write(token, done=done, total=total)


@shared_task(name="catalog.tasks.records_import_task", ignore_result=True)
def records_import_task(token: str, *, extension: str, name: str, user_id: int | None, language: str) -> None:
    """Save a confirmed spreadsheet import too large for the page (catalog.services.transfer.import_file:
    one transaction, all rows or none). Its progress and result are written beside the file for
    the preview page. Safe to run twice: a job with a result, or whose file is gone, does nothing."""
    claimed = uploads.import_file_path(token, extension, claimed=True)
    if not claimed.exists() or uploads.job_result_read(token) is not None:
        return
    with translation.override(language):
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        try:
            plan, outcome = import_file(
                claimed,
                extension=extension,
                name=name,
                user=user,
                progress=lambda done, total: _records_progress(token, claimed, done, total),
            )
        except (OperationalError, InterfaceError):
            raise  # retried by LibraryTask; the transaction was rolled back
        except Exception:
            logger.exception("Records import %s failed", token)
            uploads.job_result_write(
                token,
                {"ok": False, "message": _("The import stopped because of an error; nothing was saved.")},
            )
            raise
        if outcome is None:
            uploads.import_report_store(token, plan.report())
            uploads.job_result_write(
                token,
                {
                    "ok": False,
                    "message": plan.failure
                    or _("The file no longer passes the checks (see the rows below). Nothing was saved."),
                },
            )
            return
        uploads.job_result_write(token, {"ok": True, **outcome})


def _records_progress(token: str, claimed, done: int, total: int) -> None:
    """Report progress; inside the import's transaction, so that a job the page has given up on
    (cancelled, or reported as stopped and given the file back) rolls back instead of saving."""
    if not claimed.exists():
        raise ImportFailed(_("The import was given up while it was being saved; nothing was saved."))
    uploads.job_progress_write(token, done=done, total=total)


@shared_task(name="catalog.tasks.imports_purge_task", bind=True, ignore_result=True)
def imports_purge_task(self, param: str | None = None, job_run_id: int | None = None) -> None:
    """Every night: remove uploads of imports (spreadsheets and MARC files) that were previewed
    but never confirmed or cancelled, a day after their upload. Safe to run twice."""
    from library_site.system.jobs import job_run

    with job_run("purge_imports", run_id=job_run_id, task_id=self.request.id) as run:
        run.result = {"removed": uploads.uploads_remove_stale()}
