"""Definitions the library accounts for are ended, withdrawn or cancelled, with who and why, and
never deleted: class sessions, opening hours and closed periods, in the services, the pages and
the back office."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from catalog.models import LabelSheet, Location
from circulation.exceptions import StateRefused
from circulation.models import ClassSession, ClosedPeriod, OpeningHours
from circulation.policies import lending_rules
from circulation.services.policies import closed_period_withdraw
from circulation.services.rooms import (
    class_session_book,
    class_session_cancel,
    opening_hours_add,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    return Location.objects.create(name="第一阅览室", kind=Location.Kind.READING_ROOM)


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


def test_a_cancelled_session_stays_cancelled_with_who_and_why_and_frees_its_period(room, librarian):
    day = timezone.localdate() + datetime.timedelta(days=3)
    school_class = SchoolClassFactory()
    session = class_session_book(room=room, school_class=school_class, date=day, period=2)

    class_session_cancel(session=session, cancelled_by=librarian, reason="运动会")

    session.refresh_from_db()
    assert (session.status, session.cancelled_by, session.cancel_reason) == (
        ClassSession.Status.CANCELLED,
        librarian,
        "运动会",
    )
    assert session.cancelled_at is not None
    assert not ClassSession.objects.held().filter(pk=session.pk).exists()
    with pytest.raises(StateRefused):
        class_session_cancel(session=session, cancelled_by=librarian)
    again = class_session_book(room=room, school_class=school_class, date=day, period=2)
    assert ClassSession.objects.filter(room=room, date=day, period=2).count() == 2
    assert list(ClassSession.objects.booked().filter(room=room, date=day)) == [again]


def test_the_timetable_page_cancels_without_deleting(client, room, librarian):
    client.force_login(librarian)
    session = class_session_book(
        room=room, school_class=SchoolClassFactory(), date=timezone.localdate(), period=1
    )
    client.post(reverse("circulation:class-session-cancel", args=[session.pk]), {"reason": "停电"})
    session.refresh_from_db()
    assert (session.status, session.cancelled_by, session.cancel_reason) == ("cancelled", librarian, "停电")
    week = client.get(reverse("circulation:room-week", args=[room.pk])).content.decode()
    assert reverse("circulation:class-session-cancel", args=[session.pk]) not in week


def test_opening_hours_are_ended_and_kept_and_no_longer_count(client, room, librarian):
    client.force_login(librarian)
    hours = opening_hours_add(room=room, weekday=1, opens_at=datetime.time(8), closes_at=datetime.time(12))
    client.post(reverse("circulation:opening-hours-remove", args=[hours.pk]), {"reason": "改为下午开放"})
    hours.refresh_from_db()
    assert (hours.ended_by, hours.end_reason) == (librarian, "改为下午开放")
    assert hours.ended_at is not None
    assert OpeningHours.objects.count() == 1
    assert not OpeningHours.objects.current().exists()
    # The same span can be kept again afterwards: ended hours no longer overlap.
    opening_hours_add(room=room, weekday=1, opens_at=datetime.time(8), closes_at=datetime.time(12))
    assert OpeningHours.objects.current().count() == 1


def test_a_closed_period_is_withdrawn_and_kept_and_due_dates_no_longer_avoid_it(librarian):
    start = timezone.localdate() + datetime.timedelta(days=10)
    period = ClosedPeriod.objects.create(
        name="国庆节", starts_on=start, ends_on=start + datetime.timedelta(days=6)
    )
    assert lending_rules().periods == [(period.starts_on, period.ends_on)]

    closed_period_withdraw(period=period, withdrawn_by=librarian, reason="放假安排调整")

    period.refresh_from_db()
    assert (period.withdrawn_by, period.withdraw_reason) == (librarian, "放假安排调整")
    assert ClosedPeriod.objects.count() == 1
    assert lending_rules().periods == []


def test_the_policies_page_withdraws_a_closed_period_instead_of_deleting_it(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(administrator)
    period = ClosedPeriod.objects.create(
        name="劳动节", starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    client.post(reverse("circulation:closed-delete", args=[period.pk]))
    period.refresh_from_db()
    assert period.withdrawn_by == administrator
    assert "劳动节" not in client.get(reverse("circulation:policies")).content.decode()


@pytest.mark.parametrize(
    "model",
    [ClassSession, OpeningHours, ClosedPeriod, LabelSheet],
    ids=lambda model: model.__name__,
)
def test_the_back_office_cannot_delete_these_definitions(client, model):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_superuser=True))
    meta = model._meta
    changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert admin.site._registry[model].has_delete_permission(changelist.wsgi_request) is False
