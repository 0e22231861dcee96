"""A librarian at a browser imports the roster of a class, prints its library cards, and a pupil
of the class scans their new card at the reading room's door."""

import subprocess

import pytest

from catalog.models import Location
from circulation.models import Reader
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .roster_files import roster_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_librarian_imports_a_class_roster_and_prints_its_cards(page, tmp_path):
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    path = roster_xlsx(
        tmp_path / "三年级2班名册.xlsx",
        [
            ("20260301", "林小雨", "女", "三年级(2)班", "13800000001"),
            ("20260302", "王大山", "男", "3年级2班", "13800000002"),
            ("20260303 ", "张 晓", "女", "３年级（２）班", ""),
        ],
    )
    browser_login(page, "wanglib", PASSWORD)
    page.click("nav [data-menu=circulation] > a")
    page.click("nav [data-menu=school] a")
    page.click(".school-nav a[href$='/roster/']")
    page.set_input_files("input[name=file]", str(path))
    page.screenshot(path=str(ARTIFACTS / "roster-upload.png"), full_page=True)
    page.click("[data-roster-form] button[type=submit]")
    page.wait_for_url("**/roster/preview/")
    assert page.locator("[data-count=new]").inner_text() == "3"
    assert page.locator("[data-count=new-classes]").inner_text() == "1"
    assert "三年级(2)班" in page.locator("[data-section=new-classes]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "roster-preview.png"), full_page=True)
    assert Reader.objects.count() == 0
    page.click("[data-confirm-form] button[type=submit]")
    # Each new pupil's own first password, on the class's slips, downloaded once.
    page.wait_for_url("**/first-passwords/*/")
    assert "3" in page.locator(".alert-success").inner_text()
    page.screenshot(path=str(ARTIFACTS / "roster-saved.png"), full_page=True)
    with page.expect_download() as download:
        page.click("[data-slips-download]")
    slips = tmp_path / "slips.pdf"
    download.value.save_as(slips)
    text = subprocess.run(["pdftotext", str(slips), "-"], capture_output=True, text=True, check=True).stdout
    assert "林小雨" in text and "20260301" in text and "三年级(2)班" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-singlefile", str(slips), str(ARTIFACTS / "first-password-slips")],
        check=True,
    )
    page.reload()
    assert page.locator("[data-slips-download]").count() == 0
    page.screenshot(path=str(ARTIFACTS / "first-password-slips-page.png"), full_page=True)
    page.goto("/circulation/roster/")

    page.click(".school-nav a[href$='/classes/']")
    page.click("[data-class='三年级(2)班']")
    assert page.locator("tr[data-reader]").count() == 3
    page.screenshot(path=str(ARTIFACTS / "class-detail.png"), full_page=True)
    href = page.get_attribute("[data-print-cards]", "href")
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "cards.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "林小雨" in text and "王大山" in text and "三年级(2)班" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-singlefile", str(pdf), str(ARTIFACTS / "class-cards")], check=True
    )

    # A pupil scans the new card at the reading room's door.
    room = Location.objects.get(kind=Location.Kind.READING_ROOM)
    card = Reader.objects.get(number="20260301").cards.get().number
    page.goto(f"/circulation/rooms/{room.pk}/kiosk/")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan'")
    page.keyboard.type(card)
    page.keyboard.press("Enter")
    page.locator("[data-visit]").wait_for()
    assert "林小雨" in page.locator("[data-visit]").inner_text()
    assert page.get_attribute("#kiosk-today", "data-today") == "1"
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan'")
    page.keyboard.type("NOPE")
    page.keyboard.press("Enter")
    page.locator("[data-refusal]").wait_for()
    page.screenshot(path=str(ARTIFACTS / "room-kiosk.png"), full_page=True)


def test_the_staff_pages_of_a_generated_school(page):
    import datetime
    import io

    from django.core.management import call_command

    from circulation.services.rooms import class_session_book, opening_hours_add

    call_command(
        "generate_school", "--students", "360", "--classes", "12", "--teachers", "20", stdout=io.StringIO()
    )
    room = Location.objects.get(kind=Location.Kind.READING_ROOM)
    for weekday in range(1, 6):
        opening_hours_add(
            room=room, weekday=weekday, opens_at=datetime.time(7, 30), closes_at=datetime.time(16)
        )
    monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().isoweekday() - 1)
    from circulation.models import SchoolClass

    for index, school_class in enumerate(SchoolClass.objects.order_by("grade", "number")[:6]):
        class_session_book(
            room=room,
            school_class=school_class,
            date=monday + datetime.timedelta(days=index % 5),
            period=index % 3 + 1,
        )
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/circulation/classes/")
    assert page.locator("[data-grade]").count() == 6
    page.screenshot(path=str(ARTIFACTS / "class-list.png"), full_page=True)
    page.goto("/circulation/readers/")
    assert page.locator("tr[data-reader]").count() == 50
    page.fill("#id_q", "2026010101")
    page.locator("tr[data-reader]").first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('tr[data-reader]').length === 1")
    page.goto("/circulation/readers/")
    page.screenshot(path=str(ARTIFACTS / "reader-list.png"), full_page=False)
    page.click("tr[data-reader] a")
    page.screenshot(path=str(ARTIFACTS / "reader-edit.png"), full_page=True)
    page.click("a[href$='/reissue/']")
    page.fill("input[name=reason]", "遗失")
    page.screenshot(path=str(ARTIFACTS / "card-reissue.png"), full_page=True)
    page.click("form button.btn-danger")
    assert page.locator("[data-card] .text-bg-danger").count() == 1
    page.goto("/circulation/promotion/")
    assert page.locator("[data-section=graduating]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "promotion.png"), full_page=True)
    page.goto(f"/circulation/rooms/{room.pk}/")
    assert page.locator("[data-session]").count() == 6
    page.screenshot(path=str(ARTIFACTS / "room-week.png"), full_page=True)
