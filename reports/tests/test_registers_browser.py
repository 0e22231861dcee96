"""An administrator, as a new user would: finds the registers in the menu, downloads register I
at once, and register A through the background job's progress bar; in Chinese and in English."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from circulation.models import Reader
from circulation.tests.factories import ReaderFactory, SchoolClassFactory, copies_of
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login
from reports.services.registers import register_export_run

from .test_registers import SEPT_1, lend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"registers-{name}.png"), full_page=True)


@pytest.fixture
def school(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SCHOOL_NAME = "实验小学"
    UserFactory(username="admin1", full_name="张管理员", roles=[Role.ADMINISTRATOR])
    school_class = SchoolClassFactory(grade=3, number=2)
    pupils = [ReaderFactory(full_name=name, school_class=school_class) for name in ("李雷", "韩梅梅")]
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, full_name="王老师", number="T001", department="语文组")
    copies = copies_of("草房子", count=6)
    for index, copy in enumerate(copies[:3]):
        lend(
            copy,
            pupils[index % 2],
            SEPT_1 + timedelta(days=index),
            returned=SEPT_1 + timedelta(days=index + 7),
        )
    for index, copy in enumerate(copies[3:]):
        lend(copy, teacher, SEPT_1 + timedelta(days=10 + index))


def choose_period(page) -> None:
    page.fill("input[name=date_from]", "2026-09-01")
    page.fill("input[name=date_to]", "2027-01-31")


def test_an_administrator_downloads_register_i_at_once_and_register_a_through_a_job(
    page, school, settings, monkeypatch, tmp_path
):
    browser_login(page, "admin1", PASSWORD)
    page.click("nav [data-menu=management] > a")
    page.click("nav [data-menu=registers] a")
    page.wait_for_url("**/reports/registers/")
    page.click("[data-register=I]")
    page.locator("[data-register-form=I]").wait_for()
    choose_period(page)
    shot(page, "page-zh")
    with page.expect_download() as download:
        page.click("[data-register-submit]")
    saved = tmp_path / "i.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    assert sheet["A1"].value.startswith("实验小学 ")
    assert [row[3] for row in sheet.iter_rows(min_row=5, max_row=6, values_only=True)] == ["李雷", "韩梅梅"]

    # A register larger than the page makes at once goes to the worker (here a thread, a moment later).
    settings.REPORTS_REGISTER_INLINE_ROWS = 1
    monkeypatch.setattr(
        "reports.tasks.register_export_task.delay",
        lambda job_id: threading.Timer(2.0, register_export_run, [job_id]).start(),
    )
    page.click("[data-register=A]")
    choose_period(page)
    page.click("[data-register-submit]")
    page.wait_for_url("**/reports/registers/jobs/*/")
    shot(page, "job-progress-zh")
    page.locator("[data-job-download]").wait_for(timeout=15_000)
    shot(page, "job-done-zh")
    with page.expect_download() as download:
        page.click("[data-job-download]")
    download.value.save_as(tmp_path / "a.xlsx")
    rows = list(
        load_workbook(tmp_path / "a.xlsx").worksheets[0].iter_rows(min_row=4, max_row=6, values_only=True)
    )
    assert [row[2] for row in rows] == ["王老师"] * 3

    # In English, with a reversed period: a clear message and no file.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base_url}])
    page.goto("/reports/registers/?register=A")
    page.fill("input[name=date_from]", "2027-01-31")
    page.fill("input[name=date_to]", "2026-09-01")
    page.click("[data-register-submit]")
    error = page.locator("[data-register-error]")
    error.wait_for()
    assert "before it begins" in error.inner_text()
    shot(page, "page-en-error")
