"""The school's own rules, for every app: how it names its grades and classes (circulation's
classes, the catalogue's textbook orders, the reports: 三年级(2)班 in Chinese, "Grade 3 Class 2" in
English), and its calendar (which school year a day is in, which term one plans for)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Schools count grades 1 to 9 as 一年级 … 九年级 and the three senior years as 高一 … 高三.
GRADE_NAMES = {
    1: _("Grade 1"),
    2: _("Grade 2"),
    3: _("Grade 3"),
    4: _("Grade 4"),
    5: _("Grade 5"),
    6: _("Grade 6"),
    7: _("Grade 7"),
    8: _("Grade 8"),
    9: _("Grade 9"),
    10: _("Senior 1"),
    11: _("Senior 2"),
    12: _("Senior 3"),
}
GRADE_CHOICES = list(GRADE_NAMES.items())


def grade_name(grade: int) -> str:
    return str(GRADE_NAMES.get(grade, grade))


def class_name(grade: int, number: int) -> str:
    return gettext("%(grade)s Class %(number)s") % {"grade": grade_name(grade), "number": number}


# --- the calendar ------------------------------------------------------------------------------
# A school year is named by the calendar year it begins in: 2026 is the year 2026–2027. Its first
# term (autumn) runs from SCHOOL_YEAR_START_MONTH to January, its second (spring) from February.
TERM_AUTUMN = "autumn"
TERM_SPRING = "spring"


def school_year_of(day: date) -> int:
    """The school year ``day`` is in, named by the year it began in."""
    return day.year if day.month >= settings.SCHOOL_YEAR_START_MONTH else day.year - 1


def school_year_start(year: int) -> date:
    """The first day of school year ``year``."""
    return date(year, settings.SCHOOL_YEAR_START_MONTH, 1)


def term_planned(day: date) -> tuple[int, str]:
    """The term one plans for on ``day``: the term under way, or in the month before the school
    year the first term about to begin (a purchase plan drafted in August is for the autumn).
    Returns the school year and TERM_AUTUMN or TERM_SPRING."""
    start = settings.SCHOOL_YEAR_START_MONTH
    if day.month == start - 1:
        return day.year, TERM_AUTUMN
    in_first_term = day.month >= start or day.month == 1
    return school_year_of(day), TERM_AUTUMN if in_first_term else TERM_SPRING
