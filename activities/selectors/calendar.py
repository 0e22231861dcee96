"""Reads of the activity calendar: the school year's activities month by month against the
year's plan (a month without a themed activity is flagged in advance and afterwards), the
published results (公示), and what the targets board reads (issue 20): ``calendar_months`` (the
months' flags) and ``reader_activities_held``. Each in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from library_site.school import school_year_of, school_year_start

from ..models import Activity, ActivityPlan
from ..models.calendar import DEFAULT_SCHOOL_MONTHS
from ..states import ACTIVITY_STATES

Kind = Activity.Kind
State = Activity.State


def _month_after(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def school_year_months(year: int) -> list[date]:
    """The twelve months of school year ``year``, its first month first."""
    month = school_year_start(year).replace(day=1)
    months = []
    for _index in range(12):
        months.append(month)
        month = _month_after(month)
    return months


def plan_for(year: int) -> ActivityPlan:
    """The year's plan, or the default one (not saved) when the librarian set none."""
    return ActivityPlan.objects.filter(school_year=year).first() or ActivityPlan(
        school_year=year, reader_activities=2, themed_months=DEFAULT_SCHOOL_MONTHS
    )


@dataclass
class CalendarMonth:
    month: date
    counts: bool  # a school month of the plan, which needs a themed activity
    activities: list = field(default_factory=list)
    themed_planned: bool = False
    themed_held: bool = False
    past: bool = False
    current: bool = False

    @property
    def flagged(self) -> bool:
        """Flagged in advance when no themed activity is planned for it, and afterwards (or
        while it runs) when none was held."""
        if not self.counts:
            return False
        return not self.themed_held if self.past else not self.themed_planned


def _year_activities(year: int):
    first = school_year_start(year)
    last = school_year_start(year + 1)
    return Activity.objects.filter(starts_on__lt=last, ends_on__gte=first)


def _covers(activity: Activity, month: date) -> bool:
    return activity.starts_on < _month_after(month) and activity.ends_on >= month


def _calendar_months(year: int, plan: ActivityPlan, activities, today: date) -> list[CalendarMonth]:
    school_months = set(plan.month_numbers)
    this_month = today.replace(day=1)
    months = []
    for month in school_year_months(year):
        line = CalendarMonth(month=month, counts=month.month in school_months)
        line.past = _month_after(month) <= today
        line.current = month == this_month
        for activity in activities:
            if _covers(activity, month):
                line.activities.append(activity)
                if activity.kind == Kind.THEMED:
                    line.themed_planned = True
                    if activity.state in Activity.HELD:
                        line.themed_held = True
        months.append(line)
    return months


def calendar_months(year: int, *, today: date | None = None) -> list[CalendarMonth]:
    """The year's months with their flags (a month without a themed activity), for the targets
    board: two queries, the activities read with only what the flags need."""
    today = today or timezone.localdate()
    activities = list(
        _year_activities(year).only("kind", "state", "starts_on", "ends_on").order_by("starts_on", "pk")
    )
    return _calendar_months(year, plan_for(year), activities, today)


def calendar_year(year: int, *, today: date | None = None) -> dict:
    """The year's calendar: its months (activities, flag), its activities with their organisers
    and classes, the plan and how far the year has come towards it. Four queries."""
    today = today or timezone.localdate()
    plan = plan_for(year)
    activities = list(
        _year_activities(year)
        .select_related("published_by")
        .prefetch_related("organisers", Prefetch("classes"))
        .order_by("starts_on", "pk")
    )
    months = _calendar_months(year, plan, activities, today)
    held = [
        activity for activity in activities if activity.is_reader_activity and activity.state in Activity.HELD
    ]
    planned = [activity for activity in activities if activity.is_reader_activity]
    return {
        "year": year,
        "plan": plan,
        "months": months,
        "activities": activities,
        "reader_held": len(held),
        "reader_planned": len(planned),
        "reader_target_met": len(held) >= plan.reader_activities,
        "flagged_months": [line.month for line in months if line.flagged],
        "states": list(ACTIVITY_STATES),
        "state_label": ACTIVITY_STATES.label,
    }


def school_year_activity_counts(year: int, *, today: date | None = None) -> dict:
    """For the targets board (issue 20): the reader activities held in school year ``year``
    against the plan's target, and the plan's school months with and without a themed activity
    (a past month counts as "with" when one was held, a month to come when one is planned).
    Three queries."""
    data = calendar_year(year, today=today)
    counted = [line for line in data["months"] if line.counts]
    return {
        "school_year": year,
        "reader_activities_held": data["reader_held"],
        "reader_activities_planned": data["reader_planned"],
        "reader_activities_target": data["plan"].reader_activities,
        "months_with_themed": [line.month for line in counted if not line.flagged],
        "months_without_themed": [line.month for line in counted if line.flagged],
    }


def current_school_year(today: date | None = None) -> int:
    return school_year_of(today or timezone.localdate())


def results_published(*, year: int | None = None) -> list[Activity]:
    """The activities whose results are published (公示), newest first, with the quiz winners
    and contest prizes they name (three queries)."""
    activities = Activity.objects.filter(
        state__in=(State.PUBLISHED, State.CLOSED), published_at__isnull=False
    )
    if year is not None:
        activities = activities.filter(
            starts_on__gte=school_year_start(year), starts_on__lt=school_year_start(year + 1)
        )
    return list(_with_results(activities).order_by("-published_at"))


def _with_results(activities):
    """The activities with the quiz winners and contest prizes they publish (two queries more)."""
    from ..models import Attempt, Entry

    winners = (
        Attempt.objects.filter(winner_rank__isnull=False)
        .select_related("reader__user", "reader__school_class")
        .order_by("winner_rank")
    )
    prizes = (
        Entry.objects.exclude(prize="")
        .filter(withdrawn_at__isnull=True)
        .select_related("reader__user", "reader__school_class")
        .order_by("rank", "pk")
    )
    return (
        activities.select_related("quiz", "contest")
        .prefetch_related(Prefetch("quiz__attempts", queryset=winners, to_attr="winners"))
        .prefetch_related(Prefetch("contest__entries", queryset=prizes, to_attr="prized"))
    )


def activities_in_period(first_month: date, last_month: date) -> list[Activity]:
    """The activities held in the months from ``first_month`` to ``last_month`` (both included),
    in the order they began, with their published results (the quiz winners and contest prizes
    only once published): what the monthly statistics list. Three queries."""
    first_month, last_month = first_month.replace(day=1), last_month.replace(day=1)
    rows = list(
        _with_results(
            Activity.objects.filter(
                starts_on__lt=_month_after(last_month), ends_on__gte=first_month, state__in=Activity.HELD
            )
        ).order_by("starts_on", "pk")
    )
    for row in rows:
        if not row.published_at:
            # Not published yet: nothing of the results is shown.
            if hasattr(row, "quiz"):
                row.quiz.winners = []
            if hasattr(row, "contest"):
                row.contest.prized = []
    return rows


def activities_in_month(month: date) -> dict:
    """The month's activities for the monthly statistics: held, and with results published."""
    rows = activities_in_period(month, month)
    return {
        "held": len(rows),
        "themed": sum(1 for row in rows if row.kind == Kind.THEMED),
        "published": sum(1 for row in rows if row.published_at),
    }


def reader_activities_held(first_day: date, last_day: date) -> list[Activity]:
    """The reader activities (every kind but the monthly themed one) held — open, judged, with
    results or closed — that began between two days, both included; one query. The targets
    board and the term summary count them."""
    return [
        activity
        for activity in Activity.objects.filter(
            starts_on__range=(first_day, last_day), state__in=Activity.HELD
        ).only("kind", "state", "starts_on", "published_at")
        if activity.is_reader_activity
    ]
