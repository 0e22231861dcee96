"""A librarian at a browser uploads a spreadsheet the worker must read: the page shows the
progress card, and turns into the preview by itself (htmx) once the worker has built it; in
English the preview is built again in English. Screenshots in test-artifacts/ (and SHOTS_DIR when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog.models import Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.system.tasks import upload_preview_task
from library_site.testing import ARTIFACTS, browser_login

from .spreadsheet_files import GOOD_ROWS, catalogue_in_database, write_xlsx  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalogue_in_database"),
]


def shot(page, name: str) -> None:
    for folder in (ARTIFACTS, Path(os.environ["SHOTS_DIR"]) if os.environ.get("SHOTS_DIR") else None):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / name), full_page=True)


def test_the_progress_card_turns_into_the_preview_when_the_worker_is_done(
    page, tmp_path, settings, monkeypatch
):
    settings.UPLOAD_PREVIEW_INLINE_BYTES = 0
    sent = []
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: sent.append((args, kwargs)),
    )
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    path = write_xlsx(tmp_path / "新书清单.xlsx", GOOD_ROWS)
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/catalog/import/")
    page.set_input_files("input[type=file][name=file]", str(path))
    page.click("form[data-import-form] button[type=submit]")
    page.wait_for_url("**/catalog/import/preview/")
    page.wait_for_selector("#upload-preview[data-preview-state=queued]")
    assert "等待后台任务" in page.locator("#upload-preview").inner_text()
    shot(page, "upload-progress-zh.png")
    assert len(sent) == 1 and Record.objects.count() == 0

    args, kwargs = sent[0]
    upload_preview_task(*args, **kwargs)

    page.wait_for_selector("[data-count=rows]", timeout=15000)  # the card's own poll brought the preview
    assert page.locator("[data-count=rows]").inner_text() == "6"
    assert page.url.endswith("/catalog/import/preview/")
    shot(page, "upload-preview-zh.png")

    # In English the preview is built again in English, by the worker, with the card meanwhile.
    page.click("button[name=language][value=en]")
    page.wait_for_selector("#upload-preview")
    assert "Waiting for the background worker" in page.locator("#upload-preview").inner_text()
    shot(page, "upload-progress-en.png")
    assert len(sent) == 2
    args, kwargs = sent[1]
    upload_preview_task(*args, **kwargs)
    page.wait_for_selector("[data-count=rows]", timeout=15000)
    assert "Import preview" in page.content()
    shot(page, "upload-preview-en.png")
    assert Record.objects.count() == 0
