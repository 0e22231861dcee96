"""A person at a browser: the librarian and a student sign in and see their home pages."""

import pytest

from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.testing import ARTIFACTS, browser_login

from .factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_librarian_signs_in_and_lands_on_the_desk(page):
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    ReaderFactory(
        full_name="林小雨", card_number="R0000123", school_class=SchoolClassFactory(grade=3, number=2)
    )
    page.goto("/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "登录图书馆"
    browser_login(page, "wanglib", PASSWORD)
    assert page.locator("h1").inner_text() == "借还服务台"
    assert page.locator("nav [data-menu=circulation]").is_visible()
    # The scan box has the focus; a scan (typed text and Enter) answers in place.
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan'")
    page.keyboard.type("R0000123")
    page.keyboard.press("Enter")
    page.locator("#reader-panel [data-reader]").wait_for()
    assert "林小雨" in page.locator("#reader-panel").inner_text()
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan'")
    page.screenshot(path=str(ARTIFACTS / "home-librarian.png"), full_page=True)


def test_a_student_signs_in_with_the_card_and_sees_their_own_page(page):
    ReaderFactory(
        full_name="林小雨", card_number="R0000123", school_class=SchoolClassFactory(grade=3, number=2)
    )
    browser_login(page, "R0000123", PASSWORD)
    assert page.locator("[data-reader-name]").inner_text() == "林小雨"
    assert page.locator("[data-reader-class]").inner_text() == "三年级(2)班"
    assert "您目前没有借阅中的图书" in page.locator("[data-empty=loans]").inner_text()
    assert page.locator("nav [data-menu=desk]").count() == 0
    page.screenshot(path=str(ARTIFACTS / "home-student.png"), full_page=True)
    # The same page in English after the switch.
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert "You have no books on loan." in page.locator("[data-empty=loans]").inner_text()
    assert page.locator("[data-reader-class]").inner_text() == "Grade 3 Class 2"
    page.screenshot(path=str(ARTIFACTS / "home-student-en.png"), full_page=True)
