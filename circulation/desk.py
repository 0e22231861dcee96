"""What the desk's one scan box does with a scan: tell a card from a copy by looking both up,
and hand the copy to the service that the desk's mode names. Refusals are recorded in the
desk's audit as well as answered."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from catalog.models import Copy

from .exceptions import CardBlocked, CirculationError, NoReaderChosen, NotOnLoan, UnknownBarcode
from .loans import DeskResult, desk_action_refused, loan_checkout, loan_renew, loan_return
from .models import DeskAction, LibraryCard, Loan, Reader


class Mode:
    LEND = "lend"
    RETURN = "return"
    RENEW = "renew"
    PILE = "pile"  # a class's returns scanned in one go
    ALL = (LEND, RETURN, RENEW, PILE)


CARD_NUMBER = re.compile(r"^R[0-9]{7}$")


def scan_normalise(text: str) -> str:
    """What the scanner sent, as the database has it: full-width digits and letters made
    half-width, spaces and control characters the scanner adds removed, letters upper-case."""
    return scan_clean(text).upper()


def scan_clean(text: str) -> str:
    """The scan without the scanner's noise, letters as they came."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(character for character in text if character.isprintable() and not character.isspace())


@dataclass
class ScanAnswer:
    outcome: str  # "done", "refused", "info", "reader", "search"
    message: str = ""
    result: DeskResult | None = None
    reader_id: int | None = None
    scanned: str = ""
    card: LibraryCard | None = None  # the card scanned, with its reader, their account and class


def _card_query(code: str):
    # With what the reader's panel shows of them (reader_panel(card=...)).
    return LibraryCard.objects.filter(number=code).select_related("reader__user", "reader__school_class")


# What the desk reads of a scanned copy before the service locks it: its key, its status (a
# copy that is back already says so) and what a refusal names.
LOOKUP_COPY_FIELDS = ("id", "barcode", "status", "record_id", "record__id", "record__title")


def _copy_query(code: str, *, open_loan_reader: bool = False):
    copies = Copy.objects.filter(barcode=code).select_related("record").only(*LOOKUP_COPY_FIELDS)
    if open_loan_reader:
        # For a return: whose open loan it is, read with the copy (loan_return's open_reader_id).
        open_loans = Loan.objects.filter(copy_id=OuterRef("pk"), state=Loan.State.OPEN)
        copies = copies.annotate(open_reader_id=Subquery(open_loans.values("reader_id")[:1]))
    return copies


def scan_lookup(code: str, *, open_loan_reader: bool = False) -> tuple[LibraryCard | None, Copy | None]:
    """The card and the copy with this barcode, whatever the prefix, so that a library whose
    old labels have no prefix still works. One query when the code names one of them (the
    common case): the one that a code of its shape most likely names, asking at once whether
    the other exists too; a second only when it does, or when the first guess was wrong.
    ``open_loan_reader`` reads the copy's ``open_reader_id`` with it (returns)."""
    if CARD_NUMBER.match(code):
        card = _card_query(code).annotate(copy_too=Exists(Copy.objects.filter(barcode=code))).first()
        if card is None:
            return None, _copy_query(code, open_loan_reader=open_loan_reader).first()
        return card, (_copy_query(code, open_loan_reader=open_loan_reader).first() if card.copy_too else None)
    copy = (
        _copy_query(code, open_loan_reader=open_loan_reader)
        .annotate(card_too=Exists(LibraryCard.objects.filter(number=code)))
        .first()
    )
    if copy is None:
        return _card_query(code).first(), None
    return (_card_query(code).first() if copy.card_too else None), copy


def desk_scan(
    *, code: str, mode: str, reader_id: int | None, user, desk: str, damaged: bool = False
) -> ScanAnswer:
    as_scanned = scan_clean(code)
    code = as_scanned.upper()
    if not code:
        return ScanAnswer(outcome="info", message=_("Nothing was scanned."))
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
            return ScanAnswer(outcome="reader", reader_id=card.reader_id, scanned=code, card=card)
        if copy is None:
            found = Reader.objects.filter(number=code).values_list("pk", flat=True).first()
            if found is not None:
                return ScanAnswer(outcome="reader", reader_id=found, scanned=code)
            if CARD_NUMBER.match(code):
                raise UnknownBarcode(_("No card has the number %(code)s.") % {"code": code})
            raise UnknownBarcode(_("Unknown barcode %(code)s: no copy or card has it.") % {"code": code})
        if mode == Mode.LEND:
            if reader_id is None:
                raise NoReaderChosen()
            # The service reads and locks the reader itself; only the key is needed here.
            reader = Reader(pk=reader_id)
            result = loan_checkout(reader=reader, copy=copy, user=user, desk=desk)
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
        desk_action_refused(
            user=user, desk=desk, action=action, scanned=code, message=message, reader=reader, copy=copy
        )
        return ScanAnswer(outcome="refused", message=message, scanned=code)
    outcome = "done" if result.changed else "info"
    return ScanAnswer(
        outcome=outcome,
        message=result.message,
        result=result,
        reader_id=result.loan.reader_id if result.loan else reader_id,
        scanned=code,
    )
