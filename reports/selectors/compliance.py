"""Compliance with 《中小学图书馆（室）规程》 (2018): books per pupil against the school type's
standard, new books per pupil in the year, newspapers and periodicals held, reference titles
held, the collection's split by CLC against the proportion table, and the weekly opening hours.
Each line says the figure, the standard and whether it is met; a standard the administrator has
not set is "not set", never judged. A handful of queries whatever the collection's size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ComplianceSettings
from ..policies import (
    CLC_GROUPS,
    CLC_PLACEHOLDER_SHARES,
    REGULATION_NEW_BOOKS_PER_PUPIL,
    REGULATION_STANDARDS,
    REGULATION_WEEKLY_HOURS,
    reference_clc_prefixes,
)

MET, MISSED, NOT_SET = "met", "missed", "not_set"
NO_PUPILS = "no_pupils"  # a figure per pupil with no pupils on the roll: not judged


@dataclass
class ComplianceLine:
    label: str
    value: Decimal | None
    standard: Decimal | None
    verdict: str
    note: str = ""

    @property
    def css(self) -> str:
        return {MET: "table-success", MISSED: "table-danger"}.get(self.verdict, "")

    @property
    def verdict_label(self) -> str:
        return {
            MET: _("met"),
            MISSED: _("missed"),
            NOT_SET: _("standard not set"),
            NO_PUPILS: _("not judged: no pupils on the roll"),
        }[self.verdict]


@dataclass
class ClcLine:
    code: str
    label: str
    copies: int
    share: Decimal
    standard: Decimal
    verdict: str

    @property
    def css(self) -> str:
        return {MET: "table-success", MISSED: "table-danger"}.get(self.verdict, "")


@dataclass
class Compliance:
    settings: ComplianceSettings
    school_type_label: str
    pupils: int
    books: int
    lines: list[ComplianceLine] = field(default_factory=list)
    clc: list[ClcLine] = field(default_factory=list)
    shares_are_placeholders: bool = True
    year: int = 0


def _quantize(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def standards_for(settings: ComplianceSettings, school_type: str) -> dict:
    figures = dict(REGULATION_STANDARDS.get(school_type, {}))
    figures.update(
        {
            key: value
            for key, value in (settings.standards or {}).get(school_type, {}).items()
            if value not in (None, "")
        }
    )
    return figures


def clc_shares(settings: ComplianceSettings) -> dict[str, Decimal]:
    saved = {row["code"]: Decimal(str(row["share"])) for row in settings.clc_shares or []}
    return {
        code: saved.get(code, Decimal(CLC_PLACEHOLDER_SHARES[code])) for code, _letters, _label in CLC_GROUPS
    }


def _line(label, value, standard, *, note="", per_pupil=False) -> ComplianceLine:
    if standard is None:
        return ComplianceLine(label, value, None, NOT_SET, note)
    standard = Decimal(str(standard))
    if per_pupil and value is None:
        return ComplianceLine(label, value, standard, NO_PUPILS, note)
    return ComplianceLine(
        label, value, standard, MET if value is not None and value >= standard else MISSED, note
    )


def compliance_report(*, today: datetime.date | None = None) -> Compliance:
    from catalog.models import Copy, Record, Subscription
    from circulation.models import Reader

    today = today or timezone.localdate()
    settings = ComplianceSettings.current()
    standards = standards_for(settings, settings.school_type)
    pupils = Reader.objects.filter(kind=Reader.Kind.STUDENT, status=Reader.Status.ACTIVE).count()
    held = Copy.objects.exclude(status__in=[Copy.Status.WITHDRAWN, Copy.Status.LOST]).filter(
        record__material_type=Record.MaterialType.BOOK
    )
    counts = held.aggregate(
        books=Count("pk"),
        new=Count("pk", filter=Q(acquired_on__year=today.year)),
    )
    books, new = counts["books"], counts["new"]
    periodicals = Subscription.objects.filter(year=today.year).values("serial").distinct().count()
    prefixes = reference_clc_prefixes()
    reference_filter = Q()
    for prefix in prefixes:
        reference_filter |= Q(clc_code__istartswith=prefix)
    reference = Record.objects.filter(reference_filter, copies__in=held).distinct().count() if prefixes else 0

    def per_pupil(value):
        return _quantize(Decimal(value) / pupils) if pupils else None

    from circulation.selectors.rooms import rooms_with_weekly_hours

    from ..measures import _spans, week_opening_hours

    monday = today - datetime.timedelta(days=today.weekday())
    weekly = Decimal(str(week_opening_hours(_spans(), monday, set())))
    rooms = rooms_with_weekly_hours()
    lines = [
        _line(
            _("Books per pupil"),
            per_pupil(books),
            standards.get("books_per_pupil"),
            note=_("%(books)s books, %(pupils)s pupils") % {"books": books, "pupils": pupils},
            per_pupil=True,
        ),
        _line(
            _("New or replacement books per pupil this year"),
            per_pupil(new),
            REGULATION_NEW_BOOKS_PER_PUPIL,
            note=_("%(new)s books added in %(year)s") % {"new": new, "year": today.year},
            per_pupil=True,
        ),
        _line(
            _("Newspapers and periodicals subscribed (titles)"),
            Decimal(periodicals),
            standards.get("periodicals"),
        ),
        _line(
            _("Reference and teaching-reference titles"),
            Decimal(reference),
            standards.get("reference_titles"),
            note=_("CLC %(prefixes)s") % {"prefixes": "、".join(prefixes)},
        ),
        _line(
            _("Opening hours a week (the timetable)"),
            weekly,
            REGULATION_WEEKLY_HOURS,
            note="；".join(f"{row['room']}：{row['hours']:g}" for row in rooms["rooms"]),
        ),
    ]
    shares = clc_shares(settings)
    by_letter: dict[str, int] = {}
    for code, total in (
        held.order_by()
        .values("record__clc_code")
        .annotate(total=Count("pk"))
        .values_list("record__clc_code", "total")
    ):
        letter = (code or "").strip()[:1].upper()
        by_letter[letter] = by_letter.get(letter, 0) + total
    classified = sum(total for letter, total in by_letter.items() if letter)
    clc = []
    tolerance = Decimal(settings.clc_tolerance)
    for code, letters, label in CLC_GROUPS:
        copies = sum(by_letter.get(letter, 0) for letter in letters)
        share = _quantize(Decimal(copies) * 100 / classified) if classified else Decimal(0)
        standard = shares[code]
        clc.append(
            ClcLine(
                code,
                str(label),
                copies,
                share,
                standard,
                MET if classified and abs(share - standard) <= tolerance else MISSED,
            )
        )
    from ..models import ComplianceSettings as Settings

    return Compliance(
        settings=settings,
        school_type_label=str(Settings.SchoolType(settings.school_type).label),
        pupils=pupils,
        books=books,
        lines=lines,
        clc=clc,
        shares_are_placeholders=not settings.clc_shares,
        year=today.year,
    )
