"""The nightly recommendation job: per grade, how many pupils borrowed both of two titles (the
loans' grade then, so that "pupils of your grade" means pupils when they were in that grade),
and the titles most borrowed by each grade in the last year (the cold start).

Each pupil's basket is their ``BASKET_SIZE`` most recent distinct titles of that grade (read from
the database already grouped and ordered, a chunk at a time); a pair counts once per pupil. The
pairs are counted in Python as one integer each in a compact array, sorted and counted in runs,
so the memory is bounded by pupils × BASKET_SIZE² / 2 integers per grade, whatever the number of
loans (a self-join of the baskets in SQL made the database spill millions of pairs to disk). Each
title keeps its ``TOP_PER_RECORD`` best partners with at least ``MIN_PUPILS`` pupils. A grade's
rows are replaced in one short transaction after its counting, so running it twice gives the same
rows and a page never sees a grade half-written."""

from __future__ import annotations

import io
from array import array
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from catalog.models import Copy, Record
from circulation.models import Loan, Reader

from ..models import CoBorrowing, GradePopularity

BASKET_SIZE = 40
TOP_PER_RECORD = 12
MIN_PUPILS = 2
POPULAR_DAYS = 365
POPULAR_PER_GRADE = 60
CHUNK = 20_000


@dataclass(frozen=True)
class RecommendationsComputed:
    grades: int
    pairs: int
    popular: int


def _baskets(grade: int):
    """Each pupil's most recent distinct titles borrowed in ``grade``, newest first, one list per
    pupil (streamed: the rows come grouped by pupil)."""
    rows = (
        Loan.objects.filter(reader_grade=grade, reader_kind=Reader.Kind.STUDENT, reader_id__isnull=False)
        .exclude(state=Loan.State.UNDONE)
        .values("reader_id", "copy__record_id")
        .annotate(last=Max("lent_at"))
        .order_by("reader_id", "-last", "copy__record_id")
        .values_list("reader_id", "copy__record_id")
        .iterator(chunk_size=CHUNK)
    )
    current, basket = None, []
    for reader_id, record_id in rows:
        if reader_id != current:
            if basket:
                yield basket
            current, basket = reader_id, []
        if len(basket) < BASKET_SIZE:
            basket.append(record_id)
    if basket:
        yield basket


def co_borrowing_count(baskets, *, width: int) -> list[tuple[int, int, int]]:
    """(record, other, pupils) of every title's ``TOP_PER_RECORD`` best partners with at least
    ``MIN_PUPILS`` pupils, best first (then by the other's id). ``width`` is above every record id:
    a pair (a < b) is the one integer a × width + b."""
    keys = array("q")
    for basket in baskets:
        keys.extend(low * width + high for low, high in combinations(sorted(set(basket)), 2))
    keys = sorted(keys)  # a list of ints for a moment; the array goes with it
    # One integer per partner too: (most pupils first, then the smaller id) sorts ascending.
    ceiling = len(keys) + 1
    partners: dict[int, list[int]] = {}

    def keep(key: int, pupils: int) -> None:
        if pupils >= MIN_PUPILS:
            low, high = divmod(key, width)
            rank = (ceiling - pupils) * width
            partners.setdefault(low, []).append(rank + high)
            partners.setdefault(high, []).append(rank + low)

    run_key, run = None, 0
    for key in keys:
        if key == run_key:
            run += 1
        else:
            if run_key is not None:
                keep(run_key, run)
            run_key, run = key, 1
    if run_key is not None:
        keep(run_key, run)
    del keys
    rows = []
    for record_id in sorted(partners):
        for code in sorted(partners[record_id])[:TOP_PER_RECORD]:
            rank, other_id = divmod(code, width)
            rows.append((record_id, other_id, ceiling - rank))
    return rows


def _co_borrowing_write(grade: int, rows, now) -> None:
    """Write a grade's rows (inside the caller's transaction): COPY on PostgreSQL, in bulk
    elsewhere."""
    if connection.vendor == "postgresql":
        table = CoBorrowing._meta.db_table
        stamp = now.isoformat()
        for start in range(0, len(rows), 50_000):
            buffer = io.StringIO(
                "".join(
                    f"{grade}\t{record_id}\t{other_id}\t{pupils}\t{stamp}\n"
                    for record_id, other_id, pupils in rows[start : start + 50_000]
                )
            )
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(
                    f"COPY {table} (grade, record_id, other_id, pupils, computed_at) FROM STDIN",
                    buffer,
                )
        return
    CoBorrowing.objects.bulk_create(
        (
            CoBorrowing(grade=grade, record_id=record_id, other_id=other_id, pupils=pupils, computed_at=now)
            for record_id, other_id, pupils in rows
        ),
        batch_size=2000,
    )


def _popular_insert_sql() -> str:
    table, loan, copy = GradePopularity._meta.db_table, Loan._meta.db_table, Copy._meta.db_table
    # Table names from the models' _meta only; every value is a bound parameter.
    return f"""
        INSERT INTO {table} (grade, record_id, pupils, computed_at)
        SELECT %(grade)s, record_id, pupils, %(now)s FROM (
            SELECT c.record_id AS record_id, COUNT(DISTINCT l.reader_id) AS pupils
            FROM {loan} l JOIN {copy} c ON c.id = l.copy_id
            WHERE l.reader_grade = %(grade)s AND l.reader_kind = %(student)s AND l.state <> %(undone)s
              AND l.lent_at >= %(since)s
            GROUP BY c.record_id
            ORDER BY pupils DESC, c.record_id
            LIMIT %(popular)s
        ) popular
    """  # noqa: S608


def recommendations_compute(*, now=None) -> RecommendationsComputed:
    """Recompute the co-borrowing and popularity rows of every grade that has loans."""
    now = now or timezone.now()
    # order_by(): the loans' default ordering would make DISTINCT one row per loan time.
    grades = sorted(
        Loan.objects.filter(reader_kind=Reader.Kind.STUDENT, reader_grade__isnull=False)
        .order_by()
        .values_list("reader_grade", flat=True)
        .distinct()
    )
    width = (Record.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    pairs = popular = 0
    for grade in grades:
        params = {
            "grade": grade,
            "student": Reader.Kind.STUDENT,
            "undone": Loan.State.UNDONE,
            "now": now,
            "since": now - timedelta(days=POPULAR_DAYS),
            "popular": POPULAR_PER_GRADE,
        }
        rows = co_borrowing_count(_baskets(grade), width=width)
        with transaction.atomic():
            CoBorrowing.objects.filter(grade=grade).delete()
            GradePopularity.objects.filter(grade=grade).delete()
            _co_borrowing_write(grade, rows, now)
            pairs += len(rows)
            with connection.cursor() as cursor:
                cursor.execute(_popular_insert_sql(), params)
                popular += max(cursor.rowcount, 0)
        del rows
    # Grades with no loans left keep nothing.
    CoBorrowing.objects.exclude(grade__in=grades).delete()
    GradePopularity.objects.exclude(grade__in=grades).delete()
    return RecommendationsComputed(grades=len(grades), pairs=pairs, popular=popular)
