"""What the head teacher and the class's pupil librarian see of their corner (issue 18): the
corner's list printed for the head teacher to sign, and the corner with the next rotation's day
on their own page; nobody else's."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from circulation.tests.factories import SchoolClassFactory, copies_of
from library_site.testing import ARTIFACTS

from ..services.corners import (
    corner_for_class,
    corner_keeper_set,
    corner_lend,
    corner_lending_record,
    corner_stocktake,
    rotation_plan_create,
)
from .factories import librarian, pupil, teacher

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    staff = librarian()
    head = teacher()
    first = SchoolClassFactory(grade=3, number=1, head_teacher=head.user)
    second = SchoolClassFactory(grade=3, number=2)
    corner = corner_for_class(school_class=first, user=staff)
    other = corner_for_class(school_class=second, user=staff)
    keeper, child = pupil(school_class=first), pupil(school_class=first)
    corner_keeper_set(corner=corner, keeper=keeper, user=staff)
    books = copies_of("草房子", count=3)
    corner_lend(corner=corner, barcodes=[copy.barcode for copy in books], user=staff)
    corner_lending_record(corner=corner, barcode=books[0].barcode, reader=child, user=head.user)
    corner_stocktake(corner=corner, barcodes=[books[0].barcode, books[1].barcode], user=staff)
    starts_on = timezone.localdate() + timedelta(days=10)
    rotation_plan_create(classes=[first, second], every_weeks=4, starts_on=starts_on, user=staff)
    return {
        "staff": staff, "head": head, "corner": corner, "other": other, "keeper": keeper,
        "child": child, "books": books, "starts_on": starts_on,
    }  # fmt: skip


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "list.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_head_teacher_prints_the_corner_s_list_to_sign(client, setting, tmp_path):
    client.force_login(setting["head"].user)
    answer = client.get(
        reverse("activities:corner-list-pdf", args=[setting["corner"].pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert answer["Content-Type"] == "application/pdf"
    text = _pdf_text(answer.content, tmp_path)
    assert "三年级(1)班" in text
    assert "3 册" in text and "缺失 1" in text
    assert setting["starts_on"].isoformat() in text  # the next rotation's day
    for book in setting["books"]:
        assert book.barcode in text
    assert setting["child"].name in text  # who of the class has the first book
    assert "班主任签字" in text
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-singlefile",
            str(tmp_path / "list.pdf"),
            str(ARTIFACTS / "corner-list"),
        ],
        check=True,
    )


def test_the_pupil_librarian_prints_it_too_and_nobody_else(client, setting):
    url = reverse("activities:corner-list-pdf", args=[setting["corner"].pk])
    client.force_login(setting["keeper"].user)
    assert client.get(url)["Content-Type"] == "application/pdf"
    for user in (setting["child"].user, teacher().user, pupil(grade=3).user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(setting["head"].user)
    assert client.get(reverse("activities:corner-list-pdf", args=[setting["other"].pk])).status_code == 404
    client.logout()
    for address in (
        url,
        reverse("activities:corners"),
        reverse("activities:corner", args=[setting["corner"].pk]),
        reverse("activities:team-mine"),
    ):
        answer = client.get(address)
        assert answer.status_code == 302 and answer.url.startswith(reverse("accounts:login")), address


def test_the_head_teacher_s_and_the_keeper_s_own_page_show_the_corner_and_the_next_rotation(client, setting):
    day = setting["starts_on"].isoformat()
    for reader in (setting["head"], setting["keeper"]):
        client.force_login(reader.user)
        page = client.get(reverse("circulation:my-library"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "本班图书角" in page
        assert f"三年级(1)班：图书角有 3 册馆藏图书，缺失 1 册，下次交换 {day}。" in page
        assert reverse("activities:corners") in page

    client.force_login(setting["child"].user)
    page = client.get(reverse("circulation:my-library"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "下次交换" not in page


def test_the_section_reads_in_english(client, setting):
    client.force_login(setting["head"].user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("circulation:my-library")).content.decode()
    day = setting["starts_on"].strftime("%-d %b %Y")
    assert f"Grade 3 Class 1: 3 library books in the corner, 1 missing, next rotation on {day}." in page
