"""A librarian at a browser takes a pupil's payment for a lost book, prints the receipt (80 mm
and A4) and the day's cash list, in Chinese and then in English; the pupil sees what they owe
and their receipt on their own page."""

import subprocess
from decimal import Decimal

import pytest

from circulation.models import Charge, Payment
from circulation.services.loans import loan_checkout, loan_mark_lost
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .factories import ReaderFactory, copies_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lost(reader, user, title, price):
    (copy,) = copies_of(title, price=Decimal(price))
    loan = loan_checkout(reader=reader, copy=copy, user=user).loan
    loan_mark_lost(loan=loan, user=user)


def _pdf_png(page, href, tmp_path, name):
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(ARTIFACTS / name)], check=True
    )
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_a_librarian_takes_a_payment_and_prints_the_receipt_and_the_cash_list(page, tmp_path):
    librarian = UserFactory(username="wanglib", full_name="王老师", roles=[Role.LIBRARIAN])
    pupil = ReaderFactory(full_name="张小明", number="2026030101")
    _lost(pupil, librarian, "草房子", "25.80")
    _lost(pupil, librarian, "Charlotte's Web", "18.00")

    browser_login(page, "wanglib", PASSWORD)
    for language, title in (("zh-hans", "草房子"), ("en", "Charlotte's Web")):
        if language == "en":
            page.click(".language-switch button[value=en]")
            page.wait_for_load_state("networkidle")
        page.goto(f"/circulation/readers/{pupil.pk}/charges/")
        page.screenshot(path=str(ARTIFACTS / f"charges-reader-{language}.png"), full_page=True)
        charge = Charge.objects.get(copy__record__title=title)
        for box in page.locator("[data-pay-form] input[name=charge]").all():
            if box.get_attribute("value") != str(charge.pk):
                box.uncheck()
        page.click("[data-pay]")
        page.locator("[data-receipt]").wait_for()
        payment = Payment.objects.get(charges=charge)
        assert payment.number in page.locator("[data-receipt-number]").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"charges-receipt-{language}.png"), full_page=True)
        text = _pdf_png(
            page, page.get_attribute("[data-receipt-80mm]", "href"), tmp_path, f"receipt-80mm-{language}"
        )
        assert payment.number in text and f"¥{payment.amount}" in text
        _pdf_png(page, page.get_attribute("[data-receipt-a4]", "href"), tmp_path, f"receipt-a4-{language}")
        page.goto("/circulation/cash/")
        assert page.locator("[data-cash-payment]").count() == Payment.objects.count()
        page.screenshot(path=str(ARTIFACTS / f"charges-cash-list-{language}.png"), full_page=True)
        page.goto(f"/circulation/readers/{pupil.pk}/")
        page.locator("[data-story=charges]").screenshot(path=str(ARTIFACTS / f"charges-story-{language}.png"))
    assert Charge.objects.filter(state=Charge.State.OWED).count() == 0

    _lost(pupil, librarian, "青铜葵花", "20.00")
    context = page.context
    context.clear_cookies()
    browser_login(page, pupil.number, PASSWORD)
    for language in ("zh-hans", "en"):
        if language == "en":
            page.click(".language-switch button[value=en]")
            page.wait_for_load_state("networkidle")
        page.goto("/circulation/me/")
        assert page.locator("[data-my-owed]").get_attribute("data-my-owed") == "40.00"
        page.locator("[data-my-money]").screenshot(path=str(ARTIFACTS / f"charges-my-page-{language}.png"))
