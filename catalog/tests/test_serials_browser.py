"""A librarian at a browser adds a periodical, subscribes the periodicals room for the year,
checks issues in with the scanner field only, and binds them into a volume."""

from __future__ import annotations

import pytest
from django.utils import timezone

from catalog.models import Copy, Record, SerialIssue
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_librarian_subscribes_checks_in_by_scanning_and_binds(page):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    browser_login(page, librarian.username, PASSWORD)
    page.goto("/catalog/serials/")
    page.click("text=新增报刊")
    page.fill("input[name=title]", "少年文艺")
    page.select_option("select[name=kind]", "periodical")
    page.select_option("select[name=frequency]", "monthly")
    page.fill("input[name=issn]", "1000 0003")
    page.fill("input[name=cn_number]", "CN31-1104/I")
    page.click("button:has-text('保存')")
    page.wait_for_url("**/subscriptions/new/**")
    page.select_option("select[name=location]", label="期刊室")
    page.fill("input[name=copies]", "2")
    page.fill("input[name=price]", "96")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已订阅")
    page.screenshot(path=str(ARTIFACTS / "serials-subscription.png"), full_page=True)

    page.goto("/catalog/serials/check-in/")
    # Two scans as fast as a scanner sends them, without waiting for the first answer: both land,
    # in order, and the field keeps the focus for the next.
    page.locator("input[name=code]").focus()
    page.keyboard.type("977100000000605\n1000-0003\n")
    page.wait_for_selector("[data-outcome=ok]:has-text('“少年文艺”第 2 期已登到。')")
    page.keyboard.type("9787020002207")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-outcome=refused]")
    page.screenshot(path=str(ARTIFACTS / "serials-checkin.png"), full_page=True)
    year = timezone.localdate().year
    assert set(
        SerialIssue.objects.filter(subscription__year=year, received_on__isnull=False).values_list(
            "number", flat=True
        )
    ) == {1, 2}

    page.click("a:has-text('少年文艺')")
    page.fill("input[name=first]", "1")
    page.fill("input[name=last]", "2")
    page.click("button[value=bind]")
    page.wait_for_selector("text=已装订成合订本")
    page.screenshot(path=str(ARTIFACTS / "serials-bound.png"), full_page=True)
    copy = Copy.objects.get(record__material_type=Record.MaterialType.PERIODICAL_VOLUME)
    assert copy.record.title == f"少年文艺（{year}年第1-2期合订本）"
    page.goto("/catalog/serials/")
    page.screenshot(path=str(ARTIFACTS / "serials-home.png"), full_page=True)
