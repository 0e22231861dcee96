"""Reservations of periodical issues (教师借阅书刊预约, register H): a teacher reserves the current
issue of a newspaper or periodical, or the next one expected. The reservation waits until the
issue is checked in (catalog.services.serials.issue_receive tells circulation through
catalog.registries) or a copy of it comes back; then it is kept at the desk of the issue's room
until a collect-by day, taken out by the teacher for ISSUE_LOAN_DAYS and brought back, which
may fill the next teacher's reservation. Every move is checked by ISSUE_RESERVATION_STATES.

Locks: the issue's row first (it serialises the count of its copies kept or out), then the
reservations of that issue by primary key.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import SerialIssue
from library_site.accounts.models import User

from ..exceptions import IssueReservationRefused, ReaderNotActive
from ..models import IssueReservation, Reader
from ..policies import Calendar, lending_rules
from ..states import ISSUE_RESERVATION_STATES

# How long a teacher keeps an issue taken out of the periodicals room.
ISSUE_LOAN_DAYS = 7

State = IssueReservation.State


def _issue_lock(issue_id: int) -> SerialIssue:
    return (
        SerialIssue.objects.select_for_update(of=("self",))
        .select_related("subscription__serial")
        .get(pk=issue_id)
    )


def _collect_by(today: date) -> date:
    rules = lending_rules()
    calendar = Calendar.load(today, rules=rules)
    return calendar.next_open_day(today + timedelta(days=rules.settings.hold_pickup_days))


def _copies_free(issue: SerialIssue) -> int:
    """Copies of a checked-in issue still in the room's pile (not kept for, nor out with, a
    teacher); none before the issue is in or once it is bound."""
    if issue.received_on is None or issue.bound_into_id is not None:
        return 0
    holding = IssueReservation.objects.filter(issue=issue, state__in=IssueReservation.HOLDING_STATES).count()
    return max(issue.subscription.copies - holding, 0)


def _make_ready(reservation: IssueReservation, today: date) -> None:
    ISSUE_RESERVATION_STATES.check(reservation.state, State.READY)
    reservation.state = State.READY
    reservation.ready_at = timezone.now()
    reservation.collect_by = _collect_by(today)
    reservation.save(update_fields=["state", "ready_at", "collect_by"])


def _fill(issue: SerialIssue, today: date) -> list[IssueReservation]:
    """Keep the free copies of a locked issue for the first teachers waiting for it."""
    free = _copies_free(issue)
    if not free:
        return []
    waiting = list(
        IssueReservation.objects.select_for_update()
        .filter(issue=issue, state=State.WAITING)
        .order_by("placed_at", "pk")[:free]
    )
    for reservation in waiting:
        _make_ready(reservation, today)
    return waiting


def _current_issue_number(subscription_id: int) -> int | None:
    """The number of the latest issue checked in for a subscription (the current issue)."""
    latest = (
        SerialIssue.objects.filter(subscription_id=subscription_id, received_on__isnull=False)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return latest


@transaction.atomic
def issue_reservation_place(
    *, reader: Reader, issue: SerialIssue, user: User | None, today: date | None = None
) -> IssueReservation:
    """A teacher reserves an issue: the current one (the latest checked in) or one still to
    come, of this year's subscription. Kept for them at once when a copy is in the room."""
    today = today or timezone.localdate()
    if reader.kind != Reader.Kind.TEACHER:
        raise IssueReservationRefused(_("Only teachers reserve newspaper and periodical issues."))
    if reader.status != Reader.Status.ACTIVE:
        raise ReaderNotActive()
    issue = _issue_lock(issue.pk)
    subscription = issue.subscription
    if subscription.year != today.year or not subscription.serial.is_active:
        raise IssueReservationRefused(_("Only issues of this year's subscriptions can be reserved."))
    if issue.bound_into_id is not None:
        raise IssueReservationRefused(_("This issue is bound into a volume: borrow the volume at the desk."))
    current = _current_issue_number(subscription.pk)
    if current is not None and issue.number < current:
        raise IssueReservationRefused(
            _(
                "Issue %(number)s is no longer the current one: reserve issue %(current)s or one still to come."
            )
            % {"number": issue.number, "current": current}
        )
    if IssueReservation.objects.filter(
        reader=reader, issue=issue, state__in=IssueReservation.ACTIVE_STATES
    ).exists():
        raise IssueReservationRefused(_("You have already reserved this issue."))
    try:
        with transaction.atomic():
            reservation = IssueReservation.objects.create(reader=reader, issue=issue, placed_by=user)
    except IntegrityError as error:
        raise IssueReservationRefused(_("You have already reserved this issue.")) from error
    _fill(issue, today)
    reservation.refresh_from_db()
    return reservation


def issue_checked_in(issue: SerialIssue, received: bool, user: User | None, on: date) -> None:
    """The catalogue's listener (catalog.registries): an issue checked in is kept for the
    teachers waiting for it; its check-in undone puts the ones kept back to waiting."""
    issue = _issue_lock(issue.pk)
    if received:
        _fill(issue, on)
        return
    for reservation in IssueReservation.objects.select_for_update().filter(issue=issue, state=State.READY):
        ISSUE_RESERVATION_STATES.check(reservation.state, State.WAITING)
        reservation.state = State.WAITING
        reservation.ready_at = None
        reservation.collect_by = None
        reservation.save(update_fields=["state", "ready_at", "collect_by"])


def _locked(reservation: IssueReservation) -> tuple[SerialIssue, IssueReservation]:
    issue = _issue_lock(reservation.issue_id)
    return issue, IssueReservation.objects.select_for_update().select_related("reader").get(pk=reservation.pk)


@transaction.atomic
def issue_reservation_collect(
    *, reservation: IssueReservation, user: User | None, today: date | None = None
) -> IssueReservation:
    """The teacher takes the kept issue at the desk; it is due back in ISSUE_LOAN_DAYS."""
    today = today or timezone.localdate()
    _issue, reservation = _locked(reservation)
    ISSUE_RESERVATION_STATES.check(reservation.state, State.COLLECTED)
    reservation.state = State.COLLECTED
    reservation.collected_at = timezone.now()
    reservation.due_on = today + timedelta(days=ISSUE_LOAN_DAYS)
    reservation.save(update_fields=["state", "collected_at", "due_on"])
    return reservation


def _close(reservation: IssueReservation, state: str, user: User | None) -> None:
    ISSUE_RESERVATION_STATES.check(reservation.state, state)
    reservation.state = state
    reservation.closed_at = timezone.now()
    reservation.closed_by = user
    reservation.save(update_fields=["state", "closed_at", "closed_by"])


@transaction.atomic
def issue_reservation_return(
    *, reservation: IssueReservation, user: User | None, today: date | None = None
) -> list[IssueReservation]:
    """The teacher brings the issue back; it fills the next reservation waiting for it, if
    any. Returns the reservations it filled."""
    today = today or timezone.localdate()
    issue, reservation = _locked(reservation)
    _close(reservation, State.RETURNED, user)
    return _fill(issue, today)


@transaction.atomic
def issue_reservation_cancel(
    *, reservation: IssueReservation, user: User | None, today: date | None = None
) -> list[IssueReservation]:
    """Cancel a waiting or kept reservation (the teacher's own, or at the desk); a copy it
    kept goes to the next teacher waiting."""
    today = today or timezone.localdate()
    issue, reservation = _locked(reservation)
    _close(reservation, State.CANCELLED, user)
    return _fill(issue, today)


@transaction.atomic
def issue_reservations_expire(*, today: date | None = None) -> int:
    """Reservations kept past their collect-by day expire, and their copies go to the next
    teachers waiting. Safe to run twice. Returns how many expired."""
    today = today or timezone.localdate()
    late = list(
        IssueReservation.objects.filter(state=State.READY, collect_by__lt=today)
        .order_by("issue_id")
        .values_list("issue_id", flat=True)
        .distinct()
    )
    expired = 0
    for issue_id in late:
        issue = _issue_lock(issue_id)
        for reservation in IssueReservation.objects.select_for_update().filter(
            issue=issue, state=State.READY, collect_by__lt=today
        ):
            _close(reservation, State.EXPIRED, None)
            expired += 1
        _fill(issue, today)
    return expired
