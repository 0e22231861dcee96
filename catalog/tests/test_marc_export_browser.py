"""A librarian exports a class as CNMARC from the cataloguing desk's Export MARC button: a bad
choice is refused on the page, a good one downloads a file the MARC import reads back."""

from __future__ import annotations

import pytest

from catalog.marc import marc_read
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .factories import RecordFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_librarian_exports_a_class_as_cnmarc(page, tmp_path, language):
    RecordFactory(title="围城", clc_code="I246.5", copies=2)
    RecordFactory(title="物理学", clc_code="O4", copies=1)
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    browser_login(page, librarian.username, PASSWORD)
    page.goto("/catalog/")
    page.click("[data-link=marc-export]")
    page.wait_for_selector("[data-marc-export-form]")
    page.select_option("select[name=scope]", "class")
    page.click("[data-marc-export-form] button[type=submit]")
    page.wait_for_selector("[data-refusal=marc-export]")  # no class number given
    page.fill("input[name=clc]", "I2")
    page.select_option("select[name=encoding]", "gb18030")
    page.screenshot(path=str(ARTIFACTS / f"marc_export_{language}.png"), full_page=True)
    with page.expect_download() as waiting:
        page.click("[data-marc-export-form] button[type=submit]")
    download = waiting.value
    assert download.suggested_filename.startswith("catalogue-cnmarc-")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    [entry] = marc_read(target.read_bytes()).entries
    assert (entry.title, entry.encoding, len(entry.barcodes)) == ("围城", "GB18030", 2)
