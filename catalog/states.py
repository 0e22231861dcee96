"""How each of the catalogue's things with a state moves: one transitions table per model, on the
shared guard (library_site.states). A service calls its table's ``check`` (or ``check_all``)
before it writes a new state; a move that is not in the table is refused with the catalogue's
own error, its message naming both states.

- ``COPY_STATES``: a copy's status (on the shelf, lent, on the hold shelf, in repair, lost,
  withdrawn, in a class corner). Loans and holds move it through catalog.services.copies.
- ``WRITE_OFF_STATES``: a write-off batch, drafted by a librarian, approved by the administrator.
- ``PURCHASE_PLAN_STATES``: a purchase plan, drafted by a librarian, approved by a leader.
- ``STOCKTAKE_STATES``: a stocktake, open while it is scanned, then confirmed or cancelled.
- ``REPAIR_STATES``: a repair, open until it is closed with its result.
- ``ISSUE_STATES``: an issue of a subscription, expected, checked in, bound into a volume.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from library_site.accounts.roles import Capability
from library_site.states import Move, StateTable

from .exceptions import (
    AcquisitionRefused,
    RepairRefused,
    SerialError,
    StatusChangeRefused,
    StocktakeRefused,
    WriteOffRefused,
)
from .models import Copy, PurchasePlan, Repair, SerialIssue, Stocktake, WriteOffBatch

_C = Copy.Status
COPY_STATES = StateTable(
    "copy",
    [
        Move(_C.AVAILABLE, _C.ON_LOAN, _("lent at the desk")),
        Move(_C.AVAILABLE, _C.ON_HOLD_SHELF, _("put on the hold shelf for the reader who reserved it")),
        Move(_C.AVAILABLE, _C.IN_REPAIR, _("sent to repair")),
        Move(_C.AVAILABLE, _C.LOST, _("missing in a stocktake, or declared lost")),
        Move(_C.AVAILABLE, _C.WITHDRAWN, _("written off")),
        Move(_C.AVAILABLE, _C.IN_CLASS_CORNER, _("lent to a class book corner")),
        Move(_C.ON_LOAN, _C.AVAILABLE, _("returned at the desk")),
        Move(_C.ON_LOAN, _C.ON_HOLD_SHELF, _("returned and held for the reader who reserved it")),
        Move(_C.ON_LOAN, _C.LOST, _("declared lost by its reader")),
        Move(_C.ON_LOAN, _C.IN_REPAIR, _("returned damaged")),
        Move(_C.ON_HOLD_SHELF, _C.AVAILABLE, _("the hold expired or was cancelled")),
        Move(_C.ON_HOLD_SHELF, _C.ON_LOAN, _("lent to the reader who reserved it")),
        Move(_C.ON_HOLD_SHELF, _C.LOST, _("missing from the hold shelf")),
        Move(_C.IN_REPAIR, _C.AVAILABLE, _("repaired")),
        Move(_C.IN_REPAIR, _C.WITHDRAWN, _("beyond repair, written off")),
        Move(_C.IN_REPAIR, _C.LOST, _("lost while in repair")),
        Move(_C.LOST, _C.AVAILABLE, _("found again")),
        Move(_C.LOST, _C.WITHDRAWN, _("written off")),
        Move(_C.IN_CLASS_CORNER, _C.AVAILABLE, _("back from the class book corner")),
        Move(_C.IN_CLASS_CORNER, _C.LOST, _("missing from the class book corner")),
        Move(_C.IN_CLASS_CORNER, _C.IN_REPAIR, _("sent to repair")),
        Move(_C.IN_CLASS_CORNER, _C.WITHDRAWN, _("written off")),
        # Class book corners (issue 18): a donated copy's content is reviewed before it circulates.
        Move(_C.AWAITING_REVIEW, _C.AVAILABLE, _("passed the content review, placed in the library")),
        Move(
            _C.AWAITING_REVIEW, _C.IN_CLASS_CORNER, _("passed the content review, placed in a class corner")
        ),
        Move(_C.AWAITING_REVIEW, _C.WITHDRAWN, _("refused at the content review")),
    ],
    choices=Copy.Status,
    refused=StatusChangeRefused,
    message=_("A copy that is “%(current)s” cannot become “%(wanted)s”."),
)

_W = WriteOffBatch.Status
WRITE_OFF_STATES = StateTable(
    "write-off batch",
    [
        Move(_W.DRAFT, _W.SUBMITTED, _("submitted to the administrator for approval")),
        Move(
            _W.SUBMITTED,
            _W.APPROVED,
            _("approved: its copies are withdrawn"),
            right=Capability.APPROVE_WRITE_OFFS.permission,
        ),
        Move(
            _W.SUBMITTED,
            _W.DRAFT,
            _("sent back to the librarian, saying why"),
            right=Capability.APPROVE_WRITE_OFFS.permission,
        ),
        Move(_W.DRAFT, _W.CANCELLED, _("given up: its copies are free for another batch")),
    ],
    choices=WriteOffBatch.Status,
    refused=WriteOffRefused,
)

_P = PurchasePlan.Status
PURCHASE_PLAN_STATES = StateTable(
    "purchase plan",
    [
        Move(
            _P.DRAFT,
            _P.SUBMITTED,
            _("submitted for approval, within its budget"),
            right=Capability.MANAGE_COLLECTION.permission,
        ),
        Move(
            _P.SUBMITTED,
            _P.APPROVED,
            _("approved by a leader: books may be received against it"),
            right=Capability.APPROVE_PURCHASE_PLANS.permission,
        ),
        Move(
            _P.SUBMITTED,
            _P.REJECTED,
            _("rejected by a leader, saying why"),
            right=Capability.APPROVE_PURCHASE_PLANS.permission,
        ),
        Move(
            _P.REJECTED,
            _P.DRAFT,
            _("taken back by the librarian to be revised"),
            right=Capability.MANAGE_COLLECTION.permission,
        ),
    ],
    choices=PurchasePlan.Status,
    refused=AcquisitionRefused,
)

_S = Stocktake.Status
STOCKTAKE_STATES = StateTable(
    "stocktake",
    [
        Move(_S.OPEN, _S.CONFIRMED, _("confirmed: the copies still missing become lost")),
        Move(_S.OPEN, _S.CANCELLED, _("cancelled: nothing changes")),
    ],
    choices=Stocktake.Status,
    refused=StocktakeRefused,
)

_R = Repair.State
REPAIR_STATES = StateTable(
    "repair",
    [
        Move(_R.OPEN, _R.SHELVED, _("repaired: the copy is back on the shelf")),
        Move(_R.OPEN, _R.WRITTEN_OFF, _("beyond repair: the copy goes to a write-off batch")),
    ],
    choices=Repair.State,
    refused=RepairRefused,
    message=_("This repair was already closed."),
)

_I = SerialIssue.State
ISSUE_STATES = StateTable(
    "serial issue",
    [
        Move(_I.EXPECTED, _I.RECEIVED, _("checked in")),
        Move(_I.RECEIVED, _I.EXPECTED, _("its check-in taken back (a mistake)")),
        Move(_I.RECEIVED, _I.BOUND, _("bound into a volume that can be lent")),
    ],
    choices=SerialIssue.State,
    refused=SerialError,
    message=_("This issue is bound into a volume: its check-in stays."),
)


def refusal_naming(message: str, **values) -> str:
    """A table's refusal text with the row's own values put in (the batch's number, the copy's
    barcode), leaving %(current)s and %(wanted)s for the guard. Old messages that call the
    current state %(status)s have it put back as %(current)s."""
    escaped = {name: str(value).replace("%", "%%") for name, value in values.items()}
    return str(message) % {
        **escaped,
        "current": "%(current)s",
        "wanted": "%(wanted)s",
        "status": "%(current)s",
    }
