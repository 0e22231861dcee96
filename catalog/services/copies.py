"""The physical copies: adding them with their barcodes and accession numbers, one record's at a
time or many at once (an import), and moving a copy's status, always recorded in
CopyStatusChange with who and why. Loans, holds, repairs and write-offs move it through here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError, DuplicateBarcode
from catalog.models import Copy, CopyStatusChange, Location, Record
from catalog.services.records import instance_fields_check
from catalog.services.sequences import NUMBER_BLOCK, accession_numbers_next, barcodes_next
from catalog.states import COPY_STATES, refusal_naming
from library_site.bulk import rows_insert

if TYPE_CHECKING:
    from library_site.accounts.models import User


MAX_COPIES_AT_ONCE = 200


@transaction.atomic
def copies_add(
    *,
    record: Record,
    count: int,
    location: Location,
    shelf: str = "",
    source: str = Copy.Source.PURCHASE,
    donor: str = "",
    price_paid: Decimal | None = None,
    acquired_on: date | None = None,
    barcodes: Sequence[str] | None = None,
    user: User | None = None,
) -> list[Copy]:
    """Add ``count`` copies of a record in one step, with consecutive new barcodes (or the
    barcodes given, for labels already stuck on the books) and accession numbers."""
    if not 1 <= count <= MAX_COPIES_AT_ONCE:
        raise CatalogError(_("Add between 1 and %(limit)s copies at a time.") % {"limit": MAX_COPIES_AT_ONCE})
    if barcodes is not None:
        barcodes = [barcode.strip() for barcode in barcodes]
        if len(barcodes) != count or len(set(barcodes)) != count or not all(barcodes):
            raise CatalogError(_("Give one distinct barcode for each copy."))
        if Copy.objects.filter(barcode__in=barcodes).exists():
            raise DuplicateBarcode()
    else:
        barcodes = barcodes_next(count=count)
    accession_numbers = accession_numbers_next(count=count)
    now = timezone.now()
    copies = [
        Copy(
            record=record,
            barcode=barcode,
            accession_number=accession,
            location=location,
            shelf=shelf,
            source=source,
            donor=donor if source == Copy.Source.DONATION else "",
            price_paid=price_paid if price_paid is not None else record.price,
            acquired_on=acquired_on or timezone.localdate(),
            created_at=now,
            created_by=user,
        )
        for barcode, accession in zip(barcodes, accession_numbers, strict=True)
    ]
    try:
        with transaction.atomic():
            return Copy.objects.bulk_create(copies)
    except IntegrityError as error:
        raise DuplicateBarcode() from error


def copy_set_status(
    *, copy: Copy, to_status: str, user: User | None = None, reason: str = "", locked: bool = False
) -> Copy:
    """Move a copy to another status, if that move is allowed, and record who did it.

    ``locked=True`` says the caller has this copy's row locked (``select_for_update``) in the
    transaction it is in, and ``copy`` is the row it read under that lock: the move is then
    checked and written on that row, without reading it again (the circulation desk, which
    locks the reader and the copy first, saves three queries a scan)."""
    if locked:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("copy_set_status(locked=True) needs the caller's transaction and row lock")
        return _copy_status_write(copy=copy, to_status=to_status, user=user, reason=reason)
    with transaction.atomic():
        copy = Copy.objects.select_for_update().get(pk=copy.pk)
        return _copy_status_write(copy=copy, to_status=to_status, user=user, reason=reason)


def _copy_status_write(*, copy: Copy, to_status: str, user: User, reason: str) -> Copy:
    to_status = Copy.Status(to_status)
    COPY_STATES.check(copy.status, to_status)
    CopyStatusChange.objects.create(
        copy=copy, from_status=copy.status, to_status=to_status, reason=reason[:200], changed_by=user
    )
    copy.status = to_status
    copy.save(update_fields=["status"])
    return copy


@transaction.atomic
def copies_set_status_bulk(
    *,
    copies: Sequence[Copy],
    to_status: str,
    user: User | None = None,
    reason: str = "",
    location: Location | None = None,
) -> int:
    """copy_set_status for many copies at once (a stocktake's missing copies, a write-off
    batch): the copies are locked in primary-key order, every move is checked against
    COPY_STATES (one refused move refuses them all), and the moves are written to
    CopyStatusChange and to the copies in bulk. Returns the number of copies moved.

    ``location``: the copies stand there afterwards too (lent to a class book corner, back on
    the library's shelves)."""
    to_status = Copy.Status(to_status)
    locked = list(
        Copy.objects.select_for_update()
        .filter(pk__in=[copy.pk for copy in copies])
        .order_by("pk")
        .only("pk", "status", "barcode")
    )
    for copy in locked:
        COPY_STATES.check(
            copy.status,
            to_status,
            message=refusal_naming(
                _("Copy %(barcode)s is “%(current)s” and cannot become “%(wanted)s”."), barcode=copy.barcode
            ),
        )
    now = timezone.now()
    CopyStatusChange.objects.bulk_create(
        (
            CopyStatusChange(
                copy=copy,
                from_status=copy.status,
                to_status=to_status,
                reason=reason[:200],
                changed_by=user,
                changed_at=now,
            )
            for copy in locked
        ),
        batch_size=5000,
    )
    ids = [copy.pk for copy in locked]
    changes = {"status": to_status}
    if location is not None:
        changes["location"] = location
    for start in range(0, len(ids), 5000):
        Copy.objects.filter(pk__in=ids[start : start + 5000]).update(**changes)
    return len(locked)


@transaction.atomic
def copies_relocate_bulk(*, copies: Sequence[Copy], location: Location, statuses: Sequence[str]) -> int:
    """Move copies to another location without changing their status (a class corner's books
    passed to the parallel class): two queries whatever their number. Every copy must be in one
    of ``statuses`` (locked in primary-key order first), else nothing moves."""
    locked = list(
        Copy.objects.select_for_update()
        .filter(pk__in=[copy.pk for copy in copies])
        .order_by("pk")
        .only("pk", "status", "barcode")
    )
    for copy in locked:
        if copy.status not in statuses:
            raise CatalogError(
                _("Copy %(barcode)s is “%(status)s” and cannot be moved now.")
                % {"barcode": copy.barcode, "status": Copy.Status(copy.status).label}
            )
    return Copy.objects.filter(pk__in=[copy.pk for copy in locked]).update(location=location)


@transaction.atomic
def copies_create_bulk(*, copies: Sequence[Copy], user: User | None = None) -> list[Copy]:
    """copies_add for an import: unsaved copies of any records (``record_id`` and ``location``
    set), with the barcodes and accession numbers the import brings; empty ones get the next
    numbers. The same rules as copies_add: barcodes distinct and unused, the donor kept only for
    donations, the price paid the record's list price when not given, acquired today when no
    date is given. A refusal raises CatalogError with ``item`` set to the copy's index."""
    seen_barcodes: dict[str, int] = {}
    seen_accessions: dict[str, int] = {}
    for index, copy in enumerate(copies):
        copy.barcode = (copy.barcode or "").strip()
        copy.accession_number = (copy.accession_number or "").strip()
        for number, seen in ((copy.barcode, seen_barcodes), (copy.accession_number, seen_accessions)):
            if number and number in seen:
                error = DuplicateBarcode(
                    _("The number %(number)s is given to two copies.") % {"number": number}
                )
                error.item = index
                raise error
            if number:
                seen[number] = index
    for field, seen in (("barcode", seen_barcodes), ("accession_number", seen_accessions)):
        numbers = list(seen)
        for start in range(0, len(numbers), NUMBER_BLOCK):
            taken = Copy.objects.filter(**{f"{field}__in": numbers[start : start + NUMBER_BLOCK]})
            first = taken.values_list(field, flat=True).first()
            if first:
                error = DuplicateBarcode(
                    _("The number %(number)s is already used by another copy.") % {"number": first}
                )
                error.item = seen[first]
                raise error
    without_barcode = [copy for copy in copies if not copy.barcode]
    for copy, barcode in zip(
        without_barcode,
        barcodes_next(count=len(without_barcode), avoid=seen_barcodes),
        strict=True,
    ):
        copy.barcode = barcode
    without_accession = [copy for copy in copies if not copy.accession_number]
    for copy, number in zip(
        without_accession,
        accession_numbers_next(count=len(without_accession), avoid=seen_accessions),
        strict=True,
    ):
        copy.accession_number = number
    unpriced = {copy.record_id for copy in copies if copy.price_paid is None}
    prices = dict(Record.objects.filter(pk__in=unpriced).values_list("pk", "price")) if unpriced else {}
    now = timezone.now()
    today = timezone.localdate()
    for index, copy in enumerate(copies):
        if copy.source != Copy.Source.DONATION:
            copy.donor = ""
        if copy.price_paid is None:
            copy.price_paid = prices.get(copy.record_id)
        copy.acquired_on = copy.acquired_on or today
        copy.created_at = now
        copy.created_by = user
        try:
            instance_fields_check(copy, exclude=["record", "location", "created_by"])
        except CatalogError as error:
            error.item = index
            raise
    try:
        with transaction.atomic():
            return rows_insert(Copy, copies)
    except IntegrityError as error:
        raise DuplicateBarcode() from error
