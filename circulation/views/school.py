"""The staff's pages for the school's structure: classes, the roster import at term start and
the promotion at year end (every page needs MANAGE_READERS); and the school's overview, the
home page of those who read the statistics."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.documents import previews, uploads

from .. import roster
from ..exceptions import CirculationError
from ..forms.school import PromotionForm, RosterConfirmForm, RosterUploadForm, SchoolClassForm
from ..models import PasswordSlipBatch, SchoolClass
from ..policies import top_grade_default
from ..selectors.school import (
    class_parallels,
    class_readers,
    classes_by_grade,
    promotion_plan,
    roster_changes_latest,
    roster_preview_rows,
)
from ..services.first_passwords import password_slips_request
from ..services.school import grades_promote, roster_import, school_class_update
from .readers import cards_response

MANAGE = Capability.MANAGE_READERS


SESSION_KEY = "circulation-roster"
PREVIEW_KIND = "circulation.roster"


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- classes ------------------------------------------------------------------------------------


@capability_required(MANAGE)
def class_list(request):
    return render(request, "circulation/class_list.html", {"grades": classes_by_grade()})


@capability_required(MANAGE)
def class_detail(request, pk: int):
    school_class = get_object_or_404(SchoolClass.objects.select_related("head_teacher"), pk=pk)
    form = SchoolClassForm(request.POST or None, initial={"head_teacher": school_class.head_teacher})
    if request.method == "POST" and form.is_valid():
        school_class_update(school_class=school_class, head_teacher=form.cleaned_data["head_teacher"])
        messages.success(request, _("The head teacher of %(class)s is saved.") % {"class": school_class.name})
        return redirect("circulation:class-detail", pk=school_class.pk)
    return render(
        request,
        "circulation/class_detail.html",
        {
            "school_class": school_class,
            "form": form,
            "readers": list(class_readers(school_class)),
            "parallel": class_parallels(school_class),
        },
    )


@capability_required(MANAGE)
def class_cards(request, pk: int):
    school_class = get_object_or_404(SchoolClass, pk=pk)
    return cards_response(request, list(class_readers(school_class)), f"借书证-{school_class.name}.pdf")


# --- the roster import --------------------------------------------------------------------------


def _pending(request) -> dict | None:
    return uploads.upload_pending(request, SESSION_KEY)


def _discard(request) -> None:
    uploads.upload_pending_discard(request, SESSION_KEY)


@capability_required(MANAGE)
def roster_upload(request):
    uploads.import_files_purge()
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
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
            uploads.import_files_delete(token)
            form.add_error("file", preview.message)
        else:
            request.session[SESSION_KEY] = {
                "token": token,
                "extension": upload.extension,
                "name": upload.name[:200],
            }
            return redirect("circulation:roster-preview")
    history = roster_changes_latest()
    return render(
        request,
        "circulation/roster_upload.html",
        {"form": form, "pending": _pending(request), "history": history, "max_rows": roster.MAX_ROWS},
    )


@capability_required(MANAGE)
def roster_preview(request):
    pending = _pending(request)
    preview = previews.preview_for_page(pending["token"], user=request.user) if pending else None
    if preview is None:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("There is no roster waiting for confirmation. Upload a file."))
        return redirect("circulation:roster-upload")
    if preview.waiting and not preview.stopped:
        return previews.preview_waiting_response(
            request,
            preview,
            poll_url=reverse("circulation:roster-preview"),
            heading=pending["name"],
            cancel_url=reverse("circulation:roster-cancel"),
        )
    if not preview.ready or preview.result is None or not preview.path.exists():
        _discard(request)
        message = preview.message if preview.state in (previews.State.REFUSED, previews.State.FAILED) else ""
        messages.error(
            request,
            message
            or (
                previews.preview_stopped_message()
                if preview.waiting
                else _("The file can no longer be read; upload it again.")
            ),
        )
        return previews.preview_redirect(request, reverse("circulation:roster-upload"))
    if request.htmx and request.htmx.target == "upload-preview":  # the progress card's last poll
        return previews.preview_redirect(request, reverse("circulation:roster-preview"))
    form = RosterConfirmForm(initial={"token": pending["token"]})
    return render(
        request,
        "circulation/roster_preview.html",
        {**preview.result, "form": form, "pending": pending},
    )


@require_POST
@capability_required(MANAGE)
def roster_confirm(request):
    pending = _pending(request)
    form = RosterConfirmForm(request.POST)
    preview = previews.preview_get(pending["token"], user=request.user) if pending else None
    if (
        pending is None
        or request.POST.get("token") != pending["token"]
        or preview is None
        or not preview.ready
    ):
        messages.info(
            request, _("There is no roster waiting for confirmation: it may have been saved already.")
        )
        return redirect("circulation:roster-upload")
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("circulation:roster-preview")
    token, extension = pending["token"], pending["extension"]
    claimed = uploads.import_file_claim(token, extension)
    if claimed is None:
        messages.info(request, _("This roster is being saved or was saved already; it was not saved twice."))
        return redirect("circulation:roster-upload")
    try:
        plan = roster_import(
            path=claimed,
            extension=extension,
            name=pending["name"],
            dry_run=False,
            user=request.user,
            deactivate_missing=form.cleaned_data["deactivate_missing"],
        )
    except CirculationError as error:
        uploads.import_file_release(token)
        messages.error(request, error.message)
        return redirect("circulation:roster-preview")
    except Exception:
        uploads.import_file_release(token)
        raise
    if plan.errors:
        uploads.import_file_release(token)
        previews.preview_result_replace(token, {"refusal": "", **roster_preview_rows(plan)})
        messages.error(
            request, _("The file no longer passes the checks (see the rows below). Nothing was saved.")
        )
        return redirect("circulation:roster-preview")
    uploads.import_files_delete(token)
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _(
            "Roster %(name)s saved: %(new)s new readers with their cards, %(moved)s moved to another class, "
            "%(changed)s updated, %(new_classes)s new classes, %(left)s marked as having left."
        )
        % {"name": pending["name"], **plan.saved},
    )
    if plan.new_reader_ids:
        # Each new reader's own first password, printed once on the classes' slips.
        batch = password_slips_request(
            reader_ids=plan.new_reader_ids, kind=PasswordSlipBatch.Kind.ROSTER, user=request.user
        )
        return redirect("circulation:password-slips", pk=batch.pk)
    return redirect("circulation:roster-upload")


@require_POST
@capability_required(MANAGE)
def roster_cancel(request):
    _discard(request)
    messages.info(request, _("The import was cancelled; nothing was saved."))
    return redirect("circulation:roster-upload")


@capability_required(MANAGE)
def roster_template(request):
    handle = io.BytesIO()
    roster.template_write(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=roster.TEMPLATE_FILENAME, content_type=XLSX_TYPE)


# --- promotion at year end ------------------------------------------------------------------------


@capability_required(MANAGE)
def promotion(request):
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = PromotionForm(data, initial={"top_grade": top_grade_default()})
    top_grade = form.cleaned_data["top_grade"] if form.is_bound and form.is_valid() else top_grade_default()
    if request.method == "POST" and form.is_valid():
        try:
            summary = grades_promote(top_grade=top_grade, user=request.user)
        except CirculationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _(
                    "Every class moved up a grade: %(moved)s classes moved, %(graduated_classes)s classes and "
                    "%(graduates)s students graduated."
                )
                % summary,
            )
            return redirect("circulation:class-list")
    try:
        plan = promotion_plan(top_grade=top_grade)
        refusal = None
    except CirculationError as error:
        plan, refusal = None, error.message
    return render(
        request,
        "circulation/promotion.html",
        {"form": form, "plan": plan, "refusal": refusal, "top_grade": top_grade},
    )
