"""Every write to loans, holds and the desk's record: lend, take back, renew, undo, mark lost,
hold and cancel. Services in the house style (keyword-only, atomic, domain exceptions); kept
apart from ``services.py`` (readers, classes, cards) because they are the other half of the app.

Locks are always taken in the same order: the reader, then the copies by primary key, then
the loan and the holds. The partial unique constraint ``loan_one_open_per_copy`` is the last
guard against two desks lending one copy. A copy's status changes only through
``catalog.services.copy_set_status``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalog.models import Copy, Record, Repair
from catalog.services import copies_set_status_bulk, copy_set_status, repair_open
from library_site.celery import task_send_on_commit

from .exceptions import (
    BookingRefused,
    CardBlocked,
    HoldRefused,
    LendingFrozen,
    LimitReached,
    NoPolicy,
    NoPrice,
    NotAvailable,
    NotOnLoan,
    OverdueBlock,
    ReaderNotActive,
    ReferenceOnly,
    RenewalRefused,
    ReservedForOther,
    Suspended,
    UndoRefused,
)
from .models import (
    CirculationSettings,
    ClassSetBooking,
    Compensation,
    DeskAction,
    Hold,
    Loan,
    LoanPolicy,
    Reader,
    SchoolClass,
    Suspension,
)
from .policies import (
    REFERENCE_LOCATION_KINDS,
    Calendar,
    copy_is_reference_only,
    graduating_freeze_starts,
    lending_rules,
    policy_for,
)
from .querysets import record_light
from .selectors import reader_desk_annotations

UNDO_SECONDS = 60
# A second scan of the same copy for the same reader within this time is a double submit.
DOUBLE_SUBMIT_SECONDS = 10


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def reader_label(reader: Reader) -> str:
    """张三 (三年级(2)班), as the desk names a reader aloud."""
    where = reader.school_class.name if reader.school_class_id else reader.department
    return f"{reader.name} ({where})" if where else reader.name


@dataclass
class DeskResult:
    """What a desk action did, for the desk to say in one line."""

    action: DeskAction
    message: str
    loan: Loan | None = None
    hold: Hold | None = None
    changed: bool = True
    warnings: list[str] = field(default_factory=list)
    # A lend counts the reader's books on loan anyway: how many they have now, and the latest
    # due date among the others (the desk adds the new loan to its list without reading it all).
    open_loans: int | None = None
    latest_due_before: date | None = None


def _record_action(*, user, desk: str, action: str, message: str, **links) -> DeskAction:
    return DeskAction.objects.create(
        user=user, desk=desk[:50], action=action, message=str(message)[:300], **links
    )


def desk_action_refused(*, user, desk: str, action: str, scanned: str, message: str, reader=None, copy=None):
    """A refusal is recorded too, outside the refused transaction, so the audit shows it."""
    return DeskAction.objects.create(
        user=user,
        desk=desk[:50],
        action=action,
        outcome=DeskAction.Outcome.REFUSED,
        scanned=scanned[:100],
        message=str(message)[:300],
        reader=reader,
        copy=copy,
    )


def _lock_reader(reader_id: int, *, key_only: bool = False) -> Reader:
    """The reader, locked, with their account and class; ``key_only`` reads only the key (a
    return locks the reader only to keep to the lock order)."""
    readers = Reader.objects.select_for_update(of=("self",))
    if key_only:
        return readers.only("id").get(pk=reader_id)
    return readers.select_related("user", "school_class").get(pk=reader_id)


# What lending and taking back read of the copy they lock (the rest is not read at all, which
# saves the compiling of some fifty columns on every scan).
DESK_COPY_FIELDS = (
    "id", "record_id", "location_id", "barcode", "status",
    "record__id", "record__title", "record__material_type", "location__id", "location__kind",
)  # fmt: skip
# What taking back reads and writes of the open loan.
RETURN_LOAN_FIELDS = ("id", "copy_id", "reader_id", "reader_kind", "state", "due_on", "fine")


def _lock_copy(copy_id: int, *, waiting_holds: bool = False, fields: tuple[str, ...] | None = None) -> Copy:
    """The copy, locked. ``waiting_holds`` asks in the same query whether anybody waits for
    its title (``copy.has_waiting_hold``), so that the queue is read only when somebody does.
    ``fields`` reads only those of the copy, its record and its location."""
    copies = Copy.objects.select_for_update(of=("self",)).select_related("record", "location")
    copies = copies.only(*fields) if fields else copies.defer(*record_light("record"))
    if waiting_holds:
        copies = copies.annotate(
            has_waiting_hold=Exists(
                Hold.objects.filter(record_id=OuterRef("record_id"), state=Hold.State.WAITING)
            )
        )
    return copies.get(pk=copy_id)


# --- lending ---------------------------------------------------------------------------------


def _lock_reader_for_lending(reader_id: int, today: date) -> Reader:
    """The reader, locked, with what lending checks about them in the same query: their
    active card's number (None without one) and until when they are suspended; the desk's
    reader panel shows the same two (``reader_panel(reader=...)``)."""
    return (
        Reader.objects.select_for_update(of=("self",))
        .select_related("user", "school_class")
        .annotate(**reader_desk_annotations(today))
        .get(pk=reader_id)
    )


def reader_borrowing_block(
    *, reader: Reader, policy: LoanPolicy, calendar: Calendar, settings: CirculationSettings
) -> dict:
    """Refuse if anything stops this reader borrowing today: status, card, suspension, overdue
    books, the graduating classes' freeze, the policy's limit. One query (the reader comes
    from ``_lock_reader_for_lending``), whatever the reader's history. Returns what it counted
    of the reader's open loans: ``open`` (how many) and ``last_due`` (the latest due date)."""
    if reader.status != Reader.Status.ACTIVE:
        raise ReaderNotActive(
            _("%(reader)s is marked “%(status)s” and may not borrow.")
            % {"reader": reader.name, "status": reader.get_status_display()}
        )
    if not reader.card_number:
        raise CardBlocked(_("%(reader)s has no active library card.") % {"reader": reader.name})
    if reader.suspended_until is not None:
        raise Suspended(
            _("Suspended until %(date)s for books returned late.") % {"date": _day(reader.suspended_until)}
        )
    today = calendar.today
    counts = Loan.objects.filter(reader=reader, state=Loan.State.OPEN).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        same_policy=Count("pk", filter=Q(policy=policy)),
        open=Count("pk"),
        last_due=Max("due_on"),
    )
    if policy.block_on_overdue and counts["overdue"]:
        raise OverdueBlock(
            _("%(count)s overdue book(s) block borrowing: return them first.") % {"count": counts["overdue"]}
        )
    frozen_since = graduating_freeze_starts(reader, calendar, settings)
    if frozen_since is not None:
        raise LendingFrozen(
            _("Lending stopped for graduating classes on %(date)s, before the exams.")
            % {"date": _day(frozen_since)}
        )
    if counts["same_policy"] >= policy.max_loans:
        raise LimitReached(
            _("Limit reached: %(reader)s already has %(count)s of %(max)s books.")
            % {"reader": reader.name, "count": counts["same_policy"], "max": policy.max_loans}
        )
    return counts


@transaction.atomic
def loan_checkout(
    *, reader: Reader, copy: Copy, user, desk: str = "", today: date | None = None
) -> DeskResult:
    """Lend a copy to a reader, or refuse with a one-line reason."""
    today = today or timezone.localdate()
    reader = _lock_reader_for_lending(reader.pk, today)
    copy = _lock_copy(copy.pk, waiting_holds=True, fields=DESK_COPY_FIELDS)
    record = copy.record

    collected_hold = None
    if copy.status == Copy.Status.ON_LOAN:
        open_loan = Loan.objects.filter(copy=copy, state=Loan.State.OPEN).first()
        recent = timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
        if open_loan and open_loan.reader_id == reader.pk and open_loan.lent_at >= recent:
            action = open_loan.desk_actions.filter(action=DeskAction.Action.CHECKOUT).first()
            return DeskResult(
                action=action,
                message=_("Already lent, due %(date)s.") % {"date": _day(open_loan.due_on)},
                loan=open_loan,
                changed=False,
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
    counts = reader_borrowing_block(reader=reader, policy=policy, calendar=calendar, settings=settings)
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
        collected_hold.state = Hold.State.COLLECTED
        collected_hold.copy = copy
        collected_hold.closed_at = timezone.now()
        collected_hold.closed_by = user
        collected_hold.save(update_fields=["state", "copy", "closed_at", "closed_by"])
    message = _("Lent: %(title)s, due %(date)s.") % {"title": record.title, "date": _day(due_on)}
    action = _record_action(
        user=user,
        desk=desk,
        action=DeskAction.Action.CHECKOUT,
        message=message,
        scanned=copy.barcode,
        reader=reader,
        copy=copy,
        loan=loan,
        hold=collected_hold,
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


def copy_send_to_repair(*, copy: Copy, user, reason: str = "") -> Copy:
    """The one door from circulation to the repair register (register E): a copy returned
    damaged goes to repair, opened by catalog's repair_open with the desk as its source."""
    repair = repair_open(
        copy=copy, damage=reason or _("Damaged on return"), reported_by=user, source=Repair.Source.DESK
    )
    return repair.copy


def _hold_pickup_deadline(calendar: Calendar, settings: CirculationSettings) -> date:
    return calendar.next_open_day(calendar.today + timedelta(days=settings.hold_pickup_days))


def _trap_for_next(
    *, copy: Copy, user, today: date, settings: CirculationSettings | None = None
) -> Hold | None:
    """Keep a copy that has come back for the first reader in the queue, if any. The
    calendar is read only when somebody is waiting (and the queue only when the copy's lock
    said somebody was, if it was asked)."""
    if not getattr(copy, "has_waiting_hold", True):
        return None
    hold = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("reader__user", "reader__school_class")
        .filter(record_id=copy.record_id, state=Hold.State.WAITING)
        .order_by("placed_at", "pk")
        .first()
    )
    if hold is None:
        return None
    hold.state = Hold.State.READY
    hold.copy = copy
    hold.ready_at = timezone.now()
    settings = settings or lending_rules().settings
    hold.collect_by = _hold_pickup_deadline(Calendar.load(today, settings=settings), settings)
    hold.save(update_fields=["state", "copy", "ready_at", "collect_by"])
    # The reader's notice, once the copy is surely kept; should the broker be down, the daily
    # notice job sends it (it finds every ready hold without one).
    from .tasks import hold_ready_notice_task

    task_send_on_commit(hold_ready_notice_task, hold.pk)
    return hold


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
    when = date_format(timezone.localtime(last.returned_at), "SHORT_DATETIME_FORMAT")
    action = last.desk_actions.filter(action=DeskAction.Action.RETURN, undone_at__isnull=True).first()
    return DeskResult(
        action=action, message=_("Already returned at %(time)s.") % {"time": when}, loan=last, changed=False
    )


@transaction.atomic
def loan_return(
    *,
    copy: Copy,
    user,
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
    reader = _lock_reader(reader_id, key_only=True)
    copy = _lock_copy(copy.pk, waiting_holds=True, fields=DESK_COPY_FIELDS)
    loan = (
        Loan.objects.select_for_update()
        .filter(copy=copy, state=Loan.State.OPEN, reader=reader)
        .only(*RETURN_LOAN_FIELDS)
        .first()
    )
    if loan is None:  # another desk took it back while this one waited for the lock
        return _already_returned(copy)
    now = timezone.now()
    loan.state = Loan.State.RETURNED
    loan.returned_at = now
    loan.returned_by = user
    loan.return_desk = desk[:50]
    loan.overdue_days = loan.overdue_days_on(today)
    # The settings matter only for a late book (a book on time is the common case).
    settings = lending_rules().settings if loan.overdue_days else None
    if loan.overdue_days and settings.fines_enabled:
        loan.fine = settings.fine_per_day * loan.overdue_days
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
            parts.append(_("Borrowing suspended until %(date)s.") % {"date": _day(ends_on)})
        if loan.fine:
            parts.append(_("Fine: %(amount)s yuan.") % {"amount": loan.fine})

    hold = None
    if damaged:
        copy_send_to_repair(copy=copy, user=user)
        parts.append(_("Sent to repair."))
    else:
        hold = _trap_for_next(copy=copy, user=user, today=today, settings=settings)
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
    action = _record_action(
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
def loan_renew(*, loan: Loan, user, desk: str = "", today: date | None = None) -> DeskResult:
    """Renew a loan within its policy. Renewing again the same day changes nothing, so a
    double submit is harmless."""
    today = today or timezone.localdate()
    reader = _lock_reader(loan.reader_id)
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
        message = _("Nothing to renew: already due %(date)s.") % {"date": _day(loan.due_on)}
        action = loan.desk_actions.filter(action=DeskAction.Action.RENEW, undone_at__isnull=True).first()
        return DeskResult(action=action, message=message, loan=loan, changed=False)
    if loan.due_on < today:
        raise RenewalRefused(
            _("Overdue since %(date)s: return it instead of renewing.") % {"date": _day(loan.due_on)}
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
        "date": _day(new_due),
    }
    action = _record_action(
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
    *, reader: Reader, user, desk: str = "", today: date | None = None
) -> list[tuple[Loan, str, bool]]:
    """Renew each of a reader's loans that can be; say for each what happened. Each renewal
    is its own transaction, so one refusal does not undo the others."""
    from .exceptions import CirculationError

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
def loan_undo(*, action: DeskAction, user, desk: str = "", now: datetime | None = None) -> DeskResult:
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
    reader = _lock_reader(loan.reader_id)
    copy = _lock_copy(loan.copy_id)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    hold = Hold.objects.select_for_update().get(pk=action.hold_id) if action.hold_id else None
    if action.action == DeskAction.Action.CHECKOUT:
        if loan.state != Loan.State.OPEN:
            raise UndoRefused(_("This loan has already been closed."))
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
        if loan.state != Loan.State.RETURNED or copy.status not in {
            Copy.Status.AVAILABLE,
            Copy.Status.ON_HOLD_SHELF,
        }:
            raise UndoRefused(
                _("This copy has moved on since (repair or another loan): it cannot be undone here.")
            )
        if hold is not None:
            if hold.state != Hold.State.READY:
                raise UndoRefused(_("The hold this return filled has moved on: it cannot be undone here."))
            hold.state, hold.copy, hold.ready_at, hold.collect_by = Hold.State.WAITING, None, None, None
            hold.save(update_fields=["state", "copy", "ready_at", "collect_by"])
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
        message = _("Undone: due %(date)s again.") % {"date": _day(loan.due_on)}
    action.undone_at = now
    action.save(update_fields=["undone_at"])
    undo = _record_action(
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
    *, loan: Loan, user, desk: str = "", price: Decimal | None = None, price_source: str = ""
) -> Compensation:
    """The reader has lost the book: the copy becomes lost, the loan closes, and the
    compensation (price × the library's multiplier) is recorded for a printed receipt.

    ``price`` overrides the copy's price: the desk enters the whole set's price for one lost
    volume of a set (the catalogue does not record sets' prices yet)."""
    reader = _lock_reader(loan.reader_id)
    copy = _lock_copy(loan.copy_id)
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan.pk)
    if loan.state != Loan.State.OPEN:
        raise NotOnLoan(_("This loan is closed: only a book on loan can be marked lost."))
    if price is not None:
        if price <= 0:
            raise NoPrice(_("The price must be more than zero."))
        source = price_source or _("entered at the desk")
    elif copy.price_paid:
        price, source = copy.price_paid, _("price paid for this copy")
    elif copy.record.price:
        price, source = copy.record.price, _("list price")
    else:
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
    _record_action(
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


# --- holds -----------------------------------------------------------------------------------


@transaction.atomic
def hold_place(*, reader: Reader, record: Record, user, today: date | None = None) -> Hold:
    """A title-level hold, allowed only when every lendable copy is out."""
    reader = _lock_reader(reader.pk)
    if reader.status != Reader.Status.ACTIVE:
        raise ReaderNotActive()
    policy = policy_for(reader, record.material_type)
    if policy is None or not policy.holds_allowed or policy.reference_only:
        raise HoldRefused(_("Holds are not allowed for this reader and this kind of material."))
    copies = list(
        Copy.objects.filter(record=record).select_related("location").values_list("status", "location__kind")
    )
    lendable = [status for status, kind in copies if kind not in REFERENCE_LOCATION_KINDS]
    if Copy.Status.AVAILABLE in lendable:
        raise HoldRefused(_("A copy is on the shelf: borrow it at the desk instead."))
    if not any(
        status in {Copy.Status.ON_LOAN, Copy.Status.ON_HOLD_SHELF, Copy.Status.IN_REPAIR}
        for status in lendable
    ):
        raise HoldRefused(_("The library has no copy of this title to wait for."))
    if Loan.objects.filter(reader=reader, state=Loan.State.OPEN, copy__record=record).exists():
        raise HoldRefused(_("You already have this title on loan."))
    if Hold.objects.filter(
        reader=reader, record=record, state__in=[Hold.State.WAITING, Hold.State.READY]
    ).exists():
        raise HoldRefused(_("You are already in the queue for this title."))
    try:
        with transaction.atomic():
            return Hold.objects.create(reader=reader, record=record, placed_by=user)
    except IntegrityError as error:
        raise HoldRefused(_("You are already in the queue for this title.")) from error


def _hold_close_and_pass_on(*, hold: Hold, state: str, user, today: date) -> Hold | None:
    """Close a hold; a copy it kept goes to the next in line, or back to the shelf."""
    was_ready, copy = hold.state == Hold.State.READY, hold.copy
    hold.state = state
    hold.closed_at = timezone.now()
    hold.closed_by = user
    hold.save(update_fields=["state", "closed_at", "closed_by"])
    if not was_ready or copy is None:
        return None
    next_hold = _trap_for_next(copy=copy, user=user, today=today)
    if next_hold is None:
        copy_set_status(copy=copy, to_status=Copy.Status.AVAILABLE, user=user, reason=_("Hold closed"))
    return next_hold


@transaction.atomic
def hold_cancel(*, hold: Hold, user, today: date | None = None) -> Hold | None:
    """Cancel a waiting or ready hold. Returns the hold that received the kept copy, if any."""
    today = today or timezone.localdate()
    _lock_reader(hold.reader_id)
    if hold.copy_id:
        _lock_copy(hold.copy_id)
    hold = Hold.objects.select_for_update(of=("self",)).select_related("copy").get(pk=hold.pk)
    if hold.state not in {Hold.State.WAITING, Hold.State.READY}:
        return None  # already closed: cancelling twice changes nothing
    return _hold_close_and_pass_on(hold=hold, state=Hold.State.CANCELLED, user=user, today=today)


def hold_expire(*, today: date | None = None) -> int:
    """Close the holds not collected by their deadline and pass their copies on (to the next
    reader in line, who is notified, or back to the shelf). Safe to run twice; the nightly job
    ``expire_holds_task`` runs it."""
    today = today or timezone.localdate()
    expired = 0
    for hold_id in Hold.objects.filter(state=Hold.State.READY, collect_by__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = Hold.objects.select_for_update(of=("self",)).select_related("copy").get(pk=hold_id)
            if hold.state == Hold.State.READY and hold.collect_by < today:
                _hold_close_and_pass_on(hold=hold, state=Hold.State.EXPIRED, user=None, today=today)
                expired += 1
    return expired


def hold_queue_position(hold: Hold) -> int:
    """1 for the first in line; 0 for a hold that is not waiting."""
    if hold.state != Hold.State.WAITING:
        return 0
    return (
        Hold.objects.filter(record_id=hold.record_id, state=Hold.State.WAITING)
        .filter(Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, pk__lt=hold.pk))
        .count()
        + 1
    )


# --- class sets (班级借阅) ---------------------------------------------------------------------

LENDABLE_FOR_SETS = (Copy.Status.AVAILABLE, Copy.Status.ON_LOAN, Copy.Status.ON_HOLD_SHELF)


def class_set_free_copies(*, record: Record, starts_on: date, ends_on: date, exclude=None) -> int:
    """How many copies of a title could still be booked for those dates: the lendable copies
    (not in a reading room, not lost, withdrawn or in repair), less the copies other bookings
    take over overlapping dates, less one per reader waiting in the hold queue."""
    copies = (
        Copy.objects.filter(record=record, status__in=LENDABLE_FOR_SETS)
        .exclude(location__kind__in=REFERENCE_LOCATION_KINDS)
        .count()
    )
    overlapping = ClassSetBooking.objects.filter(
        record=record,
        state__in=[ClassSetBooking.State.BOOKED, ClassSetBooking.State.LENT],
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    booked = overlapping.aggregate(total=Sum("copies"))["total"] or 0
    waiting = Hold.objects.filter(record=record, state=Hold.State.WAITING).count()
    return max(0, copies - booked - waiting)


@transaction.atomic
def class_set_book(
    *, teacher: Reader, school_class: SchoolClass, record: Record, copies: int, starts_on: date, ends_on: date
) -> ClassSetBooking:
    """A teacher books ``copies`` copies of a title for a class, from one day to another."""
    teacher = _lock_reader(teacher.pk)
    if teacher.kind != Reader.Kind.TEACHER or teacher.status != Reader.Status.ACTIVE:
        raise BookingRefused(_("Only a teacher of the school can book a class set."))
    if not 1 <= copies <= 80:
        raise BookingRefused(_("Book between 1 and 80 copies."))
    if ends_on < starts_on or starts_on < timezone.localdate():
        raise BookingRefused(_("Choose dates from today on, the last one not before the first."))
    # Bookings of one title are serialised by locking its copies' record row.
    Record.objects.select_for_update().filter(pk=record.pk).first()
    free = class_set_free_copies(record=record, starts_on=starts_on, ends_on=ends_on)
    if copies > free:
        raise BookingRefused(
            _("Only %(free)s copies are free for those dates (other bookings and holds take the rest).")
            % {"free": free}
        )
    return ClassSetBooking.objects.create(
        record=record,
        school_class=school_class,
        teacher=teacher,
        copies=copies,
        starts_on=starts_on,
        ends_on=ends_on,
    )


@transaction.atomic
def class_set_lend(
    *, booking: ClassSetBooking, user, desk: str = "", today: date | None = None
) -> list[Loan]:
    """Lend a booked class set in one step: the copies on the shelf, locked in primary-key
    order, each lent to the teacher until the booking's last day (moved to an open day)."""
    today = today or timezone.localdate()
    teacher = _lock_reader(booking.teacher_id)
    booking = ClassSetBooking.objects.select_for_update().select_related("record").get(pk=booking.pk)
    if booking.state != ClassSetBooking.State.BOOKED:
        raise BookingRefused(_("This booking has already been lent or cancelled."))
    copies = list(
        Copy.objects.select_for_update()
        .filter(record_id=booking.record_id, status=Copy.Status.AVAILABLE)
        .exclude(location__kind__in=REFERENCE_LOCATION_KINDS)
        .order_by("pk")[: booking.copies]
    )
    if len(copies) < booking.copies:
        raise BookingRefused(
            _("Only %(count)s of the %(wanted)s copies are on the shelf now.")
            % {"count": len(copies), "wanted": booking.copies}
        )
    calendar = Calendar.load(today)
    due_on = calendar.next_open_day(max(booking.ends_on, today + timedelta(days=1)))
    # The copies were locked above: their moves and the loans are written in bulk.
    copies_set_status_bulk(copies=copies, to_status=Copy.Status.ON_LOAN, user=user, reason=_("Class set"))
    loans = [
        Loan(copy=copy, reader=teacher, lent_by=user, desk=desk[:50], due_on=due_on, booking=booking)
        for copy in copies
    ]
    for loan in loans:
        loan.snapshot_reader(teacher)  # what Loan.save does, which bulk_create does not call
    loans = Loan.objects.bulk_create(loans)
    booking.state = ClassSetBooking.State.LENT
    booking.lent_at = timezone.now()
    booking.save(update_fields=["state", "lent_at"])
    _record_action(
        user=user,
        desk=desk,
        action=DeskAction.Action.CHECKOUT,
        message=_("Class set lent: %(count)s × %(title)s to %(class)s, due %(date)s.")
        % {
            "count": len(loans),
            "title": booking.record.title,
            "class": booking.school_class.name,
            "date": _day(due_on),
        },
        reader=teacher,
    )
    return loans


@transaction.atomic
def class_set_cancel(*, booking: ClassSetBooking, user) -> ClassSetBooking:
    booking = ClassSetBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.state == ClassSetBooking.State.BOOKED:
        booking.state = ClassSetBooking.State.CANCELLED
        booking.save(update_fields=["state"])
    return booking
