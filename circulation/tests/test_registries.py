"""What another app adds to circulation through its registries (circulation/registries.py):
a borrowing check the desk's lend asks after its own rules, and a line of the reader's panel.
Each test registers its own and takes it out again."""

import pytest
from django.urls import reverse

from catalog.models import Copy
from circulation.exceptions import BorrowingBlocked
from circulation.models import DeskAction, Loan, LoanPolicy
from circulation.registries import (
    _borrowing_checks,
    _reader_panel_lines,
    borrowing_check_register,
    reader_panel_line_register,
)
from circulation.services.loans import loan_checkout
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
SCAN = reverse("circulation:desk-scan")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def desk(client, librarian):
    client.force_login(librarian)
    return client


@pytest.fixture
def pupil():
    return ReaderFactory(full_name="张三", card_number="R0000101", school_class=SchoolClassFactory())


def scan(client, code, mode="lend"):
    response = client.post(SCAN, {"code": code, "mode": mode}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_a_registered_check_refuses_the_lend_with_its_reason_and_nothing_changes(pupil, librarian):
    (copy,) = copies_of()
    asked = []

    def owes_notes(reader, policy):
        asked.append((reader.pk, policy))
        return "欠读书笔记 2 篇：先交笔记再借书。"

    with borrowing_check_register(owes_notes), pytest.raises(BorrowingBlocked) as refusal:
        loan_checkout(reader=pupil, copy=copy, user=librarian)
    assert refusal.value.message == "欠读书笔记 2 篇：先交笔记再借书。"
    assert not Loan.objects.exists() and Copy.objects.get().status == Copy.Status.AVAILABLE
    # The check had the reader and the policy that applies (whose block_on_owed_notes it reads).
    ((reader_id, policy),) = asked
    assert reader_id == pupil.pk and isinstance(policy, LoanPolicy) and policy.block_on_owed_notes is False
    # Unregistered at the end of the block: the same lend goes through.
    assert owes_notes not in _borrowing_checks
    assert loan_checkout(reader=pupil, copy=copy, user=librarian).loan.reader == pupil


def test_the_desk_says_the_first_reason_and_records_the_refusal(desk, pupil):
    (copy,) = copies_of("草房子")
    first = borrowing_check_register(lambda reader, policy: None)
    second = borrowing_check_register(lambda reader, policy: "本周借阅已暂停。")
    third = borrowing_check_register(lambda reader, policy: "never asked")
    try:
        scan(desk, "R0000101")
        page = scan(desk, copy.barcode)
    finally:
        for registration in (first, second, third):
            registration.unregister()
    assert 'data-outcome="refused"' in page and "本周借阅已暂停。" in page and "never asked" not in page
    refusal = DeskAction.objects.get(outcome=DeskAction.Outcome.REFUSED)
    assert refusal.copy == copy and "本周借阅已暂停。" in refusal.message
    assert not Loan.objects.exists()


def test_a_check_that_finds_nothing_lets_the_lend_through(pupil, librarian):
    (copy,) = copies_of()
    with borrowing_check_register(lambda reader, policy: None):
        assert loan_checkout(reader=pupil, copy=copy, user=librarian).changed


def test_a_function_registered_twice_is_asked_once_and_unregistered_once():
    def check(reader, policy):
        return None

    borrowing_check_register(check)
    registration = borrowing_check_register(check)
    assert _borrowing_checks.count(check) == 1
    registration.unregister()
    registration.unregister()
    assert check not in _borrowing_checks


def test_a_registered_line_shows_in_the_desk_panel_and_the_staff_reader_page(desk, pupil):
    def owed(reader):
        return f"欠读书笔记：{reader.name}" if reader.pk == pupil.pk else None

    other = ReaderFactory(card_number="R0000102")
    with reader_panel_line_register(owed):
        assert "欠读书笔记：张三" in scan(desk, "R0000101")
        assert "data-panel-line" not in scan(desk, "R0000102")
        staff_page = desk.get(reverse("circulation:reader-loans", args=[pupil.pk])).content.decode()
        assert "欠读书笔记：张三" in staff_page
    assert owed not in _reader_panel_lines
    assert "data-panel-line" not in scan(desk, "R0000101")
    assert other.pk != pupil.pk


def test_a_registered_section_shows_on_the_readers_own_page_and_goes_when_unregistered(client, pupil):
    from circulation.registries import ReaderPageSection, reader_page_section_register

    def shelf_tidy(reader):
        if reader.pk != pupil.pk:
            return None
        return ReaderPageSection(
            title="整理书架", text=f"{reader.name}本周整理书架。", url="/tidy/", link_label="去看看"
        )

    client.force_login(pupil.user)
    with reader_page_section_register(shelf_tidy):
        page = client.get(reverse("circulation:my-library")).content.decode()
        assert "整理书架" in page and "张三本周整理书架。" in page and 'href="/tidy/"' in page
        other = ReaderFactory(card_number="R0000103")
        client.force_login(other.user)
        assert "data-section" not in client.get(reverse("circulation:my-library")).content.decode()
    client.force_login(pupil.user)
    assert "data-section" not in client.get(reverse("circulation:my-library")).content.decode()
