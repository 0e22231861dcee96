"""The service team's check-in at the room's door (a kiosk the librarian opens for a room of the
rota), the scheduled job that marks missed shifts (a real run of the task, recorded in JobRun),
and 本班图书角 in the menu of the class's pupil librarian (issue 18)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Location
from circulation.tests.factories import SchoolClassFactory
from library_site.accounts.navigation import menu_for, menu_keys
from library_site.system.jobs import job_get
from library_site.system.models import JobRun

from ..exceptions import ShiftRefused
from ..models import Shift
from ..services.corners import corner_for_class, corner_keeper_set
from ..services.team import (
    rota_slot_save,
    shift_door_scan,
    shift_scan,
    shifts_mark_missed_scheduled,
    team_member_add,
)
from ..tasks import mark_missed_shifts_task
from .factories import librarian, pupil, teacher

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def staff():
    return librarian()


@pytest.fixture
def rooms():
    stacks = Location.objects.filter(kind=Location.Kind.STACKS).first()
    reading = Location.objects.create(name="二楼阅览室", kind=Location.Kind.READING_ROOM)
    return stacks, reading


@pytest.fixture
def member(staff):
    return team_member_add(reader=pupil(grade=5), joined_on=date(2026, 9, 1), user=staff)


def _card(member) -> str:
    return member.reader.cards.get(status="active").number


def _slot_now(staff, room, members, *, weekday=None, minutes_ago=1):
    now = timezone.localtime()
    start = (now - timedelta(minutes=minutes_ago)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).time() if now.hour < 22 else time(23, 59)
    return rota_slot_save(
        weekday=now.weekday() if weekday is None else weekday,
        starts_at=start,
        ends_at=end,
        room=room,
        members=members,
        user=staff,
    )


# --- the service: the room's door -------------------------------------------------------------


def test_at_the_door_a_card_checks_the_member_in_then_out_of_this_rooms_shift(staff, rooms, member):
    stacks, _reading = rooms
    rota_slot_save(weekday=0, starts_at=time(12), ends_at=time(13), room=stacks, members=[member], user=staff)

    shift, direction = shift_door_scan(
        room=stacks, scan=f" {_card(member).lower()}\n", user=staff, at=_at(MONDAY, 12, 2)
    )
    assert (direction, shift.state, shift.slot.room) == ("in", Shift.State.PRESENT, stacks)

    shift, direction = shift_door_scan(room=stacks, scan=_card(member), user=staff, at=_at(MONDAY, 12, 58))
    assert direction == "out"
    assert Shift.objects.get().checked_out_at == _at(MONDAY, 12, 58)


def test_the_door_refuses_with_a_clear_message_and_changes_nothing(staff, rooms, member):
    stacks, reading = rooms
    rota_slot_save(weekday=0, starts_at=time(12), ends_at=time(13), room=stacks, members=[member], user=staff)
    stranger = pupil(grade=4)
    name = member.reader.name

    def refusal(room, scan, hour, minute=0):
        with pytest.raises(ShiftRefused) as error, translation.override("en"):
            shift_door_scan(room=room, scan=scan, user=staff, at=_at(MONDAY, hour, minute))
        return str(error.value.message)

    assert refusal(stacks, "", 12) == "Scan your library card."
    assert refusal(stacks, "R9999999", 12) == "R9999999 is not a library card."
    assert (
        refusal(stacks, stranger.cards.get().number, 12)
        == f"{stranger.name} is not a member of the service team."
    )
    assert refusal(stacks, _card(member), 9) == f"{name} has no shift at this time."
    assert (
        refusal(reading, _card(member), 12) == f"{name}'s shift at this time is in {stacks.name}, not here."
    )
    assert Shift.objects.count() == 0

    shift_door_scan(room=stacks, scan=_card(member), user=staff, at=_at(MONDAY, 12, 0))
    assert refusal(reading, _card(member), 12, 30) == (
        f"{name} is on a shift in {stacks.name}: check out at that room's door or at the desk."
    )
    assert Shift.objects.get().checked_out_at is None
    shift_door_scan(room=stacks, scan=_card(member), user=staff, at=_at(MONDAY, 12, 40))
    assert refusal(stacks, _card(member), 12, 45) == f"{name} has already checked in and out of this shift."
    assert Shift.objects.count() == 1


def test_a_blocked_card_is_refused_at_the_door(staff, rooms, member):
    stacks, _reading = rooms
    rota_slot_save(weekday=0, starts_at=time(12), ends_at=time(13), room=stacks, members=[member], user=staff)
    card = member.reader.cards.get()
    type(card).objects.filter(pk=card.pk).update(status="blocked")
    with pytest.raises(ShiftRefused, match="blocked"), translation.override("en"):
        shift_door_scan(room=stacks, scan=card.number, user=staff, at=_at(MONDAY, 12, 0))
    assert Shift.objects.count() == 0


# --- the page ---------------------------------------------------------------------------------


def test_the_door_page_is_a_kiosk_that_answers_in_place(client, staff, rooms, member):
    stacks, _reading = rooms
    _slot_now(staff, stacks, [member])
    client.force_login(staff)
    url = reverse("activities:team-door", args=[stacks.pk])

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="scan"' in page and "autofocus" in page and "data-keep-focus" in page
    assert "data-reset-after-request" in page
    assert f'data-today-member="{member.pk}" data-state="waiting"' in page

    answer = client.post(url, {"scan": _card(member)}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in answer
    assert 'data-door-answer="in"' in answer and member.reader.name in answer
    assert f'data-today-member="{member.pk}" data-state="present"' in answer  # the list, out of band
    assert Shift.objects.get().checked_in_at is not None

    again = client.post(url, {"scan": "R9999999"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and "data-refusal" in again.content.decode()

    # Without JavaScript: the whole page, the refusal with 422.
    plain = client.post(url, {"scan": "NOPE"})
    assert plain.status_code == 422 and "<html" in plain.content.decode()

    out = client.post(url, {"scan": _card(member)}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-door-answer="out"' in out
    assert Shift.objects.get().checked_out_at is not None


def test_only_the_librarian_opens_the_door_page_and_only_for_a_room_of_the_rota(client, staff, rooms, member):
    stacks, reading = rooms
    _slot_now(staff, stacks, [member])
    url = reverse("activities:team-door", args=[stacks.pk])
    volunteer = member.reader.user
    for user in (volunteer, pupil(grade=3).user, teacher().user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"scan": _card(member)}).status_code == 403
    assert Shift.objects.count() == 0
    client.logout()
    assert client.get(url).status_code == 302

    client.force_login(staff)
    assert client.get(reverse("activities:team-door", args=[reading.pk])).status_code == 404
    rota = client.get(reverse("activities:team-rota")).content.decode()
    assert f'data-door-link="{stacks.pk}"' in rota and f'data-door-link="{reading.pk}"' not in rota


# --- the scheduled job ------------------------------------------------------------------------


def test_missed_shifts_are_a_registered_job_on_the_beat_schedule():
    job = job_get("mark_missed_shifts")
    assert job is not None and job.task == "activities.tasks.mark_missed_shifts_task" and job.takes_date
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == job.task]
    assert len(entries) == 1 and entries[0]["schedule"] == timedelta(minutes=30)


def test_a_real_run_of_the_job_marks_the_missed_shifts_once_and_is_recorded(staff, rooms, member):
    stacks, _reading = rooms
    present = team_member_add(reader=pupil(grade=4), joined_on=date(2026, 9, 1), user=staff)
    joined_later = team_member_add(reader=pupil(grade=4), joined_on=date(2026, 11, 10), user=staff)
    rota_slot_save(
        weekday=0,
        starts_at=time(12),
        ends_at=time(13),
        room=stacks,
        members=[member, present, joined_later],
        user=staff,
    )
    shift_scan(reader=present.reader, user=None, at=_at(MONDAY, 12, 0))

    first = mark_missed_shifts_task.apply(kwargs={"param": MONDAY.isoformat()}).get()
    second = mark_missed_shifts_task.apply(kwargs={"param": MONDAY.isoformat()}).get()

    assert first == {"days": 1, "missed": 1}
    assert second == {"days": 1, "missed": 0}
    assert list(Shift.objects.filter(state=Shift.State.MISSED).values_list("member", flat=True)) == [
        member.pk
    ]
    assert Shift.objects.get(member=present).state == Shift.State.PRESENT
    assert not Shift.objects.filter(member=joined_later).exists()
    runs = list(
        JobRun.objects.filter(key="mark_missed_shifts").order_by("pk").values_list("state", "param", "result")
    )
    assert runs == [
        ("succeeded", "2026-11-02", {"days": 1, "missed": 1}),
        ("succeeded", "2026-11-02", {"days": 1, "missed": 0}),
    ]


def test_the_beat_run_marks_today_s_shifts_already_over_and_yesterday_s_not_the_ones_under_way(
    staff, rooms, member
):
    stacks, _reading = rooms
    sunday = MONDAY - timedelta(days=1)
    over = rota_slot_save(
        weekday=0, starts_at=time(12), ends_at=time(13), room=stacks, members=[member], user=staff
    )
    under_way = rota_slot_save(
        weekday=0, starts_at=time(14), ends_at=time(15), room=stacks, members=[member], user=staff
    )
    last_night = rota_slot_save(
        weekday=6, starts_at=time(20), ends_at=time(21), room=stacks, members=[member], user=staff
    )

    result = shifts_mark_missed_scheduled(now=_at(MONDAY, 14, 10))

    assert result == {"days": 2, "missed": 2}
    assert set(Shift.objects.values_list("slot", "day", "state")) == {
        (over.pk, MONDAY, Shift.State.MISSED),
        (last_night.pk, sunday, Shift.State.MISSED),
    }
    assert not Shift.objects.filter(slot=under_way).exists()
    assert shifts_mark_missed_scheduled(now=_at(MONDAY, 14, 40)) == {"days": 2, "missed": 0}
    assert shifts_mark_missed_scheduled(now=_at(MONDAY, 15, 10)) == {"days": 2, "missed": 1}


def test_a_real_beat_run_without_a_day_looks_at_yesterday_and_today(staff, rooms, member):
    stacks, _reading = rooms
    yesterday = timezone.localdate() - timedelta(days=1)
    rota_slot_save(
        weekday=yesterday.weekday(),
        starts_at=time(20),
        ends_at=time(21),
        room=stacks,
        members=[member],
        user=staff,
    )

    assert mark_missed_shifts_task.apply().get() == {"days": 2, "missed": 1}
    assert mark_missed_shifts_task.apply().get() == {"days": 2, "missed": 0}

    assert list(Shift.objects.values_list("day", "state")) == [(yesterday, Shift.State.MISSED)]
    assert JobRun.objects.filter(key="mark_missed_shifts", param="", state="succeeded").count() == 2


def test_the_shifts_page_button_runs_the_same_marking_now(client, staff, rooms, member):
    stacks, _reading = rooms
    rota_slot_save(weekday=0, starts_at=time(12), ends_at=time(13), room=stacks, members=[member], user=staff)
    client.force_login(staff)
    client.post(reverse("activities:team-shifts"), {"day": MONDAY.isoformat()})
    client.post(reverse("activities:team-shifts"), {"day": MONDAY.isoformat()})
    assert Shift.objects.filter(state=Shift.State.MISSED).count() == 1
    client.force_login(member.reader.user)
    assert client.post(reverse("activities:team-shifts"), {"day": "2026-11-09"}).status_code == 403


# --- 本班图书角 in the pupil librarian's menu ------------------------------------------------


def test_the_class_s_pupil_librarian_and_head_teacher_see_our_corner_in_their_menu_and_nobody_else(
    client, staff
):
    head = teacher()
    school_class = SchoolClassFactory(grade=3, number=1, head_teacher=head.user)
    corner = corner_for_class(school_class=school_class, user=staff)
    keeper, classmate = pupil(school_class=school_class), pupil(school_class=school_class)
    other_class = SchoolClassFactory(grade=3, number=2)
    other_corner = corner_for_class(school_class=other_class, user=staff)
    corner_keeper_set(corner=corner, keeper=keeper, user=staff)

    assert "my-corner" in menu_keys(menu_for(type(keeper.user).objects.get(pk=keeper.user.pk)))
    assert "my-corner" in menu_keys(menu_for(type(head.user).objects.get(pk=head.user.pk)))
    assert "my-corner" not in menu_keys(menu_for(classmate.user))
    assert "my-corner" not in menu_keys(menu_for(teacher().user))
    assert "my-corner" not in menu_keys(menu_for(staff))  # the librarian has 班级图书角 instead

    client.force_login(keeper.user)
    with translation.override("zh-hans"):
        home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "本班图书角" in home
    assert client.get(reverse("activities:corners")).url == reverse("activities:corner", args=[corner.pk])
    assert client.get(reverse("activities:corner", args=[corner.pk])).status_code == 200
    assert client.get(reverse("activities:corner", args=[other_corner.pk])).status_code == 404

    client.force_login(classmate.user)
    assert client.get(reverse("activities:corners")).status_code == 404
    assert client.get(reverse("activities:corner", args=[corner.pk])).status_code == 404


def test_a_pupil_librarian_moved_to_another_class_keeps_no_right_over_the_old_corner(client, staff):
    school_class = SchoolClassFactory(grade=3, number=1)
    corner = corner_for_class(school_class=school_class, user=staff)
    keeper = pupil(school_class=school_class)
    corner_keeper_set(corner=corner, keeper=keeper, user=staff)
    type(keeper).objects.filter(pk=keeper.pk).update(school_class=SchoolClassFactory(grade=4, number=1))

    assert "my-corner" not in menu_keys(menu_for(keeper.user))
    client.force_login(keeper.user)
    assert client.get(reverse("activities:corner", args=[corner.pk])).status_code == 404
