"""Lending, taking back, renewing, undoing and marking lost: every write to a loan. The holds a
lend collects or a return fills are moved by services/holds.py; each state change goes through
its table in circulation/states.py.

Locks are always taken in the same order (services/locks.py): the reader, then the copies by
primary key, then the loan and the holds. A copy's status changes only through
``catalog.services.copy_set_status``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy, Repair
from catalog.services.care import repair_open
from catalog.services.copies import copy_set_status
from library_site.accounts.models import User
from library_site.accounts.roles import Capability
from library_site.dates import datetime_text

from ..exceptions import (
    BorrowingBlocked,
    CardBlocked,
    CirculationError,
    LendingFrozen,
    LimitReached,
    MoneyOwed,
    NoPolicy,
    NoPrice,
    NotAvailable,
    NotOnLoan,
    OnLoanToOther,
    OverdueBlock,
    OverrideRefused,
    ReaderNotActive,
    ReferenceOnly,
    RenewalRefused,
    ReservedForOther,
    Suspended,
    UndoRefused,
)
from ..models import (
    Charge,
    CirculationSettings,
    Compensation,
    DeskAction,
    Hold,
    Loan,
    LoanPolicy,
    Reader,
    Suspension,
)
from ..money import money, yuan
from ..policies import (
    Calendar,
    copy_is_reference_only,
    graduating_freeze_starts,
    late_fine_amount,
    lending_rules,
    lost_book_price,
    policy_for,
)
from ..querysets import record_light
from ..registries import borrowing_refusal, borrowing_refusals
from ..states import HOLD_STATES, LOAN_STATES
from .charges import charge_record, late_charge_cancel_for_undo
from .desk_actions import DeskResult, desk_action_record, reader_label, short_date
from .holds import hold_trap_for_next
from .locks import DESK_COPY_FIELDS, RETURN_LOAN_FIELDS, copy_lock, reader_lock, reader_lock_for_lending

UNDO_SECONDS = 60
# A second scan of the same copy for the same reader within this time is a double submit.
DOUBLE_SUBMIT_SECONDS = 10


# --- lending ---------------------------------------------------------------------------------


def reader_borrowing_block(
    *,
    reader: Reader,
    policy: LoanPolicy,
    calendar: Calendar,
    settings: CirculationSettings,
    overridden: list[str] | None = None,
) -> dict:
    """Refuse if anything stops this reader borrowing today: status, card, suspension, overdue
    books, the graduating classes' freeze, the policy's limit. One query (the reader comes
    from ``reader_lock_for_lending``), whatever the reader's history. Returns what it counted
    of the reader's open loans: ``open`` (how many) and ``last_due`` (the latest due date).

    With ``overridden`` (a list: a lend despite a block), the blocks a librarian may override
    (``CirculationError.overridable``) are added to it instead of refusing; the others refuse."""

    def refuse(error: CirculationError) -> None:
        if overridden is None or not error.overridable:
            raise error
        overridden.append(str(error.message))

    if reader.status != Reader.Status.ACTIVE:
        raise ReaderNotActive(
            _("%(reader)s is marked “%(status)s” and may not borrow.")
            % {"reader": reader.name, "status": reader.get_status_display()}
        )
    if not reader.card_number:
        raise CardBlocked(_("%(reader)s has no active library card.") % {"reader": reader.name})
    if reader.suspended_until is not None:
        refuse(
            Suspended(
                _("Suspended until %(date)s for books returned late.")
                % {"date": short_date(reader.suspended_until)}
            )
        )
    today = calendar.today
    counts = Loan.objects.filter(reader=reader, state=Loan.State.OPEN).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        same_policy=Count("pk", filter=Q(policy=policy)),
        open=Count("pk"),
        last_due=Max("due_on"),
    )
    if policy.block_on_overdue and counts["overdue"]:
        refuse(
            OverdueBlock(
                _("%(count)s overdue book(s) block borrowing: return them first.")
                % {"count": counts["overdue"]}
            )
        )
    frozen_since = graduating_freeze_starts(reader, calendar, settings)
    if frozen_since is not None:
        raise LendingFrozen(
            _("Lending stopped for graduating classes on %(date)s, before the exams.")
            % {"date": short_date(frozen_since)}
        )
    if policy.block_on_money_owed:
        owed = Charge.objects.filter(reader=reader, state=Charge.State.OWED).aggregate(total=Sum("amount"))
        if owed["total"]:
            refuse(
                MoneyOwed(
                    _("%(amount)s owed to the library blocks borrowing: pay it at the desk first.")
                    % {"amount": yuan(money(owed["total"]))}
                )
            )
    if counts["same_policy"] >= policy.max_loans:
        refuse(
            LimitReached(
                _("Limit reached: %(reader)s already has %(count)s of %(max)s books.")
                % {"reader": reader.name, "count": counts["same_policy"], "max": policy.max_loans}
            )
        )
    return counts


OVERRIDE_REASON_MAX = 200


def override_reason_check(*, user: User | None, reason: str) -> str:
    """The reason for a lend despite a block (or a suspension's change), cleaned; refused
    without the right or without a reason."""
    reason = " ".join((reason or "").split())[:OVERRIDE_REASON_MAX]
    if user is None or not user.has_perm(Capability.OVERRIDE_BLOCKS.permission):
        raise OverrideRefused()
    if not reason:
        raise OverrideRefused(_("Type the reason for lending despite the block."))
    return reason


@transaction.atomic
def loan_checkout(
    *,
    reader: Reader,
    copy: Copy,
    user: User | None,
    desk: str = "",
    today: date | None = None,
    override_reason: str = "",
) -> DeskResult:
    """Lend a copy to a reader, or refuse with a one-line reason: the copy's state, the
    reader's (``reader_borrowing_block``), the holds, and then every borrowing check another
    app registered (circulation/registries.py), whose first reason refuses the lend.

    ``override_reason``: a librarian with the right (``Capability.OVERRIDE_BLOCKS``) lends
    despite the reader's quota, suspension, overdue books and the registered checks; the
    reason and the blocks overridden are recorded with the lend in the desk's audit. The
    copy's own state, the holds, the card and the reader's status are never overridden."""
    today = today or timezone.localdate()
    overridden: list[str] | None = None
    if override_reason:
        override_reason = override_reason_check(user=user, reason=override_reason)
        overridden = []
    reader = reader_lock_for_lending(reader.pk, today)
    copy = copy_lock(copy.pk, waiting_holds=True, fields=DESK_COPY_FIELDS)
    record = copy.record

    collected_hold = None
    if copy.status == Copy.Status.ON_LOAN:
        open_loan = Loan.objects.filter(copy=copy, state=Loan.State.OPEN).first()
        recent = timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
        if open_loan and open_loan.reader_id == reader.pk and open_loan.lent_at >= recent:
            action = open_loan.desk_actions.filter(action=DeskAction.Action.CHECKOUT).first()
            return DeskResult(
                action=action,
                message=_("Already lent, due %(date)s.") % {"date": short_date(open_loan.due_on)},
                loan=open_loan,
                changed=False,
            )
        if open_loan is not None and open_loan.reader_id != reader.pk:
            holder = Reader.objects.select_related("user", "school_class").get(pk=open_loan.reader_id)
            raise OnLoanToOther(
                _("On loan to %(reader)s, due %(date)s: return it first.")
                % {"reader": reader_label(holder), "date": short_date(open_loan.due_on)}
            )
        raise NotAvailable(_("Already on loan: return it first."))
    if copy.status == Copy.Status.ON_HOLD_SHELF:
        collected_hold = (
            Hold.objects.select_for_update(of=("self",))
            .select_related("reader__user", "reader__school_class")
            .filter(copy=copy, state=Hold.State.READY)
            .first()
        )
        if collected_hold is not None and collected_hold.reader_id != reader.pk:
            raise ReservedForOther(
                _("Reserved for %(reader)s: keep it on the hold shelf.")
                % {"reader": reader_label(collected_hold.reader)}
            )
    elif copy.status != Copy.Status.AVAILABLE:
        raise NotAvailable(
            _("Not available: this copy is “%(status)s”.") % {"status": copy.get_status_display()}
        )

    rules = lending_rules()  # read once (a cache read) for the policy, the settings and the calendar
    policy = policy_for(reader, record.material_type, policies=rules.policies)
    if policy is None:
        raise NoPolicy()
    if copy_is_reference_only(copy, policy):
        raise ReferenceOnly()
    settings = rules.settings
    calendar = Calendar.load(today, rules=rules)
    counts = reader_borrowing_block(
        reader=reader, policy=policy, calendar=calendar, settings=settings, overridden=overridden
    )
    if collected_hold is None and copy.has_waiting_hold:
        # A copy on the open shelf while others wait for the title goes to the first in line.
        first_waiting = (
            Hold.objects.select_related("reader__user", "reader__school_class")
            .filter(record=record, state=Hold.State.WAITING)
            .order_by("placed_at", "pk")
            .first()
        )
        if first_waiting is not None and first_waiting.reader_id != reader.pk:
            raise ReservedForOther(
                _("Reserved for %(reader)s, first in the queue for this title.")
                % {"reader": reader_label(first_waiting.reader)}
            )
        if first_waiting is not None:
            collected_hold = first_waiting
    if overridden is None:
        refusal = borrowing_refusal(reader, policy)  # the other apps' checks (none: no work at all)
        if refusal is not None:
            raise BorrowingBlocked(refusal)
    else:
        overridden.extend(borrowing_refusals(reader, policy))
    due_on = calendar.due_on(days=policy.loan_days, over_vacation=policy.borrow_over_vacation)

    copy_set_status(
        copy=copy,
        to_status=Copy.Status.ON_LOAN,
        user=user,
        reason=_("Lent to %(reader)s") % {"reader": reader.number},
        locked=True,  # locked above, after the reader
    )
    try:
        # No savepoint: the copy's row lock makes a clash all but impossible, and should the
        # constraint still refuse, the exception leaves this atomic block, which rolls back.
        loan = Loan.objects.create(
            copy=copy, reader=reader, policy=policy, lent_by=user, desk=desk[:50], due_on=due_on
        )
    except IntegrityError as error:
        raise NotAvailable(_("Already on loan: return it first.")) from error
    if collected_hold is not None:
        HOLD_STATES.check(collected_hold.state, Hold.State.COLLECTED)
        collected_hold.state = Hold.State.COLLECTED
        collected_hold.copy = copy
        collected_hold.closed_at = timezone.now()
        collected_hold.closed_by = user
        collected_hold.save(update_fields=["state", "copy", "closed_at", "closed_by"])
    message = _("Lent: %(title)s, due %(date)s.") % {"title": record.title, "date": short_date(due_on)}
    if overridden:
        message = _("%(message)s Despite: %(blocks)s Reason: %(reason)s") % {
            "message": message,
            "blocks": " ".join(overridden),
            "reason": override_reason,
        }
    action = desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.CHECKOUT,
        message=message,
        scanned=copy.barcode,
        reader=reader,
        copy=copy,
        loan=loan,
        hold=collected_hold,
        override_reason=override_reason if overridden else "",
    )
    return DeskResult(
        action=action,
        message=message,
        loan=loan,
        hold=collected_hold,
        open_loans=counts["open"] + 1,
        latest_due_before=counts["last_due"],
    )


# --- returning -------------------------------------------------------------------------------


def copy_send_to_repair(*, copy: Copy, user: User | None, reason: str = "") -> Copy:
    """The one door from circulation to the repair register (register E): a copy returned
    damaged goes to repair, opened by catalog's repair_open with the desk as its source."""
    repair = repair_open(
        copy=copy, damage=reason or _("Damaged on return"), reported_by=user, source=Repair.Source.DESK
    )
    return repair.copy


def _already_returned(copy: Copy) -> DeskResult:
    """The answer to returning a copy that is back already: nothing changes (a double scan,
    or two desks at once); a copy that was never lent is refused."""
    last = (
        Loan.objects.filter(copy_id=copy.pk, state=Loan.State.RETURNED)
        .select_related("reader__user", "copy__record")
        .order_by("-returned_at")
        .first()
    )
    if last is None:
        raise NotOnLoan(_("Not on loan: this copy is “%(status)s”.") % {"status": copy.get_status_display()})
    when = datetime_text(last.returned_at)
    action = last.desk_actions.filter(action=DeskAction.Action.RETURN, undone_at__isnull=True).first()
    return DeskResult(
        action=action, message=_("Already returned at %(time)s.") % {"time": when}, loan=last, changed=False
    )


@transaction.atomic
def loan_return(
    *,
    copy: Copy,
    user: User | None,
    desk: str = "",
    damaged: bool = False,
    today: date | None = None,
    open_reader_id: int | None = None,
) -> DeskResult:
    """Take a copy back. Returning a copy that is already back changes nothing (a double
    scan); a copy never lent is refused. ``open_reader_id`` is the reader of the copy's open
    loan as the caller has just read it (the desk's lookup), which saves reading it here; the
    loan is read again under the locks either way."""
    today = today or timezone.localdate()
    reader_id = open_reader_id or (
        Loan.objects.filter(copy_id=copy.pk, state=Loan.State.OPEN)
        .values_list("reader_id", flat=True)
        .first()
    )
    if reader_id is None:
        return _already_returned(copy)
    reader = reader_lock(reader_id, key_only=True)
    copy = copy_lock(copy.pk, waiting_holds=True, fields=DESK_COPY_FIELDS)
    loan = (
        Loan.objects.select_for_update()
        .filter(copy=copy, state=Loan.State.OPEN, reader=reader)
        .only(*RETURN_LOAN_FIELDS)
        .first()
    )
    if loan is None:  # another desk took it back while this one waited for the lock
        return _already_returned(copy)
    now = timezone.now()
    LOAN_STATES.check(loan.state, Loan.State.RETURNED)
    loan.state = Loan.State.RETURNED
    loan.returned_at = now
    loan.returned_by = user
    loan.return_desk = desk[:50]
    loan.overdue_days = loan.overdue_days_on(today)
    # The settings matter only for a late book (a book on time is the common case).
    settings = lending_rules().settings if loan.overdue_days else None
    fine_rule = ""
    if loan.overdue_days and settings.fines_enabled:
        loan.fine, fine_rule = late_fine_amount(loan.overdue_days, settings)
    loan.save(update_fields=["state", "returned_at", "returned_by", "return_desk", "overdue_days", "fine"])

    parts = [_("Returned: %(title)s.") % {"title": copy.record.title}]
    if loan.overdue_days:
        parts.append(_("%(days)s day(s) late.") % {"days": loan.overdue_days})
        suspension_days = loan.overdue_days * settings.suspension_days_per_late_day
        if suspension_days:
            current = (
                Suspension.objects.filter(reader=reader, cancelled_at__isnull=True, ends_on__gte=today)
                .order_by("-ends_on")
                .values_list("ends_on", flat=True)
                .first()
            )
            ends_on = max(current or today, today) + timedelta(days=suspension_days)
            Suspension.objects.create(
                reader=reader,
                loan=loan,
                ends_on=ends_on,
                reason=_("Returned %(days)s day(s) late") % {"days": loan.overdue_days},
            )
            parts.append(_("Borrowing suspended until %(date)s.") % {"date": short_date(ends_on)})
        if loan.fine:
            # Charged, and said so: the reader pays it at the desk with a receipt (charges.py).
            charge_record(
                reader=reader,
                kind=Charge.Kind.LATE,
                amount=loan.fine,
                user=user,
                loan=loan,
                copy=copy,
                rule=fine_rule,
                desk=desk,
            )
            parts.append(_("Fine charged: %(amount)s.") % {"amount": yuan(loan.fine)})

    hold = None
    if damaged:
        copy_send_to_repair(copy=copy, user=user)
        parts.append(_("Sent to repair."))
    else:
        hold = hold_trap_for_next(copy=copy, user=user, today=today, settings=settings)
        if hold is not None:
            copy_set_status(
                copy=copy,
                to_status=Copy.Status.ON_HOLD_SHELF,
                user=user,
                reason=_("Kept for a hold"),
                locked=True,
            )
            parts.append(_("Put on the hold shelf for %(reader)s.") % {"reader": reader_label(hold.reader)})
        else:
            copy_set_status(
                copy=copy, to_status=Copy.Status.AVAILABLE, user=user, reason=_("Returned"), locked=True
            )
    message = " ".join(str(part) for part in parts)
    action = desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.RETURN,
        message=message,
        scanned=copy.barcode,
        reader=reader,
        copy=copy,
        loan=loan,
        hold=hold,
    )
    return DeskResult(action=action, message=message, loan=loan, hold=hold)


# --- renewing --------------------------------------------------------------------------------


@transaction.atomic
def loan_renew(*, loan: Loan, user: User | None, desk: str = "", today: date | None = None) -> DeskResult:
    """Renew a loan within its policy. Renewing again the same day changes nothing, so a
    double submit is harmless."""
    today = today or timezone.localdate()
    reader = reader_lock(loan.reader_id)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("copy__record", "policy")
        .defer(*record_light("copy__record"))
        .get(pk=loan.pk)
    )
    if loan.state != Loan.State.OPEN:
        raise RenewalRefused(_("This loan is closed: the book has been returned."))
    policy = loan.policy or policy_for(reader, loan.copy.record.material_type)
    if policy is None:
        raise NoPolicy()
    if reader.status != Reader.Status.ACTIVE:
        raise ReaderNotActive()
    calendar = Calendar.load(today)
    new_due = calendar.due_on(days=policy.renewal_days, over_vacation=policy.borrow_over_vacation)
    if new_due <= loan.due_on:
        message = _("Nothing to renew: already due %(date)s.") % {"date": short_date(loan.due_on)}
        action = loan.desk_actions.filter(action=DeskAction.Action.RENEW, undone_at__isnull=True).first()
        return DeskResult(action=action, message=message, loan=loan, changed=False)
    if loan.due_on < today:
        raise RenewalRefused(
            _("Overdue since %(date)s: return it instead of renewing.") % {"date": short_date(loan.due_on)}
        )
    if loan.renewals >= policy.renewals:
        raise RenewalRefused(_("No renewals left (%(count)s allowed).") % {"count": policy.renewals})
    if Hold.objects.filter(record_id=loan.copy.record_id, state=Hold.State.WAITING).exists():
        raise RenewalRefused(_("Another reader is waiting for this title: it cannot be renewed."))
    previous = loan.due_on
    loan.due_on = new_due
    loan.renewals += 1
    loan.save(update_fields=["due_on", "renewals"])
    message = _("Renewed: %(title)s, now due %(date)s.") % {
        "title": loan.copy.record.title,
        "date": short_date(new_due),
    }
    action = desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.RENEW,
        message=message,
        scanned=loan.copy.barcode,
        reader=reader,
        copy=loan.copy,
        loan=loan,
        previous_due_on=previous,
    )
    return DeskResult(action=action, message=message, loan=loan)


def loans_renew_all(
    *, reader: Reader, user: User | None, desk: str = "", today: date | None = None
) -> list[tuple[Loan, str, bool]]:
    """Renew each of a reader's loans that can be; say for each what happened. Each renewal
    is its own transaction, so one refusal does not undo the others."""
    answers = []
    for loan in (
        Loan.objects.filter(reader=reader, state=Loan.State.OPEN)
        .select_related("copy__record")
        .order_by("due_on", "pk")
    ):
        try:
            result = loan_renew(loan=loan, user=user, desk=desk, today=today)
            answers.append((loan, result.message, True))
        except CirculationError as error:
            answers.append((loan, f"{loan.copy.record.title}: {error.message}", False))
    return answers


# --- undo ------------------------------------------------------------------------------------


@transaction.atomic
def loan_undo(
    *, action: DeskAction, user: User | None, desk: str = "", now: datetime | None = None
) -> DeskResult:
    """Undo a lend, return or renewal made by the same person less than a minute ago."""
    now = now or timezone.now()
    action = DeskAction.objects.select_for_update().get(pk=action.pk)
    if (
        action.user_id != getattr(user, "pk", None)
        or action.outcome != DeskAction.Outcome.DONE
        or action.undone_at is not None
        or action.loan_id is None
        or action.action
        not in {DeskAction.Action.CHECKOUT, DeskAction.Action.RETURN, DeskAction.Action.RENEW}
        or now - action.at > timedelta(seconds=UNDO_SECONDS)
    ):
        raise UndoRefused()
    loan = Loan.objects.get(pk=action.loan_id)
    reader = reader_lock(loan.reader_id)
    copy = copy_lock(loan.copy_id)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    hold = Hold.objects.select_for_update().get(pk=action.hold_id) if action.hold_id else None
    if action.action == DeskAction.Action.CHECKOUT:
        LOAN_STATES.check(
            loan.state,
            Loan.State.UNDONE,
            refused=UndoRefused,
            message=_("This loan has already been closed."),
        )
        if hold is not None:  # the hold this lend collected is ready again
            HOLD_STATES.check(hold.state, Hold.State.READY, refused=UndoRefused)
        loan.state = Loan.State.UNDONE
        loan.returned_at = now
        loan.returned_by = user
        loan.save(update_fields=["state", "returned_at", "returned_by"])
        if hold is not None:
            hold.state, hold.closed_at, hold.closed_by = Hold.State.READY, None, None
            hold.save(update_fields=["state", "closed_at", "closed_by"])
            copy_set_status(
                copy=copy, to_status=Copy.Status.ON_HOLD_SHELF, user=user, reason=_("Loan undone")
            )
        else:
            copy_set_status(copy=copy, to_status=Copy.Status.AVAILABLE, user=user, reason=_("Loan undone"))
        message = _("Undone: %(title)s was not lent.") % {"title": copy.record.title}
    elif action.action == DeskAction.Action.RETURN:
        moved_on = _("This copy has moved on since (repair or another loan): it cannot be undone here.")
        LOAN_STATES.check(loan.state, Loan.State.OPEN, refused=UndoRefused, message=moved_on)
        if copy.status not in {Copy.Status.AVAILABLE, Copy.Status.ON_HOLD_SHELF}:
            raise UndoRefused(moved_on)
        if hold is not None:
            HOLD_STATES.check(
                hold.state,
                Hold.State.WAITING,
                refused=UndoRefused,
                message=_("The hold this return filled has moved on: it cannot be undone here."),
            )
            hold.state, hold.copy, hold.ready_at, hold.collect_by = Hold.State.WAITING, None, None, None
            hold.save(update_fields=["state", "copy", "ready_at", "collect_by"])
        if loan.fine:  # the fine it charged goes with it (refused once paid or waived)
            late_charge_cancel_for_undo(loan=loan, user=user, now=now)
        copy_set_status(copy=copy, to_status=Copy.Status.ON_LOAN, user=user, reason=_("Return undone"))
        loan.state, loan.returned_at, loan.returned_by, loan.return_desk = Loan.State.OPEN, None, None, ""
        loan.overdue_days, loan.fine = 0, Decimal(0)
        loan.save(
            update_fields=["state", "returned_at", "returned_by", "return_desk", "overdue_days", "fine"]
        )
        Suspension.objects.filter(loan=loan, cancelled_at__isnull=True).update(cancelled_at=now)
        message = _("Undone: %(title)s is on loan again.") % {"title": copy.record.title}
    else:
        if loan.state != Loan.State.OPEN or action.previous_due_on is None:
            raise UndoRefused(_("This loan has already been closed."))
        loan.due_on = action.previous_due_on
        loan.renewals = max(0, loan.renewals - 1)
        loan.save(update_fields=["due_on", "renewals"])
        message = _("Undone: due %(date)s again.") % {"date": short_date(loan.due_on)}
    action.undone_at = now
    action.save(update_fields=["undone_at"])
    undo = desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.UNDO,
        message=message,
        scanned=copy.barcode,
        reader=reader,
        copy=copy,
        loan=loan,
    )
    return DeskResult(action=undo, message=message, loan=loan)


# --- lost ------------------------------------------------------------------------------------


@transaction.atomic
def loan_mark_lost(
    *, loan: Loan, user: User | None, desk: str = "", price: Decimal | None = None, price_source: str = ""
) -> Compensation:
    """The reader has lost the book: the copy becomes lost, the loan closes, and the
    compensation (price × the library's multiplier) is recorded for a printed receipt.

    ``price`` overrides the copy's price: the desk enters the whole set's price for one lost
    volume of a set (the catalogue does not record sets' prices yet)."""
    reader = reader_lock(loan.reader_id)
    copy = copy_lock(loan.copy_id)
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan.pk)
    LOAN_STATES.check(
        loan.state,
        Loan.State.LOST,
        refused=NotOnLoan,
        message=_("This loan is closed: only a book on loan can be marked lost."),
    )
    if price is not None:
        if price <= 0:
            raise NoPrice(_("The price must be more than zero."))
        source = price_source or _("entered at the desk")
    else:
        price, source = lost_book_price(copy)  # the copy's price paid, else the list price
        if price is None:
            raise NoPrice()
    multiplier = lending_rules().settings.lost_multiplier
    amount = (Decimal(price) * multiplier).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    copy_set_status(
        copy=copy,
        to_status=Copy.Status.LOST,
        user=user,
        reason=_("Lost by %(reader)s") % {"reader": reader.number},
    )
    loan.state = Loan.State.LOST
    loan.returned_at = timezone.now()
    loan.returned_by = user
    loan.return_desk = desk[:50]
    loan.save(update_fields=["state", "returned_at", "returned_by", "return_desk"])
    compensation = Compensation.objects.create(
        loan=loan,
        price=price,
        price_source=str(source)[:100],
        multiplier=multiplier,
        amount=amount,
        recorded_by=user,
    )
    if amount > 0:  # a multiplier of 0: the school charges nothing for a lost book
        charge_record(
            reader=reader,
            kind=Charge.Kind.LOST,
            amount=amount,
            user=user,
            loan=loan,
            copy=copy,
            compensation=compensation,
            rule=_("%(price)s yuan (%(source)s) × %(multiplier)s")
            % {"price": money(price), "source": source, "multiplier": multiplier},
            desk=desk,
        )
    desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.LOST,
        message=_("Marked lost: %(title)s; compensation %(amount)s yuan.")
        % {"title": copy.record.title, "amount": amount},
        scanned=copy.barcode,
        reader=reader,
        copy=copy,
        loan=loan,
    )
    return compensation
