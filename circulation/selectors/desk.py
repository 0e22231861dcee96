"""What the desk reads: a scanned code's card or copy, and the reader's panel (the reader, their
open loans and holds, what blocks them, and the lines other apps add), each in a constant
number of queries."""

from __future__ import annotations

from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy
from library_site.dates import date_text

from ..models import Charge, DeskAction, Hold, LibraryCard, Loan, Notice, Reader, Suspension
from ..money import money
from ..querysets import record_light
from ..registries import reader_panel_lines
from ..scans import CARD_NUMBER

# What the desk's answer fragment (_reader_panel.html) shows of each open loan and hold: the
# desk reads only these columns (the rest of a catalogue record is wide).
PANEL_LOAN_FIELDS = (
    "id", "copy_id", "reader_id", "policy_id", "state", "lent_at", "due_on", "renewals",
    "copy__id", "copy__barcode", "copy__record_id", "copy__record__id", "copy__record__title",
    "policy__id", "policy__renewals",
)  # fmt: skip


PANEL_HOLD_FIELDS = (
    "id", "record_id", "reader_id", "copy_id", "state", "placed_at", "collect_by",
    "record__id", "record__title", "copy__id", "copy__barcode",
)  # fmt: skip


def reader_notice_annotations() -> dict:
    """What the desk's panel says of a reader's notices, read with the reader in the same query:
    how many they have not read, and the subject of the latest."""
    notices = Notice.objects.filter(recipient_id=OuterRef("user_id"))
    unread = (
        notices.filter(read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return {
        "unread_notices": Subquery(unread, output_field=IntegerField()),
        "last_notice": Subquery(notices.order_by("-created_at", "-pk").values("subject")[:1]),
    }


def reader_desk_annotations(today, *, card: bool = True) -> dict:
    """What lending checks and the desk's panel shows of a reader, read with the reader in the
    same query: their active card's number (``card_number``, None without one; left out when
    ``card`` is False), until when they are suspended (``suspended_until``) and their notices."""
    suspensions = Suspension.objects.filter(
        reader_id=OuterRef("pk"), cancelled_at__isnull=True, ends_on__gte=today
    ).order_by("-ends_on")
    annotations = {}
    if card:
        cards = LibraryCard.objects.filter(reader_id=OuterRef("pk"), status=LibraryCard.Status.ACTIVE)
        annotations["card_number"] = Subquery(cards.values("number")[:1])
    annotations["suspended_until"] = Subquery(suspensions.values("ends_on")[:1])
    # Money owed (issue 14 point 10), in the same query.
    owed = (
        Charge.objects.filter(reader_id=OuterRef("pk"), state=Charge.State.OWED)
        .order_by()
        .values("reader_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    annotations["money_owed"] = Subquery(owed, output_field=DecimalField(max_digits=12, decimal_places=2))
    return {**annotations, **reader_notice_annotations()}


def reader_panel(
    reader_id: int,
    *,
    today=None,
    reader: Reader | None = None,
    card: LibraryCard | None = None,
    desk_fragment: bool = False,
    lines: bool = True,
    full: bool = True,
) -> dict | None:
    """Everything the desk shows about a reader, in three queries whatever their history: the
    reader (with account, class, card and suspension), open loans, and active holds (with
    their place in the queue, read in a fourth query when some are waiting). ``reader`` is one
    already read that way in this request (the lend just locked it, with ``card_number`` and
    ``suspended_until``): two queries then. ``card`` is the reader's active card just scanned,
    read with its reader, their account and class: only the suspension is read then.
    ``desk_fragment`` reads only the loans' and holds' columns that the desk's answer shows.
    ``lines`` asks the other apps' registered lines for the panel (circulation/registries.py;
    none registered, no work); the reader's own page, which does not show them, says False.
    ``full`` False is what a service-team volunteer (a pupil at the desk) sees of a classmate:
    what lending needs (name, class, current loans, blocks, a hold ready to collect), not the
    notices sent to them nor the books they wait for."""
    today = today or timezone.localdate()
    scanned_card = card is not None and card.reader_id == reader_id and card.is_active
    if (reader is None or reader.pk != reader_id) and scanned_card:
        reader = card.reader
        reader.card_number = card.number
        # What the card's row does not hold, in one query: the suspension and the notices.
        extra = (
            Reader.objects.filter(pk=reader_id)
            .annotate(**reader_desk_annotations(today, card=False))
            .values("suspended_until", "unread_notices", "last_notice", "money_owed")
            .first()
        )
        for name, value in (extra or {}).items():
            setattr(reader, name, value)
    if reader is None or reader.pk != reader_id:
        reader = (
            Reader.objects.select_related("user", "school_class")
            .annotate(**reader_desk_annotations(today))
            .filter(pk=reader_id)
            .first()
        )
    if reader is None:
        return None
    loans = Loan.objects.filter(reader_id=reader_id, state=Loan.State.OPEN).select_related(
        "copy__record", "policy"
    )
    loans = loans.only(*PANEL_LOAN_FIELDS) if desk_fragment else loans.defer(*record_light("copy__record"))
    loans = list(loans.order_by("due_on", "pk"))
    for loan in loans:
        loan.days_overdue = loan.overdue_days_on(today)
        loan.renewals_left = max(0, loan.policy.renewals - loan.renewals) if loan.policy else 0
    holds = Hold.objects.filter(
        reader_id=reader_id, state__in=[Hold.State.WAITING, Hold.State.READY]
    ).select_related("record", "copy")
    holds = holds.only(*PANEL_HOLD_FIELDS) if desk_fragment else holds.defer(*record_light("record"))
    holds = list(holds.order_by("placed_at"))
    waiting = [hold for hold in holds if hold.state == Hold.State.WAITING]
    ahead = {}
    if waiting:  # most readers wait for nothing: the queue is read only for those who do
        ahead_of = (
            Hold.objects.filter(
                record_id=OuterRef("record_id"), state=Hold.State.WAITING, placed_at__lt=OuterRef("placed_at")
            )
            .values("record_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        ahead = dict(
            Hold.objects.filter(pk__in=[hold.pk for hold in waiting])
            .annotate(ahead=Subquery(ahead_of))
            .values_list("pk", "ahead")
        )
    for hold in holds:
        hold.position = (ahead.get(hold.pk) or 0) + 1 if hold.state == Hold.State.WAITING else 0
    if not full:
        holds = [hold for hold in holds if hold.state == Hold.State.READY]
        reader.last_notice, reader.unread_notices = None, 0
    suspended_until = reader.suspended_until
    overdue = [loan for loan in loans if loan.days_overdue]
    blocks = []
    if reader.status != Reader.Status.ACTIVE:
        blocks.append(reader.get_status_display())
    if not reader.card_number:
        blocks.append(_("No active card"))
    if suspended_until:
        blocks.append(_("Suspended until %(date)s") % {"date": date_text(suspended_until)})
    if overdue:
        blocks.append(_("%(count)s overdue") % {"count": len(overdue)})
    return {
        "reader": reader,
        "loans": loans,
        "holds": holds,
        "ready_holds": [hold for hold in holds if hold.state == Hold.State.READY],
        "overdue": overdue,
        "suspended_until": suspended_until,
        "blocks": blocks,
        "lines": reader_panel_lines(reader) if lines else [],
        # SQLite sums decimals through floats: back to cents at once (money is never a float).
        "money_owed": money(reader.money_owed) if getattr(reader, "money_owed", None) else None,
        "today": today,
    }


def reader_open_loans_count(reader_id: int) -> int:
    return Loan.objects.filter(reader_id=reader_id, state=Loan.State.OPEN).count()


def desk_actions_recent(*, desk: str | None = None, limit: int = 20):
    actions = DeskAction.objects.select_related("user", "copy__record", "reader__user")
    if desk:
        actions = actions.filter(desk=desk)
    return list(actions[:limit])


# --- a scan: a card or a copy -------------------------------------------------------------------


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
