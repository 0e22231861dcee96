"""A school leader opens the statistics for a month in Chromium: the charts are drawn beside
their tables, in Chinese and, after switching, in English."""

import datetime

import pytest
from django.utils import timezone

from catalog.tests.factories import RecordFactory
from circulation.models import Loan
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login
from reports.services.statistics import monthly_snapshot_compute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_reads_a_months_statistics(page):
    UserFactory(username="principal", full_name="李校长", roles=[Role.LEADER])
    pupil = ReaderFactory(school_class=SchoolClassFactory(grade=3, number=2))
    record = RecordFactory(title="草房子", clc_code="I287", copies=2)
    for day, copy in enumerate(record.copies.order_by("pk"), start=2):
        Loan.objects.create(
            copy=copy,
            reader=pupil,
            lent_at=timezone.make_aware(datetime.datetime(2026, 3, day, 10)),
            due_on=datetime.date(2026, 3, 20),
        )
    monthly_snapshot_compute(month=datetime.date(2026, 3, 1))

    browser_login(page, "principal", PASSWORD)
    page.click("nav [data-menu=management] > a")
    page.click("nav a[href='/reports/statistics/']")
    page.fill("#period-month", "2026-03")
    page.locator("#period-month").press("Enter")
    page.wait_for_url("**/reports/statistics/?month=2026-03")
    assert page.evaluate("Object.keys(Chart.instances).length") == 7
    assert "三年级(2)班" in page.locator("#classes-title ~ .row table").inner_text()
    assert "草房子" in page.locator("#titles-title ~ table").inner_text()
    page.screenshot(path=str(ARTIFACTS / "statistics-month-browser-test.png"), full_page=True)

    page.click("text=English")
    page.wait_for_load_state("networkidle")
    assert "Grade 3 Class 2" in page.locator("#classes-title ~ .row table").inner_text()
    assert page.evaluate("Object.keys(Chart.instances).length") == 7


def test_a_leader_reads_the_months_reading_notes(page):
    from activities.models import PupilWork, ReadingNote
    from activities.tests.factories import CardFactory, NoteFactory, at, pupil

    UserFactory(username="principal", full_name="李校长", roles=[Role.LEADER])
    reader = pupil(grade=3, class_number=2)
    for day in (2, 3, 4):
        NoteFactory(reader=reader, record=None, submitted_at=at(datetime.date(2026, 3, day)))
    NoteFactory(
        reader=reader,
        record=None,
        medium=ReadingNote.Medium.PAPER,
        state=PupilWork.State.REVIEWED,
        submitted_at=at(datetime.date(2026, 3, 5)),
        reviewed_at=at(datetime.date(2026, 3, 25)),
    )
    CardFactory(reader=reader, submitted_at=at(datetime.date(2026, 3, 6)))
    monthly_snapshot_compute(month=datetime.date(2026, 3, 1))

    browser_login(page, "principal", PASSWORD)
    page.goto("/reports/statistics/?month=2026-03")
    table = page.locator("#notes-table")
    assert "读书笔记与文摘卡" in page.locator("#notes-title").inner_text()
    assert table.locator("tr[data-month='2026-03'] td").all_inner_texts() == [
        "2026-03",
        "4",
        "1",
        "1",
        "0",
        "1",
        "0",
    ]
    assert page.evaluate("Object.keys(Chart.instances).length") == 7
    # The table scrolls: show its last months, the month asked for among them.
    page.evaluate("document.querySelector('#notes-table-box').scrollTop = 10000")
    page.locator("#reading-notes").screenshot(path=str(ARTIFACTS / "statistics-notes-browser-test.png"))
    page.click("text=English")
    page.wait_for_load_state("networkidle")
    assert "Reading notes and excerpt cards" in page.locator("#notes-title").inner_text()
    page.evaluate("document.querySelector('#notes-table-box').scrollTop = 10000")
    page.locator("#reading-notes").screenshot(path=str(ARTIFACTS / "statistics-notes-browser-test-en.png"))
