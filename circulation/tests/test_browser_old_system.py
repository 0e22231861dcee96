"""An administrator moves the school from its old library system in a browser: the CNMARC
export with its copies in 905/906, then the readers' spreadsheet, then the books out on loan,
each previewed and run; the school's first overdue notices follow. A loans file with a wrong
row shows that row, in English, and cannot be run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Copy, Record
from circulation.models import Loan, Notice, Reader
from circulation.services.notices import notices_send
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.celery import app
from library_site.testing import ARTIFACTS, browser_login

from .roster_files import roster_csv, roster_xlsx
from .test_old_system import LOAN_HEADERS, old_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_tasks():
    """The worker's task runs in the live server's thread as the step is sent."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def upload_and_run(page, step: str, path, shot: str) -> None:
    page.set_input_files(f"form[data-upload={step}] input[type=file]", str(path))
    page.click(f"form[data-upload={step}] button[type=submit]")
    page.locator(f"[data-preview={step}]").wait_for()
    page.locator(f"#step-{step}").screenshot(path=str(ARTIFACTS / f"old-system-{shot}-preview.png"))
    page.click(f"[data-run={step}]")
    page.locator(f"[data-report={step}]").wait_for()


@pytest.mark.usefixtures("eager_tasks")
def test_an_administrator_moves_the_school_and_the_first_overdue_notices_follow(page, tmp_path):
    UserFactory(username="zhangadmin", roles=[Role.ADMINISTRATOR])
    today = timezone.localdate()
    records = tmp_path / "馆藏.iso"
    records.write_bytes(old_catalogue())
    readers = roster_xlsx(
        tmp_path / "读者.xlsx",
        [("S001", "王小明", "男", "三年级(1)班", ""), ("S002", "李小红", "女", "三年级(2)班", "")],
    )
    loans = roster_csv(
        tmp_path / "在借.csv",
        [
            (
                "S001",
                "OLD00",
                (today - timedelta(days=40)).isoformat(),
                (today - timedelta(days=10)).isoformat(),
            ),
            (
                "S002",
                "OLD10",
                (today - timedelta(days=3)).isoformat(),
                (today + timedelta(days=11)).isoformat(),
            ),
        ],
        headers=LOAN_HEADERS,
    )
    browser_login(page, "zhangadmin", PASSWORD)
    page.goto("/circulation/old-system/")
    page.screenshot(path=str(ARTIFACTS / "old-system-start.png"), full_page=True)

    page.select_option("form[data-upload=records] select[name=profile]", "cnmarc")
    upload_and_run(page, "records", records, "records")
    assert (Record.objects.count(), Copy.objects.count()) == (2, 4)
    upload_and_run(page, "readers", readers, "readers")
    assert Reader.objects.count() == 2
    upload_and_run(page, "loans", loans, "loans")
    assert Loan.objects.filter(state=Loan.State.OPEN).count() == 2
    page.screenshot(path=str(ARTIFACTS / "old-system-done.png"), full_page=True)
    assert "已保存" in page.locator("[data-report=loans]").inner_text()

    run = notices_send(today=today)
    assert run.overdue == 1
    assert Notice.objects.get(kind=Notice.Kind.OVERDUE).loan.copy.barcode == "OLD00"


def test_a_wrong_loans_row_is_shown_by_its_number_in_english_and_cannot_be_run(page, tmp_path):
    UserFactory(username="zhangadmin", roles=[Role.ADMINISTRATOR])
    loans = roster_csv(
        tmp_path / "loans.csv", [("S404", "NOPE", "2026-09-01", "2026-09-30")], headers=LOAN_HEADERS
    )
    browser_login(page, "zhangadmin", PASSWORD)
    page.goto("/circulation/old-system/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    page.set_input_files("form[data-upload=loans] input[type=file]", str(loans))
    page.click("form[data-upload=loans] button[type=submit]")
    page.locator("[data-refused]").wait_for()
    assert page.locator("[data-refused-total]").inner_text() == "1"
    row = page.locator("[data-refused] tbody tr").first.inner_text()
    assert row.startswith("2") and "No reader has the number or card S404." in row
    assert page.locator("[data-run=loans]").count() == 0
    page.locator("#step-loans").screenshot(path=str(ARTIFACTS / "old-system-refused-en.png"))
    assert Loan.objects.count() == 0
