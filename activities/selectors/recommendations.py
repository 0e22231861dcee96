"""What the pupil's page recommends, in a fixed number of queries whatever the pupil has read:

- new books that fit their grade's reading level (the record's reading levels);
- the librarians' picks for their grade, with a blurb;
- "pupils of your grade who borrowed this also borrowed", from the nightly co-borrowing rows
  of the titles they borrowed most recently;
- for a pupil with no loans yet, the titles most borrowed in their grade (cold start).

Never a title they have borrowed before, nor one whose reading level starts above their grade.
A teacher sees the same for a class's grade (without a pupil's history)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from catalog.models import Copy, Record
from circulation.models import Loan, Reader

from ..models import CoBorrowing, GradePopularity, LibrarianPick

NEW_BOOK_DAYS = 120
PER_SHELF = 6
RECENT_FOR_ALSO = 15


@dataclass
class Recommendations:
    grade: int | None
    new_books: list = field(default_factory=list)
    picks: list = field(default_factory=list)
    also_borrowed: list = field(default_factory=list)
    popular: list = field(default_factory=list)
    cold_start: bool = False

    @property
    def empty(self) -> bool:
        return not (self.new_books or self.picks or self.also_borrowed or self.popular)


def recommendations_for_grade(
    grade: int | None, *, reader: Reader | None = None, now=None
) -> Recommendations:
    result = Recommendations(grade=grade)
    if grade is None:
        return result
    now = now or timezone.now()
    # The pupil's loans are read once (their copies, newest first; the copies' titles by their
    # primary key), not once per shelf: the rest excludes these titles by value.
    read_ids: list[int] | None = None
    recent: list[int] = []
    if reader is not None:
        copy_ids = list(
            Loan.objects.filter(reader=reader)
            .exclude(state=Loan.State.UNDONE)
            .order_by("-lent_at", "-pk")
            .values_list("copy_id", flat=True)
        )
        record_of = dict(Copy.objects.filter(pk__in=set(copy_ids)).values_list("pk", "record_id"))
        read = dict.fromkeys(record_of[pk] for pk in copy_ids if pk in record_of)
        read_ids, recent = list(read), list(read)[:RECENT_FOR_ALSO]

    def unread(queryset, field_name="pk"):
        return queryset.exclude(**{f"{field_name}__in": read_ids}) if read_ids else queryset

    lendable = Copy.objects.filter(
        record_id=OuterRef("pk"),
        status__in=[Copy.Status.AVAILABLE, Copy.Status.ON_LOAN, Copy.Status.ON_HOLD_SHELF],
    )
    new_ids = list(
        unread(
            Record.objects.filter(
                created_at__gte=now - timedelta(days=NEW_BOOK_DAYS),
                reading_level_from__isnull=False,
                reading_level_from__lte=grade,
            )
            .filter(Q(reading_level_to__isnull=True) | Q(reading_level_to__gte=grade))
            .filter(Exists(lendable))
        )
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:PER_SHELF]
    )
    picks = list(
        unread(
            LibrarianPick.objects.filter(is_active=True, grade_from__lte=grade, grade_to__gte=grade).filter(
                Q(record__reading_level_from__isnull=True) | Q(record__reading_level_from__lte=grade)
            ),
            "record_id",
        ).order_by("-created_at", "-pk")[:PER_SHELF]
    )
    also_ids: list[int] = []
    popular_ids: list[int] = []
    if reader is not None:
        result.cold_start = not recent
        if recent:
            also_ids = list(
                unread(
                    CoBorrowing.objects.filter(grade=grade, record_id__in=recent).filter(
                        Q(other__reading_level_from__isnull=True) | Q(other__reading_level_from__lte=grade)
                    ),
                    "other_id",
                )
                .values("other_id")
                .annotate(score=Sum("pupils"))
                .order_by("-score", "other_id")
                .values_list("other_id", flat=True)[:PER_SHELF]
            )
    if reader is None or result.cold_start:
        popular_ids = list(
            unread(
                GradePopularity.objects.filter(grade=grade).filter(
                    Q(record__reading_level_from__isnull=True) | Q(record__reading_level_from__lte=grade)
                ),
                "record_id",
            )
            .order_by("-pupils", "record_id")
            .values_list("record_id", flat=True)[:PER_SHELF]
        )
    wanted = set(new_ids) | {pick.record_id for pick in picks} | set(also_ids) | set(popular_ids)
    records = Record.objects.with_display().in_bulk(wanted) if wanted else {}
    # A title is shown on one shelf only: the librarians' pick first, then the others in order.
    for pick in picks:
        pick.shown_record = records.get(pick.record_id)
    result.picks = [pick for pick in picks if pick.shown_record is not None]
    shown = {pick.record_id for pick in result.picks}

    def shelf(ids):
        rows = [records[pk] for pk in ids if pk in records and pk not in shown]
        shown.update(record.pk for record in rows)
        return rows

    result.new_books = shelf(new_ids)
    result.also_borrowed = shelf(also_ids)
    result.popular = shelf(popular_ids)
    return result


def recommendations_for_reader(reader: Reader | None) -> Recommendations:
    grade = reader.school_class.grade if reader and reader.school_class_id else None
    if reader is None or reader.kind != Reader.Kind.STUDENT:
        return Recommendations(grade=None)
    return recommendations_for_grade(grade, reader=reader)
