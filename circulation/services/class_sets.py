"""Class sets (班级借阅): a teacher books N copies of a title for a class and dates; the desk
lends the booking in one step. Each change of a booking's state goes through
CLASS_SET_STATES (circulation/states.py)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy, Record
from catalog.services.copies import copies_set_status_bulk
from library_site.accounts.models import User

from ..exceptions import BookingRefused
from ..models import ClassSetBooking, DeskAction, Loan, Reader, SchoolClass
from ..policies import REFERENCE_LOCATION_KINDS, Calendar
from ..selectors.class_sets import class_set_free_copies
from ..states import CLASS_SET_STATES
from .desk_actions import desk_action_record, short_date
from .locks import reader_lock


@transaction.atomic
def class_set_book(
    *, teacher: Reader, school_class: SchoolClass, record: Record, copies: int, starts_on: date, ends_on: date
) -> ClassSetBooking:
    """A teacher books ``copies`` copies of a title for a class, from one day to another."""
    teacher = reader_lock(teacher.pk)
    if teacher.kind != Reader.Kind.TEACHER or teacher.status != Reader.Status.ACTIVE:
        raise BookingRefused(_("Only a teacher of the school can book a class set."))
    if not 1 <= copies <= 80:
        raise BookingRefused(_("Book between 1 and 80 copies."))
    if ends_on < starts_on or starts_on < timezone.localdate():
        raise BookingRefused(_("Choose dates from today on, the last one not before the first."))
    # Bookings of one title are serialised by locking its copies' record row.
    Record.objects.select_for_update().filter(pk=record.pk).first()
    free = class_set_free_copies(record=record, starts_on=starts_on, ends_on=ends_on)
    if copies > free:
        raise BookingRefused(
            _("Only %(free)s copies are free for those dates (other bookings and holds take the rest).")
            % {"free": free}
        )
    return ClassSetBooking.objects.create(
        record=record,
        school_class=school_class,
        teacher=teacher,
        copies=copies,
        starts_on=starts_on,
        ends_on=ends_on,
    )


@transaction.atomic
def class_set_lend(
    *, booking: ClassSetBooking, user: User | None, desk: str = "", today: date | None = None
) -> list[Loan]:
    """Lend a booked class set in one step: the copies on the shelf, locked in primary-key
    order, each lent to the teacher until the booking's last day (moved to an open day)."""
    today = today or timezone.localdate()
    teacher = reader_lock(booking.teacher_id)
    booking = ClassSetBooking.objects.select_for_update().select_related("record").get(pk=booking.pk)
    CLASS_SET_STATES.check(
        booking.state,
        ClassSetBooking.State.LENT,
        refused=BookingRefused,
        message=_("This booking has already been lent or cancelled."),
    )
    copies = list(
        Copy.objects.select_for_update()
        .filter(record_id=booking.record_id, status=Copy.Status.AVAILABLE)
        .exclude(location__kind__in=REFERENCE_LOCATION_KINDS)
        .order_by("pk")[: booking.copies]
    )
    if len(copies) < booking.copies:
        raise BookingRefused(
            _("Only %(count)s of the %(wanted)s copies are on the shelf now.")
            % {"count": len(copies), "wanted": booking.copies}
        )
    calendar = Calendar.load(today)
    due_on = calendar.next_open_day(max(booking.ends_on, today + timedelta(days=1)))
    # The copies were locked above: their moves and the loans are written in bulk.
    copies_set_status_bulk(copies=copies, to_status=Copy.Status.ON_LOAN, user=user, reason=_("Class set"))
    loans = [
        Loan(copy=copy, reader=teacher, lent_by=user, desk=desk[:50], due_on=due_on, booking=booking)
        for copy in copies
    ]
    for loan in loans:
        loan.snapshot_reader(teacher)  # what Loan.save does, which bulk_create does not call
    loans = Loan.objects.bulk_create(loans)
    booking.state = ClassSetBooking.State.LENT
    booking.lent_at = timezone.now()
    booking.save(update_fields=["state", "lent_at"])
    desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.CHECKOUT,
        message=_("Class set lent: %(count)s × %(title)s to %(class)s, due %(date)s.")
        % {
            "count": len(loans),
            "title": booking.record.title,
            "class": booking.school_class.name,
            "date": short_date(due_on),
        },
        reader=teacher,
    )
    return loans


@transaction.atomic
def class_set_cancel(*, booking: ClassSetBooking, user: User | None) -> ClassSetBooking:
    """The teacher cancels a booking not yet lent. Cancelling one already lent or cancelled
    changes nothing (a second submit)."""
    booking = ClassSetBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.state != ClassSetBooking.State.BOOKED:
        return booking
    CLASS_SET_STATES.check(booking.state, ClassSetBooking.State.CANCELLED)
    booking.state = ClassSetBooking.State.CANCELLED
    booking.save(update_fields=["state"])
    return booking
