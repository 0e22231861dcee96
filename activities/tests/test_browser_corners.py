"""Issue 18's walk, in a browser: the librarian lends a batch to 三年级(1)班's corner, rotates the
grade and is shown the copy missing at the rotation; a volunteer checks in for a shift by card at
the desk; the librarian logs the shift and rates the month; register G, downloaded from the
registers page, reads back from the .xlsx with the shift's figures. Then the pages in English."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.models import Location
from circulation.tests.factories import ReaderFactory, SchoolClassFactory, copies_of
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from ..models import CornerLoan, RatingCriterion, Shift
from ..services.team import rota_slot_save, team_member_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FOCUSED = "() => document.activeElement && document.activeElement.id === 'scan'"


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"corners-{name}.png"), full_page=True)


def test_corner_rotation_shift_rating_and_register_g(page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SCHOOL_NAME = "实验小学"
    librarian = UserFactory(
        username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN, Role.ADMINISTRATOR]
    )
    first_class = SchoolClassFactory(grade=3, number=1)
    second_class = SchoolClassFactory(grade=3, number=2)
    books = copies_of("草房子", count=3)
    volunteer = ReaderFactory(
        full_name="林小雨", card_number="R0000201", school_class=SchoolClassFactory(grade=5, number=1)
    )
    member = team_member_add(reader=volunteer, user=librarian)
    now = timezone.localtime()
    rota_slot_save(
        weekday=now.weekday(),
        starts_at=(now - timedelta(minutes=2)).time().replace(microsecond=0),
        ends_at=min(now + timedelta(hours=1), now.replace(hour=23, minute=59)).time().replace(microsecond=0),
        room=Location.objects.filter(kind=Location.Kind.STACKS).first(),
        members=[member],
        user=librarian,
    )
    RatingCriterion.objects.create(name="出勤", max_score=10, position=1)
    RatingCriterion.objects.create(name="工作质量", max_score=20, position=2)

    # The librarian sets up the corners and lends a batch to 三年级(1)班's from a scan list.
    browser_login(page, "wanglib", PASSWORD)
    page.goto(reverse("activities:corners"))
    for name in ("三年级(1)班", "三年级(2)班"):
        page.click(f"tr[data-class='{name}'] button")
        page.goto(reverse("activities:corners"))
    page.click("tr[data-class='三年级(1)班'] a")
    page.fill("#lend-form textarea", "\n".join(copy.barcode for copy in books))
    page.click("#lend-form button")
    page.locator("[data-result-batch]").wait_for()
    assert "已借给图书角 3 册" in page.content()
    assert page.locator("#corner-books tr[data-barcode]").count() == 3
    shot(page, "corner-zh")

    # A rotation plan for the grade, previewed, carried out with one copy missing.
    page.goto(reverse("activities:rotations"))
    page.check(f"#plan-form input[name=classes][value='{first_class.pk}']")
    page.check(f"#plan-form input[name=classes][value='{second_class.pk}']")
    page.fill("#id_starts_on", timezone.localdate().isoformat())
    page.click("#plan-form button")
    page.locator("[data-share='三年级(1)班']").wait_for()
    assert "交换 3 册" in page.locator("[data-share='三年级(1)班']").inner_text()
    shot(page, "rotation-preview-zh")
    page.fill("#carry-out-form textarea", books[2].barcode)
    page.click("#carry-out-form button")
    page.locator("#rotation-missing").wait_for()
    assert (
        page.locator(f"#rotation-missing tr[data-missing='{books[2].barcode}']")
        .inner_text()
        .startswith("三年级(1)班")
    )
    assert "交换已完成：交换 2 册，缺失 1 册" in page.content()
    shot(page, "rotation-done-zh")
    assert CornerLoan.objects.get(copy=books[2], state="in_corner").corner.school_class == first_class

    # The volunteer checks in for the shift by card at the desk.
    page.goto(reverse("circulation:desk"))
    page.wait_for_function(FOCUSED)
    page.click("label[for=mode-shift]")
    page.locator("#scan").focus()
    page.keyboard.type("R0000201")
    page.keyboard.press("Enter")
    page.locator(".desk-answer[data-outcome=done]").wait_for()
    assert "林小雨" in page.locator(".desk-answer[data-outcome=done]").inner_text()
    shot(page, "desk-shift-zh")
    shift = Shift.objects.get()
    assert shift.checked_in_at is not None

    # The librarian logs the shift: 25 books shelved.
    page.goto(reverse("activities:team-shifts"))
    page.click(f"tr[data-shift='{shift.pk}'] a")
    page.select_option("#id_kind", "shelving")
    page.fill("#id_books", "25")
    page.fill("#id_note", "I类图书上架")
    page.click("#work-form button")
    page.locator("#work tr[data-work=shelving]").wait_for()

    # … and rates the month; a score outside the scale is refused first.
    page.goto(reverse("activities:team-ratings"))
    row = page.locator(f"#ratings tr[data-member='{volunteer.number}']")
    inputs = row.locator("input[type=number]")
    inputs.nth(0).evaluate("element => element.removeAttribute('max')")
    inputs.nth(0).fill("11")
    inputs.nth(1).fill("18")
    row.locator("button").click()
    page.locator(".alert-danger, .alert-error, [role=alert]").first.wait_for()
    assert "“出勤”的分数应在 0 到 10 之间" in page.content()
    row = page.locator(f"#ratings tr[data-member='{volunteer.number}']")
    row.locator("input[type=number]").nth(0).fill("9")
    row.locator("input[type=number]").nth(1).fill("18")
    row.locator("button").click()
    page.locator(f"#ratings tr[data-member='{volunteer.number}'] [data-total]:has-text('27')").wait_for()
    page.click("#best-button")
    page.locator(f"[data-best='{volunteer.number}']").wait_for()
    shot(page, "ratings-zh")

    # Register G from the registers page, read back from the .xlsx.
    page.goto(reverse("reports:registers"))
    page.click("[data-register=G]")
    page.locator("[data-register-form=G]").wait_for()
    today = timezone.localdate()
    page.fill("input[name=date_from]", (today - timedelta(days=7)).isoformat())
    page.fill("input[name=date_to]", today.isoformat())
    with page.expect_download() as download:
        page.click("[data-register-submit]")
    saved = tmp_path / "g.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "实验小学 图书馆学生服务队工作情况记录表"
    assert rows[2][:2] == ("序号", "日期")
    assert rows[3][5:8] == ("林小雨", "五年级(1)班", "准时")
    assert rows[3][10:12] == ("上架", 25)
    assert "上架册数：25" in rows[5][0]

    # The same pages in English.
    page.goto(reverse("activities:corner", args=[CornerLoan.objects.first().corner_id]))
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert "book corner" in page.content()
    shot(page, "corner-en")
    page.goto(reverse("activities:team-ratings"))
    assert "Best member of the month" in page.content()
    shot(page, "ratings-en")
    page.goto(reverse("activities:team-rota"))
    shot(page, "rota-en")
