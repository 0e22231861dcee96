"""The targets board: each target of the school year's plan with its measured value, the gap and
met or not, per month and for the year (or a term), read through ``reports.measures``. Each
measure is computed once, in its fixed number of queries, whatever the school's size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.school import school_year_start

from ..measures import Measured, MeasurePeriod, measure_get
from ..models import PlanTarget, WorkPlan
from ..policies import SEED_TARGETS

MET = "met"
MISSED = "missed"
PENDING = "pending"  # a month of a yearly figure: the year's value so far, not judged
NO_DATA = "none"
NOT_MEASURED = "not_measured"


def goal_text(target: PlanTarget, unit: str) -> str:
    """A target's figure to reach as the board and the plan print it: "≥ 95%", "≤ 0", "≥ 40 hours"."""
    sign = "≥" if target.comparison == PlanTarget.Comparison.AT_LEAST else "≤"
    threshold = target.threshold
    number = f"{threshold.normalize():f}" if threshold == threshold.to_integral() else f"{threshold:f}"
    return f"{sign} {number}{(' ' + unit) if unit and unit != '%' else unit}"


@dataclass
class BoardCell:
    value: Decimal | None
    verdict: str

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value.normalize():f}" if self.value == self.value.to_integral() else f"{self.value:f}"

    @property
    def css(self) -> str:
        return {
            MET: "table-success",
            MISSED: "table-danger",
            PENDING: "",
            NO_DATA: "text-body-secondary",
        }.get(self.verdict, "")

    @property
    def verdict_label(self) -> str:
        return {MET: _("met"), MISSED: _("missed"), PENDING: _("so far"), NO_DATA: _("no data")}.get(
            self.verdict, ""
        )


@dataclass
class BoardRow:
    target: PlanTarget
    measure_label: str
    unit: str
    months: list[BoardCell]
    total: BoardCell
    not_measured: str = ""  # "not measured: the activity calendar is not installed"
    details: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def goal(self) -> str:
        return goal_text(self.target, self.unit)

    @property
    def gap(self) -> str:
        value = self.total.value
        if value is None:
            return "—"
        threshold = self.target.threshold
        if self.target.comparison == PlanTarget.Comparison.AT_LEAST:
            gap = max(threshold - value, Decimal(0))
        else:
            gap = max(value - threshold, Decimal(0))
        return BoardCell(gap, NO_DATA).text

    @property
    def met(self) -> bool:
        return self.total.verdict == MET

    @property
    def missed(self) -> bool:
        return self.total.verdict == MISSED


@dataclass
class TargetsBoard:
    title: str
    plan: WorkPlan | None
    period: MeasurePeriod
    months: list[datetime.date]
    rows: list[BoardRow]

    @property
    def met_count(self) -> int:
        return sum(row.met for row in self.rows)

    @property
    def missed_count(self) -> int:
        return sum(row.missed for row in self.rows)

    @property
    def not_measured_count(self) -> int:
        return sum(bool(row.not_measured) for row in self.rows)

    @property
    def month_labels(self) -> list[str]:
        return [f"{month:%Y-%m}" for month in self.months]

    def chart(self) -> dict:
        """Chart.js data: targets met and missed each month (the table beside it says the same)."""
        met = [
            sum(row.months[index].verdict == MET for row in self.rows) for index in range(len(self.months))
        ]
        missed = [
            sum(row.months[index].verdict == MISSED for row in self.rows) for index in range(len(self.months))
        ]
        return {
            "trend": {
                "labels": self.month_labels,
                "datasets": [
                    {"label": _("Targets met"), "data": met},
                    {"label": _("Targets missed"), "data": missed},
                ],
            }
        }


def _verdict(target: PlanTarget, value: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    if target.comparison == PlanTarget.Comparison.AT_LEAST:
        return MET if value >= target.threshold else MISSED
    return MET if value <= target.threshold else MISSED


def seed_targets() -> list[PlanTarget]:
    """The annual plan's standard targets, unsaved: what a new plan starts from."""
    return [
        PlanTarget(
            position=index,
            name=str(name),
            measure=code,
            comparison=comparison,
            threshold=figure,
            from_seed=True,
        )
        for index, (code, name, comparison, figure) in enumerate(SEED_TARGETS, start=1)
    ]


def board_for_targets(targets, period: MeasurePeriod, *, title: str, plan=None) -> TargetsBoard:
    computed: dict[str, Measured] = {}
    rows = []
    months = period.months
    for target in targets:
        measure = measure_get(target.measure)
        if measure is None or not measure.is_measured:
            reason = measure.unavailable if measure else _("this measure is not known")
            cells = [BoardCell(None, NOT_MEASURED) for _month in months]
            rows.append(
                BoardRow(
                    target=target,
                    measure_label=str(measure.label) if measure else target.measure,
                    unit=str(measure.unit) if measure else "",
                    months=cells,
                    total=BoardCell(None, NOT_MEASURED),
                    not_measured=_("not measured: %(reason)s") % {"reason": reason},
                )
            )
            continue
        if measure.code not in computed:
            computed[measure.code] = measure.function(period)
        measured = computed[measure.code]
        cells = []
        for month in months:
            value = measured.months.get(month)
            verdict = (
                _verdict(target, value)
                if measure.monthly_verdict
                else (PENDING if value is not None else NO_DATA)
            )
            cells.append(BoardCell(value, verdict))
        rows.append(
            BoardRow(
                target=target,
                measure_label=str(measure.label),
                unit=str(measure.unit),
                months=cells,
                total=BoardCell(measured.period, _verdict(target, measured.period)),
                details=measured.details,
            )
        )
    return TargetsBoard(title=title, plan=plan, period=period, months=months, rows=rows)


def school_year_period(school_year: int, *, today: datetime.date | None = None) -> MeasurePeriod:
    """The school year's days up to today (its months that have begun)."""
    today = today or timezone.localdate()
    first = school_year_start(school_year)
    last = school_year_start(school_year + 1) - datetime.timedelta(days=1)
    return MeasurePeriod(first, min(last, today), school_year)


def year_plan(school_year: int) -> WorkPlan | None:
    return WorkPlan.objects.filter(kind=WorkPlan.Kind.YEAR, school_year=school_year).first()


def targets_board(school_year: int, *, today: datetime.date | None = None) -> TargetsBoard:
    """The board of a school year: its plan's targets (the standard ones while there is no plan)."""
    period = school_year_period(school_year, today=today)
    plan = year_plan(school_year)
    targets = list(plan.targets.all()) if plan else seed_targets()
    title = _("Targets of the school year %(first)s–%(next)s") % {
        "first": school_year,
        "next": school_year + 1,
    }
    return board_for_targets(targets, period, title=title, plan=plan)


def term_board(term, *, today: datetime.date | None = None) -> TargetsBoard:
    """The board of a term: the term plan's targets, else the school year's plan's, over the term."""
    from library_site.school import school_year_of

    today = today or timezone.localdate()
    school_year = school_year_of(term.starts_on)
    plan = WorkPlan.objects.filter(kind=WorkPlan.Kind.TERM, term=term).first() or year_plan(school_year)
    targets = list(plan.targets.all()) if plan else seed_targets()
    period = MeasurePeriod(term.starts_on, min(term.ends_on, today), school_year)
    return board_for_targets(targets, period, title=_("Targets of %(term)s") % {"term": term.name}, plan=plan)


def default_school_year(today: datetime.date | None = None) -> int:
    from library_site.school import school_year_of

    return school_year_of(today or timezone.localdate())


def period_board(
    first_day: datetime.date, last_day: datetime.date, *, today: datetime.date | None = None
) -> TargetsBoard:
    """The board over any run of days (the report to leaders' month, term or year): the targets
    of the plan of the school year the period ends in."""
    from library_site.school import school_year_of

    today = today or timezone.localdate()
    last_day = min(last_day, today)
    school_year = school_year_of(last_day)
    plan = year_plan(school_year)
    targets = list(plan.targets.all()) if plan else seed_targets()
    period = MeasurePeriod(first_day, last_day, school_year)
    return board_for_targets(targets, period, title=_("Targets"), plan=plan)
