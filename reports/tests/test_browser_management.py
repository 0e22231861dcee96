"""The issue's "done when": the librarian makes the year's plan from the seed's targets, a leader
approves it, the board shows each target measured (the month of an incident and the weeks below
40 opening hours marked missed, and October, which has no themed activity in the activity calendar), and the term
summary opens as a Word file (read back with python-docx) and as a PDF rendered to PNG.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime
import io
import subprocess

import pytest
from django.utils import timezone

from catalog.models import Location
from circulation.models import ClosedPeriod, OpeningHours, Term
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.school import school_year_of
from library_site.testing import ARTIFACTS, browser_login
from reports.models import StaffMember, WorkPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def the_school():
    """A term under way, a reading room open 40 hours a week, and the National Day holiday."""
    today = timezone.localdate()
    year = school_year_of(today)
    term = Term.objects.create(
        name=f"{year}-{year + 1}学年第一学期",
        starts_on=datetime.date(year, 9, 1),
        ends_on=datetime.date(year + 1, 1, 20),
        hard_due_on=datetime.date(year + 1, 1, 15),
    )
    room = Location.objects.create(name="学生阅览室", kind=Location.Kind.READING_ROOM, position=60)
    for weekday in range(1, 6):
        OpeningHours.objects.create(
            room=room, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(16)
        )
    ClosedPeriod.objects.create(
        name="国庆节", starts_on=datetime.date(year, 10, 1), ends_on=datetime.date(year, 10, 7)
    )
    return year, term, room


def test_the_plan_is_made_approved_measured_and_summed_up(page, browser, live_server, tmp_path):
    import docx

    librarian = UserFactory(username="wanglib", full_name="王老师", roles=[Role.LIBRARIAN])
    UserFactory(username="leader1", full_name="刘校长", roles=[Role.LEADER])
    StaffMember.objects.create(user=librarian, post="图书管理员", joined_on=datetime.date(2020, 9, 1))
    year, term, _room = the_school()

    browser_login(page, "wanglib", PASSWORD)
    page.goto("/")
    page.click("nav [data-menu=management] > a")
    page.click("nav a[href='/reports/plans/']")
    page.select_option("select[name=kind]", "year")
    page.fill("textarea[name=aims]", "以服务师生为中心，办好读书节。")
    page.click("[data-plan-create] button[type=submit]")
    page.wait_for_url("**/reports/plans/*/")
    assert page.locator("[data-plan-targets] tbody tr").count() == 10
    page.click("[data-plan-submit]")
    page.wait_for_selector("[data-plan-status=submitted]")
    page.screenshot(path=str(ARTIFACTS / "management-plan-submitted.png"), full_page=True)

    # An incident in the term's second month, recorded at the safety page.
    page.goto("/reports/safety/")
    page.fill("[data-incident-form] input[name=occurred_on]", f"{year}-10-15")
    page.fill("[data-incident-form] textarea[name=what]", "阅览室插座冒烟")
    page.fill("[data-incident-form] textarea[name=measures]", "立即断电，更换插座，全馆检查线路")
    page.click("[data-incident-form] button[type=submit]")
    page.wait_for_selector("[data-incidents] td:has-text('阅览室插座冒烟')")

    # The leader approves.
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    leader = context.new_page()
    browser_login(leader, "leader1", PASSWORD)
    plan = WorkPlan.objects.get()
    # The plan waits on the leader's home page; its link opens it.
    leader.goto("/")
    leader.click(f"[data-work-plan-waiting='{plan.pk}'] a")
    leader.wait_for_url(f"**/reports/plans/{plan.pk}/")
    leader.fill("[data-plan-decide] textarea[name=comment]", "同意，请抓好落实。")
    leader.click("[data-plan-approve]")
    leader.wait_for_selector("[data-plan-status=approved]")
    context.close()
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.APPROVED

    # The librarian sees the approval, and prints the approved plan from its page.
    page.goto("/reports/plans/")
    assert "同意，请抓好落实。" in page.inner_text(f"[data-plan-decided='{plan.pk}']")
    page.goto(f"/reports/plans/{plan.pk}/")
    printed = page.request.get(page.get_attribute("[data-plan-print]", "href"))
    assert printed.headers["content-type"] == "application/pdf"
    plan_pdf = tmp_path / "plan.pdf"
    plan_pdf.write_bytes(printed.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(plan_pdf), str(ARTIFACTS / "management-plan-pdf")], check=True
    )
    plan_text = " ".join(
        subprocess.run(
            ["pdftotext", str(plan_pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "以服务师生为中心，办好读书节。" in plan_text and "刘校长" in plan_text

    page.goto(f"/reports/targets/?year={year}")
    page.wait_for_function("() => document.querySelector('canvas[data-chart=trend]').width > 0")
    october = page.locator("[data-targets-board] thead th").all_inner_texts().index(f"{year}-10") - 2
    incidents = page.locator("[data-row=safety_incidents] [data-month-verdict]")
    assert incidents.nth(october).get_attribute("data-month-verdict") == "missed"
    assert incidents.nth(0).get_attribute("data-month-verdict") == "met"
    hours = page.locator("[data-row=weekly_opening_hours] [data-month-verdict]")
    assert hours.nth(october).get_attribute("data-month-verdict") == "missed"
    assert (
        page.locator("[data-row=weekly_opening_hours] [data-verdict]").get_attribute("data-verdict")
        == "missed"
    )
    # October had no themed activity: the calendar's month is missed on the board.
    themed = page.locator("[data-row=months_without_themed_activity] [data-month-verdict]")
    assert themed.nth(october).get_attribute("data-month-verdict") == "missed"
    page.screenshot(path=str(ARTIFACTS / "management-targets-board-zh.png"), full_page=True)

    english = browser.new_context(
        base_url=live_server.url, locale="en", viewport={"width": 1280, "height": 900}
    )
    english.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    tab = english.new_page()
    browser_login(tab, "wanglib", PASSWORD)
    tab.goto(f"/reports/targets/?year={year}")
    tab.wait_for_function("() => document.querySelector('canvas[data-chart=trend]').width > 0")
    assert "not measured: the activity calendar is not installed" not in tab.content()
    tab.screenshot(path=str(ARTIFACTS / "management-targets-board-en.png"), full_page=True)
    english.close()

    page.goto(f"/reports/term-summary/?term={term.pk}")
    page.fill(
        "[data-summary-text] textarea[name=text]",
        "本学期图书馆围绕读书节开展工作。\n国庆期间闭馆，开放时间不足四十小时。",
    )
    page.click("[data-summary-text] button[type=submit]")
    page.wait_for_selector("[data-summary-figures]")
    page.screenshot(path=str(ARTIFACTS / "management-term-summary.png"), full_page=True)

    word = page.request.get(page.get_attribute("[data-download=docx]", "href"))
    assert (
        word.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    document = docx.Document(io.BytesIO(word.body()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert f"{term.name}图书馆工作总结" in texts[0] or term.name in texts[0]
    assert "国庆期间闭馆，开放时间不足四十小时。" in texts
    targets = {row.cells[0].text: row.cells[4].text for row in document.tables[1].rows[1:]}
    assert targets["无安全事故"] == "未达成"

    pdf = page.request.get(page.get_attribute("[data-download=pdf]", "href"))
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(path), str(ARTIFACTS / "management-term-summary-pdf")],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "本学期图书馆围绕读书节开展工作。" in text
