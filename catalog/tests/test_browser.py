"""A librarian at a browser catalogues a new book from its ISBN with five copies, and a pupil
finds it in the OPAC by its pinyin initials."""

import pytest

from catalog.models import Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .factories import RecordFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_librarian_catalogues_a_book_with_five_copies_and_finds_it_by_pinyin(page):
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    browser_login(page, "wanglib", PASSWORD)
    page.click("nav [data-menu=collection] > a")
    page.click("nav [data-menu=cataloguing] a")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'isbn'")
    page.keyboard.type("978-7-5346-6543-1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/catalog/records/new/**")
    assert page.input_value("input[name=isbn]") == "9787534665431"
    page.fill("input[name=title]", "草房子")
    page.fill("textarea[name=contributors]", "曹文轩 著")
    page.fill("input[name=publisher]", "江苏少年儿童出版社")
    page.fill("input[name=year]", "2016")
    page.fill("input[name=clc_code]", "I287.45")
    page.fill("input[name=copies-count]", "5")
    page.fill("input[name=copies-shelf]", "A3")
    page.screenshot(path=str(ARTIFACTS / "catalog-record-form.png"), full_page=True)
    page.click("form.record-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "catalog-record-saved.png"), full_page=True)
    page.wait_for_url("**/catalog/records/*/")
    assert page.locator("tr[data-copy]").count() == 5
    assert "已添加 5 册" in page.locator(".alert-success").inner_text()
    assert page.locator("[data-call-number]").inner_text() == "I287.45/1"
    page.screenshot(path=str(ARTIFACTS / "catalog-record-manage.png"), full_page=True)
    record = Record.objects.get()
    assert record.copies.count() == 5

    # A pupil, not signed in, finds it by its pinyin initials.
    page.context.clear_cookies()
    page.goto("/opac/?q=cfz")
    page.locator(f"[data-record='{record.pk}']").wait_for()
    page.screenshot(path=str(ARTIFACTS / "opac-results.png"), full_page=True)
    page.click(f"[data-record='{record.pk}'] a.record-title")
    assert page.locator("[data-record-title]").inner_text() == "草房子"
    assert page.locator("[data-copy]").count() == 5
    page.screenshot(path=str(ARTIFACTS / "opac-record.png"), full_page=True)


def test_the_opac_filters_answer_in_place(page):
    RecordFactory(title="西游记", authors=["吴承恩"], clc_code="I242.4", year=2019, copies=1)
    RecordFactory(title="红楼梦", authors=["曹雪芹"], clc_code="I242.4", year=2008, copies=1)
    page.goto("/opac/?q=I242")
    page.locator("[data-record]").first.wait_for()
    assert page.locator("[data-record]").count() == 2
    page.fill("#id_year_from", "2010")
    page.locator("#id_year_from").dispatch_event("change")
    page.wait_for_function("() => document.querySelectorAll('[data-record]').length === 1")
    assert "year_from=2010" in page.url
    assert "西游记" in page.locator("#opac-results").inner_text()
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "opac-results-en.png"), full_page=True)
    assert "1 record found" in page.locator("[data-result-count]").inner_text()
