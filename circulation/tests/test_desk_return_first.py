"""Return and lend in one scan (issue 14, point 6): a copy on loan to somebody else, scanned
to lend, is offered back first; accepting takes it back and lends it, two actions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Copy
from circulation.models import DeskAction, Loan, Suspension
from circulation.services.desk import desk_scan
from circulation.services.loans import loan_checkout
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
def holder():
    return ReaderFactory(full_name="李四", card_number="R0000102", school_class=SchoolClassFactory(grade=4))


@pytest.fixture
def pupil():
    return ReaderFactory(full_name="张三", card_number="R0000101")


def scan(client, code, mode="lend", **extra):
    response = client.post(SCAN, {"code": code, "mode": mode, **extra}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_desk_offers_to_take_the_book_back_and_then_lends_it_in_two_actions(
    client, librarian, holder, pupil
):
    (copy,) = copies_of("草房子")
    loan_checkout(reader=holder, copy=copy, user=librarian)
    client.force_login(librarian)
    scan(client, "R0000101")
    page = scan(client, copy.barcode)
    assert 'data-outcome="refused"' in page and f'data-return-first="{copy.barcode}"' in page
    assert "李四" in page
    assert Loan.objects.get().reader == holder  # nothing changed yet
    page = scan(client, copy.barcode, return_first="1")
    assert 'data-outcome="done"' in page and "data-return-first" not in page
    returned = Loan.objects.get(reader=holder)
    lent = Loan.objects.get(reader=pupil)
    assert returned.state == Loan.State.RETURNED and lent.state == Loan.State.OPEN
    actions = list(DeskAction.objects.filter(outcome="done").order_by("pk").values_list("action", "loan"))
    assert actions[-2:] == [("return", returned.pk), ("checkout", lent.pk)]
    assert Copy.objects.get().status == Copy.Status.ON_LOAN


def test_the_book_comes_back_even_when_the_lend_is_then_refused(librarian, holder, pupil):
    (copy,) = copies_of()
    loan_checkout(reader=holder, copy=copy, user=librarian)
    Suspension.objects.create(reader=pupil, ends_on=timezone.localdate() + timedelta(days=5))
    answer = desk_scan(
        code=copy.barcode, mode="lend", reader_id=pupil.pk, user=librarian, desk="一楼", return_first=True
    )
    assert answer.outcome == "refused" and "暂停借书" in answer.message
    assert Loan.objects.get(reader=holder).state == Loan.State.RETURNED
    assert not Loan.objects.filter(reader=pupil).exists()
    assert Copy.objects.get().status == Copy.Status.AVAILABLE


def test_the_offer_is_not_made_for_the_served_readers_own_book_nor_for_a_free_copy(client, librarian, pupil):
    own, free = copies_of(count=2)
    loan_checkout(reader=pupil, copy=own, user=librarian)
    Loan.objects.filter(copy=own).update(lent_at=timezone.now() - timedelta(minutes=5))
    client.force_login(librarian)
    scan(client, "R0000101")
    assert "data-return-first" not in scan(client, own.barcode)
    # Asking to return first a copy nobody has just lends it: one action, no return.
    page = scan(client, free.barcode, return_first="1")
    assert 'data-outcome="done"' in page
    assert not DeskAction.objects.filter(action="return").exists()


def test_return_first_is_ignored_outside_lend_mode(client, librarian, holder):
    (copy,) = copies_of()
    loan_checkout(reader=holder, copy=copy, user=librarian)
    client.force_login(librarian)
    page = scan(client, copy.barcode, mode="renew", return_first="1")
    assert Loan.objects.get().state == Loan.State.OPEN and "data-return-first" not in page


def test_a_teacher_without_the_desk_right_is_refused(client, holder):
    (copy,) = copies_of()
    client.force_login(UserFactory(roles=[Role.TEACHER]))
    response = client.post(SCAN, {"code": copy.barcode, "mode": "lend", "return_first": "1"}, **HTMX)
    assert response.status_code == 403
