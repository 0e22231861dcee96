"""The transitions tables (circulation/states.py): every move a table leaves out is refused by
its guard, every move it allows is made by the service that the table names, and the guard
costs no query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Location
from catalog.services.copies import copies_add
from circulation.exceptions import CirculationError, StateRefused, UndoRefused
from circulation.models import (
    ClassSession,
    ClassSetBooking,
    Hold,
    IssueReservation,
    LibraryCard,
    Loan,
    Reader,
    RoomTimetable,
    Term,
)
from circulation.services.class_sets import class_set_book, class_set_cancel, class_set_lend
from circulation.services.holds import hold_cancel, hold_expire, hold_place
from circulation.services.loans import loan_checkout, loan_mark_lost, loan_return, loan_undo
from circulation.services.readers import card_reissue, reader_update
from circulation.services.rooms import class_session_book, class_session_cancel
from circulation.services.school import grades_promote
from circulation.states import (
    CARD_STATES,
    CLASS_SESSION_STATES,
    CLASS_SET_STATES,
    HOLD_STATES,
    LOAN_STATES,
    READER_STATES,
    TABLES,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db

REFUSED = [(table, source, target) for table in TABLES for source, target in table.refused_moves()]


@pytest.mark.parametrize(
    ("table", "source", "target"), REFUSED, ids=[f"{t.name}:{s}->{g}" for t, s, g in REFUSED]
)
def test_every_move_a_table_leaves_out_is_refused_by_its_guard(table, source, target):
    with pytest.raises(CirculationError) as refusal:
        table.check(source, target)
    assert isinstance(refusal.value, StateRefused)
    assert table.label(source) in str(refusal.value.message)
    assert table.label(target) in str(refusal.value.message)


def test_a_service_names_its_own_refusal_and_message():
    with pytest.raises(UndoRefused) as refusal:
        LOAN_STATES.check(Loan.State.LOST, Loan.State.OPEN, refused=UndoRefused, message="moved on")
    assert refusal.value.message == "moved on"


@pytest.mark.parametrize("table", TABLES, ids=[table.name for table in TABLES])
def test_the_guard_costs_no_query(table, django_assert_num_queries):
    with django_assert_num_queries(0):
        for move in table:
            table.check(move.source, move.target)


def test_every_state_model_of_circulation_has_a_table():
    assert {table.choices for table in TABLES} == {
        Reader.Status,
        LibraryCard.Status,
        Loan.State,
        Hold.State,
        ClassSetBooking.State,
        ClassSession.Status,
        IssueReservation.State,
        RoomTimetable.State,
    }


# --- every allowed move, made by its service ----------------------------------------------------


def moves(table):
    return {(move.source, move.target) for move in table}


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


def test_the_readers_moves_are_made_by_promotion_and_the_readers_form():
    made = set()
    pupil = ReaderFactory(school_class=SchoolClassFactory(grade=6, number=1))
    grades_promote(top_grade=6)
    pupil.refresh_from_db()
    assert pupil.status == Reader.Status.GRADUATED
    made.add((Reader.Status.ACTIVE, Reader.Status.GRADUATED))
    for target in (
        Reader.Status.LEFT,
        Reader.Status.GRADUATED,
        Reader.Status.ACTIVE,
        Reader.Status.LEFT,
        Reader.Status.ACTIVE,
    ):
        source = pupil.status
        pupil = reader_update(
            reader=pupil, full_name=pupil.name, status=target, school_class=pupil.school_class
        )
        assert pupil.status == target
        made.add((source, target))
    other = ReaderFactory(kind="teacher", school_class=None)
    reader_update(reader=other, full_name=other.name, status=Reader.Status.LEFT)
    made.add((Reader.Status.ACTIVE, Reader.Status.LEFT))
    assert made == moves(READER_STATES)


def test_the_card_move_is_made_by_the_reissue(librarian):
    reader = ReaderFactory()
    old = reader.cards.get()
    card_reissue(reader=reader, reason="丢失", issued_by=librarian)
    old.refresh_from_db()
    assert old.status == LibraryCard.Status.BLOCKED
    assert {(LibraryCard.Status.ACTIVE, LibraryCard.Status.BLOCKED)} == moves(CARD_STATES)


def test_the_loans_moves_are_made_by_return_loss_and_undo(librarian):
    made = set()
    pupil = ReaderFactory()
    first, second = copies_of(count=2, price="20.00")
    loan = loan_checkout(reader=pupil, copy=first, user=librarian).loan
    returned = loan_return(copy=first, user=librarian)
    assert Loan.objects.get(pk=loan.pk).state == Loan.State.RETURNED
    made.add((Loan.State.OPEN, Loan.State.RETURNED))
    loan_undo(action=returned.action, user=librarian)
    assert Loan.objects.get(pk=loan.pk).state == Loan.State.OPEN
    made.add((Loan.State.RETURNED, Loan.State.OPEN))
    lent = loan_checkout(reader=pupil, copy=second, user=librarian)
    loan_undo(action=lent.action, user=librarian)
    assert Loan.objects.get(pk=lent.loan.pk).state == Loan.State.UNDONE
    made.add((Loan.State.OPEN, Loan.State.UNDONE))
    loan_mark_lost(loan=loan, user=librarian)
    assert Loan.objects.get(pk=loan.pk).state == Loan.State.LOST
    made.add((Loan.State.OPEN, Loan.State.LOST))
    assert made == moves(LOAN_STATES)


def test_the_holds_moves_are_made_by_lending_returning_cancelling_expiring_and_undoing(librarian):
    made = set()
    (copy,) = copies_of()
    record = copy.record
    first, second, third = ReaderFactory(), ReaderFactory(), ReaderFactory()
    loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)

    # Waiting → ready: the copy comes back for the first in line; undone, it waits again.
    hold = hold_place(reader=first, record=record, user=None)
    returned = loan_return(copy=copy, user=librarian)
    assert Hold.objects.get(pk=hold.pk).state == Hold.State.READY
    made.add((Hold.State.WAITING, Hold.State.READY))
    loan_undo(action=returned.action, user=librarian)
    assert Hold.objects.get(pk=hold.pk).state == Hold.State.WAITING
    made.add((Hold.State.READY, Hold.State.WAITING))

    # Ready → collected at the desk; the lend undone, ready again.
    loan_return(copy=copy, user=librarian)
    lent = loan_checkout(reader=first, copy=copy, user=librarian)
    assert Hold.objects.get(pk=hold.pk).state == Hold.State.COLLECTED
    made.add((Hold.State.READY, Hold.State.COLLECTED))
    loan_undo(action=lent.action, user=librarian)
    assert Hold.objects.get(pk=hold.pk).state == Hold.State.READY
    made.add((Hold.State.COLLECTED, Hold.State.READY))

    # Ready → cancelled: the copy goes to the next in line, who lets it expire.
    waiting = hold_place(reader=second, record=record, user=None)
    hold_cancel(hold=hold, user=first.user)
    assert Hold.objects.get(pk=hold.pk).state == Hold.State.CANCELLED
    made.add((Hold.State.READY, Hold.State.CANCELLED))
    waiting.refresh_from_db()
    assert waiting.state == Hold.State.READY
    hold_expire(today=waiting.collect_by + timedelta(days=1))
    assert Hold.objects.get(pk=waiting.pk).state == Hold.State.EXPIRED
    made.add((Hold.State.READY, Hold.State.EXPIRED))

    # Waiting → cancelled, and waiting → collected from the open shelf by the first in line.
    loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)
    dropped = hold_place(reader=second, record=record, user=None)
    hold_cancel(hold=dropped, user=second.user)
    assert Hold.objects.get(pk=dropped.pk).state == Hold.State.CANCELLED
    made.add((Hold.State.WAITING, Hold.State.CANCELLED))
    kept = hold_place(reader=third, record=record, user=None)
    (new,) = copies_add(record=record, count=1, location=copy.location)
    loan_checkout(reader=third, copy=new, user=librarian)
    assert Hold.objects.get(pk=kept.pk).state == Hold.State.COLLECTED
    made.add((Hold.State.WAITING, Hold.State.COLLECTED))
    assert made == moves(HOLD_STATES)


def test_the_class_sets_moves_are_made_by_lending_and_cancelling(librarian):
    teacher = ReaderFactory(kind="teacher", school_class=None)
    copies = copies_of(count=4)
    today = timezone.localdate()

    def booking():
        return class_set_book(
            teacher=teacher,
            school_class=SchoolClassFactory(),
            record=copies[0].record,
            copies=2,
            starts_on=today,
            ends_on=today + timedelta(days=7),
        )

    lent, cancelled = booking(), booking()
    class_set_lend(booking=lent, user=librarian)
    class_set_cancel(booking=cancelled, user=teacher.user)
    assert ClassSetBooking.objects.get(pk=lent.pk).state == ClassSetBooking.State.LENT
    assert ClassSetBooking.objects.get(pk=cancelled.pk).state == ClassSetBooking.State.CANCELLED
    assert {
        (ClassSetBooking.State.BOOKED, ClassSetBooking.State.LENT),
        (ClassSetBooking.State.BOOKED, ClassSetBooking.State.CANCELLED),
    } == moves(CLASS_SET_STATES)


def test_a_refused_move_changes_nothing(librarian):
    teacher = ReaderFactory(kind="teacher", school_class=None)
    copies = copies_of(count=2)
    today = timezone.localdate()
    booking = class_set_book(
        teacher=teacher,
        school_class=SchoolClassFactory(),
        record=copies[0].record,
        copies=1,
        starts_on=today,
        ends_on=today,
    )
    class_set_cancel(booking=booking, user=teacher.user)
    with pytest.raises(CirculationError):
        class_set_lend(booking=booking, user=librarian)
    assert ClassSetBooking.objects.get(pk=booking.pk).state == ClassSetBooking.State.CANCELLED
    assert not Loan.objects.exists()


def test_the_class_sessions_move_is_made_by_the_cancellation(librarian):
    room = Location.objects.create(name="状态表阅览室", kind=Location.Kind.READING_ROOM)
    session = class_session_book(
        room=room, school_class=SchoolClassFactory(), date=timezone.localdate(), period=1
    )
    class_session_cancel(session=session, cancelled_by=librarian, reason="")
    assert ClassSession.objects.get(pk=session.pk).status == ClassSession.Status.CANCELLED
    assert {(ClassSession.Status.BOOKED, ClassSession.Status.CANCELLED)} == moves(CLASS_SESSION_STATES)


def test_the_issue_reservations_moves_are_made_by_their_services():
    from decimal import Decimal

    from catalog.models import Serial, SerialIssue
    from catalog.services.serials import issue_receive, issue_receive_undo, serial_create, subscription_create
    from circulation.services import issue_reservations as services
    from circulation.states import ISSUE_RESERVATION_STATES

    State = IssueReservation.State
    serial = serial_create(
        title="读者", kind=Serial.Kind.PERIODICAL, frequency=Serial.Frequency.MONTHLY, issn="1000-0003"
    )
    room = Location.objects.get(kind=Location.Kind.PERIODICALS_ROOM)
    subscription = subscription_create(
        serial=serial, location=room, year=timezone.localdate().year, price=Decimal(0)
    )
    teachers = [ReaderFactory(kind=Reader.Kind.TEACHER) for _ in range(4)]
    made = set()

    def seen(reservation, before):
        reservation.refresh_from_db()
        made.add((before, reservation.state))

    first_issue = SerialIssue.objects.get(subscription=subscription, number=1)
    waiting = services.issue_reservation_place(reader=teachers[0], issue=first_issue, user=None)
    issue_receive(issue=first_issue)
    seen(waiting, State.WAITING)  # waiting → ready
    issue_receive_undo(issue=first_issue)
    seen(waiting, State.READY)  # ready → waiting
    services.issue_reservation_cancel(reservation=waiting, user=None)
    seen(waiting, State.WAITING)  # waiting → cancelled
    issue_receive(issue=first_issue)
    kept = services.issue_reservation_place(reader=teachers[1], issue=first_issue, user=None)
    services.issue_reservation_cancel(reservation=kept, user=None)
    seen(kept, State.READY)  # ready → cancelled
    taken = services.issue_reservation_place(reader=teachers[2], issue=first_issue, user=None)
    services.issue_reservation_collect(reservation=taken, user=None)
    seen(taken, State.READY)  # ready → collected
    services.issue_reservation_return(reservation=taken, user=None)
    seen(taken, State.COLLECTED)  # collected → returned
    late = services.issue_reservation_place(reader=teachers[3], issue=first_issue, user=None)
    late.refresh_from_db()
    services.issue_reservations_expire(today=late.collect_by + timedelta(days=1))
    seen(late, State.READY)  # ready → expired
    assert made == moves(ISSUE_RESERVATION_STATES)


def test_the_timetables_moves_are_made_by_publish_and_reopen():
    import datetime

    from circulation.services.rooms import opening_hours_add
    from circulation.services.timetables import timetable_generate, timetable_publish, timetable_reopen
    from circulation.states import TIMETABLE_STATES

    room = Location.objects.create(name="阅览室乙", kind=Location.Kind.READING_ROOM)
    opening_hours_add(room=room, weekday=2, opens_at=datetime.time(9), closes_at=datetime.time(10))
    today = timezone.localdate()
    term = Term.objects.create(
        name="学期",
        starts_on=today,
        ends_on=today + timedelta(days=30),
        hard_due_on=today + timedelta(days=20),
    )
    SchoolClassFactory(grade=4, number=1)
    timetable = timetable_generate(room=room, term=term, seats=40)
    made = set()
    timetable_publish(timetable=timetable)
    timetable.refresh_from_db()
    made.add((RoomTimetable.State.DRAFT, timetable.state))
    timetable_reopen(timetable=timetable)
    timetable.refresh_from_db()
    made.add((RoomTimetable.State.PUBLISHED, timetable.state))
    assert made == moves(TIMETABLE_STATES)
