"""A class session already counted in the monthly statistics, cancelled afterwards, stays as a
cancelled row and a recount gives the figure already reported; one cancelled before its day
never happened and is not counted."""

import datetime

import pytest
from django.utils import timezone

from catalog.models import Location
from circulation.models import ClassSession
from circulation.services.rooms import class_session_book, class_session_cancel
from circulation.tests.factories import SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from reports.services.statistics import monthly_snapshot_compute

pytestmark = pytest.mark.django_db


def test_cancelling_a_counted_session_keeps_it_and_a_recount_gives_the_same_figure():
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    room = Location.objects.create(name="第一阅览室", kind=Location.Kind.READING_ROOM)
    month = datetime.date(2026, 3, 1)
    held = [
        class_session_book(
            room=room, school_class=SchoolClassFactory(), date=month.replace(day=day), period=1
        )
        for day in (3, 4, 5)
    ]
    planned = class_session_book(
        room=room, school_class=SchoolClassFactory(), date=month.replace(day=20), period=2
    )
    # Cancelled the week before its day: it never happened.
    class_session_cancel(session=planned, cancelled_by=librarian, reason="考试周")
    ClassSession.objects.filter(pk=planned.pk).update(
        cancelled_at=timezone.make_aware(datetime.datetime(2026, 3, 13, 9))
    )
    assert monthly_snapshot_compute(month=month, today=datetime.date(2026, 4, 2)).class_sessions == 3

    # In April someone cancels a session of March that took place (and was reported).
    class_session_cancel(session=held[0], cancelled_by=librarian, reason="录入错误")

    assert ClassSession.objects.filter(date__month=3).count() == 4
    cancelled = ClassSession.objects.get(pk=held[0].pk)
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == (
        ClassSession.Status.CANCELLED,
        librarian,
        "录入错误",
    )
    assert monthly_snapshot_compute(month=month, today=datetime.date(2026, 4, 2)).class_sessions == 3
