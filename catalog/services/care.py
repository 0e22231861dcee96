"""Collection care: repairs (图书修补, register E), write-offs (图书注销, 剔除, register F) and
stocktaking (清点). Copy statuses move only through catalog.services.copies, so every move is in
CopyStatusChange with who and why."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.exceptions import RepairRefused, StocktakeRefused, WriteOffRefused
from catalog.models import (
    Copy,
    Location,
    Record,
    Repair,
    Stocktake,
    StocktakeLoss,
    StocktakeScan,
    WriteOffBatch,
    WriteOffItem,
)
from catalog.selectors.care import stocktake_missing
from catalog.services.copies import copies_set_status_bulk, copy_set_status
from catalog.states import (
    COPY_STATES,
    REPAIR_STATES,
    STOCKTAKE_STATES,
    WRITE_OFF_STATES,
    refusal_naming,
)
from library_site.accounts.roles import Capability
from library_site.system.templatetags.punctuation import bracketed

if TYPE_CHECKING:
    from library_site.accounts.models import User


# What a stocktake expects to find on the shelves: copies a reader could find in the library.
# A barcode as a scanner reads it: letters, digits and a few separators, at most 32 characters.
BARCODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-./_]{0,31}$")


BARCODE_SEPARATORS = re.compile(r"[\s,;，；、]+")


MAX_JUNK_SHOWN = 10


@transaction.atomic
def repair_open(
    *, copy: Copy, damage: str, reported_by: User, source: str = Repair.Source.SHELF_CHECK
) -> Repair:
    """Send a damaged copy to repair: the copy becomes "in repair" and the repair records the
    damage, who found it and where (at the desk, in a shelf check, in a stocktake). The desk
    calls this for a book returned damaged (on loan → in repair)."""
    damage = (damage or "").strip()
    if not damage:
        raise RepairRefused(_("Describe the damage."))
    if len(damage) > 300:
        raise RepairRefused(_("Describe the damage in at most 300 characters."))
    if source not in Repair.Source.values:
        raise RepairRefused(_("Say where the damage was found."))
    copy = Copy.objects.select_for_update().get(pk=copy.pk)
    if Repair.objects.filter(copy=copy, closed_at__isnull=True).exists():
        raise RepairRefused(_("Copy %(barcode)s is already in repair.") % {"barcode": copy.barcode})
    if not COPY_STATES.allows(copy.status, Copy.Status.IN_REPAIR):
        raise RepairRefused(
            _("Copy %(barcode)s is “%(status)s” and cannot go to repair.")
            % {"barcode": copy.barcode, "status": copy.get_status_display()}
        )
    copy_set_status(
        copy=copy,
        to_status=Copy.Status.IN_REPAIR,
        user=reported_by,
        reason=_("To repair: %(damage)s") % {"damage": damage},
    )
    try:
        with transaction.atomic():
            return Repair.objects.create(copy=copy, damage=damage, source=source, reported_by=reported_by)
    except IntegrityError as error:  # opened meanwhile by someone else
        raise RepairRefused(
            _("Copy %(barcode)s is already in repair.") % {"barcode": copy.barcode}
        ) from error


@transaction.atomic
def repair_close(
    *, repair: Repair, repaired_by: User, result: str, notes: str = "", on: date | None = None
) -> Repair:
    """Close a repair with its result: repaired (the copy is available again), or beyond repair
    (the copy stays in repair and is added to a draft write-off batch for damaged copies, which
    the administrator approves like any other)."""
    repair = Repair.objects.select_for_update().select_related("copy").get(pk=repair.pk)
    closing_to = Repair.State(result) if result in Repair.Result.values else None
    if closing_to is None and repair.is_open:
        raise RepairRefused(_("Choose the result of the repair."))
    # A closed repair is refused whatever result is asked for ("already closed").
    REPAIR_STATES.check(repair.state, closing_to or Repair.State.SHELVED)
    notes = (notes or "").strip()
    if len(notes) > 500:
        raise RepairRefused(_("Keep the notes to at most 500 characters."))
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise RepairRefused(_("The repair date cannot be in the future."))
    if on < timezone.localtime(repair.reported_at).date():
        raise RepairRefused(_("The repair date cannot be before the damage was reported."))
    if result == Repair.Result.SHELVED:
        copy_set_status(
            copy=repair.copy, to_status=Copy.Status.AVAILABLE, user=repaired_by, reason=_("Repaired")
        )
    else:
        batch = (
            WriteOffBatch.objects.filter(
                status=WriteOffBatch.Status.DRAFT, reason=WriteOffBatch.Reason.DAMAGED
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if batch is None:
            batch = write_off_create(
                reason=WriteOffBatch.Reason.DAMAGED, notes=_("From repairs"), user=repaired_by
            )
        write_off_add(batch=batch, copies=[repair.copy], user=repaired_by)
    repair.result = result
    repair.notes = notes
    repair.closed_on = on
    repair.closed_at = timezone.now()
    repair.repaired_by = repaired_by
    repair.save(update_fields=["result", "notes", "closed_on", "closed_at", "repaired_by"])
    return repair


def _batch_lock(batch: WriteOffBatch) -> WriteOffBatch:
    return WriteOffBatch.objects.select_for_update().get(pk=batch.pk)


def _batch_editable(batch: WriteOffBatch) -> None:
    """Refused unless the batch is a draft: only a draft's list of copies changes."""
    if not batch.is_editable:
        raise WriteOffRefused(EDITABLE_ONLY % {"number": batch.pk, "status": batch.get_status_display()})


def _batch_move(batch: WriteOffBatch, to_status: str, message) -> None:
    """The batch's move to ``to_status`` through WRITE_OFF_STATES, refused with ``message``
    (which names the batch and its state)."""
    WRITE_OFF_STATES.check(batch.status, to_status, message=refusal_naming(message, number=batch.pk))


EDITABLE_ONLY = gettext_lazy("Write-off batch %(number)s is “%(status)s”: only a draft can be changed.")
SUBMITTED_ONLY = gettext_lazy(
    "Write-off batch %(number)s is “%(status)s”: only a submitted batch can be decided."
)


def _listed_barcodes(barcodes: Sequence[str], shown: int = 10) -> str:
    listed = "、".join(barcodes[:shown])
    return f"{listed} …" if len(barcodes) > shown else listed


@transaction.atomic
def write_off_create(*, reason: str, notes: str = "", user: User | None = None) -> WriteOffBatch:
    if reason not in WriteOffBatch.Reason.values:
        raise WriteOffRefused(_("Choose the reason for the write-off."))
    notes = (notes or "").strip()
    if len(notes) > 500:
        raise WriteOffRefused(_("Keep the notes to at most 500 characters."))
    return WriteOffBatch.objects.create(reason=reason, notes=notes, created_by=user)


@transaction.atomic
def write_off_add(
    *, batch: WriteOffBatch, copies: Sequence[Copy], user: User | None = None
) -> list[WriteOffItem]:
    """Add copies to a draft batch, all or none: a copy on loan or on the hold shelf, already
    withdrawn, or already in another batch is refused with its barcode. The value of each is the
    price paid, else the record's list price."""
    batch = _batch_lock(batch)
    _batch_editable(batch)
    ids = sorted({copy.pk for copy in copies})
    if not ids:
        raise WriteOffRefused(_("Scan or choose at least one copy."))
    locked = list(Copy.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    prices = dict(Record.objects.filter(copies__pk__in=ids).values_list("copies__pk", "price"))
    withdrawn = [copy.barcode for copy in locked if copy.status == Copy.Status.WITHDRAWN]
    if withdrawn:
        raise WriteOffRefused(
            _("Already withdrawn: %(barcodes)s.") % {"barcodes": _listed_barcodes(withdrawn)}
        )
    lent = [
        copy.barcode for copy in locked if copy.status in (Copy.Status.ON_LOAN, Copy.Status.ON_HOLD_SHELF)
    ]
    if lent:
        raise WriteOffRefused(
            _("On loan or on the hold shelf, take them back first: %(barcodes)s.")
            % {"barcodes": _listed_barcodes(lent)}
        )
    elsewhere = list(
        WriteOffItem.objects.filter(copy_id__in=ids, active=True)
        .select_related("copy")
        .order_by("copy__barcode")
        .values_list("copy__barcode", "batch_id")
    )
    if elsewhere:
        raise WriteOffRefused(
            _("Already in a write-off batch: %(barcodes)s.")
            % {
                "barcodes": _listed_barcodes(
                    [bracketed(barcode, f"{_('batch')} {number}") for barcode, number in elsewhere]
                )
            }
        )
    now = timezone.now()
    items = [
        WriteOffItem(
            batch=batch,
            copy=copy,
            value=copy.price_paid if copy.price_paid is not None else prices.get(copy.pk),
            added_at=now,
            added_by=user,
        )
        for copy in locked
    ]
    try:
        with transaction.atomic():
            return WriteOffItem.objects.bulk_create(items)
    except IntegrityError as error:  # added to another batch meanwhile
        raise WriteOffRefused(_("One of these copies was just added to another write-off batch.")) from error


def barcodes_parse(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """The barcodes of a pasted text or a file (one or more a line, separated by spaces, commas
    or semicolons), in order and without repeats, and the junk lines: (line number, line)."""
    barcodes: dict[str, None] = {}
    junk: list[tuple[int, str]] = []
    for number, line in enumerate((text or "").lstrip("\ufeff").splitlines(), start=1):
        tokens = [token for token in BARCODE_SEPARATORS.split(line.strip()) if token]
        if any(not BARCODE.match(token) for token in tokens):
            junk.append((number, line.strip()[:40]))
            continue
        for token in tokens:
            barcodes[token] = None
    return list(barcodes), junk


def _junk_refusal(junk: list[tuple[int, str]]) -> str:
    shown = "; ".join(
        _("line %(number)s: “%(text)s”") % {"number": number, "text": text}
        for number, text in junk[:MAX_JUNK_SHOWN]
    )
    if len(junk) > MAX_JUNK_SHOWN:
        shown += " …"
    return _(
        "%(count)s lines are not barcodes, so nothing was saved. Correct or remove them and try again: %(lines)s"
    ) % {"count": len(junk), "lines": shown}


@transaction.atomic
def write_off_add_barcodes(
    *, batch: WriteOffBatch, text: str, user: User | None = None
) -> list[WriteOffItem]:
    """write_off_add for scanned or pasted barcodes; an unknown barcode refuses them all."""
    barcodes, junk = barcodes_parse(text)
    if junk:
        raise WriteOffRefused(_junk_refusal(junk))
    if not barcodes:
        raise WriteOffRefused(_("Scan or type at least one barcode."))
    copies = list(Copy.objects.filter(barcode__in=barcodes))
    unknown = sorted(set(barcodes) - {copy.barcode for copy in copies})
    if unknown:
        raise WriteOffRefused(
            _("No copy has these barcodes: %(barcodes)s.") % {"barcodes": _listed_barcodes(unknown)}
        )
    return write_off_add(batch=batch, copies=copies, user=user)


@transaction.atomic
def write_off_remove(*, batch: WriteOffBatch, copy: Copy, user: User | None = None) -> None:
    """Take a copy out of a draft batch. A draft's list is a working list, not yet a record the
    library accounts for, so the line goes; approved batches never change."""
    batch = _batch_lock(batch)
    _batch_editable(batch)
    WriteOffItem.objects.filter(batch=batch, copy=copy).delete()


@transaction.atomic
def write_off_submit(*, batch: WriteOffBatch, user: User) -> WriteOffBatch:
    batch = _batch_lock(batch)
    _batch_move(batch, WriteOffBatch.Status.SUBMITTED, EDITABLE_ONLY)
    if not batch.items.exists():
        raise WriteOffRefused(_("Add the copies to write off before submitting the batch."))
    batch.status = WriteOffBatch.Status.SUBMITTED
    batch.submitted_at = timezone.now()
    batch.submitted_by = user
    batch.save(update_fields=["status", "submitted_at", "submitted_by"])
    return batch


def _approver_check(user: User | None) -> None:
    if user is None or not user.has_perm(Capability.APPROVE_WRITE_OFFS.permission):
        raise WriteOffRefused(_("Only a library administrator may approve or return a write-off batch."))


@transaction.atomic
def write_off_approve(*, batch: WriteOffBatch, user: User, comment: str = "") -> WriteOffBatch:
    """The administrator approves a submitted batch: in one transaction every copy becomes
    withdrawn (kept, never deleted), the total value is frozen, and who approved it and when is
    recorded. If any copy cannot be withdrawn now (lent meanwhile), nothing changes."""
    _approver_check(user)
    batch = _batch_lock(batch)
    _batch_move(batch, WriteOffBatch.Status.APPROVED, SUBMITTED_ONLY)
    items = list(batch.items.order_by("copy_id"))
    copies = list(
        Copy.objects.select_for_update().filter(pk__in=[item.copy_id for item in items]).order_by("pk")
    )
    blocked = [copy.barcode for copy in copies if not COPY_STATES.allows(copy.status, Copy.Status.WITHDRAWN)]
    if blocked:
        raise WriteOffRefused(
            _("These copies cannot be withdrawn now (on loan or already withdrawn): %(barcodes)s.")
            % {"barcodes": _listed_barcodes(blocked)}
        )
    reason = _("Write-off batch %(number)s: %(reason)s") % {
        "number": batch.pk,
        "reason": batch.get_reason_display(),
    }
    copies_set_status_bulk(copies=copies, to_status=Copy.Status.WITHDRAWN, user=user, reason=reason)
    batch.status = WriteOffBatch.Status.APPROVED
    batch.decided_at = timezone.now()
    batch.decided_by = user
    batch.decision_comment = (comment or "").strip()[:500]
    batch.total_value = sum((item.value or Decimal(0) for item in items), Decimal(0))
    batch.save(update_fields=["status", "decided_at", "decided_by", "decision_comment", "total_value"])
    return batch


@transaction.atomic
def write_off_return(*, batch: WriteOffBatch, user: User, comment: str) -> WriteOffBatch:
    """The administrator sends a submitted batch back to draft, saying why."""
    _approver_check(user)
    comment = (comment or "").strip()
    if not comment:
        raise WriteOffRefused(_("Say why the batch is sent back."))
    batch = _batch_lock(batch)
    _batch_move(batch, WriteOffBatch.Status.DRAFT, SUBMITTED_ONLY)
    batch.status = WriteOffBatch.Status.DRAFT
    batch.decided_at = timezone.now()
    batch.decided_by = user
    batch.decision_comment = comment[:500]
    batch.save(update_fields=["status", "decided_at", "decided_by", "decision_comment"])
    return batch


@transaction.atomic
def write_off_cancel(*, batch: WriteOffBatch, user: User) -> WriteOffBatch:
    """Give up a draft batch: kept as cancelled, its copies free for another batch."""
    batch = _batch_lock(batch)
    _batch_move(batch, WriteOffBatch.Status.CANCELLED, EDITABLE_ONLY)
    batch.items.update(active=False)
    batch.status = WriteOffBatch.Status.CANCELLED
    batch.decided_at = timezone.now()
    batch.decided_by = user
    batch.save(update_fields=["status", "decided_at", "decided_by"])
    return batch


@transaction.atomic
def stocktake_start(
    *, location: Location, shelf_from: str = "", shelf_to: str = "", notes: str = "", user: User | None = None
) -> Stocktake:
    shelf_from, shelf_to = (shelf_from or "").strip(), (shelf_to or "").strip()
    if shelf_from and shelf_to and shelf_from > shelf_to:
        raise StocktakeRefused(_("The first shelf of the range comes after the last."))
    if len(shelf_from) > 50 or len(shelf_to) > 50 or len(notes or "") > 500:
        raise StocktakeRefused(_("A shelf has at most 50 characters and the notes at most 500."))
    return Stocktake.objects.create(
        location=location,
        shelf_from=shelf_from,
        shelf_to=shelf_to,
        notes=(notes or "").strip(),
        started_by=user,
    )


SCANS_CLOSED = gettext_lazy("Stocktake %(number)s is “%(status)s”: no more scans can be added.")


def _stocktake_lock_open(stocktake: Stocktake) -> Stocktake:
    """The stocktake, locked; refused unless it is still open for scans."""
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if not stocktake.is_open:
        raise StocktakeRefused(
            SCANS_CLOSED % {"number": stocktake.pk, "status": stocktake.get_status_display()}
        )
    return stocktake


@transaction.atomic
def stocktake_scan(
    *, stocktake: Stocktake, barcode: str, user: User | None = None
) -> tuple[StocktakeScan, bool]:
    """One barcode scanned on the shelves; True when it is new to this stocktake. Several people
    may scan the same stocktake at once: the same book scanned twice leaves one row."""
    barcode = (barcode or "").strip()
    if not BARCODE.match(barcode):
        raise StocktakeRefused(_("This is not a barcode: %(text)s") % {"text": barcode[:40]})
    stocktake = _stocktake_lock_open(stocktake)
    return StocktakeScan.objects.get_or_create(
        stocktake=stocktake, barcode=barcode, defaults={"scanned_by": user}
    )


@transaction.atomic
def stocktake_scan_text(*, stocktake: Stocktake, text: str, user: User | None = None) -> tuple[int, int]:
    """The barcodes of a pasted text or an uploaded file, all or none (a junk line refuses the
    file); returns (barcodes read, barcodes new to this stocktake)."""
    barcodes, junk = barcodes_parse(text)
    if junk:
        raise StocktakeRefused(_junk_refusal(junk))
    if not barcodes:
        raise StocktakeRefused(_("The file holds no barcodes."))
    stocktake = _stocktake_lock_open(stocktake)
    before = stocktake.scans.count()
    now = timezone.now()
    StocktakeScan.objects.bulk_create(
        (
            StocktakeScan(stocktake=stocktake, barcode=barcode, scanned_at=now, scanned_by=user)
            for barcode in barcodes
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )
    return len(barcodes), stocktake.scans.count() - before


@transaction.atomic
def stocktake_confirm(*, stocktake: Stocktake, user: User) -> int:
    """Confirm a stocktake: the copies still missing become lost (recorded in StocktakeLoss and
    CopyStatusChange). Confirming again changes nothing and returns 0."""
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.is_confirmed:
        return 0
    STOCKTAKE_STATES.check(
        stocktake.status, Stocktake.Status.CONFIRMED, message=_("A cancelled stocktake cannot be confirmed.")
    )
    missing_ids = list(stocktake_missing(stocktake).order_by("pk").values_list("pk", flat=True))
    # Locked in primary-key order and checked again: a copy lent meanwhile is not lost.
    copies = list(
        Copy.objects.select_for_update()
        .filter(pk__in=missing_ids, status__in=Copy.SHELF_STATUSES)
        .order_by("pk")
    )
    reason = _("Missing in stocktake %(number)s") % {"number": stocktake.pk}
    copies_set_status_bulk(copies=copies, to_status=Copy.Status.LOST, user=user, reason=reason)
    StocktakeLoss.objects.bulk_create(
        (StocktakeLoss(stocktake=stocktake, copy=copy) for copy in copies), batch_size=5000
    )
    stocktake.status = Stocktake.Status.CONFIRMED
    stocktake.confirmed_at = timezone.now()
    stocktake.confirmed_by = user
    stocktake.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return len(copies)


@transaction.atomic
def stocktake_cancel(*, stocktake: Stocktake, user: User) -> Stocktake:
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    STOCKTAKE_STATES.check(
        stocktake.status,
        Stocktake.Status.CANCELLED,
        message=refusal_naming(SCANS_CLOSED, number=stocktake.pk),
    )
    stocktake.status = Stocktake.Status.CANCELLED
    stocktake.confirmed_at = timezone.now()
    stocktake.confirmed_by = user
    stocktake.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return stocktake
