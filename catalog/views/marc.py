"""MARC import at /catalog/import/marc/: upload a file with the choices for copies, look at the
preview of every record (what will be saved, what is wrong), then confirm or cancel.

Between the preview and the confirmation the file waits in a private folder
(``library_site.documents.uploads``), named by a token that only the session holds. Confirming reads and
checks the file again and saves all the valid records in one transaction: in the request for a
small file, by the worker (``catalog.tasks.marc_import_task``) for a large one, while the page
shows its progress. Cancelling removes the file.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from catalog.forms.marc import MarcExportForm, MarcUploadForm
from catalog.marc import (
    EXISTING_CHOICES,
    MarcImportRefused,
    import_inline_records,
    marc_import,
    marc_preview,
    marc_report_from_preview,
)
from catalog.marc_export import marc_export_stream
from catalog.models import Location
from catalog.policies import IMPORT_JOB_SILENT_SECONDS
from catalog.tasks import marc_import_task
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.documents import previews, uploads

SESSION_KEY = "catalog-marc-import"
PREVIEW_KIND = "catalog.marc"
PREVIEW_ROWS = 200
PROBLEM_ROWS = 1000


def _pending(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or uploads.folder_for(pending.get("token", "")) is None:
        return None
    return pending


def _forget(request) -> None:
    pending = _pending(request)
    if pending is not None:
        uploads.upload_discard(pending["token"])
    request.session.pop(SESSION_KEY, None)


@capability_required(Capability.MANAGE_CATALOGUE)
def marc_import_page(request):
    if request.method == "POST":
        action = request.POST.get("action", "upload")
        if action == "cancel":
            return _cancel(request)
        if action == "confirm":
            return _confirm(request)
        return _upload(request)
    pending = _pending(request)
    if pending is not None and pending.get("job"):
        return _job_page(request, pending)
    if pending is not None:
        preview = previews.preview_for_page(pending["token"], user=request.user)
        if preview is None or preview.path is None or not preview.path.exists():
            request.session.pop(SESSION_KEY, None)
            messages.warning(request, _("The uploaded file is no longer there; upload it again."))
            return render(request, "catalog/marc_import.html", {"form": MarcUploadForm()})
        if preview.waiting and not preview.stopped:
            return previews.preview_waiting_response(
                request,
                preview,
                poll_url=reverse("catalog:marc-import"),
                heading=pending["name"],
                cancel_url=reverse("catalog:marc-import"),
                cancel_action="cancel",
            )
        if not preview.ready:
            _forget(request)
            if preview.state == previews.State.REFUSED:
                context = {
                    "form": MarcUploadForm(),
                    "refusals": (preview.result or {}).get("problems") or [preview.message],
                }
                return render(request, "catalog/marc_import.html", context, status=400)
            messages.error(request, preview.message or previews.preview_stopped_message())
            return previews.preview_redirect(request, reverse("catalog:marc-import"))
        if request.htmx and request.htmx.target == "upload-preview":  # the progress card's last poll
            return previews.preview_redirect(request, reverse("catalog:marc-import"))
        report = marc_report_from_preview(preview.result)
        _expected_keep(request, pending, report)
        return _preview_page(request, pending, None, report=report)
    return render(request, "catalog/marc_import.html", {"form": MarcUploadForm()})


def _upload(request):
    form = MarcUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "catalog/marc_import.html", {"form": form}, status=400)
    previous = _pending(request)
    if previous is not None and previous.get("job"):
        messages.warning(request, _("Wait until the import being saved has finished."))
        return redirect("catalog:marc-import")
    _forget(request)
    upload = form.cleaned_data["file"]
    upload.seek(0)
    # Kept, then read and checked by the worker (in this request when it is small).
    preview = previews.preview_upload(
        upload,
        kind=PREVIEW_KIND,
        user=request.user,
        filename=uploads.UPLOAD_NAME,
        options={"existing": form.cleaned_data["existing"]},
    )
    token = preview.token
    if preview.state in (previews.State.REFUSED, previews.State.FAILED):
        uploads.upload_discard(token)
        for problem in (preview.result or {}).get("problems") or [preview.message]:
            form.add_error("file", problem)
        return render(request, "catalog/marc_import.html", {"form": form}, status=400)
    request.session[SESSION_KEY] = {
        "token": token,
        "name": (upload.name or "")[-120:],
        "copies": form.cleaned_data["copies"],
        "location": form.cleaned_data["location"].pk,
        "existing": form.cleaned_data["existing"],
        "valid_count": None,  # known once the preview is built
    }
    return redirect("catalog:marc-import")


def _expected_keep(request, pending: dict, report) -> None:
    """What the librarian confirms: the records this preview showed as valid, kept beside the
    file once the preview is built."""
    if pending.get("valid_count") is None:
        uploads.expected_write(pending["token"], report.valid_numbers)
        pending["valid_count"] = len(report.valid_numbers)
        request.session[SESSION_KEY] = pending


def _preview_page(request, pending: dict, data: bytes, *, status: int = 200, report=None):
    if report is None:
        report = marc_preview(data, existing=pending["existing"])
    if report.refused:  # readable at upload; a changed setting (the record limit) may refuse it now
        _forget(request)
        context = {"form": MarcUploadForm(), "refusals": report.problems}
        return render(request, "catalog/marc_import.html", context, status=400)
    importable = report.valid_entries
    context = {
        "pending": pending,
        "report": report,
        "location": Location.objects.filter(pk=pending["location"]).first(),
        "copies": pending["copies"],
        "existing_label": dict(EXISTING_CHOICES).get(pending["existing"], ""),
        "problem_entries": report.invalid_entries[:PROBLEM_ROWS],
        "problem_total": len(report.invalid_entries),
        "importable": importable[:PREVIEW_ROWS],
        "importable_hidden": max(0, len(importable) - PREVIEW_ROWS),
        "new_total": len(report.new_entries),
        "existing_total": len(report.existing_entries),
        "copies_total": report.copies_total(pending["copies"]),
        "saves_total": sum(1 for entry in report.entries if entry.is_new or entry.adds_copies_to_existing),
    }
    return render(request, "catalog/marc_import.html", context, status=status)


def _cancel(request):
    pending = _pending(request)
    if pending is not None and pending.get("job"):
        messages.warning(request, _("Wait until the import being saved has finished."))
        return redirect("catalog:marc-import")
    _forget(request)
    messages.info(request, _("The import was cancelled; nothing was saved."))
    return redirect("catalog:marc-import")


def _confirm(request):
    pending = _pending(request)
    preview = previews.preview_get(pending["token"], user=request.user) if pending else None
    if (
        pending is None
        or pending.get("job")
        or request.POST.get("token") != pending["token"]
        or preview is None
        or not preview.ready
    ):
        messages.warning(
            request,
            _(
                "This preview is no longer current (the import was saved, cancelled or replaced); nothing was saved."
            ),
        )
        return redirect("catalog:marc-import")
    _expected_keep(request, pending, marc_report_from_preview(preview.result or {}))
    token = pending["token"]
    if not uploads.upload_claim(token):  # atomic: a second click finds nothing to take
        if uploads.upload_is_claimed(token):
            messages.warning(request, _("This import is already being saved; it was not saved twice."))
        else:
            request.session.pop(SESSION_KEY, None)
            messages.warning(request, _("The uploaded file is no longer there; upload it again."))
        return redirect("catalog:marc-import")
    options = {
        "copies_per_record": pending["copies"],
        "location_id": pending["location"],
        "existing": pending["existing"],
    }
    if pending["valid_count"] > import_inline_records():
        pending["job"] = {"started": time.time()}
        request.session[SESSION_KEY] = pending
        marc_import_task.delay(token, **options, user_id=request.user.pk, language=get_language())
        return redirect("catalog:marc-import")
    data = uploads.upload_load(token, claimed=True)
    location = Location.objects.filter(pk=options["location_id"], is_active=True).first()
    try:
        if location is None:
            raise MarcImportRefused(
                _("The location chosen for the copies is no longer in use; upload the file again.")
            )
        result = marc_import(
            data=data,
            copies_per_record=options["copies_per_record"],
            location=location,
            existing=options["existing"],
            skip_invalid=True,
            expected=uploads.expected_read(token, claimed=True) or [],
            user=request.user,
        )
    except MarcImportRefused as error:
        return _refused(request, pending, error.message)
    uploads.upload_discard(token)
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _imported_message(
            records=len(result.records_created),
            copies=result.copies_created,
            given=len(result.records_given_copies),
            skipped=result.skipped,
        ),
    )
    return redirect("catalog:cataloguing")


def _refused(request, pending: dict, message):
    """Nothing was saved: back to a fresh preview of the same file, with the reason."""
    uploads.upload_release(pending["token"])
    pending.pop("job", None)
    data = uploads.upload_load(pending["token"])
    if data is None:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, message)
        return redirect("catalog:marc-import")
    # The library changed since the preview: the worker reads the file again for a fresh one.
    pending["valid_count"] = None
    request.session[SESSION_KEY] = pending
    previews.preview_rebuild(pending["token"], user=request.user)
    messages.error(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(request.path)
    preview = previews.preview_get(pending["token"], user=request.user)
    if preview is not None and preview.ready:  # a small file, read again in the request
        report = marc_report_from_preview(preview.result)
        _expected_keep(request, pending, report)
        return _preview_page(request, pending, None, status=409, report=report)
    return redirect("catalog:marc-import")


def _job_page(request, pending: dict):
    """A large import being saved by the worker: its progress, then its result."""
    token = pending["token"]
    result = uploads.job_result_read(token)
    if result is not None and result.get("ok"):
        uploads.upload_discard(token)
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            _imported_message(**{key: result[key] for key in ("records", "copies", "given", "skipped")}),
        )
        if request.htmx:
            return HttpResponseClientRedirect(reverse("catalog:cataloguing"))
        return redirect("catalog:cataloguing")
    if result is not None:
        return _refused(
            request, pending, result.get("message") or _("The import was refused; nothing was saved.")
        )
    progress = uploads.job_progress_read(token) or {}
    last_news = progress.get("at") or pending["job"]["started"]
    if time.time() - last_news > IMPORT_JOB_SILENT_SECONDS:
        return _refused(
            request,
            pending,
            _(
                "The import stopped without finishing (the background worker did not answer); nothing was saved."
            ),
        )
    total = progress.get("total") or pending["valid_count"]
    done = progress.get("done", 0)
    context = {
        "job": {"done": done, "total": total, "percent": int(100 * done / total) if total else 0},
        "pending": pending,
    }
    template = "catalog/_marc_import_job.html" if request.htmx else "catalog/marc_import.html"
    return render(request, template, context)


def _imported_message(*, records: int, copies: int, given: int, skipped: int) -> str:
    return _(
        "Imported %(records)s new records with %(copies)s copies. Records already in the catalogue: "
        "%(given)s given copies, %(skipped)s skipped."
    ) % {"records": records, "copies": copies, "given": given, "skipped": skipped}


@capability_required(Capability.MANAGE_CATALOGUE)
def marc_export_page(request):
    """The catalogue as MARC, streamed as it is written: everything, a class or chosen records."""
    form = MarcExportForm(request.GET or None)
    if request.GET and form.is_valid():
        choice = form.cleaned_data["choice"]
        response = StreamingHttpResponse(marc_export_stream(choice), content_type=choice.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=choice.filename
        )
        return response
    return render(request, "catalog/marc_export.html", {"form": form})
