"""Dates as every app counts them: a run of whole days in the school's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import formats, timezone


def day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """From the start of the first day to the start of the day after the last, in local time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(date_from, time.min, tzinfo=zone),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone),
    )


# --- How a day and a moment are written (library_site/formats/) -------------------------------
def date_text(value: date | datetime | None) -> str:
    """A day as the current language writes it everywhere: 2026-12-06, 6 Dec 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def month_text(value: date | None) -> str:
    """A month (any day in it) as the current language writes it: 2026-12, Dec 2026."""
    if value is None:
        return ""
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def datetime_text(value: datetime | None) -> str:
    """A moment in the school's time zone: 2026-12-06 14:05, 6 Dec 2026 14:05."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


# Django's format letters and Excel's number-format codes for the same part of a day.
_EXCEL_CODES = {
    "Y": "yyyy",
    "y": "yy",
    "m": "mm",
    "n": "m",
    "d": "dd",
    "j": "d",
    "M": "mmm",
    "F": "mmmm",
    "H": "hh",
    "G": "h",
    "i": "mm",
    "s": "ss",
}


def excel_date_format() -> str:
    """Excel's number format for date cells, made from the language's DATE_FORMAT: the cells
    keep real date values and show them as the pages do (yyyy-mm-dd, d mmm yyyy)."""
    return _excel_format(str(formats.get_format("SHORT_DATE_FORMAT")))


def excel_datetime_format() -> str:
    """The same for moments (yyyy-mm-dd hh:mm, d mmm yyyy hh:mm)."""
    return _excel_format(str(formats.get_format("SHORT_DATETIME_FORMAT")))


def _excel_format(django_format: str) -> str:
    parts = []
    for letter in django_format:
        code = _EXCEL_CODES.get(letter)
        if code:
            parts.append(code)
        elif letter in " -/.,:":
            parts.append("\\" + letter if letter in "/.,:" else letter)
        else:
            parts.append(f'"{letter}"')
    return "".join(parts)
