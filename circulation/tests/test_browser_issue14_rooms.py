"""In Chromium, in Chinese and in English (issue 14 points 2, 11 and 13): the desk's panel and
the reader's page write a day one way per language; a teacher reserves the current issue of a
periodical and sees it kept; a librarian makes a term's reading-room timetable, changes a
period by hand, publishes it, and the head teacher sees their class's period. The printed
timetable is rendered to images beside the screenshots."""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Location, Serial, SerialIssue
from catalog.services.serials import issue_receive, serial_create, subscription_create
from circulation.models import Reader, RoomTimetable, Term
from circulation.registries import reader_page_section_register
from circulation.selectors.issue_reservations import issue_reservations_section
from circulation.selectors.timetables import timetable_section
from circulation.services.loans import loan_checkout
from circulation.services.rooms import opening_hours_add
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FOCUSED = "() => document.activeElement && document.activeElement.id === 'scan'"
SETTLED = "() => document.getElementById('desk-form').getAttribute('data-pending') === '0'"


def switch(page, language):
    page.click(f".language-switch button[value={language}]")
    page.wait_for_load_state("networkidle")


def test_the_desk_and_the_readers_page_write_a_day_one_way(page):
    librarian = UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    pupil = ReaderFactory(
        full_name="张三", card_number="R0000101", school_class=SchoolClassFactory(grade=3, number=2)
    )
    (copy,) = copies_of("草房子")
    due = loan_checkout(reader=pupil, copy=copy, user=librarian).loan.due_on
    browser_login(page, "wanglib", PASSWORD)
    for language, text in (("zh-hans", f"{due:%Y-%m-%d}"), ("en", f"{due.day} {due:%b} {due.year}")):
        if language == "en":
            switch(page, "en")
        page.wait_for_function(FOCUSED)
        page.keyboard.type("R0000101")
        page.keyboard.press("Enter")
        page.wait_for_function(SETTLED)
        assert text in page.locator("#reader-panel").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"dates-desk-{language}.png"), full_page=True)
    page.context.clear_cookies()
    browser_login(page, pupil.number, PASSWORD)
    for language, text in (("zh-hans", f"{due:%Y-%m-%d}"), ("en", f"{due.day} {due:%b} {due.year}")):
        switch(page, language)
        assert text in page.locator("main").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"dates-my-library-{language}.png"), full_page=True)


def test_a_teacher_reserves_the_current_issue_and_the_desk_hands_it_over(page):
    serial = serial_create(
        title="少年文艺", kind=Serial.Kind.PERIODICAL, frequency=Serial.Frequency.MONTHLY, issn="1000-0003"
    )
    room = Location.objects.get(kind=Location.Kind.PERIODICALS_ROOM)
    subscription = subscription_create(
        serial=serial, location=room, year=timezone.localdate().year, copies=1, price=Decimal(0)
    )
    for number in (1, 2, 3):
        issue_receive(issue=SerialIssue.objects.get(subscription=subscription, number=number))
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, full_name="周老师", number="T0001")
    browser_login(page, "T0001", PASSWORD)
    for language in ("zh-hans", "en"):
        switch(page, language)
        page.goto("/circulation/periodicals/reserve/")
        row = page.locator(f"[data-subscription='{subscription.pk}']")
        button = (
            row.locator("[data-reserve]").first
            if language == "zh-hans"
            else row.locator("[data-reserve]").last
        )
        button.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / f"issue-reservation-{language}.png"), full_page=True)
    assert teacher.issue_reservations.count() == 2
    with reader_page_section_register(issue_reservations_section):
        page.goto("/")  # a teacher's home is their own page
        assert "1 issue is kept for you" in page.locator("main").inner_text()
        page.screenshot(path=str(ARTIFACTS / "issue-reservation-my-library-en.png"), full_page=True)
    page.context.clear_cookies()
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/circulation/periodicals/reservations/")
    page.screenshot(path=str(ARTIFACTS / "issue-reservations-desk-zh-hans.png"), full_page=True)
    page.locator("[data-group=ready] button[value=collect]").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-group=collected] [data-reservation]").count() == 1
    switch(page, "en")
    page.screenshot(path=str(ARTIFACTS / "issue-reservations-desk-en.png"), full_page=True)


def test_a_librarian_makes_changes_and_publishes_the_reading_room_timetable(page):
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    room = Location.objects.create(name="学生阅览室", kind=Location.Kind.READING_ROOM)
    for weekday in range(1, 6):
        opening_hours_add(
            room=room, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(11, 40)
        )
    today = timezone.localdate()
    term = Term.objects.create(
        name="2026-2027学年第二学期", starts_on=today, ends_on=today + datetime.timedelta(days=120),
        hard_due_on=today + datetime.timedelta(days=110),
    )  # fmt: skip
    head = ReaderFactory(kind=Reader.Kind.TEACHER, full_name="刘老师", number="T0002")
    classes = {}
    for grade in (3, 4, 5, 6):
        for number in (1, 2, 3):
            classes[(grade, number)] = SchoolClassFactory(
                grade=grade, number=number, head_teacher=head.user if (grade, number) == (4, 2) else None
            )
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/circulation/rooms/timetables/")
    page.select_option("select[name=room]", str(room.pk))
    page.select_option("select[name=term]", str(term.pk))
    page.fill("input[name=seats]", "48")
    page.fill("input[name=grades]", "3-6")
    page.screenshot(path=str(ARTIFACTS / "timetable-make-zh-hans.png"), full_page=True)
    page.click("[data-timetable-form] button")
    page.locator("[data-timetable-grid]").wait_for()
    timetable = RoomTimetable.objects.get()
    # By hand: the first period goes to 六年级(3)班, which swaps with the class there.
    first = timetable.slots.order_by("weekday", "period").first()
    cell = page.locator(f"[data-slot='{first.pk}']")
    cell.locator("select").select_option(str(classes[(6, 3)].pk))
    cell.locator("button").click()
    page.wait_for_load_state("networkidle")
    first.refresh_from_db()
    assert first.school_class == classes[(6, 3)] and first.adjusted_at is not None
    page.screenshot(path=str(ARTIFACTS / "timetable-draft-zh-hans.png"), full_page=True)
    page.click("[data-publish]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-state=published]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "timetable-published-zh-hans.png"), full_page=True)
    switch(page, "en")
    page.screenshot(path=str(ARTIFACTS / "timetable-published-en.png"), full_page=True)
    for language in ("zh-hans", "en"):
        switch(page, language)
        for kind in ("room", "classes"):
            response = page.request.get(f"/circulation/rooms/timetables/{timetable.pk}/print.pdf?for={kind}")
            assert response.ok and response.body().startswith(b"%PDF")
            if shutil.which("pdftoppm"):
                path = ARTIFACTS / f"timetable-{kind}-{language}.pdf"
                path.write_bytes(response.body())
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        "60",
                        "-f",
                        "1",
                        "-l",
                        "1",
                        str(path),
                        str(path.with_suffix("")),
                    ],
                    check=True,
                )
    page.context.clear_cookies()
    browser_login(page, "T0002", PASSWORD)
    with reader_page_section_register(timetable_section):
        for language, heading in (("zh-hans", "本班阅览安排"), ("en", "Your class in the reading room")):
            switch(page, language)
            assert heading in page.locator("main").inner_text()
            page.screenshot(path=str(ARTIFACTS / f"timetable-head-teacher-{language}.png"), full_page=True)
