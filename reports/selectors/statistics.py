"""Reads of the monthly statistics for pages and reports: a period (a month, a term, a year,
or any run of months) added up from its monthly snapshots in a constant number of queries,
never from the loans themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Max, Min, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import (
    MonthlyFigure,
    MonthlySnapshot,
    MonthlyTopReader,
    MonthlyTopTitle,
    figure_label,
    reader_class_label,
    reader_kind_label,
)
from ..periods import month_first, month_shift, months_between
from .periods import Period, period_of_months

TOP_SHOWN = 20
# The dashboard offers to count at most this many of the months not counted yet, one button each.
COUNT_OFFERED = 12
TOTAL_FIELDS = ("loans", "returns", "renewals", "visits", "class_sessions", "new_copies")
# The reading activities' figures of a snapshot: None for a month counted before they were.
NOTE_FIELDS = (
    "notes_handed_in",
    "notes_on_paper",
    "notes_reviewed",
    "notes_selected",
    "cards_handed_in",
    "cards_selected",
)
Dimension = MonthlyFigure.Dimension


@dataclass
class MonthFigures:
    """One month of the period: its snapshot's totals, or ``has_snapshot`` False and zeros."""

    month: date
    has_snapshot: bool = False
    loans: int = 0
    returns: int = 0
    renewals: int = 0
    active_readers: int = 0
    visits: int = 0
    class_sessions: int = 0
    new_copies: int = 0
    copies: int = 0
    computed_at: object = None
    # The reading activities: None when the month has no snapshot or was counted before them.
    notes_handed_in: int | None = None
    notes_on_paper: int | None = None
    notes_reviewed: int | None = None
    notes_selected: int | None = None
    cards_handed_in: int | None = None
    cards_selected: int | None = None

    @property
    def has_notes(self) -> bool:
        """The month's snapshot counted the reading notes and cards."""
        return self.notes_handed_in is not None


@dataclass
class BreakdownLine:
    """A reader type, grade, class or CLC class over the period. ``active_readers`` adds up
    the months (a reader active in three months counts three times: reader-months); ``copies``
    is the holding at the end of the period's last counted month."""

    key: str
    label: str
    grade: int | None = None
    class_number: int | None = None
    loans: int = 0
    returns: int = 0
    renewals: int = 0
    active_readers: int = 0
    visits: int = 0
    class_sessions: int = 0
    new_copies: int = 0
    copies: int = 0
    rank: int | None = None
    # Held copies that are hardly borrowed (loans per copy under the school's threshold).
    hardly_borrowed: bool = False

    @property
    def loans_per_copy(self) -> float | None:
        return round(self.loans / self.copies, 2) if self.copies else None


@dataclass
class RankedTitle:
    rank: int
    record_id: int | None
    title: str
    loans: int


@dataclass
class RankedReader:
    rank: int
    reader_id: int
    name: str
    number: str
    kind: str
    kind_label: str
    class_label: str
    loans: int

    @property
    def class_or_kind(self) -> str:
        """The reader's class as it was, else their type."""
        return self.class_label or self.kind_label


@dataclass
class PeriodStatistics:
    """Everything the dashboard, the leaders' report and the transparency page show."""

    period: Period
    months: list[MonthFigures]
    totals: dict[str, int]
    by_kind: list[BreakdownLine]
    by_grade: list[BreakdownLine]
    by_class: list[BreakdownLine]  # ranked: most loans first
    by_clc: list[BreakdownLine]  # in classification order, with copies held
    top_titles: list[RankedTitle]
    top_readers: list[RankedReader]
    missing_months: list[date] = field(default_factory=list)
    # Months counted before the snapshot counted reading notes and cards: their notes are "—".
    notes_missing_months: list[date] = field(default_factory=list)
    # Loans per copy under which a class of the collection counts as hardly borrowed.
    low_use_below: float = 0.1

    @property
    def has_data(self) -> bool:
        return any(month.has_snapshot for month in self.months)

    @property
    def is_complete(self) -> bool:
        return not self.missing_months

    @property
    def several_months_counted(self) -> bool:
        """More than one month counted: active readers are an average and a peak."""
        return self.totals["months_counted"] > 1

    @property
    def has_notes(self) -> bool:
        """Some month of the period counted the reading notes and cards."""
        return any(month.has_notes for month in self.months)

    @property
    def months_to_count(self) -> list[date]:
        """The months not counted yet that a page offers to count now."""
        return self.missing_months[:COUNT_OFFERED]


def statistics_low_use_below() -> float:
    """Loans per copy under which a CLC class counts as hardly borrowed (setting
    ``REPORTS_LOW_USE_LOANS_PER_COPY``, 0.1 unless the school sets another)."""
    return float(getattr(settings, "REPORTS_LOW_USE_LOANS_PER_COPY", 0.1))


def statistics_for_period(
    first_month: date, last_month: date, *, period: Period | None = None
) -> PeriodStatistics:
    """The statistics of the months from ``first_month`` to ``last_month`` (both included),
    added up from their snapshots in five queries whatever the length of the period. Months
    without a snapshot are listed in ``missing_months`` and count as zeros."""
    first_month, last_month = month_first(first_month), month_first(last_month)
    period = period or period_of_months(first_month, last_month)
    months = months_series(first_month, last_month)
    counted = [month for month in months if month.has_snapshot]
    last_counted = counted[-1].month if counted else None
    totals = {name: sum(getattr(month, name) for month in months) for name in TOTAL_FIELDS}
    totals["copies"] = counted[-1].copies if counted else 0
    totals["active_readers_peak"] = max((month.active_readers for month in counted), default=0)
    totals["active_readers_average"] = (
        round(sum(month.active_readers for month in counted) / len(counted)) if counted else 0
    )
    totals["months_counted"] = len(counted)
    with_notes = [month for month in counted if month.has_notes]
    # A period none of whose months counted the notes has no notes figures (None, shown "—"),
    # not zeros; otherwise the sum of the months that counted them.
    for name in NOTE_FIELDS:
        totals[name] = sum(getattr(month, name) for month in with_notes) if with_notes else None

    lines = _breakdowns(first_month, last_month, last_counted)
    by_class = sorted(
        lines[Dimension.CLASS], key=lambda line: (-line.loans, line.grade or 0, line.class_number or 0)
    )
    for rank, line in enumerate(by_class, start=1):
        line.rank = rank
    low_use_below = statistics_low_use_below()
    by_clc = _clc_lines(lines[Dimension.CLC])
    for line in by_clc:
        line.hardly_borrowed = bool(line.copies) and line.loans_per_copy < low_use_below
    return PeriodStatistics(
        period=period,
        months=months,
        totals=totals,
        by_kind=sorted(lines[Dimension.READER_KIND], key=lambda line: _KIND_ORDER.get(line.key, 9)),
        by_grade=sorted(lines[Dimension.GRADE], key=lambda line: line.grade or 99),
        by_class=by_class,
        by_clc=by_clc,
        top_titles=_top_titles(first_month, last_month),
        top_readers=_top_readers(first_month, last_month),
        missing_months=[month.month for month in months if not month.has_snapshot],
        notes_missing_months=[month.month for month in counted if not month.has_notes],
        low_use_below=low_use_below,
    )


_KIND_ORDER = {"student": 0, "teacher": 1, "staff": 2}
_SUMMED = ("loans", "returns", "renewals", "active_readers", "visits", "class_sessions", "new_copies")


def _breakdowns(first_month, last_month, last_counted) -> dict[str, list[BreakdownLine]]:
    """Every breakdown line of the period, summed over its months in one query; the copies
    held are those of the last counted month."""
    rows = (
        MonthlyFigure.objects.filter(snapshot__month__gte=first_month, snapshot__month__lte=last_month)
        .values("dimension", "key")
        .annotate(
            grade_=Max("grade"),
            class_number_=Max("class_number"),
            copies_=Sum("copies", filter=Q(snapshot__month=last_counted), default=0),
            **{f"{name}_": Sum(name) for name in _SUMMED},
        )
        .order_by()
    )
    lines: dict[str, list[BreakdownLine]] = {dimension: [] for dimension in Dimension.values}
    for row in rows:
        lines[row["dimension"]].append(
            BreakdownLine(
                key=row["key"],
                label=figure_label(row["dimension"], row["key"], row["grade_"], row["class_number_"]),
                grade=row["grade_"],
                class_number=row["class_number_"],
                copies=row["copies_"] or 0,
                **{name: row[f"{name}_"] or 0 for name in _SUMMED},
            )
        )
    return lines


def _clc_lines(lines: list[BreakdownLine]) -> list[BreakdownLine]:
    """The CLC top classes in shelf order with their names in the page's language, every one of
    them (a class with no copies and no loans shows as such), then the unclassified."""
    from catalog.models import ClassificationClass

    english = (get_language() or "").startswith("en")
    by_key = {line.key: line for line in lines}
    ordered = []
    for code, name_zh, name_en in ClassificationClass.objects.filter(parent__isnull=True).values_list(
        "code", "name_zh", "name_en"
    ):
        line = by_key.pop(code, None) or BreakdownLine(key=code, label=code)
        line.label = f"{code} {name_en if english and name_en else name_zh}"
        ordered.append(line)
    # Class numbers that are not a top class (a typing slip) and the unclassified come last.
    for key in sorted(by_key, key=lambda key: (key == "", key)):
        line = by_key[key]
        line.label = key or _("Unclassified")
        ordered.append(line)
    return ordered


def _top_titles(first_month, last_month) -> list[RankedTitle]:
    """The period's most borrowed titles, from each month's kept top list (exact for a month;
    for longer periods, a title outside every month's top 100 is not counted)."""
    rows = (
        MonthlyTopTitle.objects.filter(snapshot__month__gte=first_month, snapshot__month__lte=last_month)
        .values("record_id")
        .annotate(total=Sum("loans"), title_=Max("title"))
        .order_by("-total", "record_id")[:TOP_SHOWN]
    )
    return [
        RankedTitle(rank=rank, record_id=row["record_id"], title=row["title_"], loans=row["total"])
        for rank, row in enumerate(rows, start=1)
    ]


def _top_readers(first_month, last_month) -> list[RankedReader]:
    rows = (
        MonthlyTopReader.objects.filter(snapshot__month__gte=first_month, snapshot__month__lte=last_month)
        .values("reader_id", "reader__number", "reader__user__full_name", "reader__user__username")
        .annotate(
            total=Sum("loans"),
            kind_=Max("reader_kind"),
            grade_=Max("grade"),
            class_number_=Max("class_number"),
        )
        .order_by("-total", "reader_id")[:TOP_SHOWN]
    )
    ranked = []
    for rank, row in enumerate(rows, start=1):
        ranked.append(
            RankedReader(
                rank=rank,
                reader_id=row["reader_id"],
                name=row["reader__user__full_name"] or row["reader__user__username"],
                number=row["reader__number"],
                kind=row["kind_"],
                kind_label=reader_kind_label(row["kind_"]),
                class_label=reader_class_label(row["grade_"], row["class_number_"]),
                loans=row["total"],
            )
        )
    return ranked


# --- the dashboard -------------------------------------------------------------------------------


def months_series(first_month: date, last_month: date) -> list[MonthFigures]:
    """Every month's totals from its snapshot (one query); a month without one has
    ``has_snapshot`` False and zeros."""
    rows = {
        row["month"]: row
        for row in MonthlySnapshot.objects.filter(month__gte=first_month, month__lte=last_month).values()
    }
    series = []
    for month in months_between(first_month, last_month):
        row = rows.get(month)
        if row is None:
            series.append(MonthFigures(month=month))
            continue
        series.append(
            MonthFigures(
                month=month,
                has_snapshot=True,
                computed_at=row["computed_at"],
                **{name: row[name] for name in (*TOTAL_FIELDS, *NOTE_FIELDS, "active_readers", "copies")},
            )
        )
    return series


def statistics_years(*, today: date) -> list[int]:
    """The years a dashboard offers: from the first month counted to this year, newest first."""
    first = MonthlySnapshot.objects.aggregate(first=Min("month"))["first"]
    start = first.year if first else today.year
    return list(range(today.year, start - 1, -1))


def statistics_class_chart_height(stats: PeriodStatistics) -> int:
    """The class ranking's height in pixels: one bar a class, enough room for its label."""
    return max(240, 26 * len(stats.by_class) + 40)


def statistics_trend(stats: PeriodStatistics) -> list[MonthFigures]:
    """The months a dashboard's "over time" chart shows: the period's own, or for a single
    month the twelve months that end with it."""
    if stats.period.first_month != stats.period.last_month:
        return stats.months
    last = stats.period.last_month
    return months_series(month_shift(last, -11), last)


def statistics_charts(stats: PeriodStatistics, trend: list[MonthFigures]) -> dict:
    """The dashboard's charts as Chart.js data (labels and datasets, already translated), for
    ``json_script``; every figure here is also in a table on the page. A month not counted is
    a gap (null), not a zero."""

    def dataset(label, values, **options):
        return {"label": str(label), "data": list(values), **options}

    months = [f"{month.month:%Y-%m}" for month in trend]
    return {
        "trend": {
            "labels": months,
            "datasets": [
                dataset(
                    _("Loans"), (month.loans if month.has_snapshot else None for month in trend), type="bar"
                ),
                dataset(
                    _("Returns"),
                    (month.returns if month.has_snapshot else None for month in trend),
                    type="bar",
                ),
                dataset(
                    _("Reading-room visits"),
                    (month.visits if month.has_snapshot else None for month in trend),
                    type="line",
                ),
            ],
        },
        "notes": {
            "labels": months,
            "datasets": [
                dataset(
                    _("Reading notes handed in"),
                    (month.notes_handed_in for month in trend),
                    type="bar",
                ),
                dataset(
                    _("Reading notes reviewed"),
                    (month.notes_reviewed for month in trend),
                    type="bar",
                ),
                dataset(
                    _("Excerpt cards handed in"),
                    (month.cards_handed_in for month in trend),
                    type="line",
                ),
            ],
        },
        "acquisitions": {
            "labels": months,
            "datasets": [
                dataset(
                    _("New copies"),
                    (month.new_copies if month.has_snapshot else None for month in trend),
                    type="bar",
                )
            ],
        },
        "kinds": {
            "labels": [line.label for line in stats.by_kind],
            "datasets": [dataset(_("Loans"), (line.loans for line in stats.by_kind))],
        },
        "grades": {
            "labels": [line.label for line in stats.by_grade],
            "datasets": [
                dataset(_("Loans"), (line.loans for line in stats.by_grade)),
                dataset(_("Reading-room visits"), (line.visits for line in stats.by_grade)),
            ],
        },
        "classes": {
            "labels": [line.label for line in stats.by_class],
            "datasets": [dataset(_("Loans"), (line.loans for line in stats.by_class))],
        },
        "clc": {
            "labels": [line.key or line.label for line in stats.by_clc],
            "titles": [line.label for line in stats.by_clc],
            "datasets": [
                dataset(_("Copies held"), (line.copies for line in stats.by_clc), yAxisID="y"),
                dataset(_("Loans"), (line.loans for line in stats.by_clc), yAxisID="y1"),
            ],
        },
    }
