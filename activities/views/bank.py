"""The question bank: the list by theme and kind, the .xlsx import (all or nothing, each error
with its row and column) and the export in the same template.

A file is read and checked through the shared previews (library_site.documents.previews): a
small one in the request, imported at once as before; a larger one by the worker, while the page
shows its progress, then how many questions it holds and a button that imports them from what
the worker kept, in one transaction."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.documents import previews, uploads

from ..forms.quiz import BankImportForm
from ..models import Question
from ..selectors.quiz import bank_themes, question_bank
from ..services.bank import bank_export, bank_rows_from_preview, bank_save

manage_activities = capability_required(Capability.MANAGE_ACTIVITIES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_MAX = 5 * 1024 * 1024
SESSION_KEY = "activities-bank-import"
PREVIEW_KIND = "activities.bank"
FILENAME = "upload.xlsx"


def _pending(request) -> previews.Preview | None:
    token = request.session.get(SESSION_KEY)
    preview = previews.preview_get(token, user=request.user) if isinstance(token, str) else None
    if preview is None:
        request.session.pop(SESSION_KEY, None)
    return preview


def _discard(request) -> None:
    preview = _pending(request)
    if preview is not None:
        uploads.upload_discard(preview.token)
    request.session.pop(SESSION_KEY, None)


def _refusal(preview: previews.Preview) -> list[str]:
    return [preview.message, *(preview.result or {}).get("errors", [])]


def _save(request, preview: previews.Preview):
    """Import the questions the preview kept, once: the folder is claimed first, so a second
    click finds nothing to import."""
    if not uploads.upload_claim(preview.token):
        messages.info(request, _("This import is being saved or was saved already; it was not saved twice."))
        return redirect("activities:bank")
    try:
        imported = bank_save(rows=bank_rows_from_preview(preview.result or {}), by=request.user)
    except Exception:
        uploads.upload_release(preview.token)
        raise
    uploads.upload_discard(preview.token)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("%(count)s question(s) imported.") % {"count": len(imported)})
    return redirect("activities:bank")


@manage_activities
def bank(request):
    form = BankImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    action = request.POST.get("action", "upload") if request.method == "POST" else ""
    if action == "confirm":
        preview = _pending(request)
        if preview is None or not preview.ready or request.POST.get("token") != preview.token:
            messages.info(
                request, _("There is no import waiting for confirmation: it may have been saved already.")
            )
            return redirect("activities:bank")
        return _save(request, preview)
    if action == "cancel":
        _discard(request)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("activities:bank")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > UPLOAD_MAX:
            errors = [_("The file is larger than 5 MB.")]
        elif not upload.name.lower().endswith(".xlsx"):
            errors = [_("Only .xlsx files can be imported: use the template.")]
        else:
            _discard(request)
            preview = previews.preview_upload(upload, kind=PREVIEW_KIND, user=request.user, filename=FILENAME)
            token = preview.token
            if preview.ready:  # a small file, checked in the request: imported at once, as before
                request.session[SESSION_KEY] = token
                return _save(request, preview)
            if not preview.waiting:
                errors = _refusal(preview)
                uploads.upload_discard(token)
            else:
                request.session[SESSION_KEY] = token
                return redirect("activities:bank")
        status = 400
    preview = _pending(request) if request.method == "GET" else None
    if preview is not None:
        if preview.waiting and not preview.stopped:
            if request.htmx and request.htmx.target == "upload-preview":
                return previews.preview_waiting_response(
                    request, preview, poll_url=reverse("activities:bank"), heading=preview.name
                )
        elif not preview.ready:
            errors = _refusal(preview) if not preview.waiting else [previews.preview_stopped_message()]
            _discard(request)
            preview = None
            status = 400
        elif request.htmx and request.htmx.target == "upload-preview":
            return previews.preview_redirect(request, reverse("activities:bank"))
    theme = request.GET.get("theme", "")
    kind = request.GET.get("kind", "")
    return render(
        request,
        "activities/bank.html",
        {
            "form": form,
            "errors": errors,
            "preview": preview,
            "poll_url": reverse("activities:bank"),
            "cancel_url": reverse("activities:bank"),
            "cancel_action": "cancel",
            "questions": question_bank(theme=theme, kind=kind),
            "themes": bank_themes(),
            "kinds": Question.Kind.choices,
            "theme": theme,
            "kind": kind,
        },
        status=status,
    )


def _xlsx(filename: str, write) -> HttpResponse:
    buffer = io.BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@manage_activities
def bank_export_view(request):
    return _xlsx("question-bank.xlsx", lambda target: bank_export(target))


@manage_activities
def bank_template(request):
    return _xlsx("question-bank-template.xlsx", lambda target: bank_export(target, questions=[]))
