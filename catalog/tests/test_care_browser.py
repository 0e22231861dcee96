"""A librarian takes stock of a shelf with the scanner, finds a missing and a misplaced copy, and
confirms; then sends a copy to repair and builds a write-off batch that the administrator approves."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.models import Copy, Location, WriteOffBatch
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .factories import RecordFactory
from .test_care_views import catalog_defaults  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/notes/shots/coll-care")


def shot(page, name: str) -> None:
    for folder in (ARTIFACTS, SHOTS):
        if folder.parent.exists():
            folder.mkdir(exist_ok=True)
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def scan(page, barcode: str, outcome: str) -> None:
    # The previous answer has settled (htmx then selects the field for the next scan).
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'scan'"
        " && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )
    page.fill("#scan", barcode)
    page.press("#scan", "Enter")
    page.locator(f"#scan-result [data-outcome='{outcome}']", has_text=barcode).wait_for()


def test_a_stocktake_finds_a_missing_and_a_misplaced_copy_and_is_confirmed(page, catalog_defaults):  # noqa: F811
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    stacks = Location.objects.get(name="书库")
    reading_room = Location.objects.exclude(pk=stacks.pk).first()
    record = RecordFactory(title="草房子", authors=["曹文轩"], clc_code="I287.45", copies=3)
    present, also_present, missing = record.copies.order_by("barcode")
    Copy.objects.filter(record=record).update(location=stacks, shelf="A-01")
    stray = RecordFactory(title="西游记", clc_code="I242.4", copies=1).copies.get()
    Copy.objects.filter(pk=stray.pk).update(location=reading_room, shelf="R-03")

    browser_login(page, "wanglib", PASSWORD)
    page.click("nav [data-menu=collection] > a")
    page.click("nav [data-menu=collection-care] a")
    page.click("[data-care-nav] a[href$='/stocktakes/']")
    page.select_option("select[name=location]", str(stacks.pk))
    page.fill("input[name=shelf_from]", "A-01")
    page.fill("input[name=shelf_to]", "A-05")
    page.click("[data-stocktake-start] button[type=submit]")
    page.wait_for_url("**/catalog/stocktakes/*/")

    scan(page, present.barcode, "here")
    scan(page, also_present.barcode, "here")
    scan(page, stray.barcode, "misplaced")
    scan(page, present.barcode, "again")  # scanned twice: harmless
    shot(page, "stocktake-scanning")
    assert "3" in page.locator("#scan-result [data-scan-count]").get_attribute("data-scan-count")

    page.click("[data-show-report]")
    page.locator("[data-report]").wait_for()
    assert page.locator("[data-missing-count]").inner_text() == "1"
    assert page.locator("[data-misplaced-count]").inner_text() == "1"
    assert page.locator(f"[data-list=missing] [data-row='{missing.barcode}']").count() == 1
    assert page.locator(f"[data-list=misplaced] [data-row='{stray.barcode}']").count() == 1
    shot(page, "stocktake-report")

    page.click("[data-confirm]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-stocktake-status]").get_attribute("data-stocktake-status") == "confirmed"
    shot(page, "stocktake-confirmed")
    missing.refresh_from_db()
    present.refresh_from_db()
    assert missing.status == Copy.Status.LOST
    assert present.status == Copy.Status.AVAILABLE


def test_a_repair_beyond_repair_is_written_off_after_the_administrators_approval(page, catalog_defaults):  # noqa: F811
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    UserFactory(username="boss", full_name="张管理员", roles=[Role.ADMINISTRATOR])
    copy = RecordFactory(title="城南旧事", authors=["林海音"], price="22.50", copies=1).copies.get()

    browser_login(page, "wanglib", PASSWORD)
    page.goto("/catalog/repairs/")
    page.fill("#id_barcode", copy.barcode)
    page.fill("input[name=damage]", "书页大面积撕毁")
    page.click("[data-repair-open] button[type=submit]")
    page.locator(f"[data-open-repairs] td:text('{copy.barcode}')").wait_for()
    shot(page, "repairs")
    page.click("[data-open-repairs] a:has-text('处理')")
    page.check("input[name=result][value=written_off]")
    shot(page, "repair-close")
    page.click("[data-repair-close] button[type=submit]")
    page.wait_for_url("**/catalog/repairs/")

    batch = WriteOffBatch.objects.get()
    page.goto(f"/catalog/write-offs/{batch.pk}/")
    assert page.locator("[data-total-value]").inner_text() == "22.50"
    page.click("[data-submit-batch]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-approve]").count() == 0  # the librarian cannot approve
    shot(page, "write-off-submitted")

    page.context.clear_cookies()
    browser_login(page, "boss", PASSWORD)
    page.goto(f"/catalog/write-offs/{batch.pk}/")
    page.click("[data-approve]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-batch-status]").first.get_attribute("data-batch-status") == "approved"
    shot(page, "write-off-approved")
    page.goto(f"/catalog/write-offs/{batch.pk}/print/")
    assert page.locator("[data-sheet]").count() == 2
    shot(page, "write-off-print")
    copy.refresh_from_db()
    assert copy.status == Copy.Status.WITHDRAWN
