"""A service-team volunteer (a pupil with the desk right) sees of a classmate only what
lending needs: name, class, current loans, blocks; not their loan history, their compensation
receipts, the notices sent to them or the books they wait for (issue 13, points 9 and 16)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.services.holds import hold_place
from circulation.services.loans import loan_checkout, loan_mark_lost
from circulation.services.notices import notices_send
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, copies_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def volunteer_client(client):
    client.force_login(ReaderFactory(full_name="值日生", extra_roles=(Role.VOLUNTEER,)).user)
    return client


@pytest.fixture
def classmate(librarian):
    """A pupil with an overdue book (and its notice), a lost book's compensation and a hold
    waiting for a title that is out."""
    reader = ReaderFactory(full_name="林小雨")
    (lost,) = copies_of(title="草房子", price=Decimal("20.00"))
    compensation = loan_mark_lost(
        loan=loan_checkout(reader=reader, copy=lost, user=librarian).loan, user=librarian
    )
    (wanted,) = copies_of(title="小王子")
    loan_checkout(reader=ReaderFactory(), copy=wanted, user=librarian)
    hold_place(reader=reader, record=wanted.record, user=librarian)
    (overdue,) = copies_of(title="稻草人")
    loan_checkout(
        reader=reader, copy=overdue, user=librarian, today=timezone.localdate() - timedelta(days=40)
    )
    notices_send()
    reader.compensation = compensation
    return reader


def test_a_volunteer_cannot_open_a_classmates_compensation_receipt(volunteer_client, classmate):
    response = volunteer_client.get(
        reverse("circulation:compensation-receipt", args=[classmate.compensation.pk])
    )
    assert response.status_code == 403
    assert "草房子" not in response.content.decode()


def test_a_volunteer_cannot_open_a_classmates_loan_history(volunteer_client, classmate):
    response = volunteer_client.get(reverse("circulation:reader-loans", args=[classmate.pk]))
    assert response.status_code == 403
    assert "草房子" not in response.content.decode()


def test_a_librarian_still_opens_the_receipt(client, librarian, classmate):
    client.force_login(librarian)
    response = client.get(reverse("circulation:compensation-receipt", args=[classmate.compensation.pk]))
    assert response.status_code == 200
    assert "草房子" in response.content.decode()


def test_the_volunteers_desk_panel_shows_what_lending_needs_and_nothing_more(volunteer_client, classmate):
    volunteer_client.post(reverse("circulation:desk-reader", args=[classmate.pk]))
    page = volunteer_client.get(reverse("circulation:desk")).content.decode()
    assert "林小雨" in page and classmate.school_class.name in page
    assert "稻草人" in page  # the current loan
    assert "data-block" in page  # overdue: a block
    assert "小王子" not in page  # the hold they wait on
    assert "data-reader-notices" not in page and "逾期通知" not in page
    assert "草房子" not in page  # the lost book (history)
    assert reverse("circulation:reader-loans", args=[classmate.pk]) not in page


def test_the_librarians_desk_panel_shows_holds_and_notices(client, librarian, classmate):
    client.force_login(librarian)
    client.post(reverse("circulation:desk-reader", args=[classmate.pk]))
    page = client.get(reverse("circulation:desk")).content.decode()
    assert "小王子" in page and "data-reader-notices" in page
