"""Rules the administrator sets for the library's management, and their defaults: the annual
plan's standard targets (from the seed's three work plans), the standards of 《中小学图书馆（室）规程》
(教育部, 教基〔2018〕5号), the safety checklist and the staff's study rhythm.

Which figures of the regulation are verified and where (README, "Compliance"): the weekly
opening hours (≥ 40 in teaching weeks), the new or replacement books per pupil a year (≥ 1) and
a primary school's standard (25 books per pupil, 60 newspapers and periodicals, 120 reference
and teaching-reference titles). The figures of other school types and the shares of the
proportion table (藏书分类比例表) could not be verified from the text at hand: they are settings the
administrator fills in from the regulation's appendix, and a figure left empty is "not set", never
guessed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# The regulation's figures that were verified (README, "Compliance").
REGULATION_WEEKLY_HOURS = 40
REGULATION_NEW_BOOKS_PER_PUPIL = Decimal("1")
# {school type: figures}; only the primary school's are verified.
REGULATION_STANDARDS = {
    "primary": {"books_per_pupil": 25, "periodicals": 60, "reference_titles": 120},
}
STANDARD_FIGURES = (
    ("books_per_pupil", _("books per pupil")),
    ("periodicals", _("newspapers and periodicals (titles)")),
    ("reference_titles", _("reference and teaching-reference titles")),
)

# The proportion table's groups: the five main divisions (五大部类) of the CLC. Their shares are
# NOT verified: the administrator sets them from the appendix (placeholders until saved once).
CLC_GROUPS = (
    ("A", "A", _("Marxism, Leninism, Mao Zedong Thought")),
    ("B", "B", _("Philosophy")),
    ("C-K", "CDEFGHIJK", _("Social sciences")),
    ("N-X", "NOPQRSTUVX", _("Natural sciences")),
    ("Z", "Z", _("General works")),
)
CLC_PLACEHOLDER_SHARES = {"A": "2", "B": "3", "C-K": "60", "N-X": "30", "Z": "5"}


def reference_clc_prefixes() -> tuple[str, ...]:
    """The CLC numbers counted as reference titles (工具书): general works (Z: encyclopedias,
    dictionaries, yearbooks) by default; the setting REPORTS_REFERENCE_CLC_PREFIXES adds others."""
    return tuple(getattr(settings, "REPORTS_REFERENCE_CLC_PREFIXES", ("Z",)))


def equipment_check_interval_days() -> int:
    """An item not checked for this many days is due for a check (REPORTS_EQUIPMENT_CHECK_DAYS)."""
    return int(getattr(settings, "REPORTS_EQUIPMENT_CHECK_DAYS", 90))


def study_session_interval_weeks() -> int:
    """Staff study sessions every this many weeks on a Friday afternoon (REPORTS_STUDY_WEEKS)."""
    return int(getattr(settings, "REPORTS_STUDY_WEEKS", 2))


SAFETY_CHECKLIST = (
    _("Fire extinguishers in place and in date"),
    _("Exits and aisles clear"),
    _("Wiring, sockets and lights safe"),
    _("Doors and windows lock"),
    _("Floors, shelves and tables clean"),
    _("No damp, leaks or pests"),
)

# The annual plan's standard targets (the seed: 篇一 二, 篇二 四, 篇三 一), pre-filled in a new
# plan: (measure code, name, comparison, figure).
SEED_TARGETS = (
    ("hardware_compliance", _("Reading-room hardware compliance"), "gte", Decimal("95")),
    ("reader_activities", _("Reader activities a year"), "gte", Decimal("2")),
    ("months_without_themed_activity", _("A themed activity every month"), "lte", Decimal("0")),
    ("weekly_opening_hours", _("Opening hours a week"), "gte", Decimal("40")),
    ("periodicals_room_sundays", _("The periodicals room open on Sundays"), "gte", Decimal("100")),
    ("complaints", _("No complaints"), "lte", Decimal("0")),
    ("safety_incidents", _("No safety incidents"), "lte", Decimal("0")),
    (
        "staff_without_paper",
        _("Each staff member writes a paper or summary article a year"),
        "lte",
        Decimal("0"),
    ),
    ("textbooks_in_place", _("Textbooks in place before term starts"), "gte", Decimal("100")),
    ("purchase_plan_approved", _("The purchase plan approved"), "gte", Decimal("1")),
)
