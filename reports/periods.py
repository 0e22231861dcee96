"""Days, months and periods of months, for the statistics and the registers: parsing what
people type, and the bounds of days and months in the school's time zone."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.dates import day_bounds

from .exceptions import BadPeriod, FutureMonth

MONTH_PATTERN = re.compile(r"^\s*(\d{4})\s*-\s*(\d{1,2})\s*$")
YEAR_PATTERN = re.compile(r"^\s*(\d{4})\s*$")
# A dashboard or report covers at most this many months (ten years is a mistake, not a view).
MAX_MONTHS = 36


def month_first(day: date) -> date:
    return day.replace(day=1)


def month_shift(month: date, months: int) -> date:
    """The first of the month ``months`` months after ``month`` (before it, if negative)."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_next(month: date) -> date:
    return month_shift(month, 1)


def month_previous(month: date) -> date:
    return month_shift(month, -1)


def month_last_day(month: date) -> date:
    return date.fromordinal(month_next(month).toordinal() - 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last``, both included."""
    months, month = [], month_first(first)
    while month <= last:
        months.append(month)
        month = month_next(month)
    return months


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's first instant, in the school's time zone."""
    return day_bounds(month, month_last_day(month))


def month_parse(text: str, *, today: date | None = None) -> date:
    """``2026-03`` → 2026-03-01; a month that has not begun is refused."""
    match = MONTH_PATTERN.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise BadPeriod(
            _("“%(text)s” is not a month: write it as YYYY-MM, for example 2026-03.") % {"text": text}
        )
    month = date(int(match.group(1)), int(match.group(2)), 1)
    month_refuse_future(month, today=today)
    return month


def month_refuse_future(month: date, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if month > month_first(today):
        raise FutureMonth(
            _("%(month)s has not begun yet: there is nothing to count.") % {"month": f"{month:%Y-%m}"}
        )


def year_parse(text: str) -> int:
    match = YEAR_PATTERN.match(text or "")
    if not match or not 1900 <= int(match.group(1)) <= 2999:
        raise BadPeriod(_("“%(text)s” is not a year: write it as YYYY, for example 2026.") % {"text": text})
    return int(match.group(1))
