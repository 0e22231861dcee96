"""The reading room's class timetable (阅览编排顺序, issue 14 point 13): a term's week generated
from the room's opening hours and the classes, fair by grade, within the room's seats, changed
by hand, published to the head teachers (the term's class sessions booked), taken back, and
printed per room and per class."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Location
from circulation.exceptions import StateRefused, TimetableRefused
from circulation.models import ClassSession, Reader, RoomTimetable, Term, TimetableSlot
from circulation.registries import reader_page_section_register
from circulation.selectors.timetables import timetable_grid, timetable_section
from circulation.services.rooms import opening_hours_add
from circulation.services.timetables import (
    fair_order,
    grades_parse,
    timetable_generate,
    timetable_publish,
    timetable_reopen,
    timetable_slot_assign,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import user_with_role

from .factories import ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def room():
    room = Location.objects.create(name="第一阅览室", kind=Location.Kind.READING_ROOM)
    for weekday in (1, 2, 3):  # Monday to Wednesday, two 40-minute periods each
        opening_hours_add(
            room=room, weekday=weekday, opens_at=datetime.time(14), closes_at=datetime.time(15, 30)
        )
    return room


@pytest.fixture
def term():
    today = timezone.localdate()
    return Term.objects.create(
        name="下学期",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=27),
        hard_due_on=today + datetime.timedelta(days=20),
    )


def classes(grades=(3, 4, 5), per_grade=2):
    made = {}
    for grade in grades:
        for number in range(1, per_grade + 1):
            made[(grade, number)] = SchoolClassFactory(grade=grade, number=number)
    return made


def test_the_week_is_cut_into_periods_and_classes_are_dealt_out_fairly_by_grade(room, term):
    made = classes()
    timetable = timetable_generate(room=room, term=term, seats=50, user=None)

    slots = list(timetable.slots.order_by("weekday", "period"))
    assert [(slot.weekday, slot.period, f"{slot.starts_at:%H:%M}", f"{slot.ends_at:%H:%M}") for slot in slots] == [
        (1, 1, "14:00", "14:40"), (1, 2, "14:50", "15:30"),
        (2, 1, "14:00", "14:40"), (2, 2, "14:50", "15:30"),
        (3, 1, "14:00", "14:40"), (3, 2, "14:50", "15:30"),
    ]  # fmt: skip
    given = {(slot.weekday, slot.period): slot.school_class for slot in slots}
    # Every day's first period first, the grades in turns: 3, 4, 5, then 4, 5, 3.
    assert given == {
        (1, 1): made[(3, 1)], (2, 1): made[(4, 1)], (3, 1): made[(5, 1)],
        (1, 2): made[(4, 2)], (2, 2): made[(5, 2)], (3, 2): made[(3, 2)],
    }  # fmt: skip
    # Parallel classes come on different days.
    for grade in (3, 4, 5):
        days = {slot.weekday for slot in slots if slot.school_class.grade == grade}
        assert len(days) == 2


def test_with_too_few_periods_every_grade_waits_alike_and_a_fortnight_gives_room_for_all(room, term):
    classes(grades=(3, 4, 5), per_grade=4)  # 12 classes, 6 periods a week
    weekly = timetable_generate(room=room, term=term, seats=50)
    grid = timetable_grid(weekly)
    left = sorted(item["school_class"].grade for item in grid["unplaced"])
    assert left == [3, 3, 4, 4, 5, 5]

    fortnightly = timetable_generate(room=room, term=term, seats=50, every=RoomTimetable.Every.FORTNIGHT)
    assert fortnightly.pk == weekly.pk
    assert fortnightly.slots.filter(school_class__isnull=False).count() == 12
    assert set(fortnightly.slots.values_list("week", flat=True)) == {
        TimetableSlot.Week.A,
        TimetableSlot.Week.B,
    }
    assert timetable_grid(fortnightly)["unplaced"] == []


def test_a_class_larger_than_the_room_gets_no_period_and_cannot_be_put_in_by_hand(room, term):
    big = SchoolClassFactory(grade=3, number=1)
    for _ in range(3):
        ReaderFactory(school_class=big)
    small = SchoolClassFactory(grade=3, number=2)
    timetable = timetable_generate(room=room, term=term, seats=2)
    assert list(timetable.slots.exclude(school_class=None).values_list("school_class", flat=True)) == [
        small.pk
    ]
    (item,) = timetable_grid(timetable)["unplaced"]
    assert item["school_class"] == big and "3 pupils" in item["reason"]

    free = timetable.slots.filter(school_class=None).first()
    with pytest.raises(TimetableRefused):
        timetable_slot_assign(slot=free, school_class=big)
    free.refresh_from_db()
    assert free.school_class is None


def test_a_class_moved_by_hand_swaps_with_the_class_of_that_period(room, term):
    made = classes(grades=(3,), per_grade=2)
    timetable = timetable_generate(room=room, term=term, seats=50)
    first = timetable.slots.get(school_class=made[(3, 1)])
    second = timetable.slots.get(school_class=made[(3, 2)])
    librarian = user_with_role(Role.LIBRARIAN)

    timetable_slot_assign(slot=first, school_class=made[(3, 2)], user=librarian)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.school_class, second.school_class) == (made[(3, 2)], made[(3, 1)])
    assert first.adjusted_by == librarian and second.adjusted_at is not None


def test_a_class_is_not_put_in_two_rooms_at_once(room, term):
    made = classes(grades=(3,), per_grade=1)
    timetable_generate(room=room, term=term, seats=50)
    other = Location.objects.create(name="第二阅览室", kind=Location.Kind.READING_ROOM)
    opening_hours_add(room=other, weekday=1, opens_at=datetime.time(14), closes_at=datetime.time(14, 40))
    second = timetable_generate(room=other, term=term, seats=50)
    assert second.slots.get().school_class is None  # Monday 14:00 is the class's in the first room
    with pytest.raises(TimetableRefused):
        timetable_slot_assign(slot=second.slots.get(), school_class=made[(3, 1)])


def test_publishing_books_the_terms_sessions_and_taking_it_back_cancels_the_coming_ones(room, term):
    made = classes(grades=(3,), per_grade=1)
    timetable = timetable_generate(room=room, term=term, seats=50)
    slot = timetable.slots.get(school_class=made[(3, 1)])
    days = [
        term.starts_on + datetime.timedelta(days=offset)
        for offset in range((term.ends_on - term.starts_on).days + 1)
        if (term.starts_on + datetime.timedelta(days=offset)).isoweekday() == slot.weekday
    ]

    result = timetable_publish(timetable=timetable)

    assert result == {"booked": len(days), "skipped": 0}
    sessions = ClassSession.objects.booked().filter(room=room, school_class=made[(3, 1)])
    assert sorted(sessions.values_list("date", flat=True)) == days
    assert set(sessions.values_list("period", flat=True)) == {slot.period}
    with pytest.raises(TimetableRefused):
        timetable_slot_assign(slot=slot, school_class=None)
    with pytest.raises(StateRefused):
        timetable_publish(timetable=timetable)

    cancelled = timetable_reopen(timetable=timetable)

    assert cancelled == len(days)
    assert ClassSession.objects.booked().filter(room=room).count() == 0
    assert ClassSession.objects.filter(room=room, status=ClassSession.Status.CANCELLED).count() == len(days)
    timetable.refresh_from_db()
    assert timetable.state == RoomTimetable.State.DRAFT


def test_refusals_change_nothing(room, term):
    with pytest.raises(TimetableRefused):
        grades_parse("三年级")
    stacks = Location.objects.get(kind=Location.Kind.STACKS)
    with pytest.raises(TimetableRefused):
        timetable_generate(room=stacks, term=term, seats=50)
    with pytest.raises(TimetableRefused):
        timetable_generate(room=room, term=term, seats=50, period_minutes=120)  # no 120-minute span
    assert RoomTimetable.objects.count() == 0


def test_fair_order_turns_the_grades():
    made = classes(grades=(1, 2), per_grade=2)
    order = fair_order(made.values())
    assert [(item.grade, item.number) for item in order] == [(1, 1), (2, 1), (2, 2), (1, 2)]


# --- the pages --------------------------------------------------------------------------------


def test_the_librarian_makes_changes_and_publishes_in_the_pages(
    client, room, term, django_assert_max_num_queries
):
    made = classes(grades=(3, 4), per_grade=2)
    client.force_login(user_with_role(Role.LIBRARIAN))
    response = client.post(
        reverse("circulation:timetable-list"),
        {
            "room": room.pk,
            "term": term.pk,
            "every": 1,
            "period_minutes": 40,
            "break_minutes": 10,
            "seats": 50,
            "grades": "3-4",
        },
    )
    timetable = RoomTimetable.objects.get()
    assert response.status_code == 302 and timetable.grades == "3,4"
    with django_assert_max_num_queries(12):
        page = client.get(reverse("circulation:timetable-detail", args=[timetable.pk])).content.decode()
    assert page.count("data-slot=") == 6 and made[(3, 1)].name in page

    slot = timetable.slots.filter(school_class=None).first()
    client.post(
        reverse("circulation:timetable-slot-assign", args=[slot.pk]), {"school_class": made[(4, 2)].pk}
    )
    slot.refresh_from_db()
    assert slot.school_class == made[(4, 2)]
    client.post(reverse("circulation:timetable-publish", args=[timetable.pk]))
    timetable.refresh_from_db()
    assert timetable.is_published
    for kind in ("room", "classes"):
        pdf = client.get(reverse("circulation:timetable-pdf", args=[timetable.pk]) + f"?for={kind}")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_head_teacher_sees_and_prints_only_their_own_class(client, room, term):
    head = ReaderFactory(kind=Reader.Kind.TEACHER)
    other_head = ReaderFactory(kind=Reader.Kind.TEACHER)
    mine = SchoolClassFactory(grade=3, number=1, head_teacher=head.user)
    theirs = SchoolClassFactory(grade=3, number=2, head_teacher=other_head.user)
    timetable = timetable_generate(room=room, term=term, seats=50)
    client.force_login(head.user)
    own = reverse("circulation:timetable-class-pdf", args=[timetable.pk, mine.pk])
    assert client.get(own).status_code == 404  # not published yet
    assert timetable_section(head) is None

    timetable_publish(timetable=timetable)

    assert client.get(own).content.startswith(b"%PDF")
    assert (
        client.get(reverse("circulation:timetable-class-pdf", args=[timetable.pk, theirs.pk])).status_code
        == 404
    )
    assert client.get(reverse("circulation:timetable-detail", args=[timetable.pk])).status_code == 403
    with reader_page_section_register(timetable_section):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        home = client.get(reverse("circulation:my-library")).content.decode()
    slot = timetable.slots.get(school_class=mine)
    assert f"{mine.name}: 第一阅览室" in home and f"period {slot.period}" in home
    assert theirs.name not in home
