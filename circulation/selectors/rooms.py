"""Reads of reading rooms: the active rooms, each with its weekly opening hours against the
target, a room's week (hours, class sessions, visits), and the visits of today."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ..models import ClassSession, OpeningHours, Visit, reading_rooms
from ..policies import reading_room_weekly_target_hours


def room_week(room, *, week_start) -> dict:
    """A reading room's week: its opening hours by day with the weekly total, the weekly target
    (``reading_room_weekly_target_hours``) and whether the total meets it (``meets_target``),
    the class sessions of the week by day and period, and the visits counted."""
    hours = list(OpeningHours.objects.current().filter(room=room).order_by("weekday", "opens_at"))
    days = [week_start + datetime.timedelta(days=offset) for offset in range(7)]
    sessions = list(
        ClassSession.objects.booked()
        .filter(room=room, date__in=days)
        .select_related("school_class")
        .order_by("date", "period")
    )
    visits = Visit.objects.filter(
        room=room, entered_at__date__gte=days[0], entered_at__date__lte=days[-1]
    ).count()
    weekly_hours = sum(span.hours for span in hours)
    target = reading_room_weekly_target_hours()
    return {
        "days": [
            {
                "date": day,
                "weekday": day.isoweekday(),
                "hours": [span for span in hours if span.weekday == day.isoweekday()],
                "sessions": [session for session in sessions if session.date == day],
            }
            for day in days
        ],
        "weekly_hours": weekly_hours,
        "target": target,
        "meets_target": weekly_hours >= target,
        "visits": visits,
    }


def active_rooms():
    """The catalogue's reading rooms in use, in their order."""
    return reading_rooms().filter(is_active=True).order_by("position", "name")


def rooms_with_weekly_hours() -> dict:
    """Every active reading room with its opening hours a week added up, and whether they reach
    the weekly target (``meets_target``): two queries."""
    target = reading_room_weekly_target_hours()
    rooms = list(active_rooms())
    hours: dict[int, float] = {}
    for span in OpeningHours.objects.current().filter(room__in=rooms):
        hours[span.room_id] = hours.get(span.room_id, 0) + span.hours
    return {
        "rooms": [
            {"room": room, "hours": hours.get(room.pk, 0), "meets_target": hours.get(room.pk, 0) >= target}
            for room in rooms
        ],
        "target": target,
    }


def room_visits_today(room) -> int:
    return Visit.objects.filter(room=room, entered_at__date=timezone.localdate()).count()
