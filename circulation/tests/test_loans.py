"""Lending, returning, renewing, undoing and losing books, through the services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Copy, Location, Repair
from circulation import exceptions as errors
from circulation.models import (
    CirculationSettings,
    ClosedPeriod,
    DeskAction,
    Hold,
    LibraryCard,
    Loan,
    LoanPolicy,
    Reader,
    Suspension,
    Term,
)
from circulation.policies import Calendar, policy_for
from circulation.selectors.holds import hold_queue_position
from circulation.services.holds import hold_cancel, hold_expire, hold_place
from circulation.services.loans import (
    loan_checkout,
    loan_mark_lost,
    loan_renew,
    loan_return,
    loan_undo,
    loans_renew_all,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def pupil():
    return ReaderFactory(full_name="张三", school_class=SchoolClassFactory(grade=3, number=2))


def lend(reader, copy, user, today=WEDNESDAY):
    return loan_checkout(reader=reader, copy=copy, user=user, desk="前台", today=today)


def refresh(copy):
    return Copy.objects.get(pk=copy.pk)


# --- lending ---------------------------------------------------------------------------------


def test_a_pupil_borrows_a_book_for_fourteen_days_and_the_desk_records_it(pupil, librarian):
    (copy,) = copies_of()
    result = lend(pupil, copy, librarian)
    loan = result.loan
    assert loan.due_on == WEDNESDAY + timedelta(days=14)
    assert loan.state == Loan.State.OPEN and loan.lent_by == librarian and loan.desk == "前台"
    assert refresh(copy).status == Copy.Status.ON_LOAN
    action = DeskAction.objects.get()
    assert (action.action, action.outcome, action.user, action.desk) == (
        "checkout",
        "done",
        librarian,
        "前台",
    )
    assert action.reader == pupil and action.copy == copy and action.loan == loan


def test_a_due_date_moves_off_weekends_and_holidays(pupil, librarian):
    # 14 days after Wednesday 4 March is Wednesday 18 March: a holiday from 18 to 20 March,
    # then the weekend, makes it Monday 23 March.
    ClosedPeriod.objects.create(name="运动会", starts_on=date(2026, 3, 18), ends_on=date(2026, 3, 20))
    (copy,) = copies_of()
    assert lend(pupil, copy, librarian).loan.due_on == date(2026, 3, 23)


def test_a_due_date_never_passes_the_terms_last_due_date_but_a_teachers_may(pupil, librarian):
    Term.objects.create(
        name="2025—2026 第二学期",
        starts_on=date(2026, 2, 16),
        ends_on=date(2026, 3, 13),
        hard_due_on=date(2026, 3, 10),
    )
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, number="T001")
    first, second = copies_of(count=2)
    assert lend(pupil, first, librarian).loan.due_on == date(2026, 3, 10)
    assert lend(teacher, second, librarian).loan.due_on == date(2026, 5, 4)  # 60 days on is a Sunday


def test_when_the_terms_last_due_date_is_closed_the_due_date_moves_back(pupil, librarian):
    Term.objects.create(
        name="T", starts_on=date(2026, 2, 16), ends_on=date(2026, 3, 20), hard_due_on=date(2026, 3, 15)
    )
    (copy,) = copies_of()
    # 15 March 2026 is a Sunday: the last open day before it is Friday 13 March.
    assert lend(pupil, copy, librarian).loan.due_on == date(2026, 3, 13)


def test_after_the_terms_last_due_date_lending_is_closed(pupil, librarian):
    Term.objects.create(
        name="T", starts_on=date(2026, 2, 16), ends_on=date(2026, 3, 20), hard_due_on=date(2026, 3, 3)
    )
    (copy,) = copies_of()
    with pytest.raises(errors.LendingClosed):
        lend(pupil, copy, librarian)
    assert refresh(copy).status == Copy.Status.AVAILABLE and not Loan.objects.exists()


def test_the_limit_refuses_a_third_book_and_changes_nothing(pupil, librarian):
    copies = copies_of(count=3)
    lend(pupil, copies[0], librarian)
    lend(pupil, copies[1], librarian)
    with pytest.raises(errors.LimitReached) as refusal:
        lend(pupil, copies[2], librarian)
    assert "2" in str(refusal.value.message)
    assert refresh(copies[2]).status == Copy.Status.AVAILABLE
    assert Loan.objects.count() == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(Copy.Status.WITHDRAWN, errors.NotAvailable), (Copy.Status.LOST, errors.NotAvailable)],
)
def test_a_withdrawn_or_lost_copy_is_not_lent(pupil, librarian, status, error):
    from catalog.services.copies import copy_set_status

    (copy,) = copies_of()
    copy_set_status(copy=copy, to_status=status)
    with pytest.raises(error):
        lend(pupil, copy, librarian)
    assert not Loan.objects.exists()


def test_a_copy_on_loan_is_not_lent_again_to_another_reader(pupil, librarian):
    (copy,) = copies_of()
    lend(pupil, copy, librarian)
    with pytest.raises(errors.NotAvailable):
        lend(ReaderFactory(), copy, librarian)
    assert Loan.objects.count() == 1


def test_a_double_scan_of_the_same_copy_for_the_same_reader_changes_nothing(pupil, librarian):
    (copy,) = copies_of()
    first = lend(pupil, copy, librarian)
    second = lend(pupil, copy, librarian)
    assert second.changed is False and second.loan == first.loan
    assert Loan.objects.count() == 1


def test_a_graduated_reader_and_a_reader_without_a_card_may_not_borrow(pupil, librarian):
    first, second = copies_of(count=2)
    Reader.objects.filter(pk=pupil.pk).update(status=Reader.Status.GRADUATED)
    with pytest.raises(errors.ReaderNotActive):
        lend(pupil, first, librarian)
    other = ReaderFactory()
    LibraryCard.objects.filter(reader=other).update(status=LibraryCard.Status.BLOCKED)
    with pytest.raises(errors.CardBlocked):
        lend(other, second, librarian)
    assert not Loan.objects.exists()


def test_reference_only_copies_are_never_lent(pupil, librarian):
    (in_room,) = copies_of(location=Location.objects.get(kind=Location.Kind.READING_ROOM))
    (volume,) = copies_of(material_type="periodical_volume")
    with pytest.raises(errors.ReferenceOnly):
        lend(pupil, in_room, librarian)
    with pytest.raises(errors.ReferenceOnly):
        lend(pupil, volume, librarian)
    assert not Loan.objects.exists()


def test_an_overdue_book_blocks_borrowing(pupil, librarian):
    first, second = copies_of(count=2)
    lend(pupil, first, librarian)
    with pytest.raises(errors.OverdueBlock):
        lend(pupil, second, librarian, today=WEDNESDAY + timedelta(days=20))


def test_a_late_return_suspends_borrowing_for_as_many_days(pupil, librarian):
    first, second = copies_of(count=2)
    lend(pupil, first, librarian)
    returned_on = WEDNESDAY + timedelta(days=17)  # three days late
    result = loan_return(copy=first, user=librarian, today=returned_on)
    assert result.loan.overdue_days == 3
    assert Suspension.objects.get().ends_on == returned_on + timedelta(days=3)
    with pytest.raises(errors.Suspended) as refusal:
        lend(pupil, second, librarian, today=returned_on + timedelta(days=1))
    assert "2026" in str(refusal.value.message)
    lend(pupil, second, librarian, today=returned_on + timedelta(days=4))


def test_suspension_can_be_turned_off_and_fines_on(pupil, librarian):
    CirculationSettings.objects.update(
        suspension_days_per_late_day=0, fines_enabled=True, fine_per_day=Decimal("0.10")
    )
    (copy,) = copies_of()
    lend(pupil, copy, librarian)
    result = loan_return(copy=copy, user=librarian, today=WEDNESDAY + timedelta(days=19))
    assert not Suspension.objects.exists()
    assert result.loan.fine == Decimal("0.50")


def test_lending_stops_for_graduating_classes_before_their_exams(librarian):
    Term.objects.create(
        name="T",
        starts_on=date(2026, 2, 16),
        ends_on=date(2026, 7, 10),
        hard_due_on=date(2026, 7, 1),
        exams_on=date(2026, 3, 14),
        freeze_days_before_exams=14,
    )
    leaver = ReaderFactory(school_class=SchoolClassFactory(grade=9, number=1))
    younger = ReaderFactory(school_class=SchoolClassFactory(grade=8, number=1))
    first, second = copies_of(count=2)
    with pytest.raises(errors.LendingFrozen):
        lend(leaver, first, librarian)
    lend(younger, second, librarian)


def test_the_database_refuses_a_second_open_loan_of_a_copy(pupil, librarian):
    (copy,) = copies_of()
    loan = lend(pupil, copy, librarian).loan
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(copy=copy, reader=ReaderFactory(), due_on=loan.due_on)


# --- returning -------------------------------------------------------------------------------


def test_a_return_is_idempotent(pupil, librarian):
    (copy,) = copies_of()
    lend(pupil, copy, librarian)
    first = loan_return(copy=copy, user=librarian, today=WEDNESDAY)
    second = loan_return(copy=copy, user=librarian, today=WEDNESDAY)
    assert first.changed and not second.changed
    assert refresh(copy).status == Copy.Status.AVAILABLE
    assert DeskAction.objects.filter(action="return").count() == 1


def test_a_copy_never_lent_cannot_be_returned(librarian):
    (copy,) = copies_of()
    with pytest.raises(errors.NotOnLoan):
        loan_return(copy=copy, user=librarian)


def test_a_damaged_return_sends_the_copy_to_repair(pupil, librarian):
    (copy,) = copies_of()
    lend(pupil, copy, librarian)
    loan_return(copy=copy, user=librarian, damaged=True, today=WEDNESDAY)
    assert refresh(copy).status == Copy.Status.IN_REPAIR
    assert copy.status_changes.first().to_status == Copy.Status.IN_REPAIR
    # ... and into the repair register (E), opened from the desk by the librarian.
    repair = Repair.objects.get(copy=copy)
    assert repair.source == Repair.Source.DESK and repair.reported_by == librarian
    assert repair.closed_at is None


# --- renewing --------------------------------------------------------------------------------


def test_a_renewal_extends_from_today_once_and_a_second_submit_changes_nothing(pupil, librarian):
    (copy,) = copies_of()
    loan = lend(pupil, copy, librarian).loan
    day = WEDNESDAY + timedelta(days=7)
    renewed = loan_renew(loan=loan, user=librarian, today=day)
    assert renewed.loan.due_on == day + timedelta(days=14) and renewed.loan.renewals == 1
    again = loan_renew(loan=loan, user=librarian, today=day)
    assert again.changed is False and Loan.objects.get().renewals == 1
    with pytest.raises(errors.RenewalRefused):
        loan_renew(loan=loan, user=librarian, today=day + timedelta(days=7))


def test_a_title_someone_waits_for_is_not_renewed(pupil, librarian):
    (copy,) = copies_of()
    loan = lend(pupil, copy, librarian).loan
    hold_place(reader=ReaderFactory(), record=copy.record, user=None)
    with pytest.raises(errors.RenewalRefused):
        loan_renew(loan=loan, user=librarian, today=WEDNESDAY + timedelta(days=7))
    assert Loan.objects.get().renewals == 0


def test_renew_all_says_what_happened_to_each(pupil, librarian):
    first, second = copies_of(count=2)
    lend(pupil, first, librarian)
    lend(pupil, second, librarian)
    hold_place(reader=ReaderFactory(), record=first.record, user=None)
    answers = loans_renew_all(reader=pupil, user=librarian, today=WEDNESDAY + timedelta(days=7))
    assert [ok for _loan, _message, ok in answers] == [False, False]  # same record, one waiting hold


# --- undo ------------------------------------------------------------------------------------


def test_the_same_librarian_undoes_a_loan_within_a_minute(pupil, librarian):
    (copy,) = copies_of()
    result = lend(pupil, copy, librarian)
    with pytest.raises(errors.UndoRefused):
        loan_undo(action=result.action, user=UserFactory(roles=[Role.LIBRARIAN]))
    with pytest.raises(errors.UndoRefused):
        loan_undo(action=result.action, user=librarian, now=timezone.now() + timedelta(seconds=61))
    loan_undo(action=result.action, user=librarian)
    assert Loan.objects.get().state == Loan.State.UNDONE
    assert refresh(copy).status == Copy.Status.AVAILABLE
    with pytest.raises(errors.UndoRefused):
        loan_undo(action=result.action, user=librarian)


def test_undoing_a_late_return_reopens_the_loan_and_lifts_the_suspension(pupil, librarian):
    (copy,) = copies_of()
    lend(pupil, copy, librarian)
    result = loan_return(copy=copy, user=librarian, today=WEDNESDAY + timedelta(days=20))
    loan_undo(action=result.action, user=librarian)
    loan = Loan.objects.get()
    assert loan.state == Loan.State.OPEN and loan.returned_at is None and loan.overdue_days == 0
    assert refresh(copy).status == Copy.Status.ON_LOAN
    assert Suspension.objects.get().cancelled_at is not None


def test_undoing_a_renewal_restores_the_due_date(pupil, librarian):
    (copy,) = copies_of()
    loan = lend(pupil, copy, librarian).loan
    result = loan_renew(loan=loan, user=librarian, today=WEDNESDAY + timedelta(days=7))
    loan_undo(action=result.action, user=librarian)
    loan.refresh_from_db()
    assert loan.due_on == WEDNESDAY + timedelta(days=14) and loan.renewals == 0


# --- lost ------------------------------------------------------------------------------------


def test_a_lost_book_is_charged_at_its_price_times_the_multiplier(pupil, librarian):
    (copy,) = copies_of(price=Decimal("25.00"))
    loan = lend(pupil, copy, librarian).loan
    compensation = loan_mark_lost(loan=loan, user=librarian)
    assert compensation.amount == Decimal("50.00") and compensation.multiplier == Decimal("2.00")
    assert refresh(copy).status == Copy.Status.LOST
    assert Loan.objects.get().state == Loan.State.LOST


def test_a_lost_volume_of_a_set_is_charged_at_the_set_price_entered(pupil, librarian):
    (copy,) = copies_of(price=Decimal("25.00"))
    loan = lend(pupil, copy, librarian).loan
    compensation = loan_mark_lost(loan=loan, user=librarian, price=Decimal("120.00"), price_source="套书定价")
    assert compensation.amount == Decimal("240.00") and compensation.price_source == "套书定价"


def test_a_lost_book_without_a_price_is_refused_and_nothing_changes(pupil, librarian):
    (copy,) = copies_of()
    loan = lend(pupil, copy, librarian).loan
    with pytest.raises(errors.NoPrice):
        loan_mark_lost(loan=loan, user=librarian)
    assert refresh(copy).status == Copy.Status.ON_LOAN and Loan.objects.get().state == Loan.State.OPEN


# --- holds -----------------------------------------------------------------------------------


def test_a_hold_waits_for_a_copy_and_the_return_traps_it_for_the_first_in_line(pupil, librarian):
    (copy,) = copies_of()
    lend(ReaderFactory(), copy, librarian)
    first = hold_place(reader=pupil, record=copy.record, user=pupil.user)
    second_reader = ReaderFactory()
    second = hold_place(reader=second_reader, record=copy.record, user=None)
    assert (hold_queue_position(first), hold_queue_position(second)) == (1, 2)

    result = loan_return(copy=copy, user=librarian, today=WEDNESDAY)
    assert "张三（三年级(2)班）" in result.message
    assert refresh(copy).status == Copy.Status.ON_HOLD_SHELF
    first.refresh_from_db()
    assert first.state == Hold.State.READY and first.copy == copy
    assert first.collect_by == date(2026, 3, 9)  # five days on, a Monday
    with pytest.raises(errors.ReservedForOther):
        lend(second_reader, copy, librarian)
    lend(pupil, copy, librarian)
    first.refresh_from_db()
    assert first.state == Hold.State.COLLECTED


def test_a_hold_is_refused_while_a_copy_is_on_the_shelf(pupil):
    (copy,) = copies_of()
    with pytest.raises(errors.HoldRefused):
        hold_place(reader=pupil, record=copy.record, user=None)
    assert not Hold.objects.exists()


def test_cancelling_a_ready_hold_passes_the_copy_to_the_next(pupil, librarian):
    (copy,) = copies_of()
    lend(ReaderFactory(), copy, librarian)
    first = hold_place(reader=pupil, record=copy.record, user=None)
    second = hold_place(reader=ReaderFactory(), record=copy.record, user=None)
    loan_return(copy=copy, user=librarian, today=WEDNESDAY)
    assert hold_cancel(hold=first, user=pupil.user, today=WEDNESDAY) == second
    second.refresh_from_db()
    assert second.state == Hold.State.READY and refresh(copy).status == Copy.Status.ON_HOLD_SHELF
    assert hold_cancel(hold=first, user=pupil.user) is None  # twice changes nothing


def test_an_uncollected_hold_expires_and_the_copy_goes_back_to_the_shelf(pupil, librarian):
    (copy,) = copies_of()
    lend(ReaderFactory(), copy, librarian)
    hold = hold_place(reader=pupil, record=copy.record, user=None)
    loan_return(copy=copy, user=librarian, today=WEDNESDAY)
    assert hold_expire(today=date(2026, 3, 9)) == 0
    assert hold_expire(today=date(2026, 3, 10)) == 1
    assert hold_expire(today=date(2026, 3, 10)) == 0
    hold.refresh_from_db()
    assert hold.state == Hold.State.EXPIRED and refresh(copy).status == Copy.Status.AVAILABLE


# --- policies --------------------------------------------------------------------------------


def test_a_policy_with_a_zero_or_negative_period_is_refused():
    policy = LoanPolicy(
        name="坏", reader_group="student", loan_days=0, max_loans=-1, renewals=0, renewal_days=7
    )
    with pytest.raises(ValidationError) as refusal:
        policy.full_clean()
    assert set(refusal.value.message_dict) >= {"loan_days", "max_loans"}
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_the_most_specific_policy_applies():
    junior = ReaderFactory(school_class=SchoolClassFactory(grade=8, number=1))
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, number="T9")
    assert policy_for(junior, "book").name == "中学生 图书"
    assert policy_for(junior, "periodical_volume").reference_only is True
    assert policy_for(teacher, "book").max_loans == 10
    LoanPolicy.objects.create(name="初二", reader_group="student", grade_from=8, grade_to=8, loan_days=10)
    assert policy_for(junior, "book").name == "初二"


def test_the_calendar_counts_weekends_as_closed():
    calendar = Calendar(today=WEDNESDAY, closed_weekdays=frozenset({5, 6}))
    assert calendar.due_on(days=3) == date(2026, 3, 9)
