"""Monthly snapshots as the monthly job leaves them, for the report and public page tests."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from catalog.models import Record
from catalog.tests.factories import RecordFactory
from reports.models import MonthlyFigure, MonthlySnapshot, MonthlyTopReader, MonthlyTopTitle

FEBRUARY = datetime.date(2026, 2, 1)
MARCH = datetime.date(2026, 3, 1)
Dimension = MonthlyFigure.Dimension


def snapshot(month, *, loans, returns, active_readers, visits, new_copies, classes=(), titles=(), readers=()):
    """A month's snapshot as the monthly job leaves it, with its class lines (grade, number,
    loans), grade lines summed from them, a CLC line and the top titles and readers."""
    snap = MonthlySnapshot.objects.create(
        month=month,
        loans=loans,
        returns=returns,
        renewals=3,
        active_readers=active_readers,
        visits=visits,
        class_sessions=2,
        new_copies=new_copies,
        copies=500 + new_copies,
        computed_at=timezone.now(),
    )
    grades: dict[int, int] = {}
    for grade, number, class_loans in classes:
        MonthlyFigure.objects.create(
            snapshot=snap,
            dimension=Dimension.CLASS,
            key=f"{grade}-{number}",
            grade=grade,
            class_number=number,
            loans=class_loans,
            active_readers=class_loans // 2,
        )
        grades[grade] = grades.get(grade, 0) + class_loans
    for grade, grade_loans in grades.items():
        MonthlyFigure.objects.create(
            snapshot=snap, dimension=Dimension.GRADE, key=str(grade), grade=grade, loans=grade_loans
        )
    MonthlyFigure.objects.create(
        snapshot=snap, dimension=Dimension.READER_KIND, key="student", loans=sum(grades.values())
    )
    MonthlyFigure.objects.create(snapshot=snap, dimension=Dimension.CLC, key="I", loans=loans, copies=300)
    for rank, (title, title_loans) in enumerate(titles, start=1):
        record = Record.objects.filter(title=title).first() or RecordFactory(title=title)
        MonthlyTopTitle.objects.create(
            snapshot=snap, rank=rank, record=record, title=title, loans=title_loans
        )
    for rank, (reader, reader_loans) in enumerate(readers, start=1):
        MonthlyTopReader.objects.create(
            snapshot=snap,
            rank=rank,
            reader=reader,
            reader_kind="student",
            grade=reader.school_class.grade,
            class_number=reader.school_class.number,
            loans=reader_loans,
        )
    return snap


@pytest.fixture
def months():
    """February and March 2026 counted; the March report compares with February."""
    february = snapshot(
        FEBRUARY,
        loans=1000,
        returns=950,
        active_readers=400,
        visits=700,
        new_copies=20,
        classes=[(3, 1, 300), (3, 2, 200), (5, 1, 100)],
        titles=[("草房子", 40)],
    )
    march = snapshot(
        MARCH,
        loans=1234,
        returns=1111,
        active_readers=456,
        visits=789,
        new_copies=55,
        classes=[(3, 1, 410), (3, 2, 520), (5, 1, 190)],
        titles=[("<b>Tom & Jerry</b>", 77), ('=HYPERLINK("x")', 66), ("草房子", 12)],
    )
    return {"february": february, "march": march}


@pytest.fixture
def english(client):
    """The figures' labels are checked in English (the Chinese catalogue is compiled at merge)."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
