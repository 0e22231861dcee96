"""Issue 16's walk, in a browser: a pupil borrows two books, is told they owe a note, writes it on
a phone-sized screen with the draft surviving a reload, and the desk's block (switched on) lifts
when it is handed in; the head teacher reviews it from the keyboard and releases the grade; the
librarian selects it and it appears on the exhibition wall."""

import pytest
from playwright.sync_api import expect

from circulation.models import LoanPolicy
from circulation.services.loans import loan_checkout
from circulation.tests.factories import ReaderFactory, SchoolClassFactory, copies_of
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from ..desk import notes_owed_borrowing_check
from ..models import ActivitiesSettings, PupilWork, ReadingNote
from .factories import REFLECTION, SUMMARY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def sign_in(page, username):
    page.context.clear_cookies()
    browser_login(page, username, PASSWORD)


def test_a_pupil_owes_writes_and_hands_in_a_note_that_is_reviewed_selected_and_shown(page):
    librarian = UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    head = ReaderFactory(kind="teacher", number="T001", full_name="李老师")
    head.user.username = "liteacher"
    head.user.save()
    school_class = SchoolClassFactory(grade=4, number=3, head_teacher=head.user)
    pupil = ReaderFactory(full_name="林小雨", school_class=school_class)
    pupil.user.username = "linxiaoyu"
    pupil.user.save()
    policy = LoanPolicy.objects.get(name="小学生 图书")
    policy.block_on_owed_notes = True
    policy.save()
    first, second = copies_of("草房子"), copies_of("青铜葵花")
    loan_checkout(reader=pupil, copy=first[0], user=librarian)
    loan_checkout(reader=pupil, copy=second[0], user=librarian)
    assert notes_owed_borrowing_check(pupil, policy) == "欠交 1 篇读书笔记，暂停借书：请先交读书笔记。"

    # The pupil, on a phone, is told they owe a note and writes it.
    page.set_viewport_size(PHONE)
    sign_in(page, "linxiaoyu")
    page.goto("/activities/notes/")
    assert page.locator("[data-owed]").first.inner_text() == "还需交 1 篇读书笔记"
    page.screenshot(path=str(ARTIFACTS / "notes-owed-phone.png"), full_page=True)
    page.locator("[data-write]").first.click()
    page.wait_for_url("**/activities/notes/*/")
    page.fill("#id_title", "友谊的珍贵")
    page.fill("#id_summary", SUMMARY)
    page.fill("#id_reflection", REFLECTION[:60])
    page.locator("#id_title").focus()  # leaving the reflection saves the draft
    page.wait_for_function(
        "() => document.querySelector('form[data-autosave-url]').dataset.autosave === 'saved'"
    )
    assert page.locator("[data-autosave-status]").inner_text().startswith("已于")
    page.reload()
    assert page.input_value("#id_reflection") == REFLECTION[:60]
    page.locator("#id_reflection").press("Control+End")
    page.locator("#id_reflection").type(REFLECTION[60:], delay=0)
    page.screenshot(path=str(ARTIFACTS / "note-writing-phone.png"), full_page=True)
    page.click("[data-submit]")
    page.wait_for_url("**/activities/notes/")
    assert "你的读书笔记已提交" in page.content()
    note = ReadingNote.objects.get()
    assert note.state == PupilWork.State.SUBMITTED and note.reflection == REFLECTION
    assert notes_owed_borrowing_check(pupil, policy) is None

    # The head teacher reviews it from the keyboard and releases the grade.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "liteacher")
    page.goto("/activities/review/")
    page.click(f"[data-review-class='{school_class.pk}'] a[href$='/note/']")
    page.click("[data-start-review]")
    page.locator("[data-review-item][data-keys-ready]").wait_for()
    page.keyboard.press("1")
    expect(page.locator("#grade-1")).to_be_checked()
    page.keyboard.press("c")
    page.keyboard.type("写得真诚，继续加油！")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**/review/{school_class.pk}/note/")
    page.click("[data-release]")
    page.wait_for_url(f"**/review/{school_class.pk}/note/")
    note.refresh_from_db()
    assert (note.state, note.grade, note.comment) == (PupilWork.State.REVIEWED, "优", "写得真诚，继续加油！")
    assert note.released_at is not None

    # The librarian selects it, publishes the month's results and opens the wall.
    settings = ActivitiesSettings.current()
    settings.wall_public = True
    settings.save()
    sign_in(page, "wanglib")
    page.goto("/activities/selection/")
    page.click(f"[data-candidate='note-{note.pk}'] [data-select]")
    page.click("[data-publish]")
    page.locator("[data-published]").wait_for()
    page.context.clear_cookies()
    page.goto("/activities/wall/")
    assert page.locator(f"[data-wall-note='{note.pk}']").count() == 1
    assert "四年级(3)班" in page.locator(f"[data-wall-note='{note.pk}']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "exhibition-wall.png"), full_page=True)

    # The pupil sees the grade.
    sign_in(page, "linxiaoyu")
    page.goto("/activities/notes/")
    assert page.locator("[data-grade]").first.inner_text() == "优"
