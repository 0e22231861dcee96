"""What the desk's one scan box does with a scan: tell a card from a copy by looking both up
(``selectors.desk.scan_lookup``), and hand the copy to the service that the desk's mode names.
Refusals are recorded in the desk's audit as well as answered."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from ..exceptions import (
    CardBlocked,
    CirculationError,
    NoReaderChosen,
    NotOnLoan,
    OnLoanToOther,
    UnknownBarcode,
)
from ..models import DeskAction, LibraryCard, Loan, Reader
from ..scans import CARD_NUMBER, scan_clean
from ..selectors.desk import scan_lookup
from .desk_actions import DeskResult, desk_action_record, desk_action_refused
from .loans import loan_checkout, loan_renew, loan_return


class Mode(models.TextChoices):
    """What the desk does with a scanned copy; each scan carries the mode it was scanned in."""

    LEND = "lend", gettext_lazy("Lend")
    RETURN = "return", gettext_lazy("Return")
    RENEW = "renew", gettext_lazy("Renew")
    PILE = "pile", gettext_lazy("Class pile")  # a class's returns scanned in one go


@dataclass
class ScanAnswer:
    """What a scan came to, for the desk to answer in one line."""

    class Outcome(models.TextChoices):
        DONE = "done", gettext_lazy("Done")
        REFUSED = "refused", gettext_lazy("Refused")
        INFO = "info", pgettext_lazy("desk answer", "Information")  # nothing changed
        READER = "reader", pgettext_lazy("desk answer", "Reader chosen")  # a card or a number
        SEARCH = "search", pgettext_lazy("desk answer", "Readers found")  # a name typed in

    outcome: ScanAnswer.Outcome
    message: str = ""
    result: DeskResult | None = None
    reader_id: int | None = None
    scanned: str = ""
    card: LibraryCard | None = None  # the card scanned, with its reader, their account and class
    # A lend refused for a block that a librarian with the right may lend despite (a reason).
    overridable: bool = False
    # A lend refused because the copy is on loan to somebody else: the desk offers to take it
    # back and lend it in one go (``desk_scan(return_first=True)``).
    return_first: bool = False


def desk_scan(
    *,
    code: str,
    mode: str,
    reader_id: int | None,
    user: User | None,
    desk: str,
    damaged: bool = False,
    override_reason: str = "",
    return_first: bool = False,
) -> ScanAnswer:
    """``override_reason`` (lend mode): lend despite the reader's blocks, for a librarian with
    the right (``loan_checkout``); a refusal the right could override says so (``overridable``).

    ``return_first`` (lend mode): a copy on loan to another reader is taken back from them,
    then lent to the reader served: two actions in the desk's record, each its own transaction
    (the book is back on the desk even if the lend is then refused)."""
    as_scanned = scan_clean(code)
    code = as_scanned.upper()
    if not code:
        return ScanAnswer(outcome=ScanAnswer.Outcome.INFO, message=_("Nothing was scanned."))
    action = {Mode.LEND: DeskAction.Action.CHECKOUT, Mode.RENEW: DeskAction.Action.RENEW}.get(
        mode, DeskAction.Action.RETURN
    )
    returning = mode not in (Mode.LEND, Mode.RENEW)
    card, copy = scan_lookup(code, open_loan_reader=returning)
    if card is None and copy is None and as_scanned != code:
        # A label printed in lower case (an old system's): looked up as it came, by the index.
        card, copy = scan_lookup(as_scanned, open_loan_reader=returning)
        code = as_scanned
    reader = None
    returned = None
    try:
        if card is not None and copy is not None:
            raise UnknownBarcode(_("This barcode names both a card and a copy: relabel the copy."))
        if card is not None:
            if not card.is_active:
                reader = card.reader
                raise CardBlocked(
                    _("Card %(number)s is blocked (%(reason)s): ask for the reader's current card.")
                    % {"number": card.number, "reason": card.block_reason or _("no reason recorded")}
                )
            return ScanAnswer(
                outcome=ScanAnswer.Outcome.READER, reader_id=card.reader_id, scanned=code, card=card
            )
        if copy is None:
            found = Reader.objects.filter(number=code).values_list("pk", flat=True).first()
            if found is not None:
                return ScanAnswer(outcome=ScanAnswer.Outcome.READER, reader_id=found, scanned=code)
            if CARD_NUMBER.match(code):
                raise UnknownBarcode(_("No card has the number %(code)s.") % {"code": code})
            raise UnknownBarcode(_("Unknown barcode %(code)s: no copy or card has it.") % {"code": code})
        if mode == Mode.LEND:
            if reader_id is None:
                raise NoReaderChosen()
            # The service reads and locks the reader itself; only the key is needed here.
            reader = Reader(pk=reader_id)
            if return_first and (
                Loan.objects.filter(copy=copy, state=Loan.State.OPEN).exclude(reader_id=reader_id).exists()
            ):
                returned = loan_return(copy=copy, user=user, desk=desk)
            result = loan_checkout(
                reader=reader, copy=copy, user=user, desk=desk, override_reason=override_reason
            )
        elif mode == Mode.RENEW:
            loan = Loan.objects.filter(copy=copy, state=Loan.State.OPEN).first()
            if loan is None:
                raise NotOnLoan()
            result = loan_renew(loan=loan, user=user, desk=desk)
        else:
            result = loan_return(
                copy=copy, user=user, desk=desk, damaged=damaged, open_reader_id=copy.open_reader_id
            )
    except CirculationError as error:
        message = str(error.message)
        if copy is not None:
            message = f"{copy.barcode} {copy.record.title}: {message}"
        if returned is not None:
            message = f"{returned.message} {message}"
        desk_action_refused(
            user=user, desk=desk, action=action, scanned=code, message=message, reader=reader, copy=copy
        )
        overridable = (
            mode == Mode.LEND
            and error.overridable
            and user is not None
            and user.has_perm(Capability.OVERRIDE_BLOCKS.permission)
        )
        return ScanAnswer(
            outcome=ScanAnswer.Outcome.REFUSED,
            message=message,
            scanned=code,
            overridable=overridable,
            return_first=mode == Mode.LEND and isinstance(error, OnLoanToOther),
        )
    outcome = ScanAnswer.Outcome.DONE if result.changed else ScanAnswer.Outcome.INFO
    return ScanAnswer(
        outcome=outcome,
        message=f"{returned.message} {result.message}" if returned is not None else result.message,
        result=result,
        reader_id=result.loan.reader_id if result.loan else reader_id,
        scanned=code,
    )


# --- the desk modes other apps register (circulation.registries.desk_mode_register) ----------


def desk_scan_registered(*, code: str, mode: str, user: User | None, desk: str) -> ScanAnswer:
    """A scan in a mode a higher app registered: the card it names (active, with its reader),
    handed to the mode's ``handle``; the answer recorded in the desk's audit as a scan."""
    from ..registries import desk_mode_get

    registered = desk_mode_get(mode)
    if registered is None:
        raise ValueError(f"no desk mode {mode!r}")
    code = scan_clean(code).upper()
    if not code:
        return ScanAnswer(outcome=ScanAnswer.Outcome.INFO, message=_("Nothing was scanned."))
    card, _copy = scan_lookup(code)
    if card is not None and not card.is_active:
        card = None
    answer = registered.handle(card, user, desk)
    reader = card.reader if card is not None else None
    if answer.done:
        desk_action_record(
            user=user,
            desk=desk,
            action=DeskAction.Action.SCAN,
            message=answer.message,
            scanned=code[:100],
            reader=reader,
        )
    else:
        desk_action_refused(
            user=user,
            desk=desk,
            action=DeskAction.Action.SCAN,
            scanned=code,
            message=answer.message,
            reader=reader,
        )
    return ScanAnswer(
        outcome=ScanAnswer.Outcome.DONE if answer.done else ScanAnswer.Outcome.REFUSED,
        message=str(answer.message),
        scanned=code,
    )
