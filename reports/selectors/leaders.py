"""The report to school leaders (S2): a month's or a term's figures, from the monthly
snapshots, beside the period before, and the librarian's note. Saving the note is
``reports.services.leaders.leaders_note_save``.

The PDF and the workbook are drawn from ``LeadersReport`` by ``reports.documents.leaders``. A
report is read from snapshots only (a dozen queries whatever the school's size) and has no side
effects: pressing the button twice reads twice and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library_site.dates import month_text

from ..models import LeadersReportNote
from ..periods import month_last_day, month_previous, month_shift
from .periods import Period, period_of_month, period_of_months, period_of_term
from .statistics import PeriodStatistics, months_series, statistics_for_period
from .targets import period_board

# A month's report draws its loans-per-month chart over this many months up to the month.
TREND_MONTHS = 12

# The key figures, in the order the report lists them: (name in the totals, label).
KEY_FIGURES = (
    ("loans", gettext_lazy("Loans")),
    ("returns", gettext_lazy("Returns")),
    ("renewals", gettext_lazy("Renewals")),
    ("active_readers", gettext_lazy("Active readers")),
    ("visits", gettext_lazy("Reading-room visits")),
    ("class_sessions", gettext_lazy("Class sessions in reading rooms")),
    ("new_copies", gettext_lazy("New copies")),
    ("copies", gettext_lazy("Copies held at the end of the period")),
    # The reading activities (None, shown "—", for a period counted before they were).
    ("notes_handed_in", gettext_lazy("Reading notes handed in")),
    ("notes_reviewed", gettext_lazy("Reading notes reviewed")),
    ("notes_selected", gettext_lazy("Reading notes selected")),
    ("cards_handed_in", gettext_lazy("Excerpt cards handed in")),
)


@dataclass
class KeyFigure:
    name: str
    label: str
    value: int | None  # None: not counted for the period (the notes of months counted before them)
    previous: int | None  # None when there is nothing to compare with

    @property
    def change(self) -> int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_percent(self) -> float | None:
        if self.value is None or self.previous in (None, 0):
            return None
        return round((self.value - self.previous) * 100 / self.previous, 1)

    @property
    def rising(self) -> bool:
        return self.change is not None and self.change > 0

    @property
    def falling(self) -> bool:
        return self.change is not None and self.change < 0

    @property
    def change_percent_rising(self) -> bool:
        return self.change_percent is not None and self.change_percent > 0


@dataclass
class TrendMonth:
    month: date
    loans: int | None  # None: no snapshot for the month (not a zero)
    returns: int | None
    visits: int | None


@dataclass
class LeadersReport:
    period: Period
    statistics: PeriodStatistics
    previous: PeriodStatistics | None  # the period before, when it has figures
    key_figures: list[KeyFigure]
    trend: list[TrendMonth]
    note: LeadersReportNote | None
    school: str
    # When the newest snapshot read was computed: a cached file is valid while this holds.
    computed_at: object
    # The plan's targets measured over the period (reports.selectors.targets.period_board).
    targets: object = None

    @property
    def title(self) -> str:
        return _("Library report to the school leaders")

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def missing_label(self) -> str:
        return "、".join(f"{month:%Y-%m}" for month in self.statistics.missing_months)

    @property
    def note_text(self) -> str:
        return self.note.text if self.note else ""


def period_key(period: Period) -> str:
    """The note's key: ``month:2026-03``, ``term:4``, ``year:2026``, ``months:2026-01:2026-06``."""
    if period.kind == Period.Kind.TERM and period.term_id:
        return f"term:{period.term_id}"
    if period.kind == Period.Kind.MONTH:
        return f"month:{period.first_month:%Y-%m}"
    if period.kind == Period.Kind.YEAR:
        return f"year:{period.first_month:%Y}"
    return f"months:{period.first_month:%Y-%m}:{period.last_month:%Y-%m}"


def period_label(period: Period) -> str:
    if period.kind == Period.Kind.MONTH:
        return month_text(period.first_month)
    if period.kind == Period.Kind.TERM:
        return _("%(term)s (%(first)s – %(last)s)") % {
            "term": period.label,
            "first": month_text(period.first_month),
            "last": month_text(period.last_month),
        }
    return period.label


def period_before(period: Period) -> Period | None:
    """The period a report compares with: the month before, the term before (if the calendar
    has one), the year before, or as many months just before."""
    if period.kind == Period.Kind.MONTH:
        return period_of_month(month_previous(period.first_month))
    if period.kind == Period.Kind.TERM:
        from circulation.models import Term

        term = Term.objects.filter(pk=period.term_id).first()
        if term is None:
            return None
        before = Term.objects.filter(ends_on__lt=term.starts_on).order_by("-starts_on").first()
        return period_of_term(before) if before else None
    last = month_previous(period.first_month)
    first = month_shift(last, 1 - len(period.months))
    if period.kind == Period.Kind.YEAR:
        return Period(Period.Kind.YEAR, first, last, str(first.year))
    return period_of_months(first, last)


def _figure_value(statistics: PeriodStatistics, name: str, *, monthly: bool) -> int | None:
    if name == "active_readers":
        if monthly:
            return statistics.months[0].active_readers if statistics.months else 0
        return statistics.totals["active_readers_average"]
    return statistics.totals[name]


def leaders_report_for_period(period: Period, *, school: str | None = None) -> LeadersReport:
    """Everything the report shows for ``period``, in a constant number of queries (two
    periods' statistics, the trend's snapshots, the note)."""
    from catalog.labels import library_name_for_labels

    statistics = statistics_for_period(period.first_month, period.last_month, period=period)
    before = period_before(period)
    previous = None
    if before is not None:
        previous = statistics_for_period(before.first_month, before.last_month, period=before)
        if not previous.has_data:
            previous = None
    monthly = period.kind == Period.Kind.MONTH
    key_figures = []
    for name, label in KEY_FIGURES:
        label = str(label)
        if name == "active_readers" and not monthly:
            label = _("Active readers (average a month)")
        key_figures.append(
            KeyFigure(
                name=name,
                label=label,
                value=_figure_value(statistics, name, monthly=monthly),
                previous=_figure_value(previous, name, monthly=monthly) if previous else None,
            )
        )
    trend = _trend(period)
    computed = [month.computed_at for month in statistics.months if month.computed_at]
    return LeadersReport(
        period=period,
        statistics=statistics,
        previous=previous,
        key_figures=key_figures,
        trend=trend,
        note=leaders_note_get(period),
        school=school if school is not None else library_name_for_labels(),
        computed_at=max(computed) if computed else None,
        targets=period_board(period.first_month, month_last_day(period.last_month)),
    )


def _trend(period: Period) -> list[TrendMonth]:
    """Loans, returns and visits per month for the chart: the period's months, or for a
    month's report the twelve months up to it. A month without a snapshot is None, not 0."""
    first = period.first_month
    if period.kind == Period.Kind.MONTH:
        first = month_shift(first, 1 - TREND_MONTHS)
    trend = [
        TrendMonth(month=month.month, loans=month.loans, returns=month.returns, visits=month.visits)
        if month.has_snapshot
        else TrendMonth(month=month.month, loans=None, returns=None, visits=None)
        for month in months_series(first, period.last_month)
    ]
    # A month's report does not open on a run of months from before the statistics began.
    while len(trend) > 1 and trend[0].loans is None and trend[0].month < period.first_month:
        trend.pop(0)
    return trend


def leaders_note_get(period: Period) -> LeadersReportNote | None:
    return (
        LeadersReportNote.objects.select_related("written_by").filter(period_key=period_key(period)).first()
    )


def leaders_report_url(period: Period | None) -> str:
    """The report page's address for ``period`` (the same query the dashboard takes)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    url = reverse("reports:leaders-report")
    if period is None:
        return url
    if period.kind == Period.Kind.TERM and period.term_id:
        query = {"term": period.term_id}
    elif period.kind == Period.Kind.MONTH:
        query = {"month": f"{period.first_month:%Y-%m}"}
    elif period.kind == Period.Kind.YEAR:
        query = {"year": f"{period.first_month:%Y}"}
    else:
        query = {"from": f"{period.first_month:%Y-%m}", "to": f"{period.last_month:%Y-%m}"}
    return f"{url}?{urlencode(query)}"


@dataclass
class LeaderHome:
    """What the leader's home page shows: what waits for their decision, and the headline
    figures of the last month counted."""

    plans_waiting: list
    write_offs_waiting: list
    month: date
    statistics: PeriodStatistics
    work_plans_waiting: list = field(default_factory=list)

    @property
    def waiting_count(self) -> int:
        return len(self.plans_waiting) + len(self.write_offs_waiting) + len(self.work_plans_waiting)


def leader_home(user, *, today: date) -> LeaderHome:
    """The leader's home page for ``user``: the library's work plans, the purchase plans and
    the write-offs waiting for them
    (only those they may approve) and the month before ``today``, as the statistics counted it."""
    from catalog.selectors.acquisitions import purchase_plans_awaiting_approval
    from catalog.selectors.care import write_offs_awaiting_approval
    from library_site.accounts.roles import Capability

    from ..states import APPROVE_WORK_PLAN
    from .plans import work_plans_waiting

    month = month_previous(today.replace(day=1))
    return LeaderHome(
        work_plans_waiting=work_plans_waiting() if user.has_perm(APPROVE_WORK_PLAN) else [],
        plans_waiting=purchase_plans_awaiting_approval()
        if user.has_perm(Capability.APPROVE_PURCHASE_PLANS.permission)
        else [],
        write_offs_waiting=write_offs_awaiting_approval()
        if user.has_perm(Capability.APPROVE_WRITE_OFFS.permission)
        else [],
        month=month,
        statistics=statistics_for_period(month, month),
    )
