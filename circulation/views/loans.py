"""The staff's pages of loans: a loan marked lost with its compensation's receipt, and a
copy's loan history."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from catalog.models import Copy
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError
from ..models import Compensation, Loan
from ..policies import lost_book_price
from ..selectors.loans import copy_loan_history
from ..services.loans import loan_mark_lost
from .desk import desk_name


@capability_required(Capability.MANAGE_READERS)
def loan_lost(request, loan_id: int):
    """Mark a loan lost, with the price to charge shown before anything is saved."""
    loan = get_object_or_404(Loan.objects.select_related("copy__record", "reader__user"), pk=loan_id)
    default_price, _source = lost_book_price(loan.copy)  # the rule the service charges by
    error = None
    if request.method == "POST":
        price = None
        typed = request.POST.get("price", "").strip()
        try:
            if typed:
                price = Decimal(typed)
        except InvalidOperation:
            error = _("Enter the price as a number, for example 25.80.")
        if error is None:
            try:
                compensation = loan_mark_lost(
                    loan=loan,
                    user=request.user,
                    desk=desk_name(request),
                    price=price if price != default_price else None,
                    price_source=request.POST.get("price_source", "").strip()[:100],
                )
            except CirculationError as refusal:
                error = refusal.message
            else:
                messages.success(request, _("The loss is recorded. Print the receipt for the reader."))
                charge = getattr(compensation, "charge", None) if compensation.amount else None
                if charge is not None and request.user.has_perm(Capability.TAKE_PAYMENTS.permission):
                    return redirect("circulation:reader-charges", charge.reader_id)  # pay it now
                return redirect("circulation:compensation-receipt", compensation.pk)
    return render(
        request,
        "circulation/loan_lost.html",
        {
            "loan": loan,
            "default_price": default_price,
            "error": error,
            "price": request.POST.get("price", ""),
        },
    )


@capability_required(Capability.MANAGE_READERS)
def compensation_receipt(request, compensation_id: int):
    compensation = get_object_or_404(
        Compensation.objects.select_related(
            "loan__copy__record", "loan__reader__user", "loan__reader__school_class", "recorded_by"
        ),
        pk=compensation_id,
    )
    return render(request, "circulation/compensation_receipt.html", {"compensation": compensation})


@capability_required(Capability.MANAGE_READERS)
def copy_loans(request, copy_id: int):
    copy = get_object_or_404(Copy.objects.select_related("record"), pk=copy_id)
    return render(request, "circulation/copy_loans.html", {"copy": copy, "loans": copy_loan_history(copy.pk)})
