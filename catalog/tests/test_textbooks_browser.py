"""A librarian orders a term's textbooks for two classes, records the delivery and hands one
class its copies; the class's teacher signs in and confirms receipt."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.models import TextbookHandover
from catalog.services.textbooks import textbook_term_create
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_textbooks_are_ordered_delivered_handed_over_and_confirmed(page, browser):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    teacher = UserFactory(roles=[Role.TEACHER], full_name="李老师")
    term = textbook_term_create(
        year=2026, season="autumn", starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 20)
    )
    browser_login(page, librarian.username, PASSWORD)
    page.goto("/catalog/textbooks/new/")
    page.fill("input[name=title]", "语文 三年级上册")
    page.fill("input[name=subject]", "语文")
    page.select_option("select[name=grade]", "3")
    page.click("button:has-text('保存')")
    page.goto(f"/catalog/textbooks/?term={term.pk}")
    page.select_option("select[name=order-textbook]", label="语文 三年级上册")
    page.fill("input[name=order-classes]", "1-2")
    page.fill("input[name=order-quantity]", "40")
    page.click("button[value=order]")
    page.wait_for_selector("[data-to-come]")
    page.select_option("select[name=delivery-textbook]", label="语文 三年级上册")
    page.fill("input[name=delivery-quantity]", "80")
    page.click("button[value=delivery]")
    page.select_option("select[name=handover-textbook]", label="语文 三年级上册")
    page.fill("input[name=handover-class_number]", "2")
    page.fill("input[name=handover-quantity]", "40")
    page.select_option("select[name=handover-teacher]", label="李老师")
    page.click("button[value=handover]")
    page.wait_for_selector("text=三年级(2)班")
    page.screenshot(path=str(ARTIFACTS / "textbooks-term.png"), full_page=True)

    teacher_page = browser.new_context(base_url=page.base_url, locale="zh-CN").new_page()
    browser_login(teacher_page, teacher.username, PASSWORD)
    teacher_page.click("nav >> text=我的教材")
    teacher_page.click("button:has-text('确认收到')")
    teacher_page.wait_for_selector(".badge:has-text('已确认')")
    teacher_page.screenshot(path=str(ARTIFACTS / "textbooks-teacher.png"), full_page=True)
    assert TextbookHandover.objects.get().confirmed_at is not None
