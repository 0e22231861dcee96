"""The staff's pages for the school's structure: classes, readers, library cards, the roster
import at term start and the promotion at year end. Every page needs MANAGE_READERS."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import transfer
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from . import roster, services
from .cards import cards_pdf
from .exceptions import CirculationError, DuplicateIdentifier
from .models import Reader, RosterChange, SchoolClass
from .school_forms import (
    CardReissueForm,
    PromotionForm,
    ReaderForm,
    ReaderSearchForm,
    RosterConfirmForm,
    RosterUploadForm,
    SchoolClassForm,
)
from .selectors import class_readers, classes_by_grade, reader_list

MANAGE = Capability.MANAGE_READERS
READERS_PER_PAGE = 50
SESSION_KEY = "circulation-roster"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_LIMIT = 500  # rows shown per list of the preview; the counts are always whole


# --- classes ------------------------------------------------------------------------------------


@capability_required(MANAGE)
def class_list(request):
    return render(request, "circulation/class_list.html", {"grades": classes_by_grade()})


@capability_required(MANAGE)
def class_detail(request, pk: int):
    school_class = get_object_or_404(SchoolClass.objects.select_related("head_teacher"), pk=pk)
    form = SchoolClassForm(request.POST or None, initial={"head_teacher": school_class.head_teacher})
    if request.method == "POST" and form.is_valid():
        services.school_class_update(
            school_class=school_class, head_teacher=form.cleaned_data["head_teacher"]
        )
        messages.success(request, _("The head teacher of %(class)s is saved.") % {"class": school_class.name})
        return redirect("circulation:class-detail", pk=school_class.pk)
    parallel = SchoolClass.objects.filter(grade=school_class.grade, is_active=True).exclude(
        pk=school_class.pk
    )
    return render(
        request,
        "circulation/class_detail.html",
        {
            "school_class": school_class,
            "form": form,
            "readers": list(class_readers(school_class)),
            "parallel": list(parallel.order_by("number")),
        },
    )


@capability_required(MANAGE)
def class_cards(request, pk: int):
    school_class = get_object_or_404(SchoolClass, pk=pk)
    return _cards_response(request, list(class_readers(school_class)), f"借书证-{school_class.name}.pdf")


# --- readers ------------------------------------------------------------------------------------


@capability_required(MANAGE)
def reader_list_page(request):
    data = request.GET.copy() if request.GET else None
    if data is not None and "status" not in data:
        data["status"] = Reader.Status.ACTIVE
    form = ReaderSearchForm(data or {"status": Reader.Status.ACTIVE})
    filters = form.cleaned_data if form.is_valid() else {"status": Reader.Status.ACTIVE}
    readers = reader_list(
        query=filters.get("q", ""),
        kind=filters.get("kind", ""),
        school_class=filters["school_class"].pk if filters.get("school_class") else None,
        status=filters.get("status", ""),
    )
    page = Paginator(readers, READERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    template = "circulation/_reader_table.html" if request.htmx else "circulation/reader_list.html"
    return render(request, template, context)


@capability_required(MANAGE)
def reader_create(request):
    initial = {"kind": Reader.Kind.STUDENT}
    if request.GET.get("class"):
        initial["school_class"] = SchoolClass.objects.filter(pk=request.GET["class"], is_active=True).first()
    form = ReaderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reader = services.reader_create(
                kind=data["kind"],
                number=data["number"],
                full_name=data["full_name"],
                password=data["password"] or None,
                school_class=data["school_class"] if data["kind"] == Reader.Kind.STUDENT else None,
                gender=data["gender"],
                department=data["department"],
                guardian_contact=data["guardian_contact"],
                issued_by=request.user,
            )
        except DuplicateIdentifier as error:
            form.add_error("number", str(error.message))
        else:
            messages.success(
                request,
                _("%(name)s is registered with card %(card)s.")
                % {"name": reader.name, "card": reader.cards.active().get().number},
            )
            return redirect("circulation:reader-edit", pk=reader.pk)
    return render(request, "circulation/reader_form.html", {"form": form, "reader": None})


@capability_required(MANAGE)
def reader_edit(request, pk: int):
    reader = get_object_or_404(Reader.objects.with_display(), pk=pk)
    initial = {
        "full_name": reader.user.full_name,
        "gender": reader.gender,
        "school_class": reader.school_class,
        "department": reader.department,
        "guardian_contact": reader.guardian_contact,
        "status": reader.status,
    }
    form = ReaderForm(request.POST or None, initial=initial, reader=reader)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.reader_update(
            reader=reader,
            full_name=data["full_name"],
            school_class=data["school_class"],
            gender=data["gender"],
            department=data["department"],
            guardian_contact=data["guardian_contact"],
            status=data["status"] or reader.status,
            password=data["password"],
        )
        messages.success(request, _("The details of %(name)s are saved.") % {"name": data["full_name"]})
        return redirect("circulation:reader-edit", pk=reader.pk)
    cards = list(reader.cards.order_by("-issued_at"))
    return render(request, "circulation/reader_form.html", {"form": form, "reader": reader, "cards": cards})


@capability_required(MANAGE)
def reader_card(request, pk: int):
    reader = get_object_or_404(Reader.objects.with_display(), pk=pk)
    return _cards_response(request, [reader], f"借书证-{reader.number}.pdf")


@capability_required(MANAGE)
def card_reissue(request, pk: int):
    reader = get_object_or_404(Reader.objects.with_display(), pk=pk)
    form = CardReissueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_reissue(
                reader=reader, reason=form.cleaned_data["reason"], issued_by=request.user
            )
        except CirculationError as error:
            form.add_error("reason", str(error.message))
        else:
            messages.success(
                request,
                _("Card %(number)s is issued; the old card no longer works. Print the new card below.")
                % {"number": card.number},
            )
            return redirect("circulation:reader-edit", pk=reader.pk)
    return render(request, "circulation/card_reissue.html", {"form": form, "reader": reader})


def _cards_response(request, readers, filename: str):
    try:
        pdf = cards_pdf(readers)
    except CirculationError as error:
        messages.error(request, error.message)
        return redirect(request.headers.get("referer") or "circulation:class-list")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    return response


# --- the roster import --------------------------------------------------------------------------


def _pending(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        transfer.import_file_path(pending.get("token", ""), pending.get("extension", ""))
    except ValueError:
        request.session.pop(SESSION_KEY, None)
        return None
    return pending


def _discard(request) -> None:
    pending = _pending(request)
    if pending:
        transfer.import_files_delete(pending["token"])
    request.session.pop(SESSION_KEY, None)


@capability_required(MANAGE)
def roster_upload(request):
    transfer.import_files_purge()
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        _discard(request)
        token = transfer.import_file_store(upload.chunks(), upload.extension)
        try:
            services.roster_import(
                path=transfer.import_file_path(token, upload.extension),
                extension=upload.extension,
                name=upload.name,
                dry_run=True,
            )
        except CirculationError as error:
            transfer.import_files_delete(token)
            form.add_error("file", str(error.message))
        else:
            request.session[SESSION_KEY] = {
                "token": token,
                "extension": upload.extension,
                "name": upload.name[:200],
            }
            return redirect("circulation:roster-preview")
    history = RosterChange.objects.select_related("done_by")[:10]
    return render(
        request,
        "circulation/roster_upload.html",
        {"form": form, "pending": _pending(request), "history": history, "max_rows": roster.MAX_ROWS},
    )


def _preview_context(plan) -> dict:
    def limited(items):
        return {"items": items[:PREVIEW_LIMIT], "more": max(0, len(items) - PREVIEW_LIMIT)}

    return {
        "plan": plan,
        "counts": plan.counts,
        "new": limited(plan.of("new")),
        "moved": limited(plan.of("moved")),
        "changed": limited(plan.of("changed")),
        "missing": limited(plan.missing),
        "errors": limited(plan.errors),
        "new_classes": [SchoolClass(grade=grade, number=number).name for grade, number in plan.new_classes],
    }


@capability_required(MANAGE)
def roster_preview(request):
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("There is no roster waiting for confirmation. Upload a file."))
        return redirect("circulation:roster-upload")
    try:
        plan = services.roster_import(
            path=transfer.import_file_path(pending["token"], pending["extension"]),
            extension=pending["extension"],
            name=pending["name"],
            dry_run=True,
        )
    except (CirculationError, FileNotFoundError):
        _discard(request)
        messages.error(request, _("The file can no longer be read; upload it again."))
        return redirect("circulation:roster-upload")
    form = RosterConfirmForm(initial={"token": pending["token"]})
    return render(
        request,
        "circulation/roster_preview.html",
        {**_preview_context(plan), "form": form, "pending": pending},
    )


@require_POST
@capability_required(MANAGE)
def roster_confirm(request):
    pending = _pending(request)
    form = RosterConfirmForm(request.POST)
    if pending is None or request.POST.get("token") != pending["token"]:
        messages.info(
            request, _("There is no roster waiting for confirmation: it may have been saved already.")
        )
        return redirect("circulation:roster-upload")
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("circulation:roster-preview")
    token, extension = pending["token"], pending["extension"]
    claimed = transfer.import_file_claim(token, extension)
    if claimed is None:
        messages.info(request, _("This roster is being saved or was saved already; it was not saved twice."))
        return redirect("circulation:roster-upload")
    try:
        plan = services.roster_import(
            path=claimed,
            extension=extension,
            name=pending["name"],
            dry_run=False,
            user=request.user,
            deactivate_missing=form.cleaned_data["deactivate_missing"],
            initial_password=form.cleaned_data["initial_password"],
        )
    except CirculationError as error:
        transfer.import_file_release(token)
        messages.error(request, error.message)
        return redirect("circulation:roster-preview")
    except Exception:
        transfer.import_file_release(token)
        raise
    if plan.errors:
        transfer.import_file_release(token)
        messages.error(
            request, _("The file no longer passes the checks (see the rows below). Nothing was saved.")
        )
        return redirect("circulation:roster-preview")
    transfer.import_files_delete(token)
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _(
            "Roster %(name)s saved: %(new)s new readers with their cards, %(moved)s moved to another class, "
            "%(changed)s updated, %(new_classes)s new classes, %(left)s marked as having left."
        )
        % {"name": pending["name"], **plan.saved},
    )
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
    form = PromotionForm(data, initial={"top_grade": services.top_grade_default()})
    top_grade = (
        form.cleaned_data["top_grade"] if form.is_bound and form.is_valid() else services.top_grade_default()
    )
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.grades_promote(top_grade=top_grade, user=request.user)
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
        plan = services.promotion_plan(top_grade=top_grade)
        refusal = None
    except CirculationError as error:
        plan, refusal = None, error.message
    return render(
        request,
        "circulation/promotion.html",
        {"form": form, "plan": plan, "refusal": refusal, "top_grade": top_grade},
    )
