"""Notices at a browser: a pupil reads an overdue notice in their inbox (on a phone too), the desk
shows it on the reader's panel, and the head teacher opens the class's overdue list and its
printable slips."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Copy
from circulation.models import Loan
from circulation.services.notices import notices_send
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overdue(reader, *, days: int, title: str) -> None:
    copy = copies_of(title)[0]
    Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN)
    Loan.objects.create(copy=copy, reader=reader, due_on=timezone.localdate() - timedelta(days=days))


def test_a_pupil_reads_a_notice_the_desk_shows_it_and_the_head_teacher_prints_the_slips(page, tmp_path):
    head_teacher = UserFactory(username="wanglaoshi", full_name="王老师", roles=[Role.TEACHER])
    school_class = SchoolClassFactory(grade=3, number=2, head_teacher=head_teacher)
    pupil = ReaderFactory(
        full_name="李小明", number="2026000101", card_number="R0000101", school_class=school_class
    )
    for number, name in (("2026000102", "陈小红"), ("2026000103", "张伟")):
        overdue(
            ReaderFactory(full_name=name, number=number, school_class=school_class), days=7, title="青铜葵花"
        )
    overdue(pupil, days=7, title="城南旧事")
    overdue(pupil, days=1, title="小王子")
    notices_send()

    # The pupil's home page says there are notices; the inbox shows them.
    browser_login(page, "2026000101", PASSWORD)
    assert page.locator("[data-inbox] [data-unread]").inner_text().startswith("2")
    page.screenshot(path=str(ARTIFACTS / "notices-my-library.png"), full_page=True)
    page.click("[data-inbox]")
    page.wait_for_url("**/me/notices/")
    assert page.locator("[data-unread-notice]").count() == 2
    assert "城南旧事" in page.locator("[data-notice]").first.inner_text() or "小王子" in page.inner_text(
        "main"
    )
    page.screenshot(path=str(ARTIFACTS / "notices-inbox.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "notices-inbox-phone.png"), full_page=True)
    page.click("[data-read-all]")
    page.wait_for_url("**/me/notices/")
    assert page.locator("[data-unread-notice]").count() == 0
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()

    # At the desk the librarian scans the pupil's card: the panel names the last notice.
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/circulation/desk/")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan'")
    page.keyboard.type("R0000101")
    page.keyboard.press("Enter")
    page.locator("[data-reader-notices]").wait_for()
    assert "逾期通知" in page.locator("[data-reader-notices]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "notices-desk-panel.png"), full_page=True)
    page.context.clear_cookies()

    # The head teacher: the class list in the inbox, the class's page, the slips.
    browser_login(page, "wanglaoshi", PASSWORD)
    page.goto("/circulation/me/notices/")
    assert "三年级(2)班逾期图书名单（3人）" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "notices-head-teacher-inbox.png"), full_page=True)
    page.click("[data-class-list-link]")
    page.wait_for_url("**/overdue/")
    assert page.locator("tr[data-overdue-loan]").count() == 4
    page.screenshot(path=str(ARTIFACTS / "notices-class-overdue.png"), full_page=True)
    response = page.request.get(page.get_attribute("[data-print-slips]", "href"))
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "李小明" in text and "陈小红" in text and "张伟" in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / "notices-slips"),
        ],
        check=True,
    )
