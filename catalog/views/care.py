"""Collection care (C6–C8): repairs (register E), write-offs and weeding (register F), and
stocktaking against the shelves. Thin views: check the right, bind the form, call one service or
selector, render. Every page needs MANAGE_COLLECTION; deciding a write-off needs
APPROVE_WRITE_OFFS (the administrator)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.exceptions import CatalogError
from catalog.forms.care import BatchForm, RepairCloseForm, RepairOpenForm, StocktakeForm, WeedingForm
from catalog.models import CatalogSettings, Copy, Repair, Stocktake, StocktakeScan, WriteOffBatch
from catalog.policies import STOCKTAKE_UPLOAD_MAX_BYTES
from catalog.selectors.care import (
    WeedingCriteria,
    repairs_closed_recent,
    repairs_open,
    stocktake_report,
    stocktake_scan_outcome,
    stocktakes_list,
    weeding_candidates,
    write_off_batches,
    write_off_detail,
    write_off_drafts,
)
from catalog.selectors.copies import copy_get_by_barcode
from catalog.services import care as care_services
from catalog.services.care import (
    repair_open,
    stocktake_cancel,
    stocktake_scan_text,
    stocktake_start,
    write_off_add,
    write_off_add_barcodes,
    write_off_approve,
    write_off_cancel,
    write_off_create,
    write_off_remove,
    write_off_return,
    write_off_submit,
)
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

MANAGE = Capability.MANAGE_COLLECTION
WEEDING_PAGE = 100


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# --- repairs ----------------------------------------------------------------------------------


@capability_required(MANAGE)
def repairs(request):
    form = RepairOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            copy = copy_get_by_barcode(form.cleaned_data["barcode"])
            repair_open(
                copy=copy,
                damage=form.cleaned_data["damage"],
                reported_by=request.user,
                source=form.cleaned_data["source"],
            )
        except CatalogError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Copy %(barcode)s (%(title)s) is now in repair.")
                % {"barcode": copy.barcode, "title": copy.record.title},
            )
            return redirect("catalog:repairs")
    return render(
        request,
        "catalog/care/repairs.html",
        {
            "form": form,
            "open_repairs": list(repairs_open()),
            "closed_repairs": list(repairs_closed_recent()),
            "section": "repairs",
        },
    )


@capability_required(MANAGE)
def repair_close(request, pk: int):
    repair = get_object_or_404(Repair.objects.select_related("copy__record", "reported_by"), pk=pk)
    if not repair.is_open:
        messages.info(request, _("This repair was already closed."))
        return redirect("catalog:repairs")
    form = RepairCloseForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            care_services.repair_close(
                repair=repair,
                repaired_by=request.user,
                result=form.cleaned_data["result"],
                notes=form.cleaned_data["notes"],
                on=form.cleaned_data["on"],
            )
        except CatalogError as error:
            form.add_error(None, error.message)
        else:
            if form.cleaned_data["result"] == Repair.Result.SHELVED:
                messages.success(
                    request, _("Copy %(barcode)s is back on the shelf.") % {"barcode": repair.copy.barcode}
                )
            else:
                messages.success(
                    request,
                    _("Copy %(barcode)s was added to a draft write-off batch for damaged copies.")
                    % {"barcode": repair.copy.barcode},
                )
            return redirect("catalog:repairs")
    return render(
        request, "catalog/care/repair_close.html", {"form": form, "repair": repair, "section": "repairs"}
    )


# --- write-offs -------------------------------------------------------------------------------


@capability_required(MANAGE)
def write_offs(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = write_off_create(
                reason=form.cleaned_data["reason"], notes=form.cleaned_data["notes"], user=request.user
            )
        except CatalogError as error:
            form.add_error(None, error.message)
        else:
            return redirect("catalog:write-off", batch.pk)
    paginator = Paginator(write_off_batches(), 30)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/care/write_offs.html",
        {"form": form, "page": page, "batches": list(page.object_list), "section": "write-offs"},
    )


@capability_required(MANAGE)
def write_off(request, pk: int):
    batch = write_off_detail(pk)
    if batch is None:
        return redirect("catalog:write-offs")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                added = write_off_add_barcodes(
                    batch=batch, text=request.POST.get("barcodes", ""), user=request.user
                )
                messages.success(request, _("%(count)s copies added.") % {"count": len(added)})
            elif action == "remove":
                copy = get_object_or_404(Copy, pk=request.POST.get("copy") or 0)
                write_off_remove(batch=batch, copy=copy, user=request.user)
                messages.success(
                    request, _("Copy %(barcode)s taken out of the batch.") % {"barcode": copy.barcode}
                )
            elif action == "submit":
                write_off_submit(batch=batch, user=request.user)
                messages.success(request, _("The batch was submitted to the administrator for approval."))
            elif action == "cancel":
                write_off_cancel(batch=batch, user=request.user)
                messages.success(request, _("The batch was cancelled; its copies are unchanged."))
            else:
                messages.error(request, _("Nothing was done."))
        except CatalogError as error:
            messages.error(request, error.message)
        return redirect("catalog:write-off", pk)
    return render(
        request,
        "catalog/care/write_off.html",
        {
            "batch": batch,
            "can_decide": request.user.has_perm(Capability.APPROVE_WRITE_OFFS.permission),
            "section": "write-offs",
        },
    )


@require_POST
@capability_required(Capability.APPROVE_WRITE_OFFS)
def write_off_decide(request, pk: int):
    batch = get_object_or_404(WriteOffBatch, pk=pk)
    decision = request.POST.get("decision")
    comment = request.POST.get("comment", "")
    try:
        if decision == "approve":
            write_off_approve(batch=batch, user=request.user, comment=comment)
            messages.success(request, _("Approved: the copies of the batch are now withdrawn."))
        elif decision == "return":
            write_off_return(batch=batch, user=request.user, comment=comment)
            messages.success(request, _("The batch was sent back to the librarian."))
        else:
            messages.error(request, _("Nothing was done."))
    except CatalogError as error:
        messages.error(request, error.message)
    return redirect("catalog:write-off", pk)


@capability_required(MANAGE)
def write_off_print(request, pk: int):
    batch = write_off_detail(pk)
    if batch is None:
        return redirect("catalog:write-offs")
    copies_for = [_("Library copy"), _("Copy for the school's asset office")]
    return render(
        request,
        "catalog/care/write_off_print.html",
        {
            "batch": batch,
            "copies_for": copies_for,
            "library_name": CatalogSettings.current().library_name,
        },
    )


@capability_required(MANAGE)
def weeding(request):
    form = WeedingForm(request.GET or None)
    drafts = write_off_drafts()
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("copy") if value.isdigit()]
        target = request.POST.get("batch", "")
        try:
            if target == "new":
                batch = write_off_create(
                    reason=request.POST.get("reason", ""),
                    notes=_("From a weeding proposal"),
                    user=request.user,
                )
            else:
                batch = get_object_or_404(WriteOffBatch, pk=int(target) if target.isdigit() else 0)
            added = write_off_add(
                batch=batch, copies=list(Copy.objects.filter(pk__in=ids)), user=request.user
            )
        except CatalogError as error:
            messages.error(request, error.message)
            return redirect(f"{request.path}?{request.GET.urlencode()}")
        messages.success(request, _("%(count)s copies added to the batch.") % {"count": len(added)})
        return redirect("catalog:write-off", batch.pk)
    context = {
        "form": form,
        "drafts": drafts,
        "reasons": WriteOffBatch.Reason.choices,
        # A weeding proposal's new batch is for outdated copies unless the librarian says otherwise.
        "reason_proposed": WriteOffBatch.Reason.OUTDATED,
        "section": "weeding",
    }
    if request.GET and form.is_valid():
        criteria = WeedingCriteria(
            criterion=form.cleaned_data["criterion"],
            years=form.cleaned_data["years"],
            keep=form.cleaned_data.get("keep") or 3,
            classes=form.cleaned_data["class_list"],
            location=form.cleaned_data["location"],
        )
        paginator = Paginator(weeding_candidates(criteria), WEEDING_PAGE)
        page = paginator.get_page(form.cleaned_data.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update({"page": page, "candidates": list(page.object_list), "query": query.urlencode()})
    return render(request, "catalog/care/weeding.html", context)


# --- stocktaking ------------------------------------------------------------------------------


@capability_required(MANAGE)
def stocktakes(request):
    form = StocktakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = stocktake_start(**form.cleaned_data, user=request.user)
        except CatalogError as error:
            form.add_error(None, error.message)
        else:
            return redirect("catalog:stocktake", stocktake.pk)
    paginator = Paginator(stocktakes_list(), 30)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/care/stocktakes.html",
        {"form": form, "page": page, "stocktakes": list(page.object_list), "section": "stocktaking"},
    )


@capability_required(MANAGE)
def stocktake(request, pk: int):
    stocktake = get_object_or_404(
        Stocktake.objects.select_related("location", "started_by", "confirmed_by"), pk=pk
    )
    report = stocktake_report(stocktake) if request.GET.get("report") or not stocktake.is_open else None
    return render(
        request,
        "catalog/care/stocktake.html",
        {
            "stocktake": stocktake,
            "report": report,
            "scan_count": stocktake.scans.count(),
            "section": "stocktaking",
        },
    )


@require_POST
@capability_required(MANAGE)
def stocktake_scan(request, pk: int):
    stocktake = get_object_or_404(Stocktake.objects.select_related("location"), pk=pk)
    barcode = request.POST.get("barcode", "").strip()
    context = {"stocktake": stocktake, "barcode": barcode, "Outcome": StocktakeScan.Outcome}
    try:
        _scan, created = care_services.stocktake_scan(stocktake=stocktake, barcode=barcode, user=request.user)
    except CatalogError as error:
        context["outcome"], context["message"] = StocktakeScan.Outcome.REFUSED, error.message
    else:
        context["outcome"], context["copy"] = stocktake_scan_outcome(stocktake, barcode, new=created)
    if not request.htmx:
        if context["outcome"] == StocktakeScan.Outcome.REFUSED:
            messages.error(request, context["message"])
        else:
            messages.info(request, _("Scanned: %(barcode)s") % {"barcode": barcode})
        return redirect("catalog:stocktake", pk)
    context["scan_count"] = stocktake.scans.count()
    return render(request, "catalog/care/_stocktake_scan_result.html", context)


@require_POST
@capability_required(MANAGE)
def stocktake_upload(request, pk: int):
    stocktake = get_object_or_404(Stocktake, pk=pk)
    text = request.POST.get("barcodes", "")
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            if upload.size > STOCKTAKE_UPLOAD_MAX_BYTES:
                raise CatalogError(_("The file is larger than 5 MB; split it into smaller files."))
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise CatalogError(_("The file is not a UTF-8 text file of barcodes.")) from error
        read, added = stocktake_scan_text(stocktake=stocktake, text=text, user=request.user)
    except CatalogError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(read)s barcodes read, %(added)s of them new to this stocktake.")
            % {"read": read, "added": added},
        )
    return redirect("catalog:stocktake", pk)


@require_POST
@capability_required(MANAGE)
def stocktake_confirm(request, pk: int):
    stocktake = get_object_or_404(Stocktake, pk=pk)
    try:
        if request.POST.get("cancel"):
            stocktake_cancel(stocktake=stocktake, user=request.user)
            messages.success(request, _("The stocktake was cancelled; nothing was changed."))
        else:
            was_confirmed = stocktake.is_confirmed
            lost = care_services.stocktake_confirm(stocktake=stocktake, user=request.user)
            if was_confirmed:
                messages.info(request, _("This stocktake was already confirmed; nothing changed."))
            else:
                messages.success(
                    request,
                    _("The stocktake is confirmed: %(count)s missing copies are now lost.") % {"count": lost},
                )
    except CatalogError as error:
        messages.error(request, error.message)
    return redirect("catalog:stocktake", pk)
