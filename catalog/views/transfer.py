"""Import and export of records with their copies (.xlsx, .csv) for librarians.

The import is two steps: the upload is checked whole and every row's fate is shown (nothing is
saved); the confirmation checks the kept file again and saves all its rows, or none. The file
waits between the two under a random token that only the session knows (library_site.documents.uploads).
A file of more than ``catalog.policies.import_inline_rows()`` rows is saved by the background worker
(catalog.tasks.records_import_task) while the preview page shows its progress.
"""

from __future__ import annotations

import io
import tempfile
import time

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from catalog.exceptions import CatalogError
from catalog.forms.transfer import ExportForm, ImportForm
from catalog.policies import IMPORT_JOB_SILENT_SECONDS, import_inline_rows
from catalog.selectors.transfer import (
    TEMPLATE_FILENAME,
    export_csv_lines,
    export_xlsx,
    import_report_confirmable,
    import_report_row,
    import_report_rows,
    template_write,
)
from catalog.services.transfer import import_file
from catalog.spreadsheet import Fate
from catalog.tasks import records_import_task
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.documents import previews, sheets, uploads

SESSION_KEY = "catalog-import"
PREVIEW_KIND = "catalog.records"
PREVIEW_PAGE_SIZE = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pending(request) -> dict | None:
    """The import waiting for confirmation in this session, if its token is sound."""
    return uploads.upload_pending(request, SESSION_KEY)


def _discard(request) -> None:
    uploads.upload_pending_discard(request, SESSION_KEY)


def _report(token: str, preview: previews.Preview | None) -> dict:
    """What the preview found: checked again at a refused confirmation, or as the worker built it."""
    return (
        uploads.import_report_load(token) or ((preview.result or {}).get("report") if preview else None) or {}
    )


@capability_required(Capability.MANAGE_CATALOGUE)
def records_import(request):
    uploads.import_files_purge()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            _discard(request)
            # Kept, then read and checked by the worker (in this request when it is small).
            preview = previews.preview_upload(
                upload,
                kind=PREVIEW_KIND,
                user=request.user,
                filename=f"upload{upload.extension}",
                options={"extension": upload.extension, "name": upload.name[:200]},
            )
            token = preview.token
            if preview.state in (previews.State.REFUSED, previews.State.FAILED):
                # Nothing in it can be saved: keep nothing.
                uploads.import_files_delete(token)
                form.add_error("file", preview.message)
            else:
                request.session[SESSION_KEY] = {
                    "token": token,
                    "extension": upload.extension,
                    "name": upload.name[:200],
                }
                return redirect("catalog:records-import-preview")
    else:
        form = ImportForm()
    return render(
        request,
        "catalog/records_import.html",
        {"form": form, "pending": _pending(request), "max_rows": sheets.max_rows()},
    )


@capability_required(Capability.MANAGE_CATALOGUE)
def records_import_preview(request):
    uploads.import_files_purge()
    pending = _pending(request)
    if pending and pending.get("job"):
        answer = _job(request, pending)
        if answer is not None:
            return answer
        pending = _pending(request)
    preview = previews.preview_for_page(pending["token"], user=request.user) if pending else None
    if preview is None:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("There is no import waiting for confirmation. Upload a file."))
        return redirect("catalog:records-import")
    if preview.waiting and not preview.stopped:
        return previews.preview_waiting_response(
            request,
            preview,
            poll_url=reverse("catalog:records-import-preview"),
            heading=pending["name"],
            cancel_url=reverse("catalog:records-import-cancel"),
        )
    if not preview.ready:
        _discard(request)
        messages.error(
            request, preview.message if not preview.waiting else previews.preview_stopped_message()
        )
        return previews.preview_redirect(request, reverse("catalog:records-import"))
    if request.htmx and request.htmx.target == "upload-preview":  # the progress card's last poll
        return previews.preview_redirect(request, reverse("catalog:records-import-preview"))
    report = _report(pending["token"], preview)
    only_errors = request.GET.get("show") == "errors"
    page = Paginator(import_report_rows(report, only_errors=only_errors), PREVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalog/records_import_preview.html",
        {
            "report": report,
            "counts": report["counts"],
            "page": page,
            "rows": [import_report_row(row) for row in page.object_list],
            "only_errors": only_errors,
            "pending": pending,
            "can_confirm": import_report_confirmable(report),
            "Fate": Fate,
        },
    )


@require_POST
@capability_required(Capability.MANAGE_CATALOGUE)
def records_import_confirm(request):
    pending = _pending(request)
    preview = previews.preview_get(pending["token"], user=request.user) if pending else None
    if (
        pending is None
        or request.POST.get("token") != pending["token"]
        or preview is None
        or not preview.ready
    ):
        messages.info(
            request, _("There is no import waiting for confirmation: it may have been saved already.")
        )
        return redirect("catalog:records-import")
    token, extension = pending["token"], pending["extension"]
    claimed = uploads.import_file_claim(token, extension)
    if claimed is None:
        messages.info(request, _("This import is being saved or was saved already; it was not saved twice."))
        return redirect("catalog:records-import")
    report = _report(token, preview)
    if report.get("counts", {}).get("rows", 0) > import_inline_rows():
        pending["job"] = {"started": time.time()}
        request.session[SESSION_KEY] = pending
        records_import_task.delay(
            token, extension=extension, name=pending["name"], user_id=request.user.pk, language=get_language()
        )
        return redirect("catalog:records-import-preview")
    try:
        # Checked again as it is saved: the catalogue may have changed since the preview.
        plan, outcome = import_file(claimed, extension=extension, name=pending["name"], user=request.user)
        if outcome is None:
            uploads.import_report_store(token, plan.report())
            uploads.import_file_release(token)
            messages.error(
                request, _("The file no longer passes the checks (see the rows below). Nothing was saved.")
            )
            return redirect("catalog:records-import-preview")
    except CatalogError as error:
        uploads.import_file_release(token)
        messages.error(request, error.message)
        return redirect("catalog:records-import-preview")
    except Exception:
        uploads.import_file_release(token)
        raise
    uploads.import_files_delete(token)
    request.session.pop(SESSION_KEY, None)
    _imported(request, pending["name"], outcome)
    return redirect("catalog:records-import")


def _imported(request, name: str, outcome: dict) -> None:
    messages.success(
        request,
        _(
            "Imported %(name)s: %(records)s new records and %(copies)s copies "
            "(%(existing_copies)s of them added to records the catalogue already had)."
        )
        % {"name": name, **outcome},
    )


def _job(request, pending: dict):
    """A large import being saved by the worker: its progress (a fragment that htmx asks for
    again every two seconds), then its result. None when the job is over and refused: the
    preview shows the rows again, the file given back."""
    token = pending["token"]
    result = uploads.job_result_read(token)
    if result is not None and result.get("ok"):
        uploads.import_files_delete(token)
        request.session.pop(SESSION_KEY, None)
        _imported(
            request, pending["name"], {key: result[key] for key in ("records", "copies", "existing_copies")}
        )
        if request.htmx:
            return HttpResponseClientRedirect(reverse("catalog:records-import"))
        return redirect("catalog:records-import")
    progress = uploads.job_progress_read(token) or {}
    silent = time.time() - (progress.get("at") or pending["job"]["started"]) > IMPORT_JOB_SILENT_SECONDS
    if result is not None or silent:
        message = (result or {}).get("message") or _(
            "The import stopped without finishing (the background worker did not answer); nothing was saved."
        )
        # Given back: should the worker start after all, it finds no claimed file, and saves
        # nothing; a job still running rolls back at its next batch.
        uploads.import_file_release(token)
        pending.pop("job", None)
        request.session[SESSION_KEY] = pending
        messages.error(request, message)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("catalog:records-import-preview"))
        return None
    report = _report(token, previews.preview_get(token, user=request.user)) or {"counts": {"rows": 0}}
    total = progress.get("total") or report["counts"]["rows"]
    done = progress.get("done", 0)
    context = {
        "job": {"done": done, "total": total, "percent": int(100 * done / total) if total else 0},
        "pending": pending,
    }
    template = "catalog/_records_import_job.html" if request.htmx else "catalog/records_import_job.html"
    return render(request, template, context)


@require_POST
@capability_required(Capability.MANAGE_CATALOGUE)
def records_import_cancel(request):
    _discard(request)
    messages.info(request, _("The import was cancelled; nothing was saved."))
    return redirect("catalog:records-import")


@capability_required(Capability.MANAGE_CATALOGUE)
def records_import_template(request):
    handle = io.BytesIO()
    template_write(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=TEMPLATE_FILENAME, content_type=XLSX_TYPE)


@capability_required(Capability.MANAGE_CATALOGUE)
def records_export(request):
    form = ExportForm(request.GET or None)
    if request.GET and form.is_valid():
        location = form.cleaned_data["location"]
        stamp = timezone.localdate().isoformat()
        if form.cleaned_data["format"] == "csv":
            response = StreamingHttpResponse(
                (text.encode("utf-8") for text in export_csv_lines(location=location)),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = _attachment(f"馆藏导出-{stamp}.csv")
            return response
        # Written to a temporary file first (a zip is finished at its end), then streamed; the
        # file has no name on disk, so it goes away when the response closes it.
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        export_xlsx(handle, location=location)
        handle.seek(0)
        return FileResponse(
            handle, as_attachment=True, filename=f"馆藏导出-{stamp}.xlsx", content_type=XLSX_TYPE
        )
    return render(request, "catalog/records_export.html", {"form": form})


def _attachment(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=filename)
