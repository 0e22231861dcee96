"""A librarian opens the report to school leaders from the menu, writes the note and downloads
the PDF; the administrator switches the public page on; the page is looked at on a television
(1920×1080) and on a phone. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime
import random
import subprocess

import pytest

from catalog.tests.factories import RecordFactory
from circulation.models import Term
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login
from reports.models import MonthlyFigure, TransparencySettings

from .conftest import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLES = [
    "草房子",
    "夏洛的网",
    "小王子",
    "西游记（青少版）",
    "昆虫记",
    "城南旧事",
    "窗边的小豆豆",
    "十万个为什么",
    "海底两万里",
    "安徒生童话",
]


def school_year():
    """Seven counted months, March to September 2026, and April left uncounted."""
    generator = random.Random(7)
    classes = [(grade, number) for grade in range(1, 7) for number in range(1, 5)]
    records = [RecordFactory(title=title) for title in TITLES]
    top = [ReaderFactory(school_class=SchoolClassFactory(grade=5, number=2), full_name="李小明")]
    for month in (3, 5, 6, 7, 8, 9, 10):
        scale = 0.25 if month in (7, 8) else 1.0
        lines = [(grade, number, int(generator.randint(20, 90) * scale)) for grade, number in classes]
        loans = sum(line[2] for line in lines) + int(120 * scale)
        snap = snapshot(
            datetime.date(2026, month, 1),
            loans=loans,
            returns=int(loans * 0.93),
            active_readers=int(loans * 0.42),
            visits=int(generator.randint(600, 900) * scale),
            new_copies=generator.randint(0, 80),
            classes=lines,
            titles=[(record.title, 40 - rank * 3) for rank, record in enumerate(records)],
            readers=[(top[0], 17)],
        )
        snap.figures.filter(dimension=MonthlyFigure.Dimension.CLC).delete()
        for code, share in (
            ("I", 0.46),
            ("K", 0.12),
            ("G", 0.1),
            ("N", 0.08),
            ("Q", 0.07),
            ("J", 0.05),
            ("", 0.02),
        ):
            MonthlyFigure.objects.create(
                snapshot=snap,
                dimension=MonthlyFigure.Dimension.CLC,
                key=code,
                loans=int(loans * share),
                copies=int(9000 * share) + 200,
            )
    Term.objects.create(
        name="2025-2026学年第二学期",
        starts_on=datetime.date(2026, 3, 2),
        ends_on=datetime.date(2026, 7, 10),
        hard_due_on=datetime.date(2026, 7, 1),
    )
    return records


def pdf_pages(content: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(ARTIFACTS / name)], check=True)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_librarian_writes_the_note_and_downloads_the_report(page, tmp_path):
    UserFactory(username="wanglib", full_name="王老师", roles=[Role.LIBRARIAN])
    school_year()

    browser_login(page, "wanglib", PASSWORD)
    page.goto("/")
    page.click("nav [data-menu=management] > a")
    page.click("nav a[href='/reports/leaders/']")
    page.fill("#period-month", "2026-10")
    page.click("[data-period-form] button[type=submit]")
    page.wait_for_url("**/reports/leaders/?month=2026-10")
    page.fill("textarea[name=text]", "十月借阅回升，五年级表现突出。\n建议：增加<科普类>图书 & 期刊。")
    page.click("[data-note-form] button[type=submit]")
    page.wait_for_url("**/reports/leaders/?month=2026-10#note")
    assert page.locator("[data-note-by]").is_visible()
    assert page.locator("svg").count() == 3
    page.screenshot(path=str(ARTIFACTS / "leaders-report-page.png"), full_page=True)

    response = page.request.get(page.get_attribute("[data-download-pdf]", "href"))
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_pages(response.body(), tmp_path, "leaders-report-pdf")
    assert "建议：增加<科普类>图书 & 期刊。" in text

    page.click("[data-term-link]")
    page.wait_for_url("**/reports/leaders/?term=*")
    assert page.locator("[data-missing-months]").is_visible()
    page.screenshot(path=str(ARTIFACTS / "leaders-report-term.png"), full_page=True)
    response = page.request.get(page.get_attribute("[data-download-pdf]", "href"))
    pdf_pages(response.body(), tmp_path, "leaders-report-term-pdf")


def test_the_public_page_on_a_television_and_a_phone(page, browser, live_server):
    UserFactory(username="admin1", full_name="张馆长", roles=[Role.ADMINISTRATOR])
    school_year()
    browser_login(page, "admin1", PASSWORD)
    page.goto("/reports/public/settings/")
    page.screenshot(path=str(ARTIFACTS / "public-page-settings.png"), full_page=True)
    page.check("input[name=enabled]")
    page.check("input[name=show_top_readers]")
    page.fill("input[name=headline]", "图书馆数据一览")
    page.click("[data-public-settings] button[type=submit]")
    assert TransparencySettings.objects.get().enabled

    for name, viewport in (("tv", {"width": 1920, "height": 1080}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=viewport)
        screen = context.new_page()
        screen.goto("/reports/public/")
        assert screen.locator("[data-figure=top-readers]").is_visible()
        assert "李小明" not in screen.content()
        screen.screenshot(path=str(ARTIFACTS / f"public-page-{name}.png"), full_page=(name == "phone"))
        context.close()
