"""A return that fills a hold (issue 14, point 7): its own answer at the desk (not the plain
return's green) and a hold slip with the reader, the class and the collect-by date, on an
80 mm receipt printer or A4."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from circulation.printing.holds import hold_slip_lines
from circulation.selectors.holds import hold_for_slip
from circulation.services.holds import hold_place
from circulation.services.loans import loan_checkout, loan_return
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
SCAN = reverse("circulation:desk-scan")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN], username="wanglib")


@pytest.fixture
def waiting():
    return ReaderFactory(
        full_name="李四", card_number="R0000102", school_class=SchoolClassFactory(grade=4, number=1)
    )


def trapped_hold(librarian, waiting):
    (copy,) = copies_of("草房子")
    loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)
    hold = hold_place(reader=waiting, record=copy.record, user=None)
    return copy, hold


def test_a_return_that_fills_a_hold_gets_its_own_answer_with_the_slips(client, librarian, waiting):
    copy, hold = trapped_hold(librarian, waiting)
    (plain,) = copies_of("小王子")
    loan_checkout(reader=ReaderFactory(), copy=plain, user=librarian)
    client.force_login(librarian)
    page = client.post(SCAN, {"code": copy.barcode, "mode": "return"}, **HTMX).content.decode()
    assert f'data-hold-kept="{hold.pk}"' in page and "desk-hold-kept" in page and "alert-success" not in page
    assert reverse("circulation:hold-slip", args=[hold.pk]) + "?paper=80mm" in page
    assert reverse("circulation:hold-slip", args=[hold.pk]) + "?paper=a4" in page
    page = client.post(SCAN, {"code": plain.barcode, "mode": "return"}, **HTMX).content.decode()
    assert "data-hold-kept" not in page and "alert-success" in page


def test_the_slip_says_who_which_class_and_until_when(librarian, waiting):
    copy, hold = trapped_hold(librarian, waiting)
    loan_return(copy=copy, user=librarian)
    hold = hold_for_slip(hold.pk)
    texts = [text for _size, text in hold_slip_lines(hold)]
    assert texts[1:] == [
        "预约图书已到",
        "李四",
        "四年级(1)班 · 编号 " + waiting.number,
        "草房子",
        copy.barcode,
        f"请于 {date_format(hold.collect_by, 'DATE_FORMAT')} 前取书",
        texts[-1],
    ]


@pytest.mark.parametrize(("paper", "width"), [("80mm", "226.7717"), ("a4", "595.2756")])
def test_the_slip_prints_on_a_receipt_strip_or_a4(client, librarian, waiting, paper, width, tmp_path):
    copy, hold = trapped_hold(librarian, waiting)
    loan_return(copy=copy, user=librarian)
    client.force_login(librarian)
    response = client.get(reverse("circulation:hold-slip", args=[hold.pk]), {"paper": paper})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    media_box = re.search(rb"/MediaBox \[ 0 0 ([\d.]+)", response.content)
    assert media_box and media_box.group(1).decode().startswith(width[:5])
    if shutil.which("pdftotext"):
        path = tmp_path / "slip.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "李四" in text.replace(" ", "")


def test_a_slip_is_refused_for_a_hold_not_on_the_shelf_an_unknown_paper_or_id(client, librarian, waiting):
    copy, hold = trapped_hold(librarian, waiting)
    client.force_login(librarian)
    url = reverse("circulation:hold-slip", args=[hold.pk])
    assert client.get(url).status_code == 400  # still waiting: nothing on the shelf
    loan_return(copy=copy, user=librarian)
    assert client.get(url, {"paper": "a3"}).status_code == 400
    assert client.get(reverse("circulation:hold-slip", args=[hold.pk + 99])).status_code == 404


def test_a_reader_cannot_print_a_slip_not_even_their_own(client, librarian, waiting):
    copy, hold = trapped_hold(librarian, waiting)
    loan_return(copy=copy, user=librarian)
    client.force_login(waiting.user)
    assert client.get(reverse("circulation:hold-slip", args=[hold.pk])).status_code == 403
