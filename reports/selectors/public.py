"""The public page for the school's screens (X4): a few figures chosen by the administrator,
read from the monthly snapshots in a constant number of queries, with no reader's name unless
the administrator has chosen to show them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Sum
from django.utils import timezone

from ..models import (
    MonthlyFigure,
    MonthlySnapshot,
    MonthlyTopReader,
    TransparencySettings,
    reader_class_label,
    reader_kind_label,
)
from ..periods import month_first
from .periods import term_current

SHOWN_CLASSES = 3
SHOWN_TITLES = 5
SHOWN_READERS = 5


@dataclass
class PublicClass:
    rank: int
    label: str
    loans: int


@dataclass
class PublicTitle:
    rank: int
    title: str
    loans: int


@dataclass
class PublicReader:
    rank: int
    name: str  # empty unless names are shown
    class_label: str
    loans: int


@dataclass
class PublicBoard:
    settings: TransparencySettings
    month: date | None  # the newest month with statistics
    loans: int = 0
    active_readers: int = 0
    visits: int = 0
    top_classes: list[PublicClass] = field(default_factory=list)
    top_titles: list[PublicTitle] = field(default_factory=list)
    top_readers: list[PublicReader] = field(default_factory=list)
    term_name: str = ""
    term_loans: int | None = None
    term_months: int = 0

    @property
    def has_figures(self) -> bool:
        return self.month is not None

    @property
    def shows_term_loans(self) -> bool:
        """The term's loans are switched on and there is a term under way to count."""
        return self.settings.show_term_loans and self.term_loans is not None


def public_board(settings: TransparencySettings | None = None, *, today: date | None = None) -> PublicBoard:
    """The figures the public page shows: only those switched on, at most six queries."""
    settings = settings or TransparencySettings.current()
    today = today or timezone.localdate()
    snapshot = MonthlySnapshot.objects.filter(month__lte=month_first(today)).order_by("-month").first()
    board = PublicBoard(settings=settings, month=snapshot.month if snapshot else None)
    if snapshot is None:
        return board
    board.loans, board.active_readers, board.visits = snapshot.loans, snapshot.active_readers, snapshot.visits
    if settings.show_top_class:
        lines = MonthlyFigure.objects.filter(
            snapshot=snapshot, dimension=MonthlyFigure.Dimension.CLASS, loans__gt=0
        ).order_by("-loans", "grade", "class_number")[:SHOWN_CLASSES]
        board.top_classes = [
            PublicClass(rank=rank, label=line.label, loans=line.loans)
            for rank, line in enumerate(lines, start=1)
        ]
    if settings.show_top_titles:
        board.top_titles = [
            PublicTitle(rank=rank, title=row.title, loans=row.loans)
            for rank, row in enumerate(snapshot.top_titles.order_by("rank")[:SHOWN_TITLES], start=1)
        ]
    if settings.show_top_readers:
        rows = MonthlyTopReader.objects.filter(snapshot=snapshot).order_by("rank")[:SHOWN_READERS]
        if settings.show_reader_names:
            rows = rows.select_related("reader__user")
        board.top_readers = [
            PublicReader(
                rank=rank,
                name=(row.reader.user.display_name if settings.show_reader_names else ""),
                class_label=_class_label(row),
                loans=row.loans,
            )
            for rank, row in enumerate(rows, start=1)
        ]
    if settings.show_term_loans:
        term = term_current(today=today)
        if term is not None:
            figures = MonthlySnapshot.objects.filter(
                month__gte=month_first(term.starts_on), month__lte=month_first(min(term.ends_on, today))
            ).aggregate(loans=Sum("loans", default=0), months=Count("pk"))
            board.term_name, board.term_loans, board.term_months = (
                term.name,
                figures["loans"],
                figures["months"],
            )
    return board


def _class_label(row: MonthlyTopReader) -> str:
    """The reader's class, else their grade, else their type: never their name."""
    return reader_class_label(row.grade, row.class_number) or reader_kind_label(row.reader_kind)
