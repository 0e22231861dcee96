"""The pages of issue 14 in Chromium, in Chinese and in English, on the demo school: the
class-set booking form's words, the class list's full-width punctuation, the leader's home page,
the library settings page, and the printed library card (PDF rendered to PNG)."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Record
from circulation.models import SchoolClass
from library_site.accounts.models import User
from library_site.testing import ARTIFACTS, browser_login

pytestmark = pytest.mark.browser
PASSWORD = "demo-pass-2026"


def use_language(page, code: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": code, "url": page.base_url}])


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    user = User.objects.get(username=username)
    user.set_password(PASSWORD)
    user.password_change_required = False  # the demo's readers chose their own at the first sign-in
    user.save(update_fields=["password", "password_change_required"])
    browser_login(page, username, PASSWORD)


def test_the_first_week_pages_in_chinese_and_english(page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_data", stdout=io.StringIO())
    record = Record.objects.get(title="草房子")
    school_class = SchoolClass.objects.order_by("grade", "number").first()

    for code in ("zh-hans", "en"):
        suffix = "zh" if code == "zh-hans" else "en"
        sign_in(page, school_class.head_teacher.username)
        use_language(page, code)
        page.goto(reverse("circulation:class-set-new", args=[record.pk]))
        form = page.locator("form.class-set-form")
        if code == "zh-hans":
            assert (
                "班级" in form.inner_text()
                and "册数" in form.inner_text()
                and "开始日期" in form.inner_text()
            )
            assert form.locator("button[type=submit]").inner_text().strip() == "预订"
        else:
            assert form.locator("button[type=submit]").inner_text().strip() == "Book"
        page.screenshot(path=str(ARTIFACTS / f"issue14-class-set-form-{suffix}.png"), full_page=True)

        sign_in(page, "leader")
        use_language(page, code)
        page.goto("/")
        assert page.locator("[data-waiting]").is_visible()
        assert page.locator("[data-month-figures] [data-figure=loans]").inner_text() != "0"
        page.screenshot(path=str(ARTIFACTS / f"issue14-leader-home-{suffix}.png"), full_page=True)

        sign_in(page, "admin")
        use_language(page, code)
        page.goto(reverse("catalog:settings"))
        page.fill("input[name=library_name]", "实验小学图书馆")
        page.click("form.catalog-settings-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("input[name=library_name]").input_value() == "实验小学图书馆"
        page.screenshot(path=str(ARTIFACTS / f"issue14-library-settings-{suffix}.png"), full_page=True)
        page.goto(reverse("circulation:class-list"))
        if code == "zh-hans":
            assert "班主任：" in page.locator("main").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"issue14-class-list-{suffix}.png"), full_page=True)
        page.goto(reverse("reports:statistics"))
        page.screenshot(path=str(ARTIFACTS / f"issue14-statistics-{suffix}.png"), full_page=True)

        response = page.request.get(reverse("circulation:class-cards", args=[school_class.pk]))
        pdf = tmp_path / f"cards-{suffix}.pdf"
        pdf.write_bytes(response.body())
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert ("学号：2026030101" if code == "zh-hans" else "Student number 2026030101") in text
        assert "期" not in text
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(ARTIFACTS / f"issue14-library-cards-{suffix}"),
            ],
            check=True,
        )
