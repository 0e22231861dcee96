"""A librarian uploads a MARC file over the page's limit and reads where to take it, in
Chinese and in English."""

from pathlib import Path

import pytest

from catalog.models import Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_file_over_the_limit_is_refused_with_the_way_to_import_it(page, settings, tmp_path):
    settings.CATALOG_IMPORT_MAX_BYTES = 1024 * 1024
    big = Path(tmp_path) / "catalogue.mrc"
    big.write_bytes(b"0" * (1024 * 1024 + 1))
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    browser_login(page, "wanglib", PASSWORD)
    for language, expected in (
        ("zh-hans", "更大的文件请在服务器上用“python manage.py import_marc 文件名”导入"),
        ("en", "Import a larger file on the server with “python manage.py import_marc FILE”"),
    ):
        page.goto("/catalog/import/marc/")
        if language == "en":
            page.click("button[name=language][value=en]")
            page.wait_for_load_state("networkidle")
        page.set_input_files("input[name=file]", str(big))
        page.click("form[data-form=marc-upload] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert expected in page.content()
        page.screenshot(path=str(ARTIFACTS / f"marc-too-large-{language}.png"), full_page=True)
    assert Record.objects.count() == 0
