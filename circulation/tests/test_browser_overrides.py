"""A librarian lends to a suspended pupil after typing a reason, then lifts the suspension
on its page; in Chinese, then in English (issue 14, point 5)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circulation.models import DeskAction, Loan, Suspension
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FOCUSED = "() => document.activeElement && document.activeElement.id === 'scan'"
SETTLED = "() => document.getElementById('desk-form').getAttribute('data-pending') === '0'"


def scan(page, code):
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_function(SETTLED)


def test_a_librarian_lends_despite_a_suspension_and_lifts_it(page):
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    pupil = ReaderFactory(
        full_name="张三", card_number="R0000101", school_class=SchoolClassFactory(grade=3, number=2)
    )
    suspension = Suspension.objects.create(
        reader=pupil, ends_on=timezone.localdate() + timedelta(days=12), reason="还书晚了 4 天"
    )
    first, second = copies_of("草房子", count=2)
    browser_login(page, "wanglib", PASSWORD)
    page.wait_for_function(FOCUSED)

    for language, copy, reason in (
        ("zh-hans", first, "班主任担保，复习用书"),
        ("en", second, "Form tutor vouches"),
    ):
        if language == "en":
            page.click(".language-switch button[value=en]")
            page.wait_for_load_state("networkidle")
            page.wait_for_function(FOCUSED)
        scan(page, "R0000101")
        page.locator("#reader-panel [data-suspension-link]").wait_for()
        scan(page, copy.barcode)
        answer = page.locator("#desk-log .desk-answer").first
        assert answer.get_attribute("data-outcome") == "refused"
        answer.locator("input[name=override_reason]").fill(reason)
        page.screenshot(path=str(ARTIFACTS / f"desk-override-offered-{language}.png"), full_page=True)
        answer.locator("button[type=submit]").click()
        page.locator("#desk-log .desk-answer[data-outcome=done]").first.wait_for()
        assert reason in page.locator("#desk-log .desk-answer").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / f"desk-override-lent-{language}.png"), full_page=True)
        assert DeskAction.objects.filter(override_reason=reason, loan__copy=copy).count() == 1
    assert Loan.objects.filter(reader=pupil).count() == 2

    # The panel's link opens the suspension; it is lifted with a reason (in English now).
    page.click("#reader-panel [data-suspension-link]")
    page.locator(f"[data-suspension='{suspension.pk}']").wait_for()
    page.fill(f"#id_{suspension.pk}_reason", "Parents explained the delay")
    page.screenshot(path=str(ARTIFACTS / "suspension-lift-en.png"), full_page=True)
    page.click(f"[data-suspension='{suspension.pk}'] button[type=submit]")
    page.locator("[data-no-suspension]").wait_for()
    page.screenshot(path=str(ARTIFACTS / "suspension-lifted-en.png"), full_page=True)
    page.click(".language-switch button[value=zh-hans]")
    page.locator("[data-no-suspension]").wait_for()
    page.screenshot(path=str(ARTIFACTS / "suspension-lifted-zh-hans.png"), full_page=True)
    suspension.refresh_from_db()
    assert suspension.cancelled_at is not None and suspension.change_reason == "Parents explained the delay"


def test_a_book_on_loan_to_another_is_taken_back_and_lent_with_one_key(page):
    from circulation.services.loans import loan_checkout

    librarian = UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    holder = ReaderFactory(full_name="李四", card_number="R0000102", school_class=SchoolClassFactory(grade=4))
    pupil = ReaderFactory(full_name="张三", card_number="R0000101")
    first, second = copies_of("草房子", count=2)
    for copy in (first, second):
        loan_checkout(reader=holder, copy=copy, user=librarian)
    browser_login(page, "wanglib", PASSWORD)
    page.wait_for_function(FOCUSED)
    for language, copy in (("zh-hans", first), ("en", second)):
        if language == "en":
            page.click(".language-switch button[value=en]")
            page.wait_for_load_state("networkidle")
            page.wait_for_function(FOCUSED)
        scan(page, "R0000101")
        scan(page, copy.barcode)
        answer = page.locator("#desk-log .desk-answer").first
        assert answer.get_attribute("data-outcome") == "refused"
        answer.locator("[data-return-first]").wait_for()
        page.screenshot(path=str(ARTIFACTS / f"desk-return-first-offered-{language}.png"), full_page=True)
        page.wait_for_function(FOCUSED)
        page.keyboard.press("Enter")  # the one key, in the empty scan field
        page.wait_for_function(SETTLED)
        page.locator("#desk-log .desk-answer[data-outcome=done]").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / f"desk-return-first-done-{language}.png"), full_page=True)
        assert Loan.objects.get(copy=copy, state=Loan.State.OPEN).reader == pupil
        assert Loan.objects.get(copy=copy, state=Loan.State.RETURNED).reader == holder
    page.keyboard.press("Enter")  # an empty Enter with no offer does nothing
    page.wait_for_function(SETTLED)
    assert Loan.objects.filter(reader=pupil, state=Loan.State.OPEN).count() == 2


def test_a_return_that_fills_a_hold_is_violet_and_offers_the_slip(page):
    from circulation.models import Hold
    from circulation.services.holds import hold_place
    from circulation.services.loans import loan_checkout

    librarian = UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    waiting = ReaderFactory(
        full_name="李四", card_number="R0000102", school_class=SchoolClassFactory(grade=4)
    )
    first, second = copies_of("草房子", count=2)
    for copy in (first, second):
        loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)
    hold_place(reader=waiting, record=first.record, user=None)
    hold_place(reader=ReaderFactory(full_name="王五"), record=first.record, user=None)
    browser_login(page, "wanglib", PASSWORD)
    page.wait_for_function(FOCUSED)
    page.keyboard.press("F3")
    for language, copy in (("zh-hans", first), ("en", second)):
        if language == "en":
            page.click(".language-switch button[value=en]")
            page.wait_for_load_state("networkidle")
            page.wait_for_function(FOCUSED)
        scan(page, copy.barcode)
        answer = page.locator("#desk-log .desk-answer").first
        assert answer.get_attribute("data-hold-kept")
        page.locator("#desk-form.desk-hold-kept").wait_for()
        colour = answer.evaluate("element => getComputedStyle(element).backgroundColor")
        assert colour == "rgb(236, 227, 250)"
        page.screenshot(path=str(ARTIFACTS / f"desk-hold-kept-{language}.png"), full_page=True)
        href = answer.locator("[data-slip=a4]").get_attribute("href")
        response = page.request.get(href)
        assert response.status == 200 and response.body().startswith(b"%PDF")
        (ARTIFACTS / f"hold-slip-{language}.pdf").write_bytes(
            page.request.get(answer.locator("[data-slip='80mm']").get_attribute("href")).body()
        )
    assert Hold.objects.filter(state=Hold.State.READY).count() == 2


def test_the_readers_story_page_in_both_languages(page):
    from decimal import Decimal

    from circulation.models import LoanPolicy
    from circulation.services.holds import hold_place
    from circulation.services.loans import loan_checkout, loan_mark_lost, loan_return
    from circulation.services.readers import card_reissue

    LoanPolicy.objects.update(max_loans=20)
    librarian = UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    pupil = ReaderFactory(
        full_name="林小雨", card_number="R0000101", school_class=SchoolClassFactory(grade=5)
    )
    card_reissue(reader=pupil, reason="丢失")
    copies = copies_of("草房子", count=3) + copies_of("城南旧事", count=2)
    for copy in copies:
        loan_checkout(reader=pupil, copy=copy, user=librarian)
    loan_return(copy=copies[0], user=librarian)
    loan_mark_lost(loan=Loan.objects.get(copy=copies[1]), user=librarian, price=Decimal("28.00"))
    Loan.objects.filter(copy=copies[3]).update(due_on=timezone.localdate() - timedelta(days=4))
    (held,) = copies_of("小王子")
    loan_checkout(reader=ReaderFactory(), copy=held, user=librarian)
    hold_place(reader=pupil, record=held.record, user=None)
    Suspension.objects.create(
        reader=pupil, ends_on=timezone.localdate() + timedelta(days=6), reason="还书晚了 3 天"
    )
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/circulation/readers/")
    page.click(f"tr[data-reader='{pupil.number}'] a")
    page.locator("[data-story=history]").wait_for()
    page.screenshot(path=str(ARTIFACTS / "reader-story-zh-hans.png"), full_page=True)
    page.click(".language-switch button[value=en]")
    page.locator("[data-story=history]").wait_for()
    page.screenshot(path=str(ARTIFACTS / "reader-story-en.png"), full_page=True)
    page.click("[data-edit-link]")
    page.locator("[data-story-link]").wait_for()
