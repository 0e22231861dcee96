"""How the school names its grades and classes, for every app (circulation's classes, the
catalogue's textbook orders, the reports): 三年级(2)班 in Chinese, "Grade 3 Class 2" in English."""

from __future__ import annotations

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
