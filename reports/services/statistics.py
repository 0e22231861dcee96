"""The write of the monthly statistics: computing a month's statistics into its snapshot.

The counting is done by the database (``COUNT … GROUP BY`` over the month's loans, returns,
renewals, visits and copies, each through an index on its date, and the month's reading notes
and excerpt cards through ``activities.selectors.selection.notes_month_counts``); Python only
files the grouped rows into the snapshot's breakdown lines and writes them in one short
transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Substr, Upper
from django.utils import timezone

from activities.selectors.selection import notes_month_counts
from catalog.models import Copy, CopyStatusChange
from circulation.models import ClassSession, DeskAction, Loan, Visit

from ..models import TOP_KEPT, MonthlyFigure, MonthlySnapshot, MonthlyTopReader, MonthlyTopTitle
from ..periods import month_bounds, month_first, month_last_day, month_refuse_future

Dimension = MonthlyFigure.Dimension
GONE_STATUSES = (Copy.Status.WITHDRAWN, Copy.Status.LOST)


def _clc_top(path: str):
    """The CLC top class (the first letter of the class number: I, K, TP → T) of a record."""
    return Upper(Substr(path, 1, 1))


@dataclass
class _Figures:
    """The month's breakdown lines as they are filled, one per (dimension, key)."""

    lines: dict[tuple[str, str], MonthlyFigure]

    def line(self, dimension: str, key, grade=None, class_number=None) -> MonthlyFigure:
        key = "" if key is None else str(key)
        found = self.lines.get((dimension, key))
        if found is None:
            found = MonthlyFigure(dimension=dimension, key=key, grade=grade, class_number=class_number)
            self.lines[(dimension, key)] = found
        return found

    def add(self, field: str, value: int, *, kind=None, grade=None, class_number=None, clc=None) -> None:
        """Add ``value`` to the lines of the reader type, grade, class and CLC class given."""
        if kind is not None:
            line = self.line(Dimension.READER_KIND, kind)
            setattr(line, field, getattr(line, field) + value)
        if grade is not None:
            line = self.line(Dimension.GRADE, grade, grade=grade)
            setattr(line, field, getattr(line, field) + value)
            if class_number is not None:
                line = self.line(Dimension.CLASS, f"{grade}-{class_number}", grade, class_number)
                setattr(line, field, getattr(line, field) + value)
        if clc is not None:
            line = self.line(Dimension.CLC, clc)
            setattr(line, field, getattr(line, field) + value)


def monthly_snapshot_compute(*, month: date, today: date | None = None) -> MonthlySnapshot:
    """Count ``month`` (any day of it) and store the result as its snapshot, replacing the
    month's earlier snapshot if there is one: running it twice leaves one snapshot, up to date.
    A month that has not begun is refused (``FutureMonth``); the current month may be counted
    so far."""
    started = time.perf_counter()
    month = month_first(month)
    month_refuse_future(month, today=today)
    start, end = month_bounds(month)
    figures = _Figures(lines={})
    totals: dict[str, int] = {}

    loans = Loan.objects.filter(lent_at__gte=start, lent_at__lt=end).exclude(state=Loan.State.UNDONE)
    # Loans and active readers: distinct readers do not add up across groups, so each level is
    # counted on its own (anonymised loans count as loans; their reader is no longer known).
    summary = loans.aggregate(loans=Count("pk"), readers=Count("reader", distinct=True))
    totals["loans"], totals["active_readers"] = summary["loans"], summary["readers"]
    for row in loans.values("reader_kind").annotate(n=Count("pk"), readers=Count("reader", distinct=True)):
        line = figures.line(Dimension.READER_KIND, row["reader_kind"])
        line.loans, line.active_readers = row["n"], row["readers"]
    for row in (
        loans.filter(reader_grade__isnull=False)
        .values("reader_grade")
        .annotate(n=Count("pk"), readers=Count("reader", distinct=True))
    ):
        line = figures.line(Dimension.GRADE, row["reader_grade"], grade=row["reader_grade"])
        line.loans, line.active_readers = row["n"], row["readers"]
    for row in (
        loans.filter(reader_grade__isnull=False, reader_class_number__isnull=False)
        .values("reader_grade", "reader_class_number")
        .annotate(n=Count("pk"), readers=Count("reader", distinct=True))
    ):
        grade, number = row["reader_grade"], row["reader_class_number"]
        line = figures.line(Dimension.CLASS, f"{grade}-{number}", grade, number)
        line.loans, line.active_readers = row["n"], row["readers"]
    for row in loans.values(clc=_clc_top("copy__record__clc_code")).annotate(n=Count("pk")):
        figures.line(Dimension.CLC, row["clc"]).loans = row["n"]

    # Returns and renewals add up across groups: one grouped query each, filed into the lines.
    returns = Loan.objects.filter(state=Loan.State.RETURNED, returned_at__gte=start, returned_at__lt=end)
    totals["returns"] = 0
    for row in returns.values(
        "reader_kind", "reader_grade", "reader_class_number", clc=_clc_top("copy__record__clc_code")
    ).annotate(n=Count("pk")):
        totals["returns"] += row["n"]
        figures.add(
            "returns",
            row["n"],
            kind=row["reader_kind"],
            grade=row["reader_grade"],
            class_number=row["reader_class_number"],
            clc=row["clc"],
        )
    # Every renewal, at the desk or on the reader's own page, is a desk action of its own;
    # one undone within the minute did not happen.
    renewals = DeskAction.objects.filter(
        action=DeskAction.Action.RENEW,
        outcome=DeskAction.Outcome.DONE,
        undone_at__isnull=True,
        loan__isnull=False,
        at__gte=start,
        at__lt=end,
    )
    totals["renewals"] = 0
    for row in renewals.values(
        "loan__reader_kind",
        "loan__reader_grade",
        "loan__reader_class_number",
        clc=_clc_top("loan__copy__record__clc_code"),
    ).annotate(n=Count("pk")):
        totals["renewals"] += row["n"]
        figures.add(
            "renewals",
            row["n"],
            kind=row["loan__reader_kind"],
            grade=row["loan__reader_grade"],
            class_number=row["loan__reader_class_number"],
            clc=row["clc"],
        )

    # Reading rooms: visits at the door by the reader's type and class, class sessions by class.
    totals["visits"] = 0
    for row in (
        Visit.objects.filter(entered_at__gte=start, entered_at__lt=end)
        .values("reader__kind", "reader__school_class__grade", "reader__school_class__number")
        .annotate(n=Count("pk"))
    ):
        totals["visits"] += row["n"]
        figures.add(
            "visits",
            row["n"],
            kind=row["reader__kind"],
            grade=row["reader__school_class__grade"],
            class_number=row["reader__school_class__number"],
        )
    totals["class_sessions"] = 0
    for row in (
        ClassSession.objects.held()
        .filter(date__gte=month, date__lte=month_last_day(month))
        .values("school_class__grade", "school_class__number")
        .annotate(n=Count("pk"))
    ):
        totals["class_sessions"] += row["n"]
        figures.add(
            "class_sessions",
            row["n"],
            grade=row["school_class__grade"],
            class_number=row["school_class__number"],
        )

    # The collection: copies acquired in the month, and copies held at its end (acquired by
    # then, and not withdrawn or lost by then as the copies' status log says).
    totals["new_copies"] = 0
    for row in (
        Copy.objects.filter(acquired_on__gte=month, acquired_on__lte=month_last_day(month))
        .values(clc=_clc_top("record__clc_code"))
        .annotate(n=Count("pk"))
    ):
        totals["new_copies"] += row["n"]
        figures.add("new_copies", row["n"], clc=row["clc"])
    gone_by_then = CopyStatusChange.objects.filter(
        copy=OuterRef("pk"), to_status__in=GONE_STATUSES, changed_at__lt=end
    )
    totals["copies"] = 0
    for row in (
        Copy.objects.filter(acquired_on__lte=month_last_day(month))
        .exclude(Q(status__in=GONE_STATUSES) & Exists(gone_by_then))
        .values(clc=_clc_top("record__clc_code"))
        .annotate(n=Count("pk"))
    ):
        totals["copies"] += row["n"]
        figures.add("copies", row["n"], clc=row["clc"])

    # The reading activities: notes handed in, reviewed and selected, and excerpt cards.
    totals.update(notes_month_counts(month))

    top_titles = [
        MonthlyTopTitle(
            rank=rank, record_id=row["copy__record_id"], title=row["copy__record__title"], loans=row["n"]
        )
        for rank, row in enumerate(
            loans.values("copy__record_id", "copy__record__title")
            .annotate(n=Count("pk"))
            .order_by("-n", "copy__record_id")[:TOP_KEPT],
            start=1,
        )
    ]
    top_readers = [
        MonthlyTopReader(
            rank=rank,
            reader_id=row["reader_id"],
            reader_kind=row["kind"] or "",
            grade=row["grade"],
            class_number=row["class_number"],
            loans=row["n"],
        )
        for rank, row in enumerate(
            loans.filter(reader__isnull=False)
            .values("reader_id")
            .annotate(
                n=Count("pk"),
                kind=Max("reader_kind"),
                grade=Max("reader_grade"),
                class_number=Max("reader_class_number"),
            )
            .order_by("-n", "reader_id")[:TOP_KEPT],
            start=1,
        )
    ]
    duration_ms = round((time.perf_counter() - started) * 1000)
    return _snapshot_store(
        month=month,
        totals=totals,
        figures=list(figures.lines.values()),
        top_titles=top_titles,
        top_readers=top_readers,
        duration_ms=duration_ms,
    )


@transaction.atomic
def _snapshot_store(*, month, totals, figures, top_titles, top_readers, duration_ms) -> MonthlySnapshot:
    """Write the month's snapshot and its lines in place of the old ones. The snapshot's row is
    made once (the unique month guards it when two runs race) and locked while its lines are
    replaced, so two runs at once leave one complete snapshot."""
    snapshot, _created = MonthlySnapshot.objects.get_or_create(
        month=month, defaults={"computed_at": timezone.now()}
    )
    snapshot = MonthlySnapshot.objects.select_for_update().get(pk=snapshot.pk)
    for field, value in totals.items():
        setattr(snapshot, field, value)
    snapshot.computed_at = timezone.now()
    snapshot.duration_ms = duration_ms
    snapshot.save()
    MonthlyFigure.objects.filter(snapshot=snapshot).delete()
    MonthlyTopTitle.objects.filter(snapshot=snapshot).delete()
    MonthlyTopReader.objects.filter(snapshot=snapshot).delete()
    for line in figures:
        line.snapshot = snapshot
    for row in (*top_titles, *top_readers):
        row.snapshot = snapshot
    MonthlyFigure.objects.bulk_create(figures)
    MonthlyTopTitle.objects.bulk_create(top_titles)
    MonthlyTopReader.objects.bulk_create(top_readers)
    return snapshot
