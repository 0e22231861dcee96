"""Two runs of the monthly job at once (the beat and an administrator's "run now") leave one
complete snapshot. Row locks need a real database server: PostgreSQL only."""

import datetime

import pytest
from django.db import connection

from catalog.tests.factories import RecordFactory
from circulation.models import Loan
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from circulation.tests.test_concurrency import run_at_once
from reports.models import MonthlyFigure, MonthlySnapshot, MonthlyTopTitle
from reports.services.statistics import monthly_snapshot_compute

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def test_two_runs_at_once_leave_one_complete_snapshot(data_from_migrations):
    from django.utils import timezone

    reader = ReaderFactory(school_class=SchoolClassFactory(grade=2, number=1))
    record = RecordFactory(clc_code="I247", copies=3)
    for day, copy in enumerate(record.copies.order_by("pk"), start=2):
        Loan.objects.create(
            copy=copy,
            reader=reader,
            lent_at=timezone.make_aware(datetime.datetime(2026, 3, day, 10)),
            due_on=datetime.date(2026, 3, 20),
        )
    month = datetime.date(2026, 3, 1)
    for _round in range(3):
        outcomes = run_at_once(
            lambda: monthly_snapshot_compute(month=month), lambda: monthly_snapshot_compute(month=month)
        )
        assert all(isinstance(outcome, MonthlySnapshot) for outcome in outcomes), outcomes
        assert MonthlySnapshot.objects.count() == 1
        snapshot = MonthlySnapshot.objects.get()
        assert snapshot.loans == 3
        assert MonthlyFigure.objects.filter(snapshot=snapshot, dimension="class").count() == 1
        assert MonthlyTopTitle.objects.filter(snapshot=snapshot).count() == 1
