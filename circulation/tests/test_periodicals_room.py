"""The periodicals reading room is a reading room (issue 14, point 12): it keeps opening hours
(Sundays too) and visits, and its page shows its weekly hours against the target."""

import datetime

import pytest
from django.urls import reverse

from catalog.models import Location
from circulation.models import OpeningHours, Visit
from circulation.services.rooms import opening_hours_add, visit_record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def periodicals():
    return Location.objects.create(name="报刊阅览室", kind=Location.Kind.PERIODICALS_ROOM)


def test_the_periodicals_room_opens_on_sunday_and_its_page_shows_the_week_against_the_target(
    client, periodicals, settings
):
    settings.READING_ROOM_WEEKLY_TARGET_HOURS = 40
    for weekday in range(1, 6):
        opening_hours_add(
            room=periodicals, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(15)
        )
    opening_hours_add(room=periodicals, weekday=7, opens_at=datetime.time(9), closes_at=datetime.time(14))
    assert OpeningHours.objects.filter(room=periodicals, weekday=7).count() == 1
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    page = client.get(reverse("circulation:room-week", args=[periodicals.pk])).content.decode()
    assert 'data-weekly-hours="40.0"' in page and "text-bg-success" in page
    rooms = client.get(reverse("circulation:room-list")).content.decode()
    assert "报刊阅览室" in rooms


def test_a_visit_to_the_periodicals_room_is_recorded(periodicals):
    reader = ReaderFactory(card_number="R0000101")
    visit, new = visit_record(room=periodicals, scan="R0000101")
    assert new and visit.reader == reader and Visit.objects.filter(room=periodicals).count() == 1


def test_a_class_corner_is_still_not_a_reading_room():
    corner = Location.objects.create(name="三(2)班图书角", kind=Location.Kind.CLASS_CORNER)
    from circulation.exceptions import RoomNotAvailable

    with pytest.raises(RoomNotAvailable):
        opening_hours_add(room=corner, weekday=7, opens_at=datetime.time(9), closes_at=datetime.time(10))
