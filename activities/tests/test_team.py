"""The student service team (issue 18): members with the volunteer role, the rota, check in and
out by card at the desk (circulation's desk-mode registry, from the activities side), late and
missed shifts, the work log with desk actions counted, meetings, the monthly rating and the
best member, and who may see what."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Location
from circulation.models import DeskAction
from circulation.registries import desk_mode_get
from library_site.accounts.roles import Role

from ..exceptions import RatingRefused, ShiftRefused, TeamRefused
from ..models import BestMember, MonthlyRating, RatingCriterion, Shift, ShiftWork, TeamMember
from ..selectors.team import month_ratings, team_best_member_of_month, team_register_rows
from ..services.team import (
    best_member_record,
    meeting_record,
    month_rate,
    rota_slot_save,
    shift_scan,
    shift_work_log,
    shifts_mark_missed,
    team_member_add,
    team_member_leave,
    training_record,
)
from .factories import administrator, librarian, pupil, teacher

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def staff():
    return librarian()


@pytest.fixture
def member(staff):
    return team_member_add(reader=pupil(grade=5), joined_on=date(2026, 9, 1), user=staff)


@pytest.fixture
def slot(staff, member):
    room = Location.objects.filter(kind=Location.Kind.STACKS).first()
    return rota_slot_save(
        weekday=0, starts_at=time(12, 0), ends_at=time(13, 0), room=room, members=[member], user=staff
    )


def test_joining_gives_the_volunteer_role_and_leaving_takes_it_back(staff, member):
    account = member.reader.user
    account.refresh_from_db()
    assert account.has_role(Role.VOLUNTEER)
    assert account.has_role(Role.STUDENT)

    team_member_leave(member=member, user=staff, left_on=date(2026, 12, 1))

    account = type(account).objects.get(pk=account.pk)
    assert not account.has_role(Role.VOLUNTEER)
    assert account.has_role(Role.STUDENT)
    assert TeamMember.objects.get(pk=member.pk).left_on == date(2026, 12, 1)


def test_a_teacher_or_a_member_already_on_cannot_join(staff, member):
    with pytest.raises(TeamRefused):
        team_member_add(reader=teacher(), user=staff)
    with pytest.raises(TeamRefused):
        team_member_add(reader=member.reader, user=staff)
    assert TeamMember.objects.count() == 1


def test_check_in_on_time_then_out_counts_the_members_desk_actions(slot, member):
    shift, direction = shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 11, 55))
    assert (direction, shift.state) == ("in", Shift.State.PRESENT)
    for minute in (10, 20, 30):
        DeskAction.objects.create(
            user=member.reader.user, action=DeskAction.Action.CHECKOUT, at=_at(MONDAY, 12, minute)
        )
    DeskAction.objects.create(user=member.reader.user, action=DeskAction.Action.SCAN, at=_at(MONDAY, 12, 31))
    DeskAction.objects.create(
        user=member.reader.user,
        action=DeskAction.Action.RETURN,
        outcome=DeskAction.Outcome.REFUSED,
        at=_at(MONDAY, 12, 32),
    )
    DeskAction.objects.create(user=member.reader.user, action=DeskAction.Action.RETURN, at=_at(MONDAY, 14, 0))

    shift, direction = shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 13, 2))

    assert direction == "out"
    assert shift.desk_actions == 3


def test_a_late_check_in_is_marked_late(slot, member):
    shift, _direction = shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 20))
    assert shift.state == Shift.State.LATE


def test_outside_any_shift_a_non_member_and_a_double_check_in_are_refused(slot, member):
    with pytest.raises(ShiftRefused) as error:
        shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 9, 0))
    assert member.reader.name in str(error.value.message)
    with pytest.raises(ShiftRefused):
        shift_scan(reader=pupil(grade=5), user=None, at=_at(MONDAY, 12, 0))
    shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 0))
    shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 50))
    with pytest.raises(ShiftRefused):
        shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 55))
    assert Shift.objects.count() == 1


def test_missed_shifts_are_marked_once(staff, slot, member):
    assert shifts_mark_missed(day=MONDAY, user=staff) == 1
    assert shifts_mark_missed(day=MONDAY, user=staff) == 0
    assert Shift.objects.get().state == Shift.State.MISSED
    with pytest.raises(ShiftRefused):
        shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 10))


def test_the_work_log_by_the_member_or_the_librarian_and_not_another_pupil(staff, slot, member):
    shift, _direction = shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 0))
    shift_work_log(shift=shift, kind=ShiftWork.Kind.SHELVING, books=35, user=member.reader.user)
    shift_work_log(shift=shift, kind=ShiftWork.Kind.DESK, user=staff)
    with pytest.raises(ShiftRefused):
        shift_work_log(shift=shift, kind=ShiftWork.Kind.SHELVING, books=5, user=pupil(grade=5).user)
    with pytest.raises(ShiftRefused):
        shift_work_log(shift=shift, kind=ShiftWork.Kind.SHELVING, books=-1, user=staff)
    assert ShiftWork.objects.count() == 2


def test_training_and_meeting_with_attendance(staff, member):
    session = training_record(
        held_on=MONDAY, topic="图书分类法", trainer="王老师", attendees=[member], user=staff
    )
    meeting = meeting_record(held_on=MONDAY, minutes="十一月工作总结", attendees=[member], user=staff)
    assert list(session.attendees.all()) == [member]
    assert list(meeting.attendees.all()) == [member]
    with pytest.raises(TeamRefused):
        training_record(held_on=MONDAY, topic="", trainer="王老师", attendees=[], user=staff)


def _criteria():
    return [
        RatingCriterion.objects.create(name="出勤", max_score=10, position=1),
        RatingCriterion.objects.create(name="工作质量", max_score=20, position=2),
    ]


def test_the_monthly_rating_refuses_a_score_outside_the_scale_and_keeps_the_others(staff, member):
    attendance, quality = _criteria()
    month = date(2026, 11, 1)
    with pytest.raises(RatingRefused) as error:
        month_rate(member=member, month=month, scores={attendance.pk: 8, quality.pk: 21}, user=staff)
    assert "20" in str(error.value.message)
    assert MonthlyRating.objects.count() == 0

    assert month_rate(member=member, month=month, scores={attendance.pk: 8, quality.pk: 18}, user=staff) == 26


def test_the_best_member_is_the_highest_total_and_the_selector_proposes_them(staff, member):
    attendance, quality = _criteria()
    other = team_member_add(reader=pupil(grade=4), joined_on=date(2026, 9, 1), user=staff)
    month = date(2026, 11, 1)
    month_rate(member=member, month=month, scores={attendance.pk: 8, quality.pk: 18}, user=staff)
    month_rate(member=other, month=month, scores={attendance.pk: 10, quality.pk: 19}, user=staff)
    assert team_best_member_of_month(date(2026, 11, 15)) is None

    best = best_member_record(month=date(2026, 11, 20), user=staff)

    assert (best.member, best.total) == (other, 29)
    assert team_best_member_of_month(date(2026, 11, 3)) == BestMember.objects.get()
    table = month_ratings(month)
    assert [row["total"] for row in table["rows"]] == [26, 29] or [row["total"] for row in table["rows"]] == [
        29,
        26,
    ]


def test_only_the_administrator_sets_criteria(client, staff):
    client.force_login(staff)
    assert client.get(reverse("activities:team-criteria")).status_code == 403
    client.force_login(administrator())
    response = client.post(
        reverse("activities:team-criteria"),
        {"name": "态度", "max_score": 5, "position": 1, "is_active": "on"},
    )
    assert response.status_code == 302
    assert RatingCriterion.objects.get().max_score == 5


def test_a_member_sees_their_own_shifts_and_ratings_and_nobody_elses(client, staff, slot, member):
    attendance, quality = _criteria()
    month_rate(member=member, month=date(2026, 11, 1), scores={attendance.pk: 7, quality.pk: 11}, user=staff)
    shift, _direction = shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 0))
    other = team_member_add(reader=pupil(grade=4), user=staff)
    client.force_login(member.reader.user)

    mine = client.get(reverse("activities:team-mine"))
    assert mine.status_code == 200
    assert "工作质量 11/20" in mine.content.decode()
    assert client.get(reverse("activities:team-shift", args=[shift.pk])).status_code == 200

    client.force_login(other.reader.user)
    assert client.get(reverse("activities:team-shift", args=[shift.pk])).status_code == 404
    assert "工作质量 11" not in client.get(reverse("activities:team-mine")).content.decode()
    assert client.get(reverse("activities:team-ratings")).status_code == 403
    client.force_login(teacher().user)
    assert client.get(reverse("activities:team-mine")).status_code == 404


def test_the_rating_page_posts_a_score_outside_the_scale_and_says_so(client, staff, member):
    attendance, quality = _criteria()
    client.force_login(staff)
    response = client.post(
        reverse("activities:team-rate", args=["2026-11", member.pk]),
        {f"score-{attendance.pk}": "11", f"score-{quality.pk}": "5"},
        follow=True,
    )
    assert "“出勤”" in response.content.decode()
    assert MonthlyRating.objects.count() == 0


def test_register_g_rows_read_the_shift_and_its_work(staff, slot, member, django_assert_max_num_queries):
    shift, _direction = shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 10))
    shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 13, 0))
    shift_work_log(shift=shift, kind=ShiftWork.Kind.SHELVING, books=40, note="I 类上架", user=staff)
    shift_work_log(shift=shift, kind=ShiftWork.Kind.SHELVING, books=2, user=staff)

    with django_assert_max_num_queries(2):
        rows = list(team_register_rows(MONDAY - timedelta(days=1), MONDAY))

    assert len(rows) == 1
    row = rows[0]
    assert (row["name"], row["state"], row["shelved"], row["time"]) == (
        member.reader.name,
        Shift.State.LATE,
        42,
        "12:00–13:00",
    )
    assert row["checked_in"] == "12:10"
    assert row["notes"] == "I 类上架"


# --- the desk, from the activities side ------------------------------------------------------


def test_the_shift_mode_is_registered_with_the_desk():
    assert desk_mode_get("shift") is not None


def test_a_volunteer_checks_in_by_card_at_the_desk(client, staff, member, monkeypatch):
    now = timezone.localtime()
    start = (now - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).time() if now.hour < 22 else time(23, 59)
    room = Location.objects.filter(kind=Location.Kind.STACKS).first()
    rota_slot_save(
        weekday=now.weekday(), starts_at=start, ends_at=end, room=room, members=[member], user=staff
    )
    card = member.reader.cards.get(status="active")
    client.force_login(staff)

    answer = client.post(reverse("circulation:desk-scan"), {"code": card.number, "mode": "shift"})

    assert answer.status_code == 200
    assert 'data-outcome="done"' in answer.content.decode()
    assert Shift.objects.get().checked_in_at is not None
    assert DeskAction.objects.filter(action=DeskAction.Action.SCAN, reader=member.reader).count() == 1

    stranger = pupil(grade=5).cards.get(status="active")
    refused = client.post(reverse("circulation:desk-scan"), {"code": stranger.number, "mode": "shift"})
    assert 'data-outcome="refused"' in refused.content.decode()
    assert Shift.objects.count() == 1


def test_the_month_s_best_member_is_the_candidate_for_the_service_star_honour(staff, member):
    from ..models import HonourTitle
    from ..services.honours import honour_candidates

    attendance, quality = _criteria()
    other = team_member_add(reader=pupil(grade=4), joined_on=date(2026, 9, 1), user=staff)
    month = date(2026, 11, 1)
    month_rate(member=member, month=month, scores={attendance.pk: 8, quality.pk: 18}, user=staff)
    month_rate(member=other, month=month, scores={attendance.pk: 10, quality.pk: 19}, user=staff)
    title = HonourTitle.objects.get(code="service_star")
    candidates, _text = honour_candidates(title, date(2026, 11, 1), date(2026, 12, 1))
    assert candidates == []  # rated, but nobody recorded as the month's best yet

    best_member_record(month=month, user=staff)
    with translation.override("en"):
        candidates, text = honour_candidates(title, date(2026, 11, 1), date(2026, 12, 1))

    assert [candidate.reader for candidate in candidates] == [other.reader]
    assert "Nov 2026" in candidates[0].basis and "29" in candidates[0].basis
    assert "best member" in text
    # another month's best is not this month's candidate
    assert honour_candidates(title, date(2026, 10, 1), date(2026, 11, 1))[0] == []


def test_another_pupil_cannot_write_in_a_member_s_log_nor_rate_nor_see_the_team(client, staff, slot, member):
    attendance, quality = _criteria()
    shift, _direction = shift_scan(reader=member.reader, user=None, at=_at(MONDAY, 12, 0))
    other = team_member_add(reader=pupil(grade=4), user=staff)
    client.force_login(other.reader.user)

    log = client.post(reverse("activities:team-shift", args=[shift.pk]), {"kind": "shelving", "books": "30"})
    rate = client.post(
        reverse("activities:team-rate", args=["2026-11", other.pk]),
        {f"score-{attendance.pk}": "10", f"score-{quality.pk}": "20"},
    )
    best = client.post(reverse("activities:team-best", args=["2026-11"]))

    assert (log.status_code, rate.status_code, best.status_code) == (404, 403, 403)
    assert ShiftWork.objects.count() == 0
    assert MonthlyRating.objects.count() == 0 and BestMember.objects.count() == 0
    for name in (
        "activities:team",
        "activities:team-shifts",
        "activities:team-rota",
        "activities:team-meetings",
    ):
        assert client.get(reverse(name)).status_code == 403, name

    client.force_login(member.reader.user)
    own = client.post(reverse("activities:team-shift", args=[shift.pk]), {"kind": "shelving", "books": "30"})
    assert own.status_code == 302
    assert list(ShiftWork.objects.values_list("books", "written_by")) == [(30, member.reader.user.pk)]
