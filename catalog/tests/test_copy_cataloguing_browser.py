"""A librarian scans an ISBN the library lacks at the cataloguing desk: the record form opens
with the records a real Zebra (SRU and Z39.50) holds for it, and a server that is down says so;
choosing one fills the form, the librarian corrects a field and saves. In Chinese and English."""

from __future__ import annotations

import pytest

from catalog.models import Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .copy_servers import free_port, zebra_server
from .test_copy_cataloguing import WEICHENG, server_records

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_librarian_fills_the_form_from_a_union_catalogue_and_saves(page, settings, tmp_path, language):
    with zebra_server(tmp_path / "zebra", server_records()) as port:
        settings.CATALOG_COPY_SERVERS = [
            f"Union catalogue (SRU)|http://127.0.0.1:{port}/Default",
            f"Supplier (Z39.50)|z3950://127.0.0.1:{port}/Default",
            f"National library|http://127.0.0.1:{free_port()}/sru",
        ]
        librarian = UserFactory(roles=[Role.LIBRARIAN])
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
        browser_login(page, librarian.username, PASSWORD)
        page.goto("/catalog/")
        page.fill("#isbn", "978-7-02-002475-9")
        page.press("#isbn", "Enter")
        page.wait_for_selector("[data-copy-cataloguing]")
        assert page.locator("[data-copy-result]").count() == 2
        assert page.locator("[data-server-problem]").count() == 1
        assert "National library" in page.inner_text("[data-server-problem]")
        page.screenshot(path=str(ARTIFACTS / f"copy_cataloguing_results_{language}.png"), full_page=True)

        page.click("[data-server='Supplier (Z39.50)'] a")
        page.wait_for_selector("[data-copied-from]")
        assert page.input_value("input[name=title]") == "围城"
        assert page.input_value("input[name=publisher]") == "人民文学出版社"
        assert page.input_value("textarea[name=contributors]").startswith("钱锺书")
        assert Record.objects.count() == 0
        page.screenshot(path=str(ARTIFACTS / f"copy_cataloguing_filled_{language}.png"), full_page=True)

        page.fill("input[name=title]", "围城（纪念版）")
        page.click("form.record-form button[type=submit]")
        page.wait_for_load_state("networkidle")
    record = Record.objects.get()
    assert (record.title, record.isbn, record.year) == ("围城（纪念版）", WEICHENG, 1991)
