"""A librarian at a browser prints a graduating class's clearance list, sees that one pupil
still has a book, takes it back, and prints the pupil's clearance certificate."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from circulation.services.loans import loan_checkout, loan_return
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_librarian_clears_a_graduating_class(page, tmp_path):
    librarian = UserFactory(username="wanglib", full_name="王老师", roles=[Role.LIBRARIAN])
    sixth = SchoolClassFactory(grade=6, number=1)
    owing = ReaderFactory(school_class=sixth, full_name="欠书生")
    ReaderFactory(school_class=sixth, full_name="清白生")
    (copy,) = copies_of("草房子")
    loan_checkout(reader=owing, copy=copy, user=librarian, today=timezone.localdate() - timedelta(days=30))

    browser_login(page, "wanglib", PASSWORD)
    page.goto(f"/circulation/classes/{sixth.pk}/")
    page.click("[data-clearance-link]")
    page.wait_for_url(f"**/classes/{sixth.pk}/clearance/")
    assert page.locator(f"tr[data-owing='{owing.number}']").count() == 1
    assert "草房子" in page.locator(f"tr[data-owing='{owing.number}']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "class-clearance.png"), full_page=True)
    page.click("[data-owing-only]")
    assert page.locator("tr[data-clear]").count() == 0

    page.goto(f"/circulation/readers/{owing.pk}/")
    page.click("[data-clearance-link]")
    assert page.locator("[data-reader-owing]").is_visible()
    assert page.locator("[data-certificate]").count() == 0

    loan_return(copy=copy, user=librarian)
    page.reload()
    assert page.locator("[data-reader-clear]").is_visible()
    href = page.get_attribute("[data-certificate]", "href")
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "欠书生" in text and sixth.name in text and "王老师" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(ARTIFACTS / "clearance-certificate")],
        check=True,
    )
