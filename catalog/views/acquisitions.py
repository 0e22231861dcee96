"""Acquisitions: purchase plans (drafted by librarians, approved by a leader), receiving
deliveries against an approved plan, donations, and the purchase and donation registers."""

from __future__ import annotations

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.exceptions import AcquisitionRefused, CatalogError
from catalog.forms.acquisitions import (
    DeliveryForm,
    DonationForm,
    DonationLineFormSet,
    PlanDecisionForm,
    PlanImportForm,
    PurchasePlanForm,
    PurchasePlanLineFormSet,
    RegisterFilterForm,
    formset_lines,
)
from catalog.models import Delivery, PurchasePlan
from catalog.resources import plan_lines_template
from catalog.selectors.acquisitions import (
    delivery_detail,
    donation_register,
    purchase_plan_page,
    purchase_plans_list,
    purchase_register,
    register_totals,
)
from catalog.services.acquisitions import (
    delivery_receive,
    donation_receive,
    plan_lines_from_preview,
    purchase_plan_approve,
    purchase_plan_create,
    purchase_plan_lines_add,
    purchase_plan_reject,
    purchase_plan_revise,
    purchase_plan_submit,
    purchase_plan_update,
)
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.documents import previews, uploads
from library_site.school import term_planned

PLAN_LINES_PREVIEW = "catalog.plan_lines"
LINE_FIELDS = (
    "title",
    "isbn",
    "author",
    "publisher",
    "quantity",
    "unit_price",
    "supplier",
    "clc_code",
    "subject",
)


def plans_reader_required(view):
    """Those who draft plans (manage_collection) and those who approve them."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (
            user.has_perm(Capability.MANAGE_COLLECTION.permission)
            or user.has_perm(Capability.APPROVE_PURCHASE_PLANS.permission)
        ):
            raise PermissionDenied(Capability.MANAGE_COLLECTION.label)
        return view(request, *args, **kwargs)

    return wrapped


def _token() -> str:
    return secrets.token_urlsafe(16)


def _already_received(request, token: str) -> bool:
    """A delivery form sent twice (a double click, a reloaded page) is received once."""
    if token and Delivery.objects.filter(token=token).exists():
        messages.info(request, _("This delivery was already received; it was not received twice."))
        return True
    return False


@plans_reader_required
def plans(request):
    return render(request, "catalog/acquisitions/plans.html", {"plans": purchase_plans_list()})


def _plan_form_page(request, *, plan: PurchasePlan | None):
    if request.method == "POST":
        form = PurchasePlanForm(request.POST, instance=plan)
        formset = PurchasePlanLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            heading = {name: form.cleaned_data[name] for name in ("name", "year", "term", "budget", "notes")}
            try:
                if plan is None:
                    plan = purchase_plan_create(
                        **heading,
                        lines=formset_lines(formset),
                        user=request.user,
                        form_token=(request.POST.get("once") or "")[:32] or None,
                    )
                else:
                    purchase_plan_update(
                        plan=plan, **heading, lines=formset_lines(formset), user=request.user
                    )
            except CatalogError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The plan was saved."))
                return redirect("catalog:purchase-plan", plan.pk)
    else:
        if plan is None:
            # The term one plans for: the term under way, or the autumn in the month before it.
            year, term = term_planned(timezone.localdate())
            form = PurchasePlanForm(initial={"year": year, "term": PurchasePlan.Term(term)})
            formset = PurchasePlanLineFormSet(prefix="lines")
        else:
            form = PurchasePlanForm(instance=plan)
            formset = PurchasePlanLineFormSet(
                prefix="lines",
                initial=[{name: getattr(line, name) for name in LINE_FIELDS} for line in plan.lines.all()],
            )
    return render(
        request,
        "catalog/acquisitions/plan_form.html",
        {
            "form": form,
            "formset": formset,
            "plan": plan,
            "once": (request.POST.get("once") or _token()) if plan is None else "",
        },
    )


@capability_required(Capability.MANAGE_COLLECTION)
def plan_create(request):
    return _plan_form_page(request, plan=None)


@capability_required(Capability.MANAGE_COLLECTION)
def plan_edit(request, pk: int):
    plan = get_object_or_404(PurchasePlan, pk=pk)
    if not plan.is_editable:
        messages.error(
            request,
            _("The plan is “%(status)s”: only a draft can be changed.")
            % {"status": plan.get_status_display()},
        )
        return redirect("catalog:purchase-plan", pk)
    return _plan_form_page(request, plan=plan)


@plans_reader_required
def plan_detail(request, pk: int):
    page = purchase_plan_page(pk)
    if page is None:
        raise Http404
    extra = {}
    preview = _plan_import_pending(request, pk)
    if preview is not None:
        polled = request.htmx and request.htmx.target == "upload-preview"
        if preview.waiting and not preview.stopped:
            if polled:
                return previews.preview_waiting_response(
                    request,
                    preview,
                    poll_url=reverse("catalog:purchase-plan", args=[pk]),
                    heading=preview.name,
                )
            extra = {"import_preview": preview}
        elif preview.ready:
            if polled:
                return previews.preview_redirect(request, reverse("catalog:purchase-plan", args=[pk]))
            extra = {"import_preview": preview}
        else:
            _plan_import_discard(request, pk)
            if preview.waiting:
                messages.error(request, previews.preview_stopped_message())
                return previews.preview_redirect(request, reverse("catalog:purchase-plan", args=[pk]))
            return _plan_import_refused(
                request, pk, (preview.result or {}).get("errors") or [preview.message]
            )
    context = _plan_detail_context(request, page, **extra)
    return render(request, "catalog/acquisitions/plan_detail.html", context)


def _plan_step(request, pk: int, step, success: str):
    plan = get_object_or_404(PurchasePlan, pk=pk)
    form = PlanDecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        step(plan=plan, user=request.user, comment=comment)
    except AcquisitionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("catalog:purchase-plan", pk)


@require_POST
@capability_required(Capability.MANAGE_COLLECTION)
def plan_submit(request, pk: int):
    return _plan_step(request, pk, purchase_plan_submit, _("The plan was submitted for approval."))


@require_POST
@capability_required(Capability.MANAGE_COLLECTION)
def plan_revise(request, pk: int):
    return _plan_step(
        request, pk, purchase_plan_revise, _("The plan is a draft again: revise it and submit it.")
    )


@require_POST
@capability_required(Capability.APPROVE_PURCHASE_PLANS)
def plan_decide(request, pk: int):
    decision = request.POST.get("decision")
    if decision == "approve":
        return _plan_step(request, pk, purchase_plan_approve, _("The plan was approved."))
    if decision == "reject":
        return _plan_step(request, pk, purchase_plan_reject, _("The plan was rejected."))
    messages.error(request, _("Choose to approve or to reject the plan."))
    return redirect("catalog:purchase-plan", pk)


def _plan_import_key(pk: int) -> str:
    return f"catalog-plan-import-{pk}"


def _plan_import_pending(request, pk: int) -> previews.Preview | None:
    """The plan's lines file waiting in this session, if it is this user's."""
    token = request.session.get(_plan_import_key(pk))
    preview = previews.preview_get(token, user=request.user) if isinstance(token, str) else None
    if preview is None or preview.options.get("plan_id") != pk:
        request.session.pop(_plan_import_key(pk), None)
        return None
    return preview


def _plan_import_discard(request, pk: int) -> None:
    preview = _plan_import_pending(request, pk)
    if preview is not None:
        uploads.upload_discard(preview.token)
    request.session.pop(_plan_import_key(pk), None)


def _plan_detail_context(request, page, **extra) -> dict:
    user = request.user
    return {
        "page": page,
        "plan": page.plan,
        "can_manage": user.has_perm(Capability.MANAGE_COLLECTION.permission),
        "can_approve": user.has_perm(Capability.APPROVE_PURCHASE_PLANS.permission),
        "decision_form": PlanDecisionForm(),
        "import_form": PlanImportForm(),
        **extra,
    }


def _plan_import_refused(request, pk: int, errors: list[str], form=None):
    messages.error(request, _("Nothing was imported: correct the file and import it again."))
    page = purchase_plan_page(pk)
    extra = {"import_errors": errors, **({"import_form": form} if form is not None else {})}
    return render(
        request,
        "catalog/acquisitions/plan_detail.html",
        _plan_detail_context(request, page, **extra),
        status=400,
    )


def _plan_lines_save(request, plan: PurchasePlan, preview: previews.Preview):
    """The lines the preview kept, added once: the upload is claimed first (a second click finds
    nothing), all lines or none."""
    if not uploads.upload_claim(preview.token):
        messages.info(request, _("This import is being saved or was saved already; it was not saved twice."))
        return redirect("catalog:purchase-plan", plan.pk)
    try:
        added = purchase_plan_lines_add(
            plan=plan, lines=plan_lines_from_preview(preview.result or {}), user=request.user
        )
    except AcquisitionRefused as error:
        uploads.upload_discard(preview.token)
        request.session.pop(_plan_import_key(plan.pk), None)
        return _plan_import_refused(request, plan.pk, [str(error.message)])
    except Exception:
        uploads.upload_release(preview.token)
        raise
    uploads.upload_discard(preview.token)
    request.session.pop(_plan_import_key(plan.pk), None)
    messages.success(request, _("%(count)s lines imported.") % {"count": len(added)})
    return redirect("catalog:purchase-plan", plan.pk)


@require_POST
@capability_required(Capability.MANAGE_COLLECTION)
def plan_import(request, pk: int):
    """The lines of a plan from an .xlsx file, read and checked through the shared previews
    (library_site.documents.previews): a small file in the request and added at once; a larger
    one by the worker, while the plan's page shows the progress, then added when the librarian
    confirms."""
    plan = get_object_or_404(PurchasePlan, pk=pk)
    action = request.POST.get("action", "upload")
    if action == "confirm":
        preview = _plan_import_pending(request, pk)
        if preview is None or not preview.ready or request.POST.get("token") != preview.token:
            messages.info(
                request, _("There is no import waiting for confirmation: it may have been saved already.")
            )
            return redirect("catalog:purchase-plan", pk)
        return _plan_lines_save(request, plan, preview)
    if action == "cancel":
        _plan_import_discard(request, pk)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("catalog:purchase-plan", pk)
    form = PlanImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _plan_import_refused(request, pk, [_("Choose an Excel file (.xlsx).")], form)
    upload = form.cleaned_data["file"]
    _plan_import_discard(request, pk)
    preview = previews.preview_upload(
        upload, kind=PLAN_LINES_PREVIEW, user=request.user, filename="upload.xlsx", options={"plan_id": pk}
    )
    request.session[_plan_import_key(pk)] = preview.token
    if preview.ready:  # a small file, checked in the request: added at once, as before
        return _plan_lines_save(request, plan, preview)
    if preview.waiting:
        return redirect("catalog:purchase-plan", pk)
    _plan_import_discard(request, pk)
    return _plan_import_refused(request, pk, (preview.result or {}).get("errors") or [preview.message], form)


@capability_required(Capability.MANAGE_COLLECTION)
def plan_template(request):
    response = HttpResponse(
        plan_lines_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E9%87%87%E8%B4%AD%E8%AE%A1%E5%88%92.xlsx"
    return response


@capability_required(Capability.MANAGE_COLLECTION)
def plan_receive(request, pk: int):
    page = purchase_plan_page(pk)
    if page is None:
        raise Http404
    plan = page.plan
    if not plan.is_receivable:
        messages.error(
            request,
            _("The plan is “%(status)s”: books are received only against an approved plan.")
            % {"status": plan.get_status_display()},
        )
        return redirect("catalog:purchase-plan", pk)
    entered: dict[int, dict] = {}
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        for line in page.lines:
            entered[line.pk] = {
                "plan_line": line.pk,
                "quantity": request.POST.get(f"quantity-{line.pk}", "").strip() or "0",
                "unit_price": request.POST.get(f"price-{line.pk}", "").strip() or None,
                "surplus": request.POST.get(f"surplus-{line.pk}") == "on",
            }
        if form.is_valid():
            data = form.cleaned_data
            if _already_received(request, data["token"]):
                return redirect("catalog:delivery", Delivery.objects.get(token=data["token"]).pk)
            try:
                delivery = delivery_receive(
                    plan=plan,
                    lines=list(entered.values()),
                    location=data["location"],
                    supplier=data["supplier"],
                    invoice_number=data["invoice_number"],
                    received_on=data["received_on"],
                    notes=data["notes"],
                    token=data["token"],
                    user=request.user,
                )
            except AcquisitionRefused as error:
                form.add_error(None, error.message)
            else:
                volumes = sum(line.quantity for line in delivery.lines.all())
                messages.success(
                    request,
                    _("The delivery was received: %(volumes)s copies with barcodes.") % {"volumes": volumes},
                )
                return redirect("catalog:delivery", delivery.pk)
    else:
        suppliers = [line.supplier for line in page.lines if line.supplier]
        form = DeliveryForm(
            initial={
                "received_on": timezone.localdate(),
                "supplier": suppliers[0] if suppliers else "",
                "token": _token(),
            }
        )
    for line in page.lines:
        line.entered = entered.get(line.pk, {})
    return render(
        request, "catalog/acquisitions/plan_receive.html", {"page": page, "plan": plan, "form": form}
    )


@capability_required(Capability.MANAGE_COLLECTION)
def donation_create(request):
    if request.method == "POST":
        form = DonationForm(request.POST)
        formset = DonationLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            if _already_received(request, data["token"]):
                return redirect("catalog:delivery", Delivery.objects.get(token=data["token"]).pk)
            try:
                delivery = donation_receive(
                    donor=data["donor"],
                    donor_class=data["donor_class"],
                    received_on=data["received_on"],
                    location=data["location"],
                    notes=data["notes"],
                    lines=formset_lines(formset),
                    token=data["token"],
                    user=request.user,
                )
            except CatalogError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The donation was received. Thank the donor!"))
                return redirect("catalog:delivery", delivery.pk)
    else:
        form = DonationForm(initial={"received_on": timezone.localdate(), "token": _token()})
        formset = DonationLineFormSet(prefix="lines")
    return render(request, "catalog/acquisitions/donation_form.html", {"form": form, "formset": formset})


@capability_required(Capability.MANAGE_COLLECTION)
def delivery(request, pk: int):
    found = delivery_detail(pk)
    if found is None:
        raise Http404
    return render(request, "catalog/acquisitions/delivery.html", {"delivery": found})


@capability_required(Capability.MANAGE_COLLECTION)
def registers(request):
    form = RegisterFilterForm(request.GET or None)
    date_from = date_to = None
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    purchases = purchase_register(date_from, date_to)
    donations = donation_register(date_from, date_to)
    return render(
        request,
        "catalog/acquisitions/registers.html",
        {
            "form": form,
            "purchases": purchases,
            "donations": donations,
            "purchase_totals": register_totals(purchases),
            "donation_totals": register_totals(donations),
        },
    )
