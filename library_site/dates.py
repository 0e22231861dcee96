"""Dates as every app counts them: a run of whole days in the school's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """From the start of the first day to the start of the day after the last, in local time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(date_from, time.min, tzinfo=zone),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone),
    )
