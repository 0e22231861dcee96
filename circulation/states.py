"""How circulation's records move from one state to another: one transitions table per model
with a state, on library_site/states.py, and the guard every service calls before it writes
a new state. A move that is not in its table is refused.

Models with a state: Reader.status, LibraryCard.status, Loan.state, Hold.state and
ClassSetBooking.state and Charge.state (money owed: paid, waived or cancelled). (Suspensions, compensations, notices and class sessions have no state
field: a suspension is cancelled, a compensation paid and a notice read by a timestamp that is
set once, each by one service.)

Each move says why it happens (for the reader of this file; it is not interface text) and the
right a person needs to make it, where the view checks one. A service may name the refusal its
callers expect (``refused=UndoRefused``) and the message (``message=``, with %(current)s and
%(wanted)s) for its call, as library_site/states.py allows; the tables' own messages name the
model. The guard is pure Python: it adds no query.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from library_site.accounts.roles import Capability
from library_site.states import Move, StateTable

from .exceptions import StateRefused
from .models import (
    Charge,
    ClassSession,
    ClassSetBooking,
    Hold,
    IssueReservation,
    LibraryCard,
    Loan,
    Reader,
    RoomTimetable,
)

# The rights (``user.has_perm`` names) the moves need beyond signing in, as the views check them.
USE_DESK = Capability.USE_DESK.permission
MANAGE_READERS = Capability.MANAGE_READERS.permission
RESERVE_ITEMS = Capability.RESERVE_ITEMS.permission


Status = Reader.Status
READER_STATES = StateTable(
    "reader",
    [
        Move(Status.ACTIVE, Status.GRADUATED, "promoted out of the top grade", right=MANAGE_READERS),
        Move(Status.ACTIVE, Status.LEFT, "left the school", right=MANAGE_READERS),
        Move(Status.GRADUATED, Status.ACTIVE, "back at school", right=MANAGE_READERS),
        Move(Status.LEFT, Status.ACTIVE, "back at school", right=MANAGE_READERS),
        # The reader's form offers every status, so staff may correct one into the other.
        Move(Status.GRADUATED, Status.LEFT, "corrected by staff", right=MANAGE_READERS),
        Move(Status.LEFT, Status.GRADUATED, "corrected by staff", right=MANAGE_READERS),
    ],
    choices=Reader.Status,
    refused=StateRefused,
    message=_("A reader who is “%(current)s” cannot become “%(wanted)s”."),
)

CardStatus = LibraryCard.Status
CARD_STATES = StateTable(
    "library card",
    [
        # Issued active; blocked for good when another card replaces it (补证). A blocked card
        # never works again: the reader gets a new one.
        Move(CardStatus.ACTIVE, CardStatus.BLOCKED, "replaced by a new card", right=MANAGE_READERS),
    ],
    choices=LibraryCard.Status,
    refused=StateRefused,
    message=_("A library card that is “%(current)s” cannot become “%(wanted)s”."),
)

LoanState = Loan.State
LOAN_STATES = StateTable(
    "loan",
    [
        Move(LoanState.OPEN, LoanState.RETURNED, "returned at the desk", right=USE_DESK),
        Move(LoanState.OPEN, LoanState.LOST, "declared lost", right=MANAGE_READERS),
        Move(LoanState.OPEN, LoanState.UNDONE, "the lend undone within a minute", right=USE_DESK),
        Move(LoanState.RETURNED, LoanState.OPEN, "the return undone within a minute", right=USE_DESK),
    ],
    choices=Loan.State,
    refused=StateRefused,
    message=_("A loan that is “%(current)s” cannot become “%(wanted)s”."),
)

HoldState = Hold.State
HOLD_STATES = StateTable(
    "hold",
    [
        Move(HoldState.WAITING, HoldState.READY, "a returned copy kept for the first in line"),
        Move(HoldState.WAITING, HoldState.COLLECTED, "lent from the open shelf to the first in line"),
        Move(HoldState.READY, HoldState.COLLECTED, "lent from the hold shelf"),
        Move(HoldState.WAITING, HoldState.CANCELLED, "cancelled by the reader or the desk"),
        Move(HoldState.READY, HoldState.CANCELLED, "cancelled by the reader or the desk"),
        Move(HoldState.READY, HoldState.EXPIRED, "not collected in time (the nightly job)"),
        Move(HoldState.READY, HoldState.WAITING, "the return that kept the copy undone"),
        Move(HoldState.COLLECTED, HoldState.READY, "the lend that collected it undone"),
    ],
    choices=Hold.State,
    refused=StateRefused,
    message=_("A hold that is “%(current)s” cannot become “%(wanted)s”."),
)

BookingState = ClassSetBooking.State
CLASS_SET_STATES = StateTable(
    "class-set booking",
    [
        Move(BookingState.BOOKED, BookingState.LENT, "lent at the desk in one step", right=USE_DESK),
        Move(BookingState.BOOKED, BookingState.CANCELLED, "cancelled by the teacher", right=RESERVE_ITEMS),
    ],
    choices=ClassSetBooking.State,
    refused=StateRefused,
    message=_("A class-set booking that is “%(current)s” cannot become “%(wanted)s”."),
)

SessionStatus = ClassSession.Status
CLASS_SESSION_STATES = StateTable(
    "class session",
    [
        Move(
            SessionStatus.BOOKED, SessionStatus.CANCELLED, "cancelled in the timetable", right=MANAGE_READERS
        ),
    ],
    choices=ClassSession.Status,
    refused=StateRefused,
    message=_("A class session that is “%(current)s” cannot become “%(wanted)s”."),
)


# --- reservations of periodical issues (issue 14 point 11) ---------------------------------
IssueState = IssueReservation.State
ISSUE_RESERVATION_STATES = StateTable(
    "issue reservation",
    [
        Move(IssueState.WAITING, IssueState.READY, "the issue was checked in or a copy came back"),
        Move(IssueState.READY, IssueState.WAITING, "the check-in of the issue was undone"),
        Move(
            IssueState.READY, IssueState.COLLECTED, "the teacher took the issue at the desk", right=USE_DESK
        ),
        Move(IssueState.COLLECTED, IssueState.RETURNED, "the teacher brought it back", right=USE_DESK),
        Move(
            IssueState.WAITING,
            IssueState.CANCELLED,
            "cancelled by the teacher or the desk",
            right=RESERVE_ITEMS,
        ),
        Move(
            IssueState.READY,
            IssueState.CANCELLED,
            "cancelled by the teacher or the desk",
            right=RESERVE_ITEMS,
        ),
        Move(IssueState.READY, IssueState.EXPIRED, "not collected in time (the nightly job)"),
    ],
    choices=IssueReservation.State,
    refused=StateRefused,
    message=_("A reservation of an issue that is “%(current)s” cannot become “%(wanted)s”."),
)

# --- the reading room's class timetable (issue 14 point 13) --------------------------------
TimetableState = RoomTimetable.State
TIMETABLE_STATES = StateTable(
    "reading-room timetable",
    [
        Move(
            TimetableState.DRAFT,
            TimetableState.PUBLISHED,
            "published to the head teachers",
            right=MANAGE_READERS,
        ),
        Move(
            TimetableState.PUBLISHED, TimetableState.DRAFT, "taken back to be changed", right=MANAGE_READERS
        ),
    ],
    choices=RoomTimetable.State,
    refused=StateRefused,
    message=_("A timetable that is “%(current)s” cannot become “%(wanted)s”."),
)

# --- money (issue 14 point 10) ---------------------------------------------------------------
TAKE_PAYMENTS = Capability.TAKE_PAYMENTS.permission
WAIVE_CHARGES = Capability.WAIVE_CHARGES.permission

ChargeState = Charge.State
CHARGE_STATES = StateTable(
    "charge",
    [
        # Owed until settled, once: paid in cash with a numbered receipt, waived (forgiven, a
        # reason typed) or cancelled (charged in error, or its return undone). Nothing after.
        Move(ChargeState.OWED, ChargeState.PAID, "paid at the desk, a receipt printed", right=TAKE_PAYMENTS),
        Move(ChargeState.OWED, ChargeState.WAIVED, "forgiven, with a reason", right=WAIVE_CHARGES),
        Move(ChargeState.OWED, ChargeState.CANCELLED, "charged in error, with a reason", right=WAIVE_CHARGES),
    ],
    choices=Charge.State,
    refused=StateRefused,
    message=_("A charge that is “%(current)s” cannot become “%(wanted)s”."),
)

TABLES = (
    READER_STATES,
    CARD_STATES,
    LOAN_STATES,
    HOLD_STATES,
    CLASS_SET_STATES,
    CLASS_SESSION_STATES,
    ISSUE_RESERVATION_STATES,
    TIMETABLE_STATES,
    CHARGE_STATES,
)
