"""The term summary (期末总结): the measured figures of a term (loans, visits, readers, notes,
activities, targets met and missed, suggestions answered, purchases and write-offs) and the
librarian's own text. ``reports.documents.summary`` draws it as PDF, .docx and .xlsx."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import TermSummaryText
from ..periods import month_first
from .statistics import statistics_for_period
from .targets import TargetsBoard, term_board

NOT_MEASURED = "—"


@dataclass
class SummaryFigure:
    label: str
    value: object  # a number, or a "not measured: …" text

    @property
    def text(self) -> str:
        if self.value is None:
            return NOT_MEASURED
        return f"{self.value:,}" if isinstance(self.value, int) else str(self.value)


@dataclass
class TermSummary:
    term: object
    school: str
    figures: list[SummaryFigure]
    board: TargetsBoard
    text: TermSummaryText | None
    missing_months: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("Library summary of %(term)s") % {"term": self.term.name}

    @property
    def dates(self) -> str:
        return f"{self.term.starts_on:%Y-%m-%d} – {self.term.ends_on:%Y-%m-%d}"

    @property
    def own_text(self) -> str:
        return self.text.text if self.text else ""

    @property
    def targets_met(self) -> list:
        return [row for row in self.board.rows if row.met]

    @property
    def targets_missed(self) -> list:
        return [row for row in self.board.rows if row.missed]

    @property
    def targets_not_measured(self) -> list:
        return [row for row in self.board.rows if row.not_measured]


def _activities_and_suggestions(term, last_day) -> tuple[str, int]:
    """The term's reader activities held (and how many have their results published), and the
    suggestions answered in the term, from the activities app."""
    from activities.models import Suggestion
    from activities.selectors.calendar import reader_activities_held

    activities = reader_activities_held(term.starts_on, last_day)
    published = sum(1 for activity in activities if activity.published_at is not None)
    held = _("%(held)s held, %(published)s with results published") % {
        "held": len(activities),
        "published": published,
    }
    from library_site.dates import day_bounds

    start, end = day_bounds(term.starts_on, last_day)
    answered = Suggestion.objects.filter(answered_at__gte=start, answered_at__lt=end).count()
    return held, answered


def term_summary(term, *, today: datetime.date | None = None, school: str | None = None) -> TermSummary:
    from catalog.labels import library_name_for_labels
    from catalog.models import Delivery, DeliveryLine, WriteOffBatch, WriteOffItem
    from library_site.dates import day_bounds

    today = today or timezone.localdate()
    last_day = min(term.ends_on, today)
    statistics = statistics_for_period(month_first(term.starts_on), month_first(last_day))
    totals = statistics.totals
    purchases = DeliveryLine.objects.filter(
        delivery__kind=Delivery.Kind.PURCHASE, delivery__received_on__range=(term.starts_on, last_day)
    ).aggregate(deliveries=Count("delivery", distinct=True), copies=Sum("quantity"))
    start, end = day_bounds(term.starts_on, last_day)
    write_offs = WriteOffItem.objects.filter(
        active=True,
        batch__status=WriteOffBatch.Status.APPROVED,
        batch__decided_at__gte=start,
        batch__decided_at__lt=end,
    ).aggregate(copies=Count("pk"))
    board = term_board(term, today=today)
    calendar, suggestions = _activities_and_suggestions(term, last_day)
    figures = [
        SummaryFigure(_("Loans"), totals["loans"]),
        SummaryFigure(_("Returns"), totals["returns"]),
        SummaryFigure(_("Reading-room visits"), totals["visits"]),
        SummaryFigure(_("Active readers (average a month)"), totals["active_readers_average"]),
        SummaryFigure(_("Reading notes handed in"), totals.get("notes_handed_in")),
        SummaryFigure(_("Reading notes selected"), totals.get("notes_selected")),
        SummaryFigure(_("Reader activities and their results"), calendar),
        SummaryFigure(_("Suggestions answered"), suggestions),
        SummaryFigure(_("Purchases received (deliveries)"), purchases["deliveries"] or 0),
        SummaryFigure(_("Copies purchased"), purchases["copies"] or 0),
        SummaryFigure(_("Copies written off"), write_offs["copies"] or 0),
        SummaryFigure(_("Targets met"), board.met_count),
        SummaryFigure(_("Targets missed"), board.missed_count),
    ]
    return TermSummary(
        term=term,
        school=school if school is not None else library_name_for_labels(),
        figures=figures,
        board=board,
        text=TermSummaryText.objects.select_related("written_by").filter(term=term).first(),
        missing_months=statistics.missing_months,
    )
