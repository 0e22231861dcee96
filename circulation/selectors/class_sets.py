"""Reads of class sets: how many copies are still free for some dates, the bookings the desk
is to lend, and a teacher's own bookings, each saying what may be done with it."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone

from catalog.models import Copy, Record

from ..models import ClassSetBooking, Hold, Reader
from ..policies import REFERENCE_LOCATION_KINDS

LENDABLE_FOR_SETS = (Copy.Status.AVAILABLE, Copy.Status.ON_LOAN, Copy.Status.ON_HOLD_SHELF)


def class_set_free_copies(*, record: Record, starts_on: date, ends_on: date, exclude=None) -> int:
    """How many copies of a title could still be booked for those dates: the lendable copies
    (not in a reading room, not lost, withdrawn or in repair), less the copies other bookings
    take over overlapping dates, less one per reader waiting in the hold queue."""
    copies = (
        Copy.objects.filter(record=record, status__in=LENDABLE_FOR_SETS)
        .exclude(location__kind__in=REFERENCE_LOCATION_KINDS)
        .count()
    )
    overlapping = ClassSetBooking.objects.filter(
        record=record,
        state__in=[ClassSetBooking.State.BOOKED, ClassSetBooking.State.LENT],
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    booked = overlapping.aggregate(total=Sum("copies"))["total"] or 0
    waiting = Hold.objects.filter(record=record, state=Hold.State.WAITING).count()
    return max(0, copies - booked - waiting)


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
