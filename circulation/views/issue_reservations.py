"""Reservations of periodical issues: the teacher's page (RESERVE_ITEMS: reserve the current or
the next issue, see and cancel their own) and the desk's list (USE_DESK: hand a kept issue
over, take one back, cancel). A teacher reaches only their own reservations."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import SerialIssue
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import CirculationError
from ..models import IssueReservation, Reader
from ..selectors.issue_reservations import (
    desk_issue_reservations,
    issues_to_reserve,
    reader_issue_reservations,
)
from ..selectors.readers import reader_for_user
from ..services import issue_reservations as services


def _teacher(request) -> Reader:
    teacher = reader_for_user(request.user)
    if teacher is None or teacher.kind != Reader.Kind.TEACHER:
        raise Http404("not a teacher")
    return teacher


@capability_required(Capability.RESERVE_ITEMS)
def issue_reservations_mine(request):
    teacher = _teacher(request)
    if request.method == "POST":
        try:
            issue_id = int(request.POST.get("issue", ""))
        except ValueError:
            issue_id = 0
        issue = get_object_or_404(SerialIssue, pk=issue_id)
        try:
            reservation = services.issue_reservation_place(reader=teacher, issue=issue, user=request.user)
        except CirculationError as error:
            messages.error(request, error.message)
        else:
            if reservation.state == IssueReservation.State.READY:
                messages.success(
                    request,
                    _("The issue is kept for you at the desk of %(room)s.")
                    % {"room": issue.subscription.location.name},
                )
            else:
                messages.success(request, _("The issue is reserved: it is kept for you when it comes in."))
        return redirect("circulation:issue-reservations-mine")
    return render(
        request,
        "circulation/issue_reservations_mine.html",
        {"rows": issues_to_reserve(), "mine": reader_issue_reservations(teacher)},
    )


@capability_required(Capability.RESERVE_ITEMS)
@require_POST
def issue_reservation_cancel_mine(request, pk: int):
    teacher = _teacher(request)
    reservation = get_object_or_404(IssueReservation, pk=pk, reader=teacher)
    try:
        services.issue_reservation_cancel(reservation=reservation, user=request.user)
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The reservation is cancelled."))
    return redirect("circulation:issue-reservations-mine")


DESK_ACTIONS = {
    "collect": (services.issue_reservation_collect, _("Handed over: due back in %(days)s days.")),
    "return": (services.issue_reservation_return, _("Taken back.")),
    "cancel": (services.issue_reservation_cancel, _("The reservation is cancelled.")),
}


@capability_required(Capability.USE_DESK)
def issue_reservations_desk(request):
    if request.method == "POST":
        action = DESK_ACTIONS.get(request.POST.get("action", ""))
        try:
            pk = int(request.POST.get("reservation", ""))
        except ValueError:
            pk = 0
        reservation = get_object_or_404(IssueReservation, pk=pk)
        if action is None:
            messages.error(request, _("Choose what to do with the reservation."))
        else:
            service, done = action
            try:
                service(reservation=reservation, user=request.user)
            except CirculationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, done % {"days": services.ISSUE_LOAN_DAYS})
        return redirect("circulation:issue-reservations-desk")
    return render(request, "circulation/issue_reservations_desk.html", desk_issue_reservations())
