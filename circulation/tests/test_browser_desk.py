"""A librarian at the desk with a scanner only: lends two books in a quick burst of scans,
is refused an unknown barcode, takes a book back and is told to put it on the hold shelf; the
pupil then signs in and sees exactly their own loan."""

import pytest

from circulation.models import Hold, Loan
from circulation.services.holds import hold_place
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


def test_a_librarian_lends_and_returns_with_the_scan_field_only_and_traps_a_hold(page):
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    pupil = ReaderFactory(
        full_name="张三", card_number="R0000101", school_class=SchoolClassFactory(grade=3, number=2)
    )
    ReaderFactory(
        full_name="王大山", card_number="R0000103", school_class=SchoolClassFactory(grade=5, number=1)
    )
    waiting = ReaderFactory(
        full_name="李四", card_number="R0000102", school_class=SchoolClassFactory(grade=3, number=1)
    )
    (first,) = copies_of("草房子")
    (second,) = copies_of("小王子")
    browser_login(page, "wanglib", PASSWORD)
    page.wait_for_function(FOCUSED)

    # A burst of scans, faster than the server answers: all are handled, in order.
    for code in ("R0000101", first.barcode, second.barcode):
        scan(page, code)
    page.wait_for_function(SETTLED)
    page.locator(f"#reader-panel [data-loan='{second.barcode}']").wait_for()
    assert page.locator("#desk-log [data-outcome=done]").count() == 2
    assert set(Loan.objects.values_list("copy__barcode", flat=True)) == {first.barcode, second.barcode}
    assert Loan.objects.filter(reader=pupil).count() == 2
    page.wait_for_function(FOCUSED)
    page.screenshot(path=str(ARTIFACTS / "desk-lent.png"), full_page=True)

    # A refusal: red, in one line, and the focus stays.
    scan(page, "X999")
    page.wait_for_function(SETTLED)
    assert page.locator("#desk-log .desk-answer").first.get_attribute("data-outcome") == "refused"
    page.locator("#desk-form.desk-refused").wait_for()
    page.wait_for_function(FOCUSED)
    page.screenshot(path=str(ARTIFACTS / "desk-refused.png"), full_page=True)

    # 李四 waits for 草房子; it comes back in return mode (F3) and is trapped for her.
    hold_place(reader=waiting, record=first.record, user=None)
    page.keyboard.press("F3")
    page.wait_for_function(FOCUSED)
    scan(page, first.barcode)
    page.wait_for_function(SETTLED)
    answer = page.locator("#desk-log .desk-answer").first
    assert answer.get_attribute("data-outcome") == "done"
    assert "请放到预约架上，留给 李四（三年级(1)班）" in answer.inner_text()
    assert Hold.objects.get().state == Hold.State.READY
    page.screenshot(path=str(ARTIFACTS / "desk-hold-trapped.png"), full_page=True)

    # Another reader cannot take the trapped copy; 李四 can.
    page.keyboard.press("F2")
    for code in ("R0000103", first.barcode):
        scan(page, code)
    page.wait_for_function(SETTLED)
    assert page.locator("#desk-log .desk-answer").first.get_attribute("data-outcome") == "refused"
    for code in ("R0000102", first.barcode):
        scan(page, code)
    page.wait_for_function(SETTLED)
    assert page.locator("#desk-log .desk-answer").first.get_attribute("data-outcome") == "done"
    assert Hold.objects.get().state == Hold.State.COLLECTED

    # The pupil signs in and sees exactly their own loan, on a phone-sized screen.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "R0000101", PASSWORD)
    assert page.locator("[data-loan]").count() == 1
    assert page.locator(f"[data-loan='{second.barcode}']").is_visible()
    page.screenshot(path=str(ARTIFACTS / "my-loans-phone.png"), full_page=True)


def test_the_administrator_sets_a_policy_and_a_holiday_in_the_browser(page):
    from circulation.models import ClosedPeriod, LoanPolicy

    UserFactory(username="zhangadmin", roles=[Role.ADMINISTRATOR])
    browser_login(page, "zhangadmin", PASSWORD)
    page.click("nav [data-menu=administration] > a")
    page.click("nav [data-menu=policies] a")
    page.locator("[data-policy]").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "policies.png"), full_page=True)
    policy = LoanPolicy.objects.get(name="小学生 图书")
    page.click(f"[data-policy='{policy.pk}'] a")
    page.fill("input[name=loan_days]", "0")
    page.click("form.policy-form button[type=submit]")
    assert "借期至少为一天" in page.locator("form.policy-form").inner_text()
    page.screenshot(path=str(ARTIFACTS / "policy-refused.png"), full_page=True)
    page.fill("input[name=loan_days]", "21")
    page.click("form.policy-form button[type=submit]")
    page.locator("[data-policy]").first.wait_for()
    assert LoanPolicy.objects.get(pk=policy.pk).loan_days == 21
    page.click("a[href$='/calendar/closed/new/']")
    page.fill("input[name=name]", "国庆节")
    page.fill("input[name=starts_on]", "2026-10-01")
    page.fill("input[name=ends_on]", "2026-10-07")
    page.click("form.policy-form button[type=submit]")
    page.locator("[data-closed]").first.wait_for()
    assert ClosedPeriod.objects.get().name == "国庆节"


def test_a_lost_book_receipt_prints(page):
    from decimal import Decimal

    from circulation.services.loans import loan_checkout

    librarian = UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    pupil = ReaderFactory(
        full_name="张三", card_number="R0000101", school_class=SchoolClassFactory(grade=3, number=2)
    )
    (copy,) = copies_of("草房子", price=Decimal("26.00"))
    loan = loan_checkout(reader=pupil, copy=copy, user=librarian).loan
    browser_login(page, "wanglib", PASSWORD)
    page.goto(f"/circulation/loans/{loan.pk}/lost/")
    page.screenshot(path=str(ARTIFACTS / "loan-lost.png"), full_page=True)
    page.click("button[type=submit].btn-danger")
    page.locator("[data-receipt]").wait_for()
    assert "52.00" in page.locator("[data-amount]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "lost-receipt.png"), full_page=True)
