"""Lending despite a block, with a reason, and lifting or shortening a suspension (issue 14,
point 5): only with the right, only with a reason, recorded in the desk's audit; the other
refusals are never overridden."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Copy
from circulation.exceptions import LimitReached, OverrideRefused, ReaderNotActive, SuspensionChangeRefused
from circulation.models import DeskAction, Loan, LoanPolicy, Reader, Suspension
from circulation.registries import borrowing_check_register
from circulation.services.loans import loan_checkout
from circulation.services.suspensions import suspension_change
from library_site.accounts.roles import Capability, Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, copies_of

pytestmark = pytest.mark.django_db
SCAN = reverse("circulation:desk-scan")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN], username="wanglib")


@pytest.fixture
def volunteer():
    return UserFactory(roles=[Role.VOLUNTEER], username="xiaoli")


@pytest.fixture
def pupil():
    return ReaderFactory(full_name="张三", card_number="R0000101")


def suspend(reader, days=10):
    return Suspension.objects.create(
        reader=reader, ends_on=timezone.localdate() + timedelta(days=days), reason="还书晚了"
    )


def scan(client, code, mode="lend", **extra):
    response = client.post(SCAN, {"code": code, "mode": mode, **extra}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_librarian_and_the_administrator_hold_the_right_and_the_volunteer_does_not(volunteer, librarian):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    assert librarian.has_perm(Capability.OVERRIDE_BLOCKS.permission)
    assert administrator.has_perm(Capability.OVERRIDE_BLOCKS.permission)
    assert not volunteer.has_perm(Capability.OVERRIDE_BLOCKS.permission)


def test_a_suspended_reader_gets_the_book_with_a_reason_and_the_audit_says_why(librarian, pupil):
    suspend(pupil)
    (copy,) = copies_of("草房子")
    result = loan_checkout(reader=pupil, copy=copy, user=librarian, override_reason="  毕业班 复习 用书 ")
    loan = Loan.objects.get()
    assert result.loan == loan and loan.reader == pupil
    action = DeskAction.objects.get(action=DeskAction.Action.CHECKOUT)
    assert action.override_reason == "毕业班 复习 用书" and action.user == librarian
    assert "暂停借书至" in action.message and "毕业班 复习 用书" in action.message


def test_every_overridable_block_at_once_is_overridden_and_named(librarian, pupil):
    policy = LoanPolicy.objects.filter(reader_group="student", is_active=True).first()
    LoanPolicy.objects.filter(reader_group="student").update(max_loans=1)
    suspend(pupil)
    first, second = copies_of(count=2)
    loan_checkout(reader=pupil, copy=first, user=librarian, override_reason="老师担保")
    Loan.objects.filter(copy=first).update(due_on=timezone.localdate() - timedelta(days=2))
    with borrowing_check_register(lambda reader, policy: "欠读书笔记 2 篇"):
        loan_checkout(reader=pupil, copy=second, user=librarian, override_reason="老师担保")
    action = DeskAction.objects.filter(action="checkout").order_by("-pk").first()
    assert policy is not None
    for block in ("暂停借书至", "超期图书", "已达上限", "欠读书笔记 2 篇"):
        assert block in action.message, block
    assert Loan.objects.filter(reader=pupil, state=Loan.State.OPEN).count() == 2


def test_without_a_reason_the_block_refuses_as_before(librarian, pupil):
    LoanPolicy.objects.filter(reader_group="student").update(max_loans=1)
    first, second = copies_of(count=2)
    loan_checkout(reader=pupil, copy=first, user=librarian)
    with pytest.raises(LimitReached):
        loan_checkout(reader=pupil, copy=second, user=librarian)
    with pytest.raises(OverrideRefused):
        loan_checkout(reader=pupil, copy=second, user=librarian, override_reason="   ")
    assert Copy.objects.get(pk=second.pk).status == Copy.Status.AVAILABLE


def test_a_volunteer_cannot_override_even_with_a_reason(volunteer, pupil):
    suspend(pupil)
    (copy,) = copies_of()
    with pytest.raises(OverrideRefused):
        loan_checkout(reader=pupil, copy=copy, user=volunteer, override_reason="我想借")
    assert not Loan.objects.exists()
    assert Copy.objects.get().status == Copy.Status.AVAILABLE


def test_a_left_reader_is_never_lent_to_even_with_a_reason(librarian, pupil):
    Reader.objects.filter(pk=pupil.pk).update(status=Reader.Status.LEFT)
    (copy,) = copies_of()
    with pytest.raises(ReaderNotActive):
        loan_checkout(reader=pupil, copy=copy, user=librarian, override_reason="特殊情况")
    assert not Loan.objects.exists()


def test_the_desk_offers_the_override_and_lends_with_the_reason(client, librarian, pupil):
    suspend(pupil)
    (copy,) = copies_of("草房子")
    client.force_login(librarian)
    scan(client, "R0000101")
    page = scan(client, copy.barcode)
    assert 'data-outcome="refused"' in page and 'name="override_reason"' in page
    assert not Loan.objects.exists()
    page = scan(client, copy.barcode, override_reason="班主任担保")
    assert 'data-outcome="done"' in page and "班主任担保" in page
    assert DeskAction.objects.get(action="checkout", outcome="done").override_reason == "班主任担保"


def test_the_desk_offers_no_override_to_a_volunteer_and_refuses_it_when_sent(client, volunteer, pupil):
    suspend(pupil)
    (copy,) = copies_of()
    client.force_login(volunteer)
    scan(client, "R0000101")
    page = scan(client, copy.barcode)
    assert 'data-outcome="refused"' in page and 'name="override_reason"' not in page
    page = scan(client, copy.barcode, override_reason="我想借")
    assert 'data-outcome="refused"' in page and not Loan.objects.exists()
    assert DeskAction.objects.filter(outcome="refused").count() == 2


def test_a_refusal_no_right_may_override_offers_nothing(client, librarian, pupil):
    (copy,) = copies_of()
    Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.IN_REPAIR)
    client.force_login(librarian)
    scan(client, "R0000101")
    page = scan(client, copy.barcode)
    assert 'data-outcome="refused"' in page and 'name="override_reason"' not in page


# --- lifting and shortening a suspension ---------------------------------------------------------


def test_a_suspension_is_shortened_and_then_lifted_and_both_are_kept(librarian, pupil):
    suspension = suspend(pupil, days=10)
    first_end = suspension.ends_on
    shorter = timezone.localdate() + timedelta(days=3)
    suspension_change(suspension=suspension, user=librarian, reason="家长来说明", ends_on=shorter)
    suspension.refresh_from_db()
    assert suspension.ends_on == shorter and suspension.ends_on_before == first_end
    assert suspension.changed_by == librarian and suspension.change_reason == "家长来说明"
    suspension_change(suspension=suspension, user=librarian, reason="已补交")
    suspension.refresh_from_db()
    assert suspension.cancelled_at is not None and suspension.ends_on == shorter
    actions = list(DeskAction.objects.filter(action=DeskAction.Action.SUSPENSION).order_by("pk"))
    assert [a.override_reason for a in actions] == ["家长来说明", "已补交"]
    assert all(a.reader_id == pupil.pk and a.user == librarian for a in actions)
    (copy,) = copies_of()
    loan_checkout(reader=pupil, copy=copy, user=librarian)  # no longer suspended


@pytest.mark.parametrize("days", [10, 11, -1])
def test_a_longer_or_past_end_is_refused_and_changes_nothing(librarian, pupil, days):
    suspension = suspend(pupil, days=10)
    with pytest.raises(SuspensionChangeRefused):
        suspension_change(
            suspension=suspension,
            user=librarian,
            reason="x",
            ends_on=timezone.localdate() + timedelta(days=days),
        )
    suspension.refresh_from_db()
    assert suspension.ends_on_before is None and suspension.changed_at is None
    assert not DeskAction.objects.exists()


def test_a_lifted_suspension_cannot_be_lifted_again_and_a_volunteer_cannot_lift(librarian, volunteer, pupil):
    suspension = suspend(pupil)
    with pytest.raises(OverrideRefused):
        suspension_change(suspension=suspension, user=volunteer, reason="x")
    suspension_change(suspension=suspension, user=librarian, reason="已说明")
    with pytest.raises(SuspensionChangeRefused):
        suspension_change(suspension=suspension, user=librarian, reason="再来")
    assert DeskAction.objects.count() == 1


def test_the_page_lifts_a_suspension_with_a_reason(client, librarian, pupil):
    suspension = suspend(pupil)
    client.force_login(librarian)
    page = client.get(reverse("circulation:reader-suspensions", args=[pupil.pk])).content.decode()
    assert f'data-suspension="{suspension.pk}"' in page
    url = reverse("circulation:reader-suspension-change", args=[pupil.pk, suspension.pk])
    response = client.post(url, {"ends_on": "", "reason": ""})
    assert response.status_code == 400
    assert Suspension.objects.get().cancelled_at is None
    response = client.post(url, {"ends_on": "", "reason": "家长来说明"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "data-no-suspension" in page and f'data-past-suspension="{suspension.pk}"' in page
    assert Suspension.objects.get().cancelled_at is not None


def test_another_readers_suspension_id_is_refused_and_changes_nothing(client, librarian, pupil):
    other = ReaderFactory(full_name="李四")
    theirs = suspend(other)
    suspend(pupil)
    client.force_login(librarian)
    url = reverse("circulation:reader-suspension-change", args=[pupil.pk, theirs.pk])
    assert client.post(url, {"reason": "家长来说明"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.cancelled_at is None and not DeskAction.objects.exists()


def test_a_volunteer_gets_403_on_the_suspensions_page(client, volunteer, pupil):
    suspension = suspend(pupil)
    client.force_login(volunteer)
    assert client.get(reverse("circulation:reader-suspensions", args=[pupil.pk])).status_code == 403
    url = reverse("circulation:reader-suspension-change", args=[pupil.pk, suspension.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert Suspension.objects.get().cancelled_at is None


def test_the_desk_panel_links_to_the_suspensions_page_for_those_with_the_right(client, librarian, pupil):
    suspend(pupil)
    client.force_login(librarian)
    assert "data-suspension-link" in scan(client, "R0000101")
