"""The class book corners' pages (issue 18). The librarian (MANAGE_ACTIVITIES) manages every
corner, the rotations and the donations' review; a class's head teacher and its pupil librarian
see and print their own corner and record lending within the class. Anybody else gets 404 for a
corner that is not theirs (its existence is not told)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from circulation.models import Reader, SchoolClass
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.dates import date_text
from library_site.documents.exceptions import DocumentError

from ..exceptions import ActivitiesError
from ..forms.corners import (
    DonationForm,
    DonationReviewForm,
    LendingForm,
    RotationCarryOutForm,
    RotationPlanForm,
    ScanListForm,
)
from ..models import (
    ClassCorner,
    CornerBatch,
    CornerDonation,
    CornerLending,
    CornerRotation,
    CornerRotationPlan,
)
from ..printing import copies_headers, corner_sheet_pdf, table_pdf
from ..selectors import corners as selectors
from ..services import corners as services

manage = capability_required(Capability.MANAGE_ACTIVITIES)


def _corner_for(request, corner_id: int) -> tuple[ClassCorner, str]:
    corner = get_object_or_404(
        ClassCorner.objects.select_related("school_class", "location", "keeper"), pk=corner_id
    )
    access = selectors.corner_access(request.user, corner)
    if access is None:
        raise Http404
    return corner, access


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def corners_home(request):
    """The librarian's overview of every class's corner; a head teacher's own corners."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        return render(
            request,
            "activities/corners/home.html",
            {
                "rows": selectors.corners_overview(),
                "plans": selectors.rotation_plans(),
                "awaiting": len(selectors.donations_awaiting_review()),
            },
        )
    own = selectors.corners_of_teacher(request.user)
    if not own:
        raise Http404
    if len(own) == 1:
        return redirect("activities:corner", own[0].pk)
    return render(request, "activities/corners/home.html", {"own": own})


@manage
@require_POST
def corner_setup(request, class_id: int):
    school_class = get_object_or_404(SchoolClass, pk=class_id)
    try:
        corner = services.corner_for_class(school_class=school_class, user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
        return redirect("activities:corners")
    return redirect("activities:corner", corner.pk)


def corner_page(request, corner_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    corner, access = _corner_for(request, corner_id)
    context = {
        "corner": corner,
        "access": access,
        "detail": selectors.corner_detail(corner),
        "scan_form": ScanListForm(),
        "lending_form": LendingForm(school_class=corner.school_class),
        "donation_form": DonationForm(school_class=corner.school_class) if access == "manage" else None,
        "result": request.session.pop("corner_result", None),
    }
    return render(request, "activities/corners/corner.html", context)


def _scan_step(request, corner_id: int, step, done_message):
    corner, _access = _corner_for(request, corner_id)
    form = ScanListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The scan list is too long."))
        return redirect("activities:corner", corner.pk)
    try:
        outcome = step(corner=corner, barcodes=form.cleaned_data["barcodes"], user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message(outcome))
        return outcome
    return None


@manage
@require_POST
def corner_lend_view(request, corner_id: int):
    batch = _scan_step(
        request,
        corner_id,
        services.corner_lend,
        lambda batch: (
            _("%(count)s copies lent to the corner. Print the list for the head teacher to sign.")
            % {"count": batch.copies_count}
        ),
    )
    if batch is not None:
        request.session["corner_result"] = {"batch": batch.pk}
    return redirect("activities:corner", corner_id)


@manage
@require_POST
def corner_return_view(request, corner_id: int):
    batch = _scan_step(
        request,
        corner_id,
        services.corner_return,
        lambda batch: (
            _("%(back)s copies back in the library; %(missing)s missing.")
            % {"back": batch.copies_count, "missing": batch.missing_count}
        ),
    )
    if batch is not None:
        request.session["corner_result"] = {"batch": batch.pk}
    return redirect("activities:corner", corner_id)


@require_POST
def corner_stocktake_view(request, corner_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    _scan_step(
        request,
        corner_id,
        services.corner_stocktake,
        lambda stocktake: (
            _("Stocktake: %(found)s found, %(missing)s missing, %(other)s not of this corner.")
            % {
                "found": stocktake.found_count,
                "missing": len(stocktake.missing),
                "other": len(stocktake.unexpected),
            }
        ),
    )
    return redirect("activities:corner", corner_id)


@require_POST
def corner_lending_view(request, corner_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    corner, _access = _corner_for(request, corner_id)
    form = LendingForm(request.POST, school_class=corner.school_class)
    if not form.is_valid():
        messages.error(request, _("Scan a copy and choose a pupil of the class."))
        return redirect("activities:corner", corner.pk)
    try:
        services.corner_lending_record(
            corner=corner,
            barcode=form.cleaned_data["barcode"],
            reader=form.cleaned_data["reader"],
            user=request.user,
        )
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Recorded in the class's register."))
    return redirect("activities:corner", corner.pk)


@require_POST
def corner_lending_return_view(request, lending_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    lending = get_object_or_404(
        CornerLending.objects.select_related("corner__school_class", "corner__keeper"), pk=lending_id
    )
    if selectors.corner_access(request.user, lending.corner) is None:
        raise Http404
    try:
        services.corner_lending_return(lending=lending, user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The book is back in the corner."))
    return redirect("activities:corner", lending.corner_id)


@manage
@require_POST
def corner_keeper_view(request, corner_id: int):
    corner, _access = _corner_for(request, corner_id)
    keeper = None
    if request.POST.get("keeper"):
        keeper = Reader.objects.filter(pk=request.POST["keeper"]).first()
        if keeper is None:
            messages.error(request, _("Choose a pupil of the class."))
            return redirect("activities:corner", corner.pk)
    try:
        services.corner_keeper_set(corner=corner, keeper=keeper, user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The class's pupil librarian is saved."))
    return redirect("activities:corner", corner.pk)


@manage
@require_POST
def corner_donate_view(request, corner_id: int):
    corner, _access = _corner_for(request, corner_id)
    form = DonationForm(request.POST, school_class=corner.school_class)
    if not form.is_valid():
        messages.error(request, _("Choose the donor and give the book's title and quantity."))
        return redirect("activities:corner", corner.pk)
    try:
        services.corner_donation_record(
            corner=corner,
            donor=form.cleaned_data["donor"],
            lines=form.lines(),
            user=request.user,
            token=request.POST.get("token", "")[:64],
        )
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The donation is recorded: its books await the content review."))
    return redirect("activities:corner", corner.pk)


def corner_batch_pdf(request, batch_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    batch = get_object_or_404(
        CornerBatch.objects.select_related("corner__school_class", "corner__keeper"), pk=batch_id
    )
    if selectors.corner_access(request.user, batch.corner) is None:
        raise Http404
    lines = selectors.batch_list(batch)
    missing = selectors.batch_missing(batch) if batch.kind == CornerBatch.Kind.RETURN else []
    school_class = batch.corner.school_class
    rows = [
        [str(index), line.copy.barcode, line.copy.record.title, line.copy.record.call_number, ""]
        for index, line in enumerate([line for line in lines if line.state != line.State.LOST], start=1)
    ]
    rows += [
        [
            str(len(rows) + index),
            line.copy.barcode,
            line.copy.record.title,
            line.copy.record.call_number,
            _("Missing"),
        ]
        for index, line in enumerate(missing, start=1)
    ]
    try:
        content = corner_sheet_pdf(
            class_name=school_class.name,
            lines=[
                _("%(kind)s on %(day)s, %(count)s copies.")
                % {
                    "kind": batch.get_kind_display(),
                    "day": date_text(timezone.localtime(batch.created_at)),
                    "count": len(rows),
                }
            ],
            rows=rows,
            widths=[0.07, 0.18, 0.45, 0.18, 0.12],
        )
    except DocumentError as error:
        messages.error(request, error.message)
        return redirect("activities:corner", batch.corner_id)
    return _pdf(content, f"corner-{batch.pk}.pdf")


def corner_list_pdf(request, corner_id: int):
    """The corner as it stands, printed for the head teacher to check and sign: every library
    book in it, who of the class has it, the missing marked; the next rotation's day."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    corner, _access = _corner_for(request, corner_id)
    detail = selectors.corner_detail(corner)
    rows = []
    for index, book in enumerate(detail["books"], start=1):
        remark = ""
        if book["line"].missing_since:
            remark = _("Missing since %(day)s") % {"day": date_text(book["line"].missing_since)}
        elif book["lending"]:
            remark = _("With %(name)s since %(day)s") % {
                "name": book["lending"].reader.name,
                "day": date_text(book["lending"].lent_on),
            }
        rows.append(
            [
                str(index),
                book["copy"].barcode,
                book["copy"].record.title,
                book["copy"].record.call_number,
                remark,
            ]
        )
    lines = [
        _("Printed on %(day)s: %(count)s library books in the corner, %(missing)s missing.")
        % {"day": date_text(timezone.localdate()), "count": len(rows), "missing": len(detail["missing"])}
    ]
    if detail["next_rotation"]:
        lines.append(_("Next rotation: %(day)s.") % {"day": date_text(detail["next_rotation"])})
    try:
        content = corner_sheet_pdf(
            class_name=corner.school_class.name,
            lines=lines,
            rows=rows,
            widths=[0.07, 0.17, 0.38, 0.14, 0.24],
        )
    except DocumentError as error:
        messages.error(request, error.message)
        return redirect("activities:corner", corner.pk)
    return _pdf(content, f"corner-list-{corner.pk}.pdf")


# --- rotations ------------------------------------------------------------------------------


@manage
def rotations(request):
    form = RotationPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.rotation_plan_create(
                classes=list(form.cleaned_data["classes"]),
                every_weeks=form.cleaned_data["every_weeks"],
                starts_on=form.cleaned_data["starts_on"],
                user=request.user,
            )
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The rotation plan is saved."))
            return redirect("activities:rotation", plan.pk)
    return render(
        request, "activities/corners/rotations.html", {"form": form, "plans": selectors.rotation_plans()}
    )


@manage
def rotation_page(request, plan_id: int):
    plan = get_object_or_404(CornerRotationPlan, pk=plan_id)
    form = RotationCarryOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rotation = services.rotation_carry_out(
                plan=plan, missing=form.cleaned_data["missing"], user=request.user
            )
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Rotation carried out: %(moved)s copies moved, %(missing)s missing.")
                % {"moved": rotation.moved_count, "missing": rotation.missing_count},
            )
            return redirect("activities:rotation-done", rotation.pk)
    done = plan.rotations.count()
    return render(
        request,
        "activities/corners/rotation.html",
        {
            "plan": plan,
            "shares": selectors.rotation_preview(plan),
            "form": form,
            "next_on": services.rotation_next_on(plan, done=done),
            "done": done,
            "history": list(plan.rotations.select_related("carried_out_by")[:10]),
        },
    )


@manage
def rotation_done(request, rotation_id: int):
    rotation = get_object_or_404(CornerRotation.objects.select_related("plan"), pk=rotation_id)
    return render(
        request,
        "activities/corners/rotation_done.html",
        {"rotation": rotation, "missing": selectors.rotation_missing(rotation)},
    )


@manage
def rotation_class_pdf(request, plan_id: int, class_id: int):
    plan = get_object_or_404(CornerRotationPlan, pk=plan_id)
    share = next(
        (share for share in selectors.rotation_preview(plan) if share.school_class.pk == class_id), None
    )
    if share is None:
        raise Http404
    done = plan.rotations.count()
    try:
        content = table_pdf(
            title=_("Rotation: %(from)s → %(to)s")
            % {"from": share.school_class.name, "to": share.to_class.name},
            lines=[
                _("Rotation day: %(day)s") % {"day": date_text(services.rotation_next_on(plan, done=done))}
            ],
            headers=copies_headers(pgettext("list", "Checked")),
            rows=[
                [str(index), copy.barcode, copy.record.title, copy.record.call_number, "□"]
                for index, copy in enumerate(share.copies, start=1)
            ],
            widths=[0.07, 0.18, 0.47, 0.18, 0.10],
            footer=[
                _("Handed over by (%(class)s): ____________") % {"class": share.school_class.name},
                _("Received by (%(class)s): ____________") % {"class": share.to_class.name},
            ],
        )
    except DocumentError as error:
        messages.error(request, error.message)
        return redirect("activities:rotation", plan.pk)
    return _pdf(content, f"rotation-{plan.pk}-{class_id}.pdf")


# --- donations' review ----------------------------------------------------------------------


@manage
def donations(request):
    return render(
        request,
        "activities/corners/donations.html",
        {"donations": selectors.donations_awaiting_review(), "form": DonationReviewForm()},
    )


@manage
@require_POST
def donation_review_view(request, donation_id: int):
    donation = get_object_or_404(CornerDonation, pk=donation_id)
    form = DonationReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where the donated books go, or refuse them."))
        return redirect("activities:corner-donations")
    try:
        services.corner_donation_review(
            donation=donation,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The donation is reviewed."))
    return redirect("activities:corner-donations")
