"""Issue 18 in a browser, the rest: a member checks in and out of a shift at the room's door page
with a barcode scanner only (the box keeps the focus, Enter sends, the answer is big and in
place), and every page of the corners and the service team in Chinese and English, the member's
and the head teacher's pages at a phone's width too (screenshots in test-artifacts/)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Location
from circulation.tests.factories import ReaderFactory, SchoolClassFactory, copies_of
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from ..models import RatingCriterion, Shift, ShiftWork
from ..services.corners import (
    corner_donation_record,
    corner_for_class,
    corner_keeper_set,
    corner_lend,
    corner_lending_record,
    rotation_plan_create,
)
from ..services.team import (
    best_member_record,
    meeting_record,
    month_rate,
    rota_slot_save,
    shift_scan,
    shift_work_log,
    team_member_add,
    training_record,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FOCUSED = "() => document.activeElement && document.activeElement.id === 'scan' && document.activeElement.value === ''"
PHONE = {"width": 390, "height": 844}


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"team-{name}.png"), full_page=True)


def _slot_now(librarian, room, members):
    now = timezone.localtime()
    return rota_slot_save(
        weekday=now.weekday(),
        starts_at=(now - timedelta(minutes=2)).time().replace(second=0, microsecond=0),
        ends_at=min(now + timedelta(hours=1), now.replace(hour=23, minute=59)).time().replace(microsecond=0),
        room=room,
        members=members,
        user=librarian,
    )


def _scan(page, text):
    page.wait_for_function(FOCUSED)
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_a_member_checks_in_and_out_at_the_room_s_door_with_the_scanner_only(page):
    librarian = UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    room = Location.objects.create(name="二楼阅览室", kind=Location.Kind.READING_ROOM)
    volunteer = ReaderFactory(
        full_name="林小雨", card_number="R0000201", school_class=SchoolClassFactory(grade=5)
    )
    stranger = ReaderFactory(
        full_name="张小明", card_number="R0000202", school_class=SchoolClassFactory(grade=4)
    )
    member = team_member_add(reader=volunteer, user=librarian)
    _slot_now(librarian, room, [member])

    browser_login(page, "wanglib", PASSWORD)
    page.goto(reverse("activities:team-rota"))
    page.click(f"[data-door-link='{room.pk}']")
    page.wait_for_url(f"**/team/door/{room.pk}/")
    assert page.locator("[data-today-member]").get_attribute("data-state") == "waiting"

    _scan(page, "R0000201")
    page.locator("[data-door-answer='in']").wait_for()
    assert "林小雨" in page.locator("#door-answer").inner_text()
    assert page.locator("[data-today-member]").get_attribute("data-state") == "present"
    page.wait_for_function(FOCUSED)  # emptied and focused for the next card, no mouse
    shot(page, "door-in-zh")

    _scan(page, "R0000202")
    page.locator("[data-refusal]").wait_for()
    assert "张小明 不是服务队队员" in page.locator("#door-answer").inner_text()
    shot(page, "door-refused-zh")

    _scan(page, "R0000201")
    page.locator("[data-door-answer='out']").wait_for()
    assert page.locator("[data-today-member]").get_attribute("data-state") == "present-out"
    shot(page, "door-out-zh")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    _scan(page, "R0000201")
    page.locator("[data-refusal]").wait_for()
    assert "has already checked in and out of this shift" in page.locator("#door-answer").inner_text()
    shot(page, "door-refused-en")
    assert Shift.objects.get().checked_out_at is not None
    assert stranger.pk and Shift.objects.count() == 1


def test_every_page_of_the_corners_and_the_team_in_both_languages(page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    librarian = UserFactory(
        username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN, Role.ADMINISTRATOR]
    )
    head = ReaderFactory(full_name="陈老师", kind="teacher", school_class=None)
    first = SchoolClassFactory(grade=3, number=1, head_teacher=head.user)
    second = SchoolClassFactory(grade=3, number=2)
    keeper = ReaderFactory(full_name="李小华", school_class=first)
    child = ReaderFactory(full_name="赵小宝", school_class=first)
    corner = corner_for_class(school_class=first, user=librarian)
    corner_for_class(school_class=second, user=librarian)
    corner_keeper_set(corner=corner, keeper=keeper, user=librarian)
    books = copies_of("草房子", count=4)
    corner_lend(corner=corner, barcodes=[copy.barcode for copy in books], user=librarian)
    corner_lending_record(corner=corner, barcode=books[0].barcode, reader=child, user=librarian)
    plan = rotation_plan_create(
        classes=[first, second],
        every_weeks=4,
        starts_on=timezone.localdate() + timedelta(days=7),
        user=librarian,
    )
    corner_donation_record(
        corner=corner, donor=child, lines=[{"title": "小王子", "quantity": 1}], user=librarian
    )
    volunteer = ReaderFactory(
        full_name="林小雨", card_number="R0000201", school_class=SchoolClassFactory(grade=5)
    )
    member = team_member_add(reader=volunteer, joined_on=date(2026, 9, 1), user=librarian)
    stacks = Location.objects.filter(kind=Location.Kind.STACKS).first()
    _slot_now(librarian, stacks, [member])
    shift, _direction = shift_scan(reader=volunteer, user=None)
    shift_work_log(shift=shift, kind=ShiftWork.Kind.SHELVING, books=25, note="文学类上架", user=librarian)
    training_record(
        held_on=date(2026, 9, 10),
        topic="图书上架与排架",
        trainer="王馆员",
        attendees=[member],
        user=librarian,
    )
    meeting_record(held_on=date(2026, 11, 28), minutes="本月工作小结。", attendees=[member], user=librarian)
    attendance = RatingCriterion.objects.create(name="出勤", max_score=10, position=1)
    quality = RatingCriterion.objects.create(name="工作质量", max_score=20, position=2)
    month = timezone.localdate().replace(day=1)
    month_rate(member=member, month=month, scores={attendance.pk: 9, quality.pk: 18}, user=librarian)
    best_member_record(month=month, user=librarian)

    # The readers were given their password by the test, not a first one to change.
    type(librarian).objects.filter(pk__in=[head.user_id, keeper.user_id, volunteer.user_id]).update(
        password_change_required=False
    )
    staff_pages = {
        "corners": reverse("activities:corners"),
        "corner": reverse("activities:corner", args=[corner.pk]),
        "rotations": reverse("activities:rotations"),
        "rotation": reverse("activities:rotation", args=[plan.pk]),
        "donations": reverse("activities:corner-donations"),
        "team": reverse("activities:team"),
        "rota": reverse("activities:team-rota"),
        "shifts": reverse("activities:team-shifts"),
        "shift": reverse("activities:team-shift", args=[shift.pk]),
        "trainings": reverse("activities:team-trainings"),
        "meetings": reverse("activities:team-meetings"),
        "ratings": reverse("activities:team-ratings"),
        "criteria": reverse("activities:team-criteria"),
        "door": reverse("activities:team-door", args=[stacks.pk]),
        "statistics": reverse("reports:statistics"),
    }
    browser_login(page, "wanglib", PASSWORD)
    for language in ("zh", "en"):
        if language == "en":
            page.click("button[name=language][value=en]")
            page.wait_for_load_state("networkidle")
        for name, url in staff_pages.items():
            answer = page.goto(url)
            assert answer.status == 200, name
            shot(page, f"tour-{name}-{language}")

    for username, pages in (
        (
            head.user.username,
            {"head-home": reverse("circulation:my-library"), "head-corner": reverse("activities:corners")},
        ),
        (keeper.user.username, {"keeper-corner": reverse("activities:corners")}),
        (
            volunteer.user.username,
            {
                "mine": reverse("activities:team-mine"),
                "my-shift": reverse("activities:team-shift", args=[shift.pk]),
            },
        ),
    ):
        page.context.clear_cookies()
        page.set_viewport_size(PHONE)
        browser_login(page, username, PASSWORD)
        if page.url.endswith("/password_change/") or "password" in page.url:
            pytest.fail(f"{username} must change the password first: {page.url}")
        for language in ("zh", "en"):
            if language == "en":
                page.click("button[name=language][value=en]")
                page.wait_for_load_state("networkidle")
            for name, url in pages.items():
                answer = page.goto(url)
                assert answer.status == 200, name
                shot(page, f"tour-{name}-phone-{language}")
        page.set_viewport_size({"width": 1280, "height": 900})
