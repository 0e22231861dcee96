"""Reads of the reading rooms' class timetables: the list, one timetable as a grid (days across,
periods down, week A and B in one cell) with the classes left without a period and why, the
rows printed per class, and a head teacher's own class's periods. A fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from library_site.accounts.models import User

from ..models import OpeningHours, Reader, RoomTimetable, SchoolClass, TimetableSlot


def timetable_list() -> list[RoomTimetable]:
    """Every timetable with how many periods it has and how many are given to a class."""
    return list(
        RoomTimetable.objects.select_related("room", "term", "published_by")
        .annotate(periods=Count("slots"), given=Count("slots", filter=Q(slots__school_class__isnull=False)))
        .order_by("-term__starts_on", "room__position", "room__name")
    )


def _slots(timetable: RoomTimetable) -> list[TimetableSlot]:
    return list(
        timetable.slots.select_related("school_class__head_teacher", "adjusted_by").order_by(
            "weekday", "period", "week"
        )
    )


def timetable_grid(timetable: RoomTimetable) -> dict:
    """The timetable as a grid and the classes it leaves out: ``days`` (the weekdays it has,
    with their names), ``rows`` (one a period: its number and, per day, the cell's slots),
    ``unplaced`` (classes of its grades without a period, with the reason) and ``choices``
    (the classes that may be given a period by hand). Three queries."""
    slots = _slots(timetable)
    weekdays = sorted({slot.weekday for slot in slots})
    names = dict(OpeningHours.Weekday.choices)
    periods = sorted({slot.period for slot in slots})
    cells: dict[tuple[int, int], list[TimetableSlot]] = {}
    for slot in slots:
        cells.setdefault((slot.period, slot.weekday), []).append(slot)
    rows = [
        {
            "period": period,
            "cells": [{"weekday": day, "slots": cells.get((period, day), [])} for day in weekdays],
        }
        for period in periods
    ]
    grades = [int(grade) for grade in timetable.grades.split(",") if grade]
    classes = SchoolClass.objects.filter(is_active=True).annotate(
        pupils=Count(
            "students", filter=Q(students__kind=Reader.Kind.STUDENT, students__status=Reader.Status.ACTIVE)
        )
    )
    if grades:
        classes = classes.filter(grade__in=grades)
    classes = list(classes.order_by("grade", "number"))
    placed = {slot.school_class_id for slot in slots if slot.school_class_id}
    unplaced = []
    for school_class in classes:
        if school_class.pk in placed:
            continue
        if school_class.pupils > timetable.seats:
            reason = gettext("%(pupils)s pupils, more than the %(seats)s seats") % {
                "pupils": school_class.pupils,
                "seats": timetable.seats,
            }
        else:
            reason = gettext("no period left, or busy in another room at every free period")
        unplaced.append({"school_class": school_class, "reason": reason})
    return {
        "days": [{"weekday": day, "name": names[day]} for day in weekdays],
        "rows": rows,
        "unplaced": unplaced,
        "choices": [school_class for school_class in classes if school_class.pupils <= timetable.seats],
        "given": len(placed),
        "fortnightly": timetable.every == RoomTimetable.Every.FORTNIGHT,
    }


def timetable_class_rows(timetable: RoomTimetable) -> list[dict]:
    """One row per class that has a period, in the order of the classes: for the sheet printed
    per class (to hand to each head teacher)."""
    names = dict(OpeningHours.Weekday.choices)
    weeks = dict(TimetableSlot.Week.choices)
    rows = [
        {
            "school_class": slot.school_class,
            "weekday": names[slot.weekday],
            "period": slot.period,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "week": weeks[slot.week] if slot.week != TimetableSlot.Week.EVERY else "",
        }
        for slot in _slots(timetable)
        if slot.school_class_id
    ]
    rows.sort(key=lambda row: (row["school_class"].grade, row["school_class"].number))
    return rows


def head_teacher_periods(user: User) -> list[dict]:
    """The published periods of the classes this teacher is head teacher of, in the current
    and coming terms: one query."""
    today = timezone.localdate()
    names = dict(OpeningHours.Weekday.choices)
    weeks = dict(TimetableSlot.Week.choices)
    slots = (
        TimetableSlot.objects.filter(
            school_class__head_teacher=user,
            school_class__is_active=True,
            timetable__state=RoomTimetable.State.PUBLISHED,
            timetable__term__ends_on__gte=today,
        )
        .select_related("school_class", "timetable__room", "timetable__term")
        .order_by(
            "timetable__term__starts_on", "school_class__grade", "school_class__number", "weekday", "period"
        )
    )
    return [
        {
            "slot": slot,
            "timetable": slot.timetable,
            "school_class": slot.school_class,
            "weekday": names[slot.weekday],
            "week": weeks[slot.week] if slot.week != TimetableSlot.Week.EVERY else "",
        }
        for slot in slots
    ]


def timetable_section(reader: Reader):
    """The section of a head teacher's own page: their class's reading-room period(s) in the
    published timetables, with the way to the printable sheet; None for anyone else."""
    from django.urls import reverse

    from ..registries import ReaderPageSection

    if reader.kind != Reader.Kind.TEACHER or reader.user_id is None:
        return None
    periods = head_teacher_periods(reader.user)
    if not periods:
        return None
    lines = [
        gettext("%(class)s: %(room)s, %(weekday)s, period %(period)s (%(starts)s–%(ends)s)%(week)s")
        % {
            "class": row["school_class"].name,
            "room": row["timetable"].room.name,
            "weekday": row["weekday"],
            "period": row["slot"].period,
            "starts": row["slot"].starts_at.strftime("%H:%M"),
            "ends": row["slot"].ends_at.strftime("%H:%M"),
            "week": (gettext(", %(week)s") % {"week": row["week"]}) if row["week"] else "",
        }
        for row in periods
    ]
    first = periods[0]
    return ReaderPageSection(
        title=gettext("Your class in the reading room"),
        text=pgettext("list separator", "; ").join(lines),
        url=reverse(
            "circulation:timetable-class-pdf", args=[first["timetable"].pk, first["school_class"].pk]
        ),
        link_label=gettext("Print your class's timetable"),
        icon="calendar-week",
    )
