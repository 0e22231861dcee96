"""A purchase plan goes from draft to approval to receipt to copies on the shelf, as the
librarian and the school leader click through it."""

import pytest

from catalog.models import Copy, PurchasePlan, Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"acquisitions-{name}.png"), full_page=True)


def test_a_plan_is_drafted_approved_received_and_its_copies_are_on_the_record_page(page):
    UserFactory(username="lilib", full_name="李馆员", roles=[Role.LIBRARIAN])
    UserFactory(username="zhangxz", full_name="张校长", roles=[Role.LEADER])

    # The librarian drafts the plan with two lines, adding a third row for the second one.
    browser_login(page, "lilib", PASSWORD)
    page.click("nav [data-menu=collection] > a")
    page.click("nav [data-menu=acquisitions] a")
    page.click("[data-link=plan-create]")
    page.fill("input[name=name]", "2026年秋季图书采购计划")
    page.fill("input[name=budget]", "1000")
    page.fill("input[name=lines-0-title]", "草房子")
    page.fill("input[name=lines-0-isbn]", "978-7-5346-6543-1")
    page.fill("input[name=lines-0-author]", "曹文轩")
    page.fill("input[name=lines-0-quantity]", "3")
    page.fill("input[name=lines-0-unit_price]", "25")
    page.fill("input[name=lines-0-supplier]", "新华书店")
    page.fill("input[name=lines-0-clc_code]", "I287.45")
    page.fill("input[name=lines-0-subject]", "语文")
    page.click("[data-add-row]")
    page.fill("input[name=lines-3-title]", "时间简史")
    page.fill("input[name=lines-3-quantity]", "2")
    page.fill("input[name=lines-3-unit_price]", "45.50")
    page.fill("input[name=lines-3-clc_code]", "P159")
    page.fill("input[name=lines-3-subject]", "物理")
    shot(page, "plan-form")
    page.click("form.plan-form button[type=submit]")
    page.wait_for_url("**/catalog/plans/*/")
    assert page.locator("[data-line]").count() == 2
    assert page.locator("[data-figure=total]").inner_text() == "¥166.00"
    assert page.locator("[data-figure=remainder]").inner_text() == "¥834.00"
    page.click("[data-action=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-plan-status]").get_attribute("data-plan-status") == "submitted"
    assert page.locator("[data-action=edit]").count() == 0
    shot(page, "plan-submitted")
    plan_url = page.url

    # The leader approves it with a comment.
    page.context.clear_cookies()
    browser_login(page, "zhangxz", PASSWORD)
    page.goto(plan_url)
    page.fill("textarea[name=comment]", "同意，请尽快采购")
    shot(page, "plan-decision")
    page.click("[data-action=approve]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-plan-status]").get_attribute("data-plan-status") == "approved"
    assert "同意，请尽快采购" in page.locator(".plan-trail").inner_text()
    assert PurchasePlan.objects.get().status == PurchasePlan.Status.APPROVED

    # The librarian receives part of it: the records and copies are made in one step.
    page.context.clear_cookies()
    browser_login(page, "lilib", PASSWORD)
    page.goto(plan_url)
    page.click("[data-action=receive]")
    page.fill("input[name=invoice_number]", "FP20260901")
    first = page.locator("[data-receive-line]").first
    first.locator("input[name^=quantity-]").fill("3")
    page.locator("[data-receive-line]").nth(1).locator("input[name^=quantity-]").fill("1")
    shot(page, "receive")
    page.click("[data-action=receive-save]")
    page.wait_for_url("**/catalog/deliveries/*/")
    assert page.locator("[data-delivery-line]").count() == 2
    shot(page, "delivery")

    # The copies are on the record's page, bought at the plan's price.
    page.locator("[data-delivery-line] a[data-record-link]", has_text="草房子").click()
    page.wait_for_url("**/catalog/records/*/")
    assert page.locator("tr[data-copy]").count() == 3
    shot(page, "record")
    record = Record.objects.get(isbn="9787534665431")
    assert record.copies.filter(source=Copy.Source.PURCHASE, price_paid=25).count() == 3

    # The plan shows what came, and the register has the delivery.
    page.goto(plan_url)
    assert page.locator("[data-figure=volumes]").inner_text() == "5 / 4"
    page.click(".acquisitions-nav a[href$='registers/']")
    assert page.locator("[data-register-row]").count() == 1
    shot(page, "registers")


def test_a_wrong_spreadsheet_is_refused_with_its_rows_and_a_pupils_donation_is_entered(page, tmp_path):
    import openpyxl

    from catalog.services.acquisitions import purchase_plan_create

    librarian = UserFactory(username="lilib", full_name="李馆员", roles=[Role.LIBRARIAN])
    plan = purchase_plan_create(name="春季补充采购", year=2026, term="spring", budget="800", user=librarian)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["题名", "ISBN", "责任者", "出版社", "数量", "单价", "供应商", "中图法分类号", "学科/专业"])
    sheet.append(["草房子", "9787534665431", "曹文轩", "", 5, 25, "新华书店", "I287.45", "语文"])
    sheet.append(["坏行", "12345", "", "", "五", -3, "", "", ""])
    path = tmp_path / "plan.xlsx"
    workbook.save(path)

    browser_login(page, "lilib", PASSWORD)
    page.goto(f"/catalog/plans/{plan.pk}/")
    page.set_input_files("form.import-form input[type=file]", str(path))
    page.click("form.import-form button[type=submit]")
    errors = page.locator("[data-import-errors] li")
    errors.first.wait_for()
    texts = errors.all_inner_texts()
    assert any(text.startswith("第 3 行，数量：") for text in texts), texts
    assert any(text.startswith("第 3 行，ISBN：") for text in texts), texts
    assert page.locator("[data-line]").count() == 0
    shot(page, "import-refused")

    page.click(".acquisitions-nav a[href$='donations/new/']")
    page.fill("input[name=donor]", "林小雨")
    page.fill("input[name=donor_class]", "五年级(2)班")
    page.fill("input[name=lines-0-title]", "安徒生童话")
    page.fill("input[name=lines-0-quantity]", "2")
    page.fill("input[name=lines-0-clc_code]", "I533.88")
    shot(page, "donation-form")
    page.click("[data-action=donation-save]")
    page.wait_for_url("**/catalog/deliveries/*/")
    assert page.locator("[data-donor]").inner_text() == "林小雨"
    assert Copy.objects.filter(source=Copy.Source.DONATION, donor="林小雨（五年级(2)班）").count() == 2
    shot(page, "donation")
    page.goto("/catalog/plans/")
    shot(page, "plans")
