"""How each target is measured: a small table, measure code → a function over a period.

A function takes a ``MeasurePeriod`` (its first and last day, its months, its school year) and
returns a ``Measured``: a value for each month and one for the whole period, read from the data
of the app the figure belongs to in a fixed number of queries whatever the school's size. A
month's value is None where it has nothing to judge (no teaching week, no textbook term).

A measure whose data the system does not hold is registered with ``unavailable`` (the reason,
shown on the board as "not measured: …") and no function; giving it a function
(``measure_register``) is all it takes to measure it. The activity calendar's two measures and
the suggestion box's complaints read the activities app (reports may read every app).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from .periods import month_first, month_last_day, months_between


@dataclass(frozen=True)
class MeasurePeriod:
    first_day: datetime.date
    last_day: datetime.date
    school_year: int

    @property
    def months(self) -> list[datetime.date]:
        return months_between(self.first_day, self.last_day)

    def month_end(self, month: datetime.date) -> datetime.date:
        return min(month_last_day(month), self.last_day)


@dataclass
class Measured:
    months: dict[datetime.date, Decimal | None] = field(default_factory=dict)
    period: Decimal | None = None
    # Lines that explain the figure (the weeks below 40 hours, the staff without a paper …).
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    # Does a month's value say met or missed on its own (a month's incidents), or is it the
    # year's figure so far (activities a year, papers a year)?
    monthly_verdict: bool
    function: Callable[[MeasurePeriod], Measured] | None = None
    unavailable: str = ""  # why it is not measured, when there is no function
    # How it is measured, in a sentence: where the figure is read from (the plan's page and PDF).
    how: str = ""

    @property
    def is_measured(self) -> bool:
        return self.function is not None


MEASURES: dict[str, Measure] = {}


def measure_register(measure: Measure) -> None:
    MEASURES[measure.code] = measure


def measure_get(code: str) -> Measure | None:
    return MEASURES.get(code)


def measure_choices() -> list[tuple[str, str]]:
    return [(measure.code, str(measure.label)) for measure in MEASURES.values()]


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- hardware compliance (the equipment register) ------------------------------------------------


def equipment_compliance_on(items, checks_by_item, day) -> tuple[int, int]:
    """(items up to standard, items in service) on ``day``: an item's latest check on or before
    the day decides; an item never checked is not up to standard."""
    in_service = [
        item for item in items if item.added_on <= day and (item.retired_on is None or item.retired_on > day)
    ]
    good = 0
    for item in in_service:
        latest = next((check for check in checks_by_item.get(item.pk, ()) if check.checked_on <= day), None)
        if latest is not None and latest.up_to_standard:
            good += 1
    return good, len(in_service)


def equipment_with_checks(last_day, *, rooms=None):
    """The items and, per item, their checks up to ``last_day`` newest first: two queries."""
    from .models import EquipmentCheck, EquipmentItem

    items = EquipmentItem.objects.filter(added_on__lte=last_day)
    if rooms is not None:
        items = items.filter(room__in=rooms)
    items = list(items.select_related("room"))
    checks: dict[int, list] = {}
    for check in EquipmentCheck.objects.filter(
        item__in=[item.pk for item in items], checked_on__lte=last_day
    ).order_by("item", "-checked_on", "-pk"):
        checks.setdefault(check.item_id, []).append(check)
    return items, checks


class _Item(NamedTuple):
    pk: int
    added_on: datetime.date
    retired_on: datetime.date | None


class _Check(NamedTuple):
    checked_on: datetime.date
    up_to_standard: bool


def _equipment_rows(last_day, rooms):
    """The items and checks as plain tuples (two queries, no model instances: a year's checks
    of a school's equipment are thousands of rows)."""
    from .models import EquipmentCheck, EquipmentItem

    items = [
        _Item(*row)
        for row in EquipmentItem.objects.filter(added_on__lte=last_day, room__in=rooms).values_list(
            "pk", "added_on", "retired_on"
        )
    ]
    checks: dict[int, list] = {}
    for item_id, checked_on, condition in (
        EquipmentCheck.objects.filter(item__room__in=rooms, checked_on__lte=last_day)
        .order_by("item", "-checked_on", "-pk")
        .values_list("item_id", "checked_on", "condition")
    ):
        checks.setdefault(item_id, []).append(_Check(checked_on, condition == EquipmentCheck.Condition.GOOD))
    return items, checks


def measure_hardware_compliance(period: MeasurePeriod) -> Measured:
    from circulation.models import reading_rooms

    items, checks = _equipment_rows(period.last_day, reading_rooms())
    result = Measured()
    for month in period.months:
        result.months[month] = _percent(*equipment_compliance_on(items, checks, period.month_end(month)))
    good, total = equipment_compliance_on(items, checks, period.last_day)
    result.period = _percent(good, total)
    if total:
        result.details.append(
            str(_("%(good)s of %(total)s items up to standard") % {"good": good, "total": total})
        )
    return result


# --- opening hours (the rooms' timetable, the closed days, the terms) --------------------------


def _teaching_weeks(first_day, last_day):
    """The Monday of every week (Monday to Sunday) wholly inside a term that starts in the period."""
    from circulation.models import Term

    terms = list(Term.objects.filter(starts_on__lte=last_day, ends_on__gte=first_day))
    monday = first_day - datetime.timedelta(days=first_day.weekday())
    weeks = []
    while monday <= last_day:
        sunday = monday + datetime.timedelta(days=6)
        if monday >= first_day and any(term.starts_on <= monday and sunday <= term.ends_on for term in terms):
            weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks


def _closed_days(first_day, last_day) -> set:
    from circulation.models import ClosedPeriod

    days = set()
    for closed in ClosedPeriod.objects.current().filter(starts_on__lte=last_day, ends_on__gte=first_day):
        day = max(closed.starts_on, first_day)
        while day <= min(closed.ends_on, last_day + datetime.timedelta(days=6)):
            days.add(day)
            day += datetime.timedelta(days=1)
    return days


def _spans(kinds=None):
    """Every opening-hours span of the active reading rooms (ended ones too: a week before the
    end was open by them)."""
    from circulation.models import OpeningHours
    from circulation.selectors.rooms import active_rooms

    rooms = active_rooms()
    if kinds is not None:
        rooms = rooms.filter(kind__in=kinds)
    return list(OpeningHours.objects.filter(room__in=rooms).order_by("weekday", "opens_at"))


def _in_effect(span, day) -> bool:
    return span.ended_at is None or span.ended_at.date() > day


def _minutes(time) -> int:
    return time.hour * 60 + time.minute


def week_opening_hours(spans, monday, closed: set) -> float:
    """The library's opening hours in the week from ``monday``: per day, the union of the spans
    of every room (two rooms open at once count once), none on a closed day."""
    total = 0
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        if day in closed:
            continue
        intervals = sorted(
            (_minutes(span.opens_at), _minutes(span.closes_at))
            for span in spans
            if span.weekday == offset + 1 and _in_effect(span, day)
        )
        end = -1
        for start, stop in intervals:
            if stop <= end:
                continue
            total += stop - max(start, end)
            end = stop
    return round(total / 60, 1)


def measure_weekly_opening_hours(period: MeasurePeriod) -> Measured:
    spans = _spans()
    weeks = _teaching_weeks(period.first_day, period.last_day)
    closed = _closed_days(period.first_day, period.last_day)
    hours = {monday: week_opening_hours(spans, monday, closed) for monday in weeks}
    result = Measured()
    for month in period.months:
        values = [value for monday, value in hours.items() if month_first(monday) == month]
        result.months[month] = Decimal(str(min(values))) if values else None
    if hours:
        result.period = Decimal(str(min(hours.values())))
    for monday, value in hours.items():
        if value < 40:
            result.details.append(
                str(_("Week of %(monday)s: %(hours)s hours") % {"monday": monday.isoformat(), "hours": value})
            )
    return result


def measure_periodicals_room_sundays(period: MeasurePeriod) -> Measured:
    from catalog.models import Location

    spans = [span for span in _spans([Location.Kind.PERIODICALS_ROOM]) if span.weekday == 7]
    closed = _closed_days(period.first_day, period.last_day)
    sundays = [
        monday + datetime.timedelta(days=6) for monday in _teaching_weeks(period.first_day, period.last_day)
    ]
    open_on = {
        sunday: sunday not in closed and any(_in_effect(span, sunday) for span in spans) for sunday in sundays
    }
    result = Measured()
    for month in period.months:
        days = [sunday for sunday in open_on if month_first(sunday) == month]
        result.months[month] = _percent(sum(open_on[day] for day in days), len(days))
    result.period = _percent(sum(open_on.values()), len(open_on))
    return result


# --- safety, staff, textbooks, purchase plans, study sessions ------------------------------------


def _count_by_month(days, period: MeasurePeriod) -> Measured:
    result = Measured()
    counts: dict = {}
    for day in days:
        counts[month_first(day)] = counts.get(month_first(day), 0) + 1
    for month in period.months:
        result.months[month] = Decimal(counts.get(month, 0))
    result.period = Decimal(len(days))
    return result


def measure_safety_incidents(period: MeasurePeriod) -> Measured:
    from .models import SafetyIncident

    days = list(
        SafetyIncident.objects.filter(occurred_on__range=(period.first_day, period.last_day)).values_list(
            "occurred_on", flat=True
        )
    )
    return _count_by_month(days, period)


def measure_study_sessions(period: MeasurePeriod) -> Measured:
    from .models import StudySession

    days = list(
        StudySession.objects.filter(held_on__range=(period.first_day, period.last_day)).values_list(
            "held_on", flat=True
        )
    )
    return _count_by_month(days, period)


def staff_in_service(first_day, last_day):
    from django.db.models import Q

    from .models import StaffMember

    return StaffMember.objects.filter(joined_on__lte=last_day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=first_day)
    )


def measure_staff_without_paper(period: MeasurePeriod) -> Measured:
    """How many staff members have written no paper or summary article since the period began:
    the year's figure so far, month by month."""
    from .models import StaffPaper

    staff = list(staff_in_service(period.first_day, period.last_day).select_related("user"))
    papers = list(
        StaffPaper.objects.filter(
            staff__in=staff, written_on__range=(period.first_day, period.last_day)
        ).values_list("staff_id", "written_on")
    )
    result = Measured()

    def without(day):
        written = {staff_id for staff_id, written_on in papers if written_on <= day}
        return [member for member in staff if member.joined_on <= day and member.pk not in written]

    for month in period.months:
        result.months[month] = Decimal(len(without(period.month_end(month))))
    lacking = without(period.last_day)
    result.period = Decimal(len(lacking))
    result.details = [member.user.display_name for member in lacking]
    return result


def measure_textbooks_in_place(period: MeasurePeriod) -> Measured:
    """Of the textbook terms that begin in the period, the share whose ordered copies had all
    arrived before the first day."""
    from django.db.models import Sum

    from catalog.models import TextbookDelivery, TextbookOrderLine, TextbookTerm

    terms = list(TextbookTerm.objects.filter(starts_on__range=(period.first_day, period.last_day)))
    ordered = {
        (row["term"], row["textbook"]): row["total"]
        for row in TextbookOrderLine.objects.filter(term__in=terms)
        .values("term", "textbook")
        .annotate(total=Sum("quantity"))
    }
    delivered: dict = {}
    for row in TextbookDelivery.objects.filter(term__in=terms).values(
        "term", "textbook", "received_on", "quantity"
    ):
        term = next(term for term in terms if term.pk == row["term"])
        if row["received_on"] < term.starts_on:
            key = (row["term"], row["textbook"])
            delivered[key] = delivered.get(key, 0) + row["quantity"]

    def in_place(term) -> bool:
        return all(delivered.get(key, 0) >= total for key, total in ordered.items() if key[0] == term.pk)

    result = Measured()
    for month in period.months:
        month_terms = [term for term in terms if month_first(term.starts_on) == month]
        result.months[month] = _percent(sum(in_place(term) for term in month_terms), len(month_terms))
    result.period = _percent(sum(in_place(term) for term in terms), len(terms))
    result.details = [str(term) for term in terms if not in_place(term)]
    return result


def measure_purchase_plan_approved(period: MeasurePeriod) -> Measured:
    """The school year's purchase plans approved by each month's end (the catalogue's steps)."""
    from catalog.models import PurchasePlan, PurchasePlanEvent

    approvals = list(
        PurchasePlanEvent.objects.filter(
            action=PurchasePlanEvent.Action.APPROVED,
            plan__year=period.school_year,
            plan__status=PurchasePlan.Status.APPROVED,
        ).values_list("plan_id", "at")
    )
    from django.utils import timezone

    def approved_by(day):
        return Decimal(len({plan for plan, at in approvals if timezone.localdate(at) <= day}))

    result = Measured()
    for month in period.months:
        result.months[month] = approved_by(period.month_end(month))
    result.period = approved_by(period.last_day)
    return result


def _snapshot_measure(name: str) -> Callable[[MeasurePeriod], Measured]:
    def function(period: MeasurePeriod) -> Measured:
        from .models import MonthlySnapshot

        values = dict(
            MonthlySnapshot.objects.filter(
                month__range=(month_first(period.first_day), period.last_day)
            ).values_list("month", name)
        )
        result = Measured()
        for month in period.months:
            result.months[month] = Decimal(values[month]) if values.get(month) is not None else None
        counted = [value for value in result.months.values() if value is not None]
        result.period = sum(counted, Decimal(0)) if counted else None
        return result

    return function


# --- the activity calendar and the suggestion box (the activities app) ------------------------


def measure_reader_activities(period: MeasurePeriod) -> Measured:
    """Reader activities held that began in the period, per month of their first day."""
    from activities.selectors.calendar import reader_activities_held

    days = [activity.starts_on for activity in reader_activities_held(period.first_day, period.last_day)]
    return _count_by_month(days, period)


def measure_months_without_themed_activity(period: MeasurePeriod) -> Measured:
    """1 for a school month of the year's activity plan without a themed activity (flagged in
    advance when none is planned, afterwards when none was held), 0 for one with, None for a
    month the plan does not count (the holidays); the period's value is how many were flagged."""
    from activities.selectors.calendar import calendar_months

    lines = {line.month: line for line in calendar_months(period.school_year)}
    result = Measured()
    flagged = 0
    for month in period.months:
        line = lines.get(month)
        if line is None or not line.counts:
            result.months[month] = None
            continue
        result.months[month] = Decimal(1 if line.flagged else 0)
        if line.flagged:
            flagged += 1
            result.details.append(str(_("%(month)s: no themed activity") % {"month": f"{month:%Y-%m}"}))
    result.period = Decimal(flagged)
    return result


def measure_complaints(period: MeasurePeriod) -> Measured:
    """Complaints received in the suggestion box, per month; one query, never who sent them."""
    from activities.selectors.suggestions import complaints

    days = list(complaints(period.first_day, period.last_day).values_list("received_on", flat=True))
    return _count_by_month(days, period)


ACTIVITY_CALENDAR_MISSING = _("the activity calendar is not installed")
SUGGESTION_BOX_MISSING = _("the suggestion box is not installed")

for _measure in (
    Measure(
        "hardware_compliance",
        _("Reading-room equipment up to standard"),
        "%",
        True,
        measure_hardware_compliance,
        how=_(
            "Equipment register: the reading rooms' items whose latest condition check is up to standard, as a share of the items in service."
        ),
    ),
    Measure(
        "reader_activities",
        _("Reader activities held"),
        "",
        False,
        measure_reader_activities,
        how=_(
            "Activity calendar: the reader activities (every kind but the monthly themed one) held in the period."
        ),
    ),
    Measure(
        "months_without_themed_activity",
        _("Months without a themed activity"),
        "",
        True,
        measure_months_without_themed_activity,
        how=_(
            "Activity calendar: the school months without a themed activity held (for a month to come, none planned)."
        ),
    ),
    Measure(
        "weekly_opening_hours",
        _("Lowest opening hours in a teaching week"),
        _("hours"),
        True,
        measure_weekly_opening_hours,
        how=_("The rooms' opening hours less the closed days: the lowest total of any teaching week."),
    ),
    Measure(
        "periodicals_room_sundays",
        _("Teaching Sundays the periodicals room was open"),
        "%",
        True,
        measure_periodicals_room_sundays,
        how=_("The periodicals room's opening hours: the teaching Sundays it was open, as a share of all."),
    ),
    Measure(
        "complaints",
        _("Complaints in the suggestion box"),
        "",
        True,
        measure_complaints,
        how=_("Suggestion box: the complaints received."),
    ),
    Measure(
        "safety_incidents",
        _("Safety incidents"),
        "",
        True,
        measure_safety_incidents,
        how=_("Safety log: the incidents recorded."),
    ),
    Measure(
        "staff_without_paper",
        _("Staff members without a paper this year"),
        "",
        False,
        measure_staff_without_paper,
        how=_(
            "Staff records: the staff members in service with no paper or summary article dated in the school year."
        ),
    ),
    Measure(
        "textbooks_in_place",
        _("Textbook terms with every textbook in before the start"),
        "%",
        True,
        measure_textbooks_in_place,
        how=_(
            "Textbook orders and deliveries: the textbook terms whose ordered copies all arrived before the first day, as a share."
        ),
    ),
    Measure(
        "purchase_plan_approved",
        _("Purchase plans approved for the school year"),
        "",
        False,
        measure_purchase_plan_approved,
        how=_("Acquisitions: the school year's purchase plans approved by the school leaders."),
    ),
    Measure(
        "study_sessions",
        _("Staff study sessions held"),
        "",
        True,
        measure_study_sessions,
        how=_("Staff study sessions recorded."),
    ),
    Measure(
        "loans",
        _("Loans (monthly statistics)"),
        "",
        True,
        _snapshot_measure("loans"),
        how=_("Monthly statistics: the loans counted each month."),
    ),
    Measure(
        "visits",
        _("Reading-room visits (monthly statistics)"),
        "",
        True,
        _snapshot_measure("visits"),
        how=_("Monthly statistics: the reading-room visits counted each month."),
    ),
):
    measure_register(_measure)
del _measure
