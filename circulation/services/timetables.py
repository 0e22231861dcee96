"""The reading room's class timetable (阅览编排顺序): a term's week of one reading room, its
opening hours cut into periods, each class given one period a week or one a fortnight (week A
or week B), generated fairly by grade, checked as a draft and changed by hand, then published:
the term's class sessions are booked in the room's timetable and the head teachers see their
class's period on their own page.

Fair by grade: the classes are dealt out grade by grade in turns (the first class of every
grade, then the second of every grade, …), each turn starting with the next grade, so that no
grade always gets the first periods and, when the periods run out, every grade waits alike;
the periods are taken day after day (Monday's first, Tuesday's first, …), so parallel classes
(同轨班) come on different days. A class with more pupils than the room has seats is not given
a period, nor a class at a time it already spends in another room's timetable of the term.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.models import User

from ..exceptions import TimetableRefused
from ..models import (
    ClassSession,
    OpeningHours,
    Reader,
    RoomTimetable,
    SchoolClass,
    Term,
    TimetableSlot,
    reading_rooms,
)
from ..policies import lending_rules
from ..states import CLASS_SESSION_STATES, TIMETABLE_STATES

MAX_PERIODS_A_DAY = 12


def grades_parse(text: str) -> list[int]:
    """ "3,4,5,6" or "3-6" → [3, 4, 5, 6]; empty → [] (every grade). Refuses anything else."""
    grades: set[int] = set()
    for part in (text or "").replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                first, last = (int(value) for value in part.split("-", 1))
                grades.update(range(first, last + 1))
            else:
                grades.add(int(part))
        except ValueError as error:
            raise TimetableRefused(_("Write the grades as numbers, for example 3,4,5,6 or 3-6.")) from error
    if any(grade < 1 or grade > 12 for grade in grades):
        raise TimetableRefused(_("Grades run from 1 to 12."))
    return sorted(grades)


def room_periods(
    room, *, period_minutes: int, break_minutes: int
) -> list[tuple[int, int, datetime.time, datetime.time]]:
    """The room's week cut into periods: (weekday, period, starts, ends), from its current
    opening hours, a break between two periods of one span."""
    periods = []
    numbers: dict[int, int] = {}
    for span in OpeningHours.objects.current().filter(room=room).order_by("weekday", "opens_at"):
        start = span.opens_at.hour * 60 + span.opens_at.minute
        close = span.closes_at.hour * 60 + span.closes_at.minute
        while start + period_minutes <= close and numbers.get(span.weekday, 0) < MAX_PERIODS_A_DAY:
            numbers[span.weekday] = numbers.get(span.weekday, 0) + 1
            end = start + period_minutes
            periods.append(
                (
                    span.weekday,
                    numbers[span.weekday],
                    datetime.time(start // 60, start % 60),
                    datetime.time(end // 60, end % 60),
                )
            )
            start = end + break_minutes
    return periods


def _classes_with_pupils(grades: list[int]) -> list[SchoolClass]:
    classes = SchoolClass.objects.filter(is_active=True).annotate(
        pupils=Count(
            "students",
            filter=Q(students__kind=Reader.Kind.STUDENT, students__status=Reader.Status.ACTIVE),
        )
    )
    if grades:
        classes = classes.filter(grade__in=grades)
    return list(classes.order_by("grade", "number"))


def fair_order(classes: Iterable[SchoolClass]) -> list[SchoolClass]:
    """Deal the classes out grade by grade in turns, each turn starting one grade further."""
    by_grade: dict[int, list[SchoolClass]] = {}
    for school_class in classes:
        by_grade.setdefault(school_class.grade, []).append(school_class)
    grades = sorted(by_grade)
    order: list[SchoolClass] = []
    turn = 0
    while any(by_grade.values()):
        for offset in range(len(grades)):
            grade = grades[(turn + offset) % len(grades)]
            if by_grade[grade]:
                order.append(by_grade[grade].pop(0))
        turn += 1
    return order


def _busy_elsewhere(
    timetable: RoomTimetable,
) -> dict[int, list[tuple[int, int, datetime.time, datetime.time]]]:
    """Each class's periods in the other rooms' timetables of the same term."""
    busy: dict[int, list] = {}
    for slot in TimetableSlot.objects.filter(
        timetable__term=timetable.term, school_class__isnull=False
    ).exclude(timetable=timetable):
        busy.setdefault(slot.school_class_id, []).append(
            (slot.weekday, slot.week, slot.starts_at, slot.ends_at)
        )
    return busy


def _clashes(busy: list, weekday: int, week: int, starts: datetime.time, ends: datetime.time) -> bool:
    return any(
        day == weekday
        and (other == week or TimetableSlot.Week.EVERY in (other, week))
        and start < ends
        and starts < end
        for day, other, start, end in busy
    )


def _timetable_lock(timetable: RoomTimetable) -> RoomTimetable:
    return RoomTimetable.objects.select_for_update().select_related("room", "term").get(pk=timetable.pk)


@transaction.atomic
def timetable_generate(
    *,
    room,
    term: Term,
    every: int = RoomTimetable.Every.WEEK,
    period_minutes: int = 40,
    break_minutes: int = 10,
    seats: int,
    grades: str = "",
    user: User | None = None,
) -> RoomTimetable:
    """Make (or make again) the draft timetable of a room for a term. A published timetable
    is taken back first (timetable_reopen); a draft made again loses its changes by hand."""
    if not reading_rooms().filter(pk=room.pk, is_active=True).exists():
        raise TimetableRefused(_("Timetables are made for reading rooms in use."))
    if term.ends_on < timezone.localdate():
        raise TimetableRefused(_("This term is over: make the timetable of a term to come."))
    if every not in RoomTimetable.Every.values:
        raise TimetableRefused(_("Choose once a week or once a fortnight."))
    if not 20 <= period_minutes <= 120 or not 0 <= break_minutes <= 60:
        raise TimetableRefused(_("A period lasts 20 to 120 minutes, a break up to 60."))
    if not 1 <= seats <= 500:
        raise TimetableRefused(_("Give the seats of the room (1 to 500)."))
    grade_list = grades_parse(grades)
    periods = room_periods(room, period_minutes=period_minutes, break_minutes=break_minutes)
    if not periods:
        raise TimetableRefused(
            _("The room's opening hours leave no period of %(minutes)s minutes: record its hours first.")
            % {"minutes": period_minutes}
        )
    timetable = RoomTimetable.objects.select_for_update().filter(room=room, term=term).first()
    if timetable is not None and timetable.is_published:
        raise TimetableRefused(_("This timetable is published: take it back before making it again."))
    if timetable is None:
        timetable = RoomTimetable(room=room, term=term, created_by=user)
    timetable.every, timetable.period_minutes, timetable.break_minutes = every, period_minutes, break_minutes
    timetable.seats, timetable.grades = seats, ",".join(map(str, grade_list))
    timetable.created_at, timetable.created_by = timezone.now(), user
    timetable.save()
    # A draft is a working copy, made again from the room's hours: its periods are replaced.
    timetable.slots.all().delete()
    weeks = (
        [TimetableSlot.Week.EVERY]
        if every == RoomTimetable.Every.WEEK
        else [TimetableSlot.Week.A, TimetableSlot.Week.B]
    )
    # Day after day: every day's first period, then every day's second, … (week A before B).
    places = sorted(
        (
            (week, period, weekday, starts, ends)
            for weekday, period, starts, ends in periods
            for week in weeks
        ),
        key=lambda place: (place[0], place[1], place[2]),
    )
    busy = _busy_elsewhere(timetable)
    waiting = [
        school_class
        for school_class in fair_order(_classes_with_pupils(grade_list))
        if school_class.pupils <= seats
    ]
    slots = []
    for week, period, weekday, starts, ends in places:
        chosen = next(
            (
                school_class
                for school_class in waiting
                if not _clashes(busy.get(school_class.pk, []), weekday, week, starts, ends)
            ),
            None,
        )
        if chosen is not None:
            waiting.remove(chosen)
        slots.append(
            TimetableSlot(
                timetable=timetable,
                weekday=weekday,
                period=period,
                week=week,
                starts_at=starts,
                ends_at=ends,
                school_class=chosen,
            )
        )
    TimetableSlot.objects.bulk_create(sorted(slots, key=lambda slot: (slot.weekday, slot.period, slot.week)))
    return timetable


@transaction.atomic
def timetable_slot_assign(
    *, slot: TimetableSlot, school_class: SchoolClass | None, user: User | None = None
) -> list[TimetableSlot]:
    """Change a draft by hand: give a period to a class (or free it). A class that had another
    period of this timetable swaps with the class of this one. Returns the periods changed."""
    timetable = _timetable_lock(slot.timetable)
    if timetable.is_published:
        raise TimetableRefused(_("This timetable is published: take it back before changing it."))
    slot = TimetableSlot.objects.select_for_update().get(pk=slot.pk, timetable=timetable)
    if school_class is not None and school_class.pk == slot.school_class_id:
        return []
    now = timezone.now()
    changed = [slot]
    other = None
    if school_class is not None:
        if not school_class.is_active:
            raise TimetableRefused(_("This class is no longer active."))
        pupils = Reader.objects.filter(
            school_class=school_class, kind=Reader.Kind.STUDENT, status=Reader.Status.ACTIVE
        ).count()
        if pupils > timetable.seats:
            raise TimetableRefused(
                _("%(class)s has %(pupils)s pupils and the room %(seats)s seats.")
                % {"class": school_class.name, "pupils": pupils, "seats": timetable.seats}
            )
        if _clashes(
            _busy_elsewhere(timetable).get(school_class.pk, []),
            slot.weekday,
            slot.week,
            slot.starts_at,
            slot.ends_at,
        ):
            raise TimetableRefused(
                _("%(class)s is in another room's timetable at that time.") % {"class": school_class.name}
            )
        other = (
            TimetableSlot.objects.select_for_update()
            .filter(timetable=timetable, school_class=school_class)
            .first()
        )
    previous = slot.school_class
    if other is not None:
        if previous is not None and _clashes(
            _busy_elsewhere(timetable).get(previous.pk, []),
            other.weekday,
            other.week,
            other.starts_at,
            other.ends_at,
        ):
            raise TimetableRefused(
                _("%(class)s is in another room's timetable at that time.") % {"class": previous.name}
            )
        other.school_class = None
        other.save(update_fields=["school_class"])
    slot.school_class, slot.adjusted_at, slot.adjusted_by = school_class, now, user
    slot.save(update_fields=["school_class", "adjusted_at", "adjusted_by"])
    if other is not None:
        other.school_class, other.adjusted_at, other.adjusted_by = previous, now, user
        other.save(update_fields=["school_class", "adjusted_at", "adjusted_by"])
        changed.append(other)
    return changed


def _term_days(timetable: RoomTimetable, start: datetime.date) -> list[tuple[datetime.date, int]]:
    """The term's open days from ``start``, each with its week of the fortnight (A: the term's
    first week and every second after it)."""
    term = timetable.term
    closed = lending_rules().periods
    first_monday = term.starts_on - datetime.timedelta(days=term.starts_on.isoweekday() - 1)
    days = []
    day = max(term.starts_on, start)
    while day <= term.ends_on:
        if not any(begin <= day <= end for begin, end in closed):
            week = TimetableSlot.Week.A if ((day - first_monday).days // 7) % 2 == 0 else TimetableSlot.Week.B
            days.append((day, week))
        day += datetime.timedelta(days=1)
    return days


@transaction.atomic
def timetable_publish(*, timetable: RoomTimetable, user: User | None = None) -> dict:
    """Publish the draft: the head teachers see it, and the term's class sessions (from today)
    are booked in the room's timetable, except where the room or the class is already booked
    at that period. Returns how many were booked and skipped."""
    timetable = _timetable_lock(timetable)
    TIMETABLE_STATES.check(timetable.state, RoomTimetable.State.PUBLISHED)
    slots = list(timetable.slots.filter(school_class__isnull=False))
    if not slots:
        raise TimetableRefused(_("No class has a period in this timetable: nothing to publish."))
    days = _term_days(timetable, timezone.localdate())
    wanted = []
    for slot in slots:
        for day, week in days:
            if day.isoweekday() == slot.weekday and slot.week in (TimetableSlot.Week.EVERY, week):
                wanted.append((day, slot))
    taken_rooms, taken_classes = set(), set()
    if wanted:
        booked = ClassSession.objects.booked().filter(date__gte=days[0][0], date__lte=days[-1][0])
        for room_id, class_id, day, period in booked.values_list(
            "room_id", "school_class_id", "date", "period"
        ):
            if room_id == timetable.room_id:
                taken_rooms.add((day, period))
            taken_classes.add((class_id, day, period))
    sessions, skipped = [], 0
    for day, slot in wanted:
        if (day, slot.period) in taken_rooms or (slot.school_class_id, day, slot.period) in taken_classes:
            skipped += 1
            continue
        sessions.append(
            ClassSession(
                room_id=timetable.room_id,
                school_class_id=slot.school_class_id,
                date=day,
                period=slot.period,
                booked_by=user,
            )
        )
    ClassSession.objects.bulk_create(sessions)
    timetable.state = RoomTimetable.State.PUBLISHED
    timetable.published_at, timetable.published_by = timezone.now(), user
    timetable.save(update_fields=["state", "published_at", "published_by"])
    return {"booked": len(sessions), "skipped": skipped}


@transaction.atomic
def timetable_reopen(*, timetable: RoomTimetable, user: User | None = None) -> int:
    """Take a published timetable back to change it: its class sessions from today on are
    cancelled (they stay, cancelled, with who and why); the ones already held stay booked.
    Returns how many were cancelled."""
    timetable = _timetable_lock(timetable)
    TIMETABLE_STATES.check(timetable.state, RoomTimetable.State.DRAFT)
    CLASS_SESSION_STATES.check(ClassSession.Status.BOOKED, ClassSession.Status.CANCELLED)
    today = timezone.localdate()
    match = Q(pk__in=[])
    for slot in timetable.slots.filter(school_class__isnull=False):
        match |= Q(school_class_id=slot.school_class_id, date__iso_week_day=slot.weekday, period=slot.period)
    cancelled = (
        ClassSession.objects.booked()
        .filter(
            match,
            room=timetable.room,
            date__gte=max(today, timetable.term.starts_on),
            date__lte=timetable.term.ends_on,
        )
        .update(
            status=ClassSession.Status.CANCELLED,
            cancelled_at=timezone.now(),
            cancelled_by=user,
            cancel_reason=_("The reading-room timetable was taken back to be changed.")[:200],
        )
    )
    timetable.state = RoomTimetable.State.DRAFT
    timetable.published_at, timetable.published_by = None, None
    timetable.save(update_fields=["state", "published_at", "published_by"])
    return cancelled
