"""The nightly recommendation job: per grade, how many pupils borrowed both of two titles (the
loans' grade then, so that "pupils of your grade" means pupils when they were in that grade),
and the titles most borrowed by each grade in the last year (the cold start).

It runs as SQL in the database (one INSERT … SELECT per grade and table), so the worker holds
no loans in memory: each pupil's basket is their ``BASKET_SIZE`` most recent distinct titles of
that grade, a pair counts once per pupil, and each title keeps its ``TOP_PER_RECORD`` best
partners with at least ``MIN_PUPILS`` pupils. A grade's rows are replaced in one transaction, so
running it twice gives the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Copy
from circulation.models import Loan, Reader

from ..models import CoBorrowing, GradePopularity

BASKET_SIZE = 40
TOP_PER_RECORD = 12
MIN_PUPILS = 2
POPULAR_DAYS = 365
POPULAR_PER_GRADE = 60


@dataclass(frozen=True)
class RecommendationsComputed:
    grades: int
    pairs: int
    popular: int


def _baskets_sql() -> str:
    loan, copy = Loan._meta.db_table, Copy._meta.db_table
    # Table names from the models' _meta only; every value is a bound parameter.
    return f"""
        baskets AS (
            SELECT reader_id, record_id FROM (
                SELECT l.reader_id AS reader_id, c.record_id AS record_id,
                       ROW_NUMBER() OVER (PARTITION BY l.reader_id ORDER BY MAX(l.lent_at) DESC, c.record_id)
                           AS recency
                FROM {loan} l JOIN {copy} c ON c.id = l.copy_id
                WHERE l.reader_grade = %(grade)s AND l.reader_kind = %(student)s
                  AND l.reader_id IS NOT NULL AND l.state <> %(undone)s
                GROUP BY l.reader_id, c.record_id
            ) ranked WHERE recency <= %(basket)s
        )"""  # noqa: S608


def _pairs_insert_sql() -> str:
    table = CoBorrowing._meta.db_table
    # Table names from the models' _meta only; every value is a bound parameter.
    return f"""
        INSERT INTO {table} (grade, record_id, other_id, pupils, computed_at)
        WITH {_baskets_sql()},
        pairs AS (
            SELECT a.record_id AS record_id, b.record_id AS other_id, COUNT(*) AS pupils
            FROM baskets a JOIN baskets b ON a.reader_id = b.reader_id AND a.record_id <> b.record_id
            GROUP BY a.record_id, b.record_id
            HAVING COUNT(*) >= %(min_pupils)s
        ),
        ranked AS (
            SELECT record_id, other_id, pupils,
                   ROW_NUMBER() OVER (PARTITION BY record_id ORDER BY pupils DESC, other_id) AS place
            FROM pairs
        )
        SELECT %(grade)s, record_id, other_id, pupils, %(now)s FROM ranked WHERE place <= %(top)s
    """  # noqa: S608


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
    grades = sorted(
        grade
        for grade in Loan.objects.filter(reader_kind=Reader.Kind.STUDENT, reader_grade__isnull=False)
        .values_list("reader_grade", flat=True)
        .distinct()
    )
    pairs = popular = 0
    for grade in grades:
        params = {
            "grade": grade,
            "student": Reader.Kind.STUDENT,
            "undone": Loan.State.UNDONE,
            "basket": BASKET_SIZE,
            "min_pupils": MIN_PUPILS,
            "top": TOP_PER_RECORD,
            "now": now,
            "since": now - timedelta(days=POPULAR_DAYS),
            "popular": POPULAR_PER_GRADE,
        }
        with transaction.atomic(), connection.cursor() as cursor:
            CoBorrowing.objects.filter(grade=grade).delete()
            GradePopularity.objects.filter(grade=grade).delete()
            cursor.execute(_pairs_insert_sql(), params)
            pairs += max(cursor.rowcount, 0)
            cursor.execute(_popular_insert_sql(), params)
            popular += max(cursor.rowcount, 0)
    # Grades with no loans left keep nothing.
    CoBorrowing.objects.exclude(grade__in=grades).delete()
    GradePopularity.objects.exclude(grade__in=grades).delete()
    return RecommendationsComputed(grades=len(grades), pairs=pairs, popular=popular)
