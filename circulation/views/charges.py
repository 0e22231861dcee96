"""The pages of money (issue 14 point 10): a reader's charges at the desk (pay in cash, charge
a damaged book, waive or cancel with a reason), a payment's receipt (a page, and a PDF for an
80 mm receipt printer or A4), and the day's cash list (printable, and .xlsx). Taking money needs
TAKE_PAYMENTS; waiving and cancelling WAIVE_CHARGES; a reader sees their own receipts."""

from __future__ import annotations

import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.system.exceptions import AlreadySubmitted
from library_site.system.submissions import submission_already, submission_find, submission_token

from ..exceptions import CirculationError
from ..forms.charges import DamagedChargeForm, SettleForm
from ..models import Charge, Reader
from ..money import yuan
from ..printing.charges import cash_list_xlsx, receipt_pdf
from ..selectors.charges import cash_list, payment_receipt, reader_charges
from ..selectors.readers import reader_for_user
from ..services.charges import PAY_FORM, charge_damaged, charge_settle, charges_pay
from .desk import desk_name

TAKE = Capability.TAKE_PAYMENTS


def _page(request, reader: Reader, *, damaged_form=None, status: int = 200):
    context = {
        "reader": reader,
        **reader_charges(reader.pk),
        "token": submission_token(),
        "damaged_form": damaged_form or DamagedChargeForm(),
        "settle_form": SettleForm(),
        "can_waive": request.user.has_perm(Capability.WAIVE_CHARGES.permission),
    }
    return render(request, "circulation/charges/reader_charges.html", context, status=status)


def _reader(pk: int) -> Reader:
    return get_object_or_404(Reader.objects.with_display(), pk=pk)


@capability_required(TAKE)
def reader_charges_page(request, pk: int):
    """What the reader owes and paid, with the desk's forms."""
    return _page(request, _reader(pk))


@require_POST
@capability_required(TAKE)
def charges_pay_view(request, pk: int):
    """Take cash for the charges ticked: one payment, one receipt. A second sending of the same
    form (a double click, a reloaded page) finds the first payment and charges nothing."""
    reader = _reader(pk)
    token = request.POST.get("token", "")
    done = submission_find(token=token, form=PAY_FORM, user=request.user)
    if done:
        messages.info(request, _("This payment was already taken; nothing was charged twice."))
        return redirect("circulation:payment-receipt", done.object_id)
    try:
        payment = charges_pay(
            reader=reader,
            charge_ids=[value for value in request.POST.getlist("charge") if value.isdigit()],
            user=request.user,
            desk=desk_name(request),
            token=token,
        )
    except AlreadySubmitted as error:
        first = submission_already(error, token=token, form=PAY_FORM, user=request.user)
        messages.info(request, _("This payment was already taken; nothing was charged twice."))
        if first.object_id:
            return redirect("circulation:payment-receipt", first.object_id)
        return redirect("circulation:reader-charges", reader.pk)
    except CirculationError as error:
        messages.error(request, error.message)
        return redirect("circulation:reader-charges", reader.pk)
    messages.success(
        request,
        _("%(amount)s taken in cash: receipt %(number)s.")
        % {"amount": yuan(payment.amount), "number": payment.number},
    )
    return redirect("circulation:payment-receipt", payment.pk)


@require_POST
@capability_required(TAKE)
def charge_damaged_view(request, pk: int):
    reader = _reader(pk)
    form = DamagedChargeForm(request.POST)
    if not form.is_valid():
        return _page(request, reader, damaged_form=form, status=400)
    try:
        charge = charge_damaged(
            reader=reader,
            barcode=form.cleaned_data["barcode"],
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
            user=request.user,
            desk=desk_name(request),
        )
    except CirculationError as error:
        form.add_error(None, error.message)
        return _page(request, reader, damaged_form=form, status=400)
    messages.success(request, _("Charged %(amount)s for the damaged book.") % {"amount": yuan(charge.amount)})
    return redirect("circulation:reader-charges", reader.pk)


@require_POST
@capability_required(TAKE)
def charge_settle_view(request, charge_id: int):
    """Waive or cancel a charge with a reason (the service refuses without WAIVE_CHARGES)."""
    charge = get_object_or_404(Charge, pk=charge_id)
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the charge is waived or cancelled."))
        return redirect("circulation:reader-charges", charge.reader_id)
    try:
        charge = charge_settle(
            charge=charge,
            to_state=form.cleaned_data["to_state"],
            reason=form.cleaned_data["reason"],
            user=request.user,
            desk=desk_name(request),
        )
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(amount)s is now “%(state)s”.")
            % {"amount": yuan(charge.amount), "state": charge.get_state_display()},
        )
    return redirect("circulation:reader-charges", charge.reader_id)


def _receipt_for(request, payment_id: int):
    """The payment, for staff who take money or for the reader it belongs to; 404 otherwise
    (another pupil's receipt is not even said to exist)."""
    payment = payment_receipt(payment_id)
    if payment is None:
        raise Http404
    if request.user.has_perm(TAKE.permission):
        return payment, True
    own = reader_for_user(request.user)
    if own is None or own.pk != payment.reader_id:
        raise Http404
    return payment, False


@login_required
def payment_receipt_page(request, payment_id: int):
    payment, staff = _receipt_for(request, payment_id)
    return render(request, "circulation/charges/receipt.html", {"payment": payment, "staff": staff})


@login_required
def payment_receipt_pdf(request, payment_id: int):
    """The receipt as a PDF: ``?paper=80mm`` (the default) or ``?paper=a4``."""
    payment, _staff = _receipt_for(request, payment_id)
    try:
        pdf = receipt_pdf(payment=payment, paper=request.GET.get("paper", "80mm"))
    except CirculationError as error:
        return HttpResponseBadRequest(str(error.message))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"收据-{payment.number}.pdf")
    return response


def _day(request) -> date | None:
    text = request.GET.get("day", "").strip()
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@capability_required(TAKE)
def cash_list_page(request):
    """The day's cash list to hand over with the money: ``?day=YYYY-MM-DD``, ``?mine=1`` for
    what the signed-in person took."""
    day = _day(request)
    if day is None:
        messages.error(request, _("Enter the day as YYYY-MM-DD, for example 2026-09-01."))
        return redirect("circulation:cash-list")
    mine = request.GET.get("mine") == "1"
    context = cash_list(day, taken_by=request.user if mine else None)
    context["mine"] = mine
    return render(request, "circulation/charges/cash_list.html", context)


@capability_required(TAKE)
def cash_list_download(request):
    day = _day(request)
    if day is None:
        return HttpResponseBadRequest(_("Enter the day as YYYY-MM-DD, for example 2026-09-01."))
    mine = request.GET.get("mine") == "1"
    output = io.BytesIO()
    cash_list_xlsx(output, cash_list(day, taken_by=request.user if mine else None))
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"收款清单-{day.isoformat()}.xlsx")
    return response
