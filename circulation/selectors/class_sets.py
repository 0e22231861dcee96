"""Reads of class sets: how many copies are still free for some dates, the bookings the desk
is to lend, and a teacher's own bookings, each saying what may be done with it."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from catalog.models import Copy, Record

from ..models import ClassSetBooking, Hold, Loan, Reader, SchoolClass
from ..policies import REFERENCE_LOCATION_KINDS

LENDABLE_FOR_SETS = (Copy.Status.AVAILABLE, Copy.Status.ON_LOAN, Copy.Status.ON_HOLD_SHELF)


def class_set_free_copies(
    *, record: Record, starts_on: date, ends_on: date, exclude=None, today: date | None = None
) -> int:
    """How many copies of a title could still be booked for those dates: the lendable copies
    (not in a reading room, not lost, withdrawn or in repair), less the copies on loan that
    will not be back by the first day (due on or after it, or overdue already: nobody knows
    when those come back), less the copies other bookings take over overlapping dates (their
    own loans are counted once, as the booking), less one per reader waiting in the hold queue.
    Four queries whatever the number of copies and loans."""
    today = today or timezone.localdate()
    lendable = Copy.objects.filter(record=record, status__in=LENDABLE_FOR_SETS).exclude(
        location__kind__in=REFERENCE_LOCATION_KINDS
    )
    copies = lendable.count()
    overlapping = ClassSetBooking.objects.filter(
        record=record,
        state__in=[ClassSetBooking.State.BOOKED, ClassSetBooking.State.LENT],
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    booked = overlapping.aggregate(total=Sum("copies"))["total"] or 0
    out_past_start = (
        Loan.objects.filter(copy__in=lendable, state=Loan.State.OPEN)
        .filter(Q(due_on__gte=starts_on) | Q(due_on__lt=today))
        .exclude(booking__in=overlapping.values("pk"))
        .count()
    )
    waiting = Hold.objects.filter(record=record, state=Hold.State.WAITING).count()
    return max(0, copies - booked - out_past_start - waiting)


# How far ahead the desk's list of class sets looks.
CLASS_SETS_AHEAD_DAYS = 7


def class_sets_to_lend(*, today: date | None = None) -> list[ClassSetBooking]:
    """The bookings starting within a week, for the desk to prepare, each with ``lendable``:
    whether its first day has come (the desk lends it then, not before)."""
    today = today or timezone.localdate()
    bookings = list(
        ClassSetBooking.objects.filter(
            state=ClassSetBooking.State.BOOKED, starts_on__lte=today + timedelta(days=CLASS_SETS_AHEAD_DAYS)
        )
        .select_related("record", "school_class", "teacher__user")
        .order_by("starts_on", "pk")
    )
    for booking in bookings:
        booking.lendable = booking.starts_on <= today
    return bookings


def class_sets_of_teacher(teacher: Reader | None, *, limit: int = 20) -> list[ClassSetBooking]:
    """A teacher's bookings not cancelled, latest first, each with ``cancellable``: whether the
    teacher may still cancel it (not yet lent). Nobody else has any."""
    if teacher is None or teacher.kind != Reader.Kind.TEACHER:
        return []
    bookings = list(
        ClassSetBooking.objects.filter(
            teacher=teacher, state__in=[ClassSetBooking.State.BOOKED, ClassSetBooking.State.LENT]
        )
        .select_related("record", "school_class")
        .order_by("-starts_on")[:limit]
    )
    for booking in bookings:
        booking.cancellable = booking.state == ClassSetBooking.State.BOOKED
    return bookings


def class_set_form_defaults(*, teacher: Reader, record: Record, today: date | None = None) -> dict:
    """What the booking form starts with: the coming week, the class the teacher is head
    teacher of (else the class they belong to, if any) and as many copies as are free then."""
    today = today or timezone.localdate()
    ends_on = today + timedelta(days=7)
    own_class = (
        SchoolClass.objects.filter(head_teacher_id=teacher.user_id, is_active=True)
        .order_by("grade", "number")
        .first()
    )
    if own_class is None and teacher.school_class_id:
        own_class = SchoolClass.objects.filter(pk=teacher.school_class_id, is_active=True).first()
    free = class_set_free_copies(record=record, starts_on=today, ends_on=ends_on, today=today)
    return {
        "initial": {
            "starts_on": today,
            "ends_on": ends_on,
            "copies": free or None,
            "school_class": own_class,
        },
        "free": free,
    }
