"""Reads of the monthly statistics for pages and reports: a period (a month, a term, a year,
or any run of months) added up from its monthly snapshots in a constant number of queries,
never from the loans themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .exceptions import BadPeriod
from .models import (
    MonthlyFigure,
    MonthlySnapshot,
    MonthlyTopReader,
    MonthlyTopTitle,
    figure_label,
    reader_class_label,
    reader_kind_label,
)
from .periods import (
    MAX_MONTHS,
    month_first,
    month_parse,
    month_previous,
    month_shift,
    months_between,
    year_parse,
)

TOP_SHOWN = 20
TOTAL_FIELDS = ("loans", "returns", "renewals", "visits", "class_sessions", "new_copies")
Dimension = MonthlyFigure.Dimension


@dataclass(frozen=True)
class Period:
    """A run of whole months: what a dashboard or a report covers."""

    kind: str  # "month", "term", "year" or "months"
    first_month: date
    last_month: date
    label: str
    term_id: int | None = None

    @property
    def months(self) -> list[date]:
        return months_between(self.first_month, self.last_month)


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

    @property
    def has_data(self) -> bool:
        return any(month.has_snapshot for month in self.months)

    @property
    def is_complete(self) -> bool:
        return not self.missing_months


def statistics_for_period(
    first_month: date, last_month: date, *, period: Period | None = None
) -> PeriodStatistics:
    """The statistics of the months from ``first_month`` to ``last_month`` (both included),
    added up from their snapshots in five queries whatever the length of the period. Months
    without a snapshot are listed in ``missing_months`` and count as zeros."""
    first_month, last_month = month_first(first_month), month_first(last_month)
    period = period or Period("months", first_month, last_month, f"{first_month:%Y-%m} – {last_month:%Y-%m}")
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

    lines = _breakdowns(first_month, last_month, last_counted)
    by_class = sorted(
        lines[Dimension.CLASS], key=lambda line: (-line.loans, line.grade or 0, line.class_number or 0)
    )
    for rank, line in enumerate(by_class, start=1):
        line.rank = rank
    return PeriodStatistics(
        period=period,
        months=months,
        totals=totals,
        by_kind=sorted(lines[Dimension.READER_KIND], key=lambda line: _KIND_ORDER.get(line.key, 9)),
        by_grade=sorted(lines[Dimension.GRADE], key=lambda line: line.grade or 99),
        by_class=by_class,
        by_clc=_clc_lines(lines[Dimension.CLC]),
        top_titles=_top_titles(first_month, last_month),
        top_readers=_top_readers(first_month, last_month),
        missing_months=[month.month for month in months if not month.has_snapshot],
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


# --- periods from what a page asks for ----------------------------------------------------------


def terms_begun(*, today: date, limit: int):
    """The terms that have begun by ``today``, newest first: those a page offers to choose."""
    from circulation.models import Term

    return Term.objects.filter(starts_on__lte=today).order_by("-starts_on")[:limit]


def term_current(*, today: date):
    """The term under way on ``today``, or None between terms."""
    from circulation.models import Term

    return Term.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()


def period_default(*, today: date | None = None) -> Period:
    """The last whole month: what a dashboard opens on."""
    month = month_previous(month_first(today or timezone.localdate()))
    return period_of_month(month)


def period_of_month(month: date) -> Period:
    return Period("month", month, month, f"{month:%Y-%m}")


def period_of_year(year: int, *, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    first = date(year, 1, 1)
    if first > today:
        raise BadPeriod(_("%(year)s has not begun yet: there is nothing to show.") % {"year": year})
    return Period("year", first, min(date(year, 12, 1), month_first(today)), str(year))


def period_of_term(term) -> Period:
    return Period("term", month_first(term.starts_on), month_first(term.ends_on), term.name, term_id=term.pk)


def period_from_params(params, *, today: date | None = None) -> Period:
    """The period a page's query string asks for: ``?month=2026-03``, ``?term=<id>``,
    ``?year=2026`` or ``?from=2026-01&to=2026-06``; none of them is the last whole month. A
    bad value raises ``BadPeriod`` with a message for the person who typed it."""
    from circulation.models import Term

    today = today or timezone.localdate()
    if params.get("term"):
        text = params["term"].strip()
        term = Term.objects.filter(pk=int(text)).first() if text.isdigit() else None
        if term is None:
            raise BadPeriod(_("There is no such term: choose one from the list."))
        if month_first(term.starts_on) > month_first(today):
            raise BadPeriod(_("This term has not begun yet: there is nothing to show."))
        return period_of_term(term)
    if params.get("year"):
        return period_of_year(year_parse(params["year"]), today=today)
    if params.get("from") or params.get("to"):
        first = month_parse(params.get("from", ""), today=today)
        last = month_parse(params.get("to", ""), today=today)
        if last < first:
            raise BadPeriod(_("The period ends before it begins: swap the two months."))
        if len(months_between(first, last)) > MAX_MONTHS:
            raise BadPeriod(
                _("A period of at most %(count)s months, please: choose a shorter one.")
                % {"count": MAX_MONTHS}
            )
        return Period("months", first, last, f"{first:%Y-%m} – {last:%Y-%m}")
    if params.get("month"):
        return period_of_month(month_parse(params["month"], today=today))
    return period_default(today=today)


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
                **{name: row[name] for name in (*TOTAL_FIELDS, "active_readers", "copies")},
            )
        )
    return series


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
