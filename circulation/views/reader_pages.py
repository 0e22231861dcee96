"""The reader's own pages: their library page (loans, holds, history, a teacher's class sets, a
head teacher's classes), and their own actions: renew a loan, place and cancel a hold. Each
checks that the loan or hold is the signed-in reader's own; anything else is a 404, so that
nobody learns what another reader borrows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Record

from ..exceptions import CirculationError
from ..models import Hold, Loan
from ..selectors.reader_pages import my_library as my_library_context
from ..selectors.readers import reader_for_user
from ..services.holds import hold_cancel, hold_place
from ..services.loans import loan_renew

ONLINE = "OPAC"


def _own_reader(request):
    reader = reader_for_user(request.user)
    if reader is None:
        raise Http404("not a reader")
    return reader


@login_required
def my_library(request):
    return render(request, "circulation/my_library.html", my_library_context(request.user))


@login_required
@require_POST
def my_loan_renew(request, loan_id: int):
    reader = _own_reader(request)
    loan = get_object_or_404(Loan, pk=loan_id, reader=reader)
    try:
        result = loan_renew(loan=loan, user=request.user, desk=ONLINE)
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, result.message)
    return redirect("circulation:my-library")


@login_required
@require_POST
def my_hold_cancel(request, hold_id: int):
    reader = _own_reader(request)
    hold = get_object_or_404(Hold, pk=hold_id, reader=reader)
    hold_cancel(hold=hold, user=request.user)
    messages.success(request, _("Your hold is cancelled."))
    return redirect("circulation:my-library")


@login_required
def hold_place_view(request, record_id: int):
    """Confirm, then place a hold on a title (the OPAC's record page links here)."""
    reader = _own_reader(request)
    record = get_object_or_404(Record, pk=record_id)
    error = None
    if request.method == "POST":
        try:
            hold_place(reader=reader, record=record, user=request.user)
        except CirculationError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("You are in the queue for “%(title)s”.") % {"title": record.title})
            return redirect("circulation:my-library")
    return render(request, "circulation/hold_place.html", {"record": record, "error": error})
