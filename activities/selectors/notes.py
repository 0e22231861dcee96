"""Reads about reading notes: how many a reader owes (for one reader, a class or the whole
school, each in a constant number of queries), the pupil's own notes page, and what a note shows
its reader (a grade only once it is released)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from circulation.models import Loan, Reader, SchoolClass
from library_site.dates import day_bounds

from ..models import ActivitiesSettings, ExcerptCard, PupilWork, ReadingNote
from ..policies import (
    RuleApplied,
    counted_loans_filter,
    notes_owed,
    notes_period,
    notes_rules,
    reader_grade,
    rule_for,
)


def reader_of_user(user) -> Reader | None:
    """The signed-in person's reader record, with account and class (one query)."""
    if not user.is_authenticated:
        return None
    return Reader.objects.select_related("user", "school_class").filter(user=user).first()


@dataclass
class OwedLine:
    """One reader's notes owed: loans counted in the period, notes handed in, and what is owed."""

    reader: Reader
    loans_counted: int
    notes_handed_in: int
    rule: RuleApplied
    owed: int
    books: list[dict] = field(default_factory=list)


def _handed_in_filter(period, *, prefix: str = "") -> Q:
    start, end = day_bounds(period.starts_on, period.ends_on)
    return Q(
        **{
            f"{prefix}state__in": PupilWork.HANDED_IN,
            f"{prefix}submitted_at__gte": start,
            f"{prefix}submitted_at__lt": end,
        }
    )


def reader_notes_owed_count(reader: Reader, *, on: date | None = None) -> tuple[int, RuleApplied]:
    """How many notes ``reader`` owes on ``on`` (today), and the rule: one query, or none when
    the rule asks no notes of them. The reader comes with their class (the desk's reader does)."""
    on = on or timezone.localdate()
    period = notes_period(on)
    rule = rule_for(kind=reader.kind, grade=reader_grade(reader), term=period.term)
    if not rule.asks_notes:
        return 0, rule
    loans = (
        Loan.objects.filter(counted_loans_filter(period), reader_id=OuterRef("pk"))
        .order_by()
        .values("reader_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    notes = (
        ReadingNote.objects.filter(_handed_in_filter(period), reader_id=OuterRef("pk"))
        .order_by()
        .values("reader_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    counts = (
        Reader.objects.filter(pk=reader.pk)
        .annotate(
            loans_counted=Subquery(loans, output_field=IntegerField()),
            notes_handed_in=Subquery(notes, output_field=IntegerField()),
        )
        .values_list("loans_counted", "notes_handed_in")
        .first()
    )
    loans_counted, handed_in = (value or 0 for value in counts) if counts else (0, 0)
    return notes_owed(loans_counted=loans_counted, notes_handed_in=handed_in, rule=rule), rule


def reader_notes_owed(reader: Reader, *, on: date | None = None) -> OwedLine:
    """The pupil's own account: the books that count in the period (each marked when a note
    handed in is about it), the notes handed in and what is still owed. Two queries."""
    on = on or timezone.localdate()
    period = notes_period(on)
    rule = rule_for(kind=reader.kind, grade=reader_grade(reader), term=period.term)
    loans = list(
        Loan.objects.filter(counted_loans_filter(period), reader=reader)
        .select_related("copy__record")
        .only("id", "lent_at", "state", "copy__id", "copy__record__id", "copy__record__title")
        .order_by("lent_at", "pk")
    )
    notes = list(
        ReadingNote.objects.filter(reader=reader)
        .filter(Q(_handed_in_filter(period)) | Q(state__in=PupilWork.EDITABLE))
        .values_list("loan_id", "record_id", "state", "pk")
    )
    handed_in = [row for row in notes if row[2] in PupilWork.HANDED_IN]
    noted_loans = {row[0]: row for row in notes if row[0]}
    noted_records = {row[1] for row in handed_in if row[1]}
    books = []
    for loan in loans:
        note = noted_loans.get(loan.pk)
        books.append(
            {
                "loan": loan,
                "record": loan.copy.record,
                "lent_on": timezone.localtime(loan.lent_at).date(),
                "has_note": bool(note and note[2] in PupilWork.HANDED_IN)
                or (note is None and loan.copy.record_id in noted_records),
                "draft_id": note[3] if note and note[2] in PupilWork.EDITABLE else None,
            }
        )
    owed = notes_owed(loans_counted=len(loans), notes_handed_in=len(handed_in), rule=rule)
    return OwedLine(reader, len(loans), len(handed_in), rule, owed, books)


def readers_notes_owed(readers: QuerySet[Reader], *, on: date | None = None) -> list[OwedLine]:
    """Every reader of ``readers`` with their notes owed, in three queries whatever their number
    (the readers with account and class, the loans counted per reader, the notes per reader)."""
    on = on or timezone.localdate()
    period = notes_period(on)
    rules = notes_rules()
    scope = readers.order_by().values("pk")
    readers = list(readers.select_related("user", "school_class"))
    loans = dict(
        Loan.objects.filter(counted_loans_filter(period), reader__in=scope)
        .order_by()
        .values("reader_id")
        .annotate(count=Count("pk"))
        .values_list("reader_id", "count")
    )
    notes = dict(
        ReadingNote.objects.filter(_handed_in_filter(period), reader__in=scope)
        .order_by()
        .values("reader_id")
        .annotate(count=Count("pk"))
        .values_list("reader_id", "count")
    )
    lines = []
    for reader in readers:
        rule = rule_for(kind=reader.kind, grade=reader_grade(reader), term=period.term, rules=rules)
        counted, handed_in = loans.get(reader.pk, 0), notes.get(reader.pk, 0)
        owed = notes_owed(loans_counted=counted, notes_handed_in=handed_in, rule=rule)
        lines.append(OwedLine(reader, counted, handed_in, rule, owed))
    return lines


def class_notes_owed(school_class: SchoolClass, *, on: date | None = None) -> dict:
    """The head teacher's class list: every pupil of the class with loans counted, notes handed
    in and notes owed, and the class's totals. Three queries."""
    lines = readers_notes_owed(
        Reader.objects.active()
        .filter(school_class=school_class, kind=Reader.Kind.STUDENT)
        .order_by("number"),
        on=on,
    )
    return {
        "lines": lines,
        "owing": sum(1 for line in lines if line.owed),
        "owed": sum(line.owed for line in lines),
        "handed_in": sum(line.notes_handed_in for line in lines),
        "period": notes_period(on or timezone.localdate()),
    }


def school_notes_owed(*, on: date | None = None, school_class: SchoolClass | None = None) -> list[OwedLine]:
    """Every active pupil of the school (or of one class), by class and number: three queries."""
    readers = Reader.objects.active().filter(kind=Reader.Kind.STUDENT)
    if school_class is not None:
        readers = readers.filter(school_class=school_class)
    return readers_notes_owed(
        readers.order_by("school_class__grade", "school_class__number", "number"), on=on
    )


# --- what a pupil sees of their work ------------------------------------------------------------


def month_first(day: date) -> date:
    return day.replace(day=1)


def work_feedback_visible(work: PupilWork, *, today: date, settings: ActivitiesSettings) -> bool:
    """Whether the pupil sees the grade and comment: once the reviewer released them, or, with
    release at month end, from the first day of the month after the review."""
    if work.state not in (PupilWork.State.REVIEWED, PupilWork.State.SELECTED) or not work.reviewed_at:
        return False
    if work.released_at is not None:
        return True
    return settings.release_at_month_end and timezone.localtime(work.reviewed_at).date() < month_first(today)


def works_mark_feedback(works, *, today: date | None = None, settings: ActivitiesSettings | None = None):
    """Set ``feedback_visible`` on each work (what the pupil's pages read, never the template)."""
    today = today or timezone.localdate()
    settings = settings or ActivitiesSettings.current()
    for work in works:
        work.feedback_visible = work_feedback_visible(work, today=today, settings=settings)
    return works


def my_notes_page(reader: Reader, *, today: date | None = None) -> dict:
    """Everything the pupil's notes page shows, in a constant number of queries: the notes owed
    with the books that count, their notes (drafts, returned, handed in, with the grades
    released) and their excerpt cards."""
    today = today or timezone.localdate()
    owed = reader_notes_owed(reader, on=today)
    notes = list(
        ReadingNote.objects.filter(reader=reader)
        .select_related("record")
        .defer("record__search_text", "record__search_grams", "record__summary")[:200]
    )
    cards = list(
        ExcerptCard.objects.filter(reader=reader)
        .select_related("record")
        .defer("record__search_text", "record__search_grams", "record__summary")[:200]
    )
    settings = ActivitiesSettings.current()
    works_mark_feedback(notes, today=today, settings=settings)
    works_mark_feedback(cards, today=today, settings=settings)
    return {
        "owed": owed,
        "drafts": [note for note in notes if note.is_editable],
        "handed_in": [note for note in notes if not note.is_editable],
        "cards": cards,
    }


def my_loans_for_notes(reader: Reader, *, limit: int = 50) -> list[Loan]:
    """The pupil's own recent loans of books, newest first: what the note form offers to choose."""
    return list(
        Loan.objects.filter(reader=reader, booking__isnull=True)
        .exclude(state=Loan.State.UNDONE)
        .select_related("copy__record")
        .only("id", "lent_at", "copy__id", "copy__record__id", "copy__record__title")
        .order_by("-lent_at", "-pk")[:limit]
    )


def paper_notes_grid(school_class: SchoolClass, *, on: date | None = None) -> list[dict]:
    """The grid a teacher ticks: each active pupil of the class with the books they borrowed in
    the period that have no note yet (typed or paper), and how many notes they still owe. Three
    queries whatever the class's size."""
    on = on or timezone.localdate()
    period = notes_period(on)
    pupils = list(
        Reader.objects.active()
        .filter(school_class=school_class, kind=Reader.Kind.STUDENT)
        .select_related("user", "school_class")
        .order_by("number")
    )
    loans = list(
        Loan.objects.filter(counted_loans_filter(period), reader__school_class=school_class)
        .annotate(has_note=Exists(ReadingNote.objects.filter(loan_id=OuterRef("pk"))))
        .select_related("copy__record")
        .only("id", "reader_id", "lent_at", "copy__id", "copy__record__id", "copy__record__title")
        .order_by("lent_at", "pk")
    )
    handed_in = dict(
        ReadingNote.objects.filter(_handed_in_filter(period), reader__school_class=school_class)
        .order_by()
        .values("reader_id")
        .annotate(count=Count("pk"))
        .values_list("reader_id", "count")
    )
    by_reader: dict[int, list[Loan]] = {}
    for loan in loans:
        by_reader.setdefault(loan.reader_id, []).append(loan)
    rules = notes_rules()
    rows = []
    for reader in pupils:
        rule = rule_for(kind=reader.kind, grade=reader_grade(reader), term=period.term, rules=rules)
        books = by_reader.get(reader.pk, [])
        counted = len(books)
        rows.append(
            {
                "reader": reader,
                "loans": [loan for loan in books if not loan.has_note],
                "handed_in": handed_in.get(reader.pk, 0),
                "owed": notes_owed(
                    loans_counted=counted, notes_handed_in=handed_in.get(reader.pk, 0), rule=rule
                ),
            }
        )
    return rows
