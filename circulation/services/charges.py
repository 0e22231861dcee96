"""Money (issue 14 point 10): what a reader owes the library and how it is settled.

A charge is recorded, never silently: a lost book's compensation when the loan is marked lost
(``loan_mark_lost``), a late book's fine when it comes back and the school fines
(``loan_return``), a damaged book's compensation charged at the desk from the reader's page
(``charge_damaged``). It is then paid in cash with a numbered receipt (``charges_pay``), or
waived or cancelled with a reason by someone with the right (``charge_settle``). Every step is
in the desk's audit (who, when, what) and in the charge's own columns; nothing is deleted.

Locks: the reader, then the charges by primary key, then the receipt counter. The receipt's
number is taken in the payment's transaction: a payment that rolls back gives it back, so the
numbers of a year have no gaps.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy
from library_site.accounts.models import User
from library_site.accounts.roles import Capability
from library_site.system.submissions import submission_spend

from ..exceptions import ChargeRefused, PaymentRefused, ReasonRequired, WaiveRefused
from ..models import Charge, Compensation, DeskAction, Loan, Payment, Reader, ReceiptCounter
from ..money import CHARGE_MAX, money, yuan
from ..policies import damaged_book_amount, lending_rules
from ..states import CHARGE_STATES
from .desk_actions import desk_action_record
from .locks import reader_lock

PAY_FORM = "circulation.charges_pay"
REASON_MAX = 200


def _settled_compensation(charge: Charge, *, user: User | None, now) -> None:
    """A lost book's compensation is settled with its charge (the leavers' clearance reads it)."""
    if charge.compensation_id:
        Compensation.objects.filter(pk=charge.compensation_id, paid_at__isnull=True).update(
            paid_at=now, paid_by=user
        )


def charge_record(
    *,
    reader: Reader,
    kind: str,
    amount: Decimal,
    user: User | None,
    loan: Loan | None = None,
    copy: Copy | None = None,
    compensation: Compensation | None = None,
    rule: str = "",
    note: str = "",
    desk: str = "",
) -> Charge:
    """Record a charge inside the caller's transaction (which holds the reader's lock), with
    its line in the desk's audit. ``ChargeRefused`` when the loan has one of this kind already."""
    amount = money(amount)
    if amount <= 0 or amount > CHARGE_MAX:
        raise ChargeRefused(
            _("The amount must be more than zero and at most %(max)s yuan.") % {"max": CHARGE_MAX}
        )
    try:
        with transaction.atomic():
            charge = Charge.objects.create(
                reader=reader,
                loan=loan,
                copy=copy,
                compensation=compensation,
                kind=kind,
                amount=amount,
                rule=str(rule)[:200],
                note=str(note)[:200],
                created_by=user,
            )
    except IntegrityError as error:
        raise ChargeRefused(_("This loan is charged for this already: see the reader's charges.")) from error
    title = copy.record.title if copy is not None else ""
    desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.CHARGE,
        message=_("Charged %(amount)s: %(kind)s %(title)s")
        % {
            "amount": yuan(amount),
            "kind": charge.get_kind_display(),
            "title": title,
        },
        scanned=copy.barcode if copy is not None else "",
        reader=reader,
        copy=copy,
        loan=loan,
    )
    return charge


def _take_right(user: User | None) -> None:
    if user is None or not user.has_perm(Capability.TAKE_PAYMENTS.permission):
        raise PaymentRefused(_("You may not charge or take payments."))


@transaction.atomic
def charge_damaged(
    *, reader: Reader, barcode: str, user: User, desk: str = "", amount: Decimal | None = None, note: str = ""
) -> Charge:
    """Charge a reader for a copy they damaged: the latest loan of the copy (by its barcode) to
    this reader, at ``amount`` or, without one, what the settings propose (price × the damaged
    book's share). Refused for a copy never lent to them, one already charged as lost or
    damaged, or without a price when no amount is typed."""
    _take_right(user)
    reader = reader_lock(reader.pk)
    barcode = (barcode or "").strip()
    copy = Copy.objects.select_related("record").filter(barcode__iexact=barcode).first() if barcode else None
    if copy is None:
        raise ChargeRefused(_("No copy has the barcode “%(barcode)s”.") % {"barcode": barcode})
    loan = (
        Loan.objects.filter(copy=copy, reader=reader)
        .exclude(state=Loan.State.UNDONE)
        .order_by("-lent_at", "-pk")
        .first()
    )
    if loan is None:
        raise ChargeRefused(
            _("%(barcode)s was never lent to %(reader)s: nothing to charge them for.")
            % {"barcode": copy.barcode, "reader": reader.name}
        )
    if loan.state == Loan.State.LOST:
        raise ChargeRefused(_("This copy is charged as lost already."))
    rule = _("typed at the desk")
    if amount is None:
        amount, rule = damaged_book_amount(copy, lending_rules().settings)
        if amount is None:
            raise ChargeRefused(_("This copy has no price: type the amount to charge."))
    return charge_record(
        reader=reader,
        kind=Charge.Kind.DAMAGED,
        amount=amount,
        user=user,
        loan=loan,
        copy=copy,
        rule=rule,
        note=" ".join((note or "").split())[:REASON_MAX],
        desk=desk,
    )


def _receipt_number(year: int) -> tuple[int, str]:
    """The next receipt number of the year, under the counter's row lock (inside the payment's
    transaction: no gaps)."""
    counter = ReceiptCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = ReceiptCounter.objects.create(year=year, last=0)
        except IntegrityError:  # another desk made the year's counter a moment ago
            counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{year}-{counter.last:06d}"


@transaction.atomic
def charges_pay(*, reader: Reader, charge_ids, user: User, desk: str = "", token: str = "") -> Payment:
    """Take cash for some of the reader's owed charges: one payment with the next receipt
    number, the charges paid with it. Refused (nothing changed) for a charge of another reader
    or one no longer owed, so a second sending never charges twice; ``token`` is the form's
    one-time token, spent here (``AlreadySubmitted`` for a second sending at the same moment)."""
    _take_right(user)
    wanted = sorted({int(pk) for pk in charge_ids})
    if not wanted:
        raise PaymentRefused(_("Choose what is paid."))
    reader = reader_lock(reader.pk)
    charges = list(
        Charge.objects.select_for_update()
        .filter(pk__in=wanted, reader=reader)
        .select_related("copy__record")
        .order_by("pk")
    )
    if len(charges) != len(wanted):
        raise PaymentRefused(_("A charge chosen is not this reader's."))
    for charge in charges:
        CHARGE_STATES.check(
            charge.state,
            Charge.State.PAID,
            refused=PaymentRefused,
            message=_("A charge chosen is “%(current)s” already: nothing was taken. Reload the page."),
        )
    now = timezone.now()
    total = money(sum((charge.amount for charge in charges), Decimal(0)))
    year = timezone.localdate(now).year
    sequence, number = _receipt_number(year)
    payment = Payment.objects.create(
        number=number,
        year=year,
        sequence=sequence,
        reader=reader,
        amount=total,
        taken_at=now,
        taken_by=user,
        desk=desk[:50],
    )
    Charge.objects.filter(pk__in=wanted).update(
        state=Charge.State.PAID, payment=payment, closed_at=now, closed_by=user
    )
    for charge in charges:
        _settled_compensation(charge, user=user, now=now)
    desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.PAYMENT,
        message=_("Paid %(amount)s in cash, receipt %(number)s (%(count)s charge(s)).")
        % {"amount": yuan(total), "number": number, "count": len(charges)},
        reader=reader,
    )
    submission_spend(token=token, form=PAY_FORM, user=user, object_id=payment.pk)
    return payment


@transaction.atomic
def charge_settle(*, charge: Charge, to_state: str, user: User, reason: str, desk: str = "") -> Charge:
    """Waive (forgive) or cancel (charged in error) an owed charge, with a reason, by someone
    with the right to (``Capability.WAIVE_CHARGES``: not a service-team volunteer)."""
    if to_state not in {Charge.State.WAIVED, Charge.State.CANCELLED}:
        raise WaiveRefused(_("A charge is waived or cancelled here; it is paid with a receipt."))
    if user is None or not user.has_perm(Capability.WAIVE_CHARGES.permission):
        raise WaiveRefused()
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if not reason:
        raise ReasonRequired(_("Say why the charge is waived or cancelled."))
    reader = reader_lock(charge.reader_id, key_only=True)
    charge = Charge.objects.select_for_update().select_related("copy__record").get(pk=charge.pk)
    CHARGE_STATES.check(charge.state, to_state, refused=WaiveRefused)
    now = timezone.now()
    charge.state, charge.closed_at, charge.closed_by, charge.close_reason = to_state, now, user, reason
    charge.save(update_fields=["state", "closed_at", "closed_by", "close_reason"])
    _settled_compensation(charge, user=user, now=now)
    waived = to_state == Charge.State.WAIVED
    desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.WAIVE if waived else DeskAction.Action.CANCEL,
        message=(_("Waived %(amount)s: %(reason)s") if waived else _("Cancelled %(amount)s: %(reason)s"))
        % {"amount": yuan(charge.amount), "reason": reason},
        reader=reader,
        copy=charge.copy,
        loan=charge.loan,
        override_reason=reason,
    )
    return charge


def late_charge_cancel_for_undo(*, loan: Loan, user: User | None, now) -> None:
    """A return undone takes its fine back (inside the undo's transaction). A fine already
    paid or waived stops the undo: the money has moved."""
    from ..exceptions import UndoRefused

    charges = list(
        Charge.objects.select_for_update()
        .filter(loan=loan, kind=Charge.Kind.LATE)
        .exclude(state=Charge.State.CANCELLED)
    )
    for charge in charges:
        CHARGE_STATES.check(
            charge.state,
            Charge.State.CANCELLED,
            refused=UndoRefused,
            message=_("The fine of this return is “%(current)s”: the return cannot be undone here."),
        )
        charge.state, charge.closed_at, charge.closed_by = Charge.State.CANCELLED, now, user
        charge.close_reason = _("Return undone")
        charge.save(update_fields=["state", "closed_at", "closed_by", "close_reason"])
