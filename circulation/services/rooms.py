"""Reading rooms: a reader's visit recorded by the scan of their card at the door, the
timetable of class sessions, and the opening hours."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from library_site.accounts.models import User

from ..exceptions import CardNotValid, RoomNotAvailable
from ..models import ClassSession, LibraryCard, OpeningHours, Reader, SchoolClass, Visit, reading_rooms
from ..scans import scan_clean
from ..states import CLASS_SESSION_STATES

VISIT_REPEAT_SECONDS = 120


def _room_check(room) -> None:
    if not reading_rooms().filter(pk=room.pk, is_active=True).exists():
        raise RoomNotAvailable()


@transaction.atomic
def visit_record(*, room, scan: str, recorded_by: User | None = None) -> tuple[Visit, bool]:
    """A reader enters a reading room: their card was scanned at the door. Returns the visit and
    whether it is new (a second scan within two minutes is the same visit)."""
    _room_check(room)
    number = scan_clean(scan)
    if not number:
        raise CardNotValid(gettext("Scan a library card."))
    card = (
        LibraryCard.objects.select_related("reader__user", "reader__school_class")
        .filter(number__iexact=number)
        .first()
    )
    if card is None:
        raise CardNotValid(gettext("%(number)s is not a library card.") % {"number": number})
    if not card.is_active:
        raise CardNotValid(
            gettext("Card %(number)s is blocked (%(reason)s).")
            % {"number": card.number, "reason": card.block_reason or gettext("blocked")}
        )
    reader = card.reader
    if reader.status != Reader.Status.ACTIVE:
        raise CardNotValid(
            gettext("%(name)s is no longer a reader (%(status)s).")
            % {"name": reader.name, "status": reader.get_status_display()}
        )
    Reader.objects.select_for_update().filter(pk=reader.pk).first()
    since = timezone.now() - datetime.timedelta(seconds=VISIT_REPEAT_SECONDS)
    recent = Visit.objects.filter(reader=reader, room=room, entered_at__gte=since).first()
    if recent is not None:
        return recent, False
    visit = Visit.objects.create(room=room, reader=reader, card=card, recorded_by=recorded_by)
    return visit, True


@transaction.atomic
def class_session_book(
    *, room, school_class: SchoolClass, date: datetime.date, period: int, booked_by: User | None = None
) -> ClassSession:
    """Book a class into a reading room's timetable for one period of one day."""
    _room_check(room)
    if not school_class.is_active:
        raise RoomNotAvailable(gettext("This class is no longer active."))
    session = ClassSession(
        room=room, school_class=school_class, date=date, period=period, booked_by=booked_by
    )
    session.full_clean(validate_unique=False, validate_constraints=False)
    clash = (
        ClassSession.objects.booked()
        .filter(date=date, period=period)
        .filter(Q(room=room) | Q(school_class=school_class))
        .select_related("school_class", "room")
        .first()
    )
    if clash is not None:
        raise RoomNotAvailable(
            gettext("Period %(period)s of %(date)s is taken: %(class)s in %(room)s.")
            % {
                "period": period,
                "date": date.isoformat(),
                "class": clash.school_class.name,
                "room": clash.room.name,
            }
        )
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as error:  # booked by someone else at the same moment
        raise RoomNotAvailable(gettext("This period was booked a moment ago: choose another.")) from error
    return session


@transaction.atomic
def class_session_cancel(
    *, session: ClassSession, cancelled_by: User | None, reason: str = ""
) -> ClassSession:
    """Cancel a booking of the timetable. The session stays, cancelled, with who cancelled it,
    when and why, and its period is free again; one cancelled after its day is still counted by
    the monthly statistics (``ClassSession.objects.held()``)."""
    session = ClassSession.objects.select_for_update().get(pk=session.pk)
    CLASS_SESSION_STATES.check(session.status, ClassSession.Status.CANCELLED)
    session.status = ClassSession.Status.CANCELLED
    session.cancelled_at = timezone.now()
    session.cancelled_by = cancelled_by
    session.cancel_reason = (reason or "").strip()[:200]
    session.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    return session


@transaction.atomic
def opening_hours_add(
    *, room, weekday: int, opens_at: datetime.time, closes_at: datetime.time
) -> OpeningHours:
    _room_check(room)
    hours = OpeningHours(room=room, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
    hours.full_clean(validate_constraints=False)
    if closes_at <= opens_at:
        raise RoomNotAvailable(gettext("The room must close after it opens."))
    overlap = (
        OpeningHours.objects.current()
        .filter(room=room, weekday=weekday, opens_at__lt=closes_at, closes_at__gt=opens_at)
        .exists()
    )
    if overlap:
        raise RoomNotAvailable(gettext("These hours overlap hours already recorded for that day."))
    hours.save()
    return hours


@transaction.atomic
def opening_hours_end(*, hours: OpeningHours, ended_by: User | None, reason: str = "") -> OpeningHours:
    """The room no longer keeps these hours: they are ended, with who ended them and why, and
    kept (the weeks before were open by them)."""
    hours = OpeningHours.objects.select_for_update().get(pk=hours.pk)
    if hours.ended_at is not None:
        raise RoomNotAvailable(gettext("These opening hours were ended already."))
    hours.ended_at = timezone.now()
    hours.ended_by = ended_by
    hours.end_reason = (reason or "").strip()[:200]
    hours.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return hours
