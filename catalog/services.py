"""Every write to the catalogue goes through here: records, copies, barcodes and their
sequences, call numbers, and copy status."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.roles import Capability

from .exceptions import (
    AcquisitionRefused,
    CatalogError,
    DuplicateBarcode,
    InvalidISBN,
    RepairRefused,
    SerialError,
    StatusChangeRefused,
    StocktakeRefused,
    TextbookError,
    UnknownClass,
    WriteOffRefused,
)
from .isbn import isbn_normalise
from .models import (
    CatalogSettings,
    ClassificationClass,
    Contributor,
    Copy,
    CopyStatusChange,
    Counter,
    Delivery,
    DeliveryLine,
    Location,
    PurchasePlan,
    PurchasePlanEvent,
    PurchasePlanLine,
    Record,
    Repair,
    Serial,
    SerialIssue,
    Stocktake,
    StocktakeLoss,
    StocktakeScan,
    Subscription,
    Textbook,
    TextbookDelivery,
    TextbookHandover,
    TextbookOrderLine,
    TextbookTerm,
    WriteOffBatch,
    WriteOffItem,
)
from .search import record_search_fields
from .serials import cn_number_clean, issn_clean, issn_from_barcode, issue_dates

# Numbers are reserved and checked against the database this many at a time.
NUMBER_BLOCK = 5_000
CLC_CODE = re.compile(r"^[A-Z][A-Z0-9.\-/=()\"<>:]*$")
MAX_COPIES_AT_ONCE = 200

# Which status a copy may move to from which. Loans, holds, repairs and write-offs call
# copy_set_status through their own services.
ALLOWED_STATUS_CHANGES = {
    Copy.Status.AVAILABLE: {
        Copy.Status.ON_LOAN,
        Copy.Status.ON_HOLD_SHELF,
        Copy.Status.IN_REPAIR,
        Copy.Status.LOST,
        Copy.Status.WITHDRAWN,
        Copy.Status.IN_CLASS_CORNER,
    },
    Copy.Status.ON_LOAN: {
        Copy.Status.AVAILABLE,
        Copy.Status.ON_HOLD_SHELF,
        Copy.Status.LOST,
        Copy.Status.IN_REPAIR,
    },
    Copy.Status.ON_HOLD_SHELF: {Copy.Status.AVAILABLE, Copy.Status.ON_LOAN, Copy.Status.LOST},
    Copy.Status.IN_REPAIR: {Copy.Status.AVAILABLE, Copy.Status.WITHDRAWN, Copy.Status.LOST},
    Copy.Status.LOST: {Copy.Status.AVAILABLE, Copy.Status.WITHDRAWN},
    Copy.Status.IN_CLASS_CORNER: {
        Copy.Status.AVAILABLE,
        Copy.Status.LOST,
        Copy.Status.IN_REPAIR,
        Copy.Status.WITHDRAWN,
    },
    Copy.Status.WITHDRAWN: set(),
}


# --- sequences --------------------------------------------------------------------------------


def counter_take(*, key: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers of a sequence and return the first. Safe under
    concurrency: the counter row is locked until the caller's transaction ends."""
    if count < 1:
        raise ValueError("count must be positive")
    with transaction.atomic():
        counter = Counter.objects.select_for_update().filter(key=key).first()
        if counter is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, value=0)
            except IntegrityError:
                pass  # created meanwhile by another request
            counter = Counter.objects.select_for_update().get(key=key)
        first = counter.value + 1
        counter.value += count
        counter.save(update_fields=["value"])
    return first


def _sequence_next(*, key: str, field: str, formatted, count: int, avoid: Collection[str]) -> list[str]:
    """``count`` new numbers of a sequence, formatted, skipping those a copy already has (typed in
    or imported) and those in ``avoid`` (an import's own numbers, not in the database yet)."""
    numbers: list[str] = []
    while len(numbers) < count:
        wanted = min(count - len(numbers), NUMBER_BLOCK)
        first = counter_take(key=key, count=wanted)
        block = [formatted(number) for number in range(first, first + wanted)]
        taken = set(Copy.objects.filter(**{f"{field}__in": block}).values_list(field, flat=True))
        numbers += [number for number in block if number not in taken and number not in avoid]
    return numbers


def barcodes_next(*, count: int, avoid: Collection[str] = ()) -> list[str]:
    """``count`` new consecutive barcodes with the library's prefix (T0000001 …)."""
    catalog_settings = CatalogSettings.current()
    prefix, digits = catalog_settings.barcode_prefix, catalog_settings.barcode_digits
    return _sequence_next(
        key="barcode",
        field="barcode",
        formatted=lambda n: f"{prefix}{n:0{digits}d}",
        count=count,
        avoid=avoid,
    )


def accession_numbers_next(*, count: int, avoid: Collection[str] = ()) -> list[str]:
    """``count`` new consecutive accession numbers (财产登记号: 000001 …)."""
    digits = CatalogSettings.current().accession_digits
    return _sequence_next(
        key="accession",
        field="accession_number",
        formatted=lambda n: f"{n:0{digits}d}",
        count=count,
        avoid=avoid,
    )


# --- classification and call numbers ------------------------------------------------------------


def clc_normalise(code: str) -> str:
    return re.sub(r"\s+", "", (code or "").upper().replace("．", ".").replace("／", "/"))


def clc_resolve(code: str) -> ClassificationClass | None:
    """The most specific class of the table that the class number falls under (I247.57 → I247.5),
    or UnknownClass when even its top class is not in the table. Empty: None."""
    code = clc_normalise(code)
    if not code:
        return None
    if not CLC_CODE.match(code):
        raise UnknownClass()
    # The candidates are the number's own prefixes; the longest one in the table wins.
    prefixes = {code[:length] for length in range(1, len(code) + 1)}
    match = ClassificationClass.objects.filter(code__in=prefixes).order_by("-level", "-position").first()
    if match is None:
        raise UnknownClass(
            _("%(code)s is not a class of the Chinese Library Classification.") % {"code": code}
        )
    return match


def call_number_for(*, clc_code: str, author_number: str = "") -> str:
    """索书号: the class number, a slash, and the sequence number (种次号, the next in that
    class) or the author number typed in, as the library's settings choose."""
    code = clc_normalise(clc_code)
    if not code:
        return ""
    catalog_settings = CatalogSettings.current()
    author_number = (author_number or "").strip()
    if catalog_settings.call_number_mode == CatalogSettings.CallNumberMode.AUTHOR or author_number:
        return f"{code}/{author_number}" if author_number else code
    return f"{code}/{counter_take(key=f'sequence:{code}')}"


# --- records and copies -------------------------------------------------------------------------

RECORD_FIELDS = (
    "title",
    "subtitle",
    "publisher",
    "place",
    "year",
    "edition",
    "isbn",
    "price",
    "pages",
    "size",
    "series",
    "subjects",
    "summary",
    "clc_code",
    "call_number",
    "language",
    "material_type",
    "link",
    "reading_level_from",
    "reading_level_to",
)


def _record_check(record: Record, *, classes: dict[str, ClassificationClass | None] | None = None) -> None:
    """The rules every new or changed record meets, one at a time or in an import: a title, a
    valid ISBN (stored as ISBN-13), a class of the CLC, a link for an e-resource, reading levels
    in order. ``classes`` caches resolved class numbers across the records of an import."""
    record.title = (record.title or "").strip()
    if not record.title:
        raise CatalogError(_("A record needs a title."))
    record.isbn = isbn_normalise(record.isbn) if record.isbn else ""
    record.clc_code = clc_normalise(record.clc_code)
    if classes is None:
        record.classification = clc_resolve(record.clc_code)
    else:
        if record.clc_code not in classes:
            classes[record.clc_code] = clc_resolve(record.clc_code)
        record.classification = classes[record.clc_code]
    if record.material_type == Record.MaterialType.E_RESOURCE and not record.link:
        raise CatalogError(_("An e-resource needs its link."))
    if (
        record.reading_level_from
        and record.reading_level_to
        and record.reading_level_from > record.reading_level_to
    ):
        raise CatalogError(_("The first grade of the reading level comes after the last."))


def _record_prepare(
    record: Record, *, contributors: Sequence[tuple[str, str]], author_number: str = ""
) -> None:
    _record_check(record)
    if not record.call_number and record.clc_code:
        record.call_number = call_number_for(clc_code=record.clc_code, author_number=author_number)
    for field, value in record_search_fields(record, [name for name, _role in contributors]).items():
        setattr(record, field, value)
    record.full_clean(exclude=["created_by", "classification"])


def _contributors_clean(contributors: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned = []
    for name, role in contributors:
        name = (name or "").strip()
        if name:
            cleaned.append((name[:100], role if role in Contributor.Role.values else Contributor.Role.AUTHOR))
    return cleaned


@transaction.atomic
def record_create(
    *,
    fields: dict,
    contributors: Iterable[tuple[str, str]] = (),
    author_number: str = "",
    user=None,
) -> Record:
    """A new record. ``fields`` holds the names of RECORD_FIELDS; the ISBN is normalised,
    the class number checked against the CLC, and the call number assigned when empty."""
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"unknown record fields: {sorted(unknown)}")
    contributor_list = _contributors_clean(contributors)
    record = Record(**fields, created_by=user)
    _record_prepare(record, contributors=contributor_list, author_number=author_number)
    record.save()
    Contributor.objects.bulk_create(
        Contributor(record=record, name=name, role=role, position=position)
        for position, (name, role) in enumerate(contributor_list)
    )
    return record


@transaction.atomic
def record_update(
    *, record: Record, fields: dict, contributors: Iterable[tuple[str, str]] | None = None, user=None
) -> Record:
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"unknown record fields: {sorted(unknown)}")
    record = Record.objects.select_for_update().get(pk=record.pk)
    for name, value in fields.items():
        setattr(record, name, value)
    if contributors is None:
        contributor_list = list(record.contributors.values_list("name", "role"))
    else:
        contributor_list = _contributors_clean(contributors)
        record.contributors.all().delete()
        Contributor.objects.bulk_create(
            Contributor(record=record, name=name, role=role, position=position)
            for position, (name, role) in enumerate(contributor_list)
        )
    _record_prepare(record, contributors=contributor_list)
    record.save()
    return record


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
    user=None,
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


def copy_set_status(*, copy: Copy, to_status: str, user=None, reason: str = "", locked: bool = False) -> Copy:
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


def _copy_status_write(*, copy: Copy, to_status: str, user, reason: str) -> Copy:
    to_status = Copy.Status(to_status)
    if to_status not in ALLOWED_STATUS_CHANGES[Copy.Status(copy.status)]:
        raise StatusChangeRefused(
            _("A copy that is “%(current)s” cannot become “%(wanted)s”.")
            % {"current": copy.get_status_display(), "wanted": to_status.label}
        )
    CopyStatusChange.objects.create(
        copy=copy, from_status=copy.status, to_status=to_status, reason=reason[:200], changed_by=user
    )
    copy.status = to_status
    copy.save(update_fields=["status"])
    return copy


@transaction.atomic
def copies_set_status_bulk(*, copies: Sequence[Copy], to_status: str, user=None, reason: str = "") -> int:
    """copy_set_status for many copies at once (a stocktake's missing copies, a write-off
    batch): the copies are locked in primary-key order, every move is checked against
    ALLOWED_STATUS_CHANGES (one refused move refuses them all), and the moves are written to
    CopyStatusChange and to the copies in bulk. Returns the number of copies moved."""
    to_status = Copy.Status(to_status)
    locked = list(
        Copy.objects.select_for_update()
        .filter(pk__in=[copy.pk for copy in copies])
        .order_by("pk")
        .only("pk", "status", "barcode")
    )
    for copy in locked:
        if to_status not in ALLOWED_STATUS_CHANGES[Copy.Status(copy.status)]:
            raise StatusChangeRefused(
                _("Copy %(barcode)s is “%(current)s” and cannot become “%(wanted)s”.")
                % {"barcode": copy.barcode, "current": copy.get_status_display(), "wanted": to_status.label}
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
    for start in range(0, len(ids), 5000):
        Copy.objects.filter(pk__in=ids[start : start + 5000]).update(status=to_status)
    return len(locked)


# --- many at once (imports) ---------------------------------------------------------------------
# The same rules as record_create and copies_add, for an import of thousands of rows: numbers
# are reserved per sequence in one step and rows are inserted in bulk. The caller wraps the
# whole import in one transaction, so that a refusal keeps nothing.


def call_numbers_for(*, clc_codes: Sequence[str]) -> list[str]:
    """call_number_for for many records: one reservation per class for all the records of that
    class (``counter_take(key="sequence:<class>", count=n)``), the sequence numbers handed out
    in the order of the list. Empty class numbers get empty call numbers."""
    codes = [clc_normalise(code) for code in clc_codes]
    if CatalogSettings.current().call_number_mode == CatalogSettings.CallNumberMode.AUTHOR:
        return codes
    wanted: dict[str, int] = {}
    for code in codes:
        if code:
            wanted[code] = wanted.get(code, 0) + 1
    following = {code: counter_take(key=f"sequence:{code}", count=count) for code, count in wanted.items()}
    numbers = []
    for code in codes:
        if not code:
            numbers.append("")
            continue
        numbers.append(f"{code}/{following[code]}")
        following[code] += 1
    return numbers


def _clean_fields_or_refuse(instance, *, exclude: list[str]) -> None:
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        raise CatalogError(
            "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
        ) from error


@transaction.atomic
def records_create_bulk(
    *,
    items: Sequence[tuple[dict, Iterable[tuple[str, str]]]],
    user=None,
    classes: dict[str, ClassificationClass | None] | None = None,
) -> list[Record]:
    """record_create for many records at once: each item is ``(fields, contributors)`` as
    record_create takes them. The same rules (a title, a valid ISBN, a class of the CLC, a link
    for an e-resource, call numbers from the class when empty, the search fields), then the
    records and their contributors are inserted in bulk. ``classes`` caches resolved class
    numbers between calls. A refusal raises CatalogError with ``item`` set to the item's index."""
    resolved = {} if classes is None else classes
    records: list[Record] = []
    contributor_lists: list[list[tuple[str, str]]] = []
    now = timezone.now()
    for index, (fields, contributors) in enumerate(items):
        unknown = set(fields) - set(RECORD_FIELDS)
        if unknown:
            raise ValueError(f"unknown record fields: {sorted(unknown)}")
        record = Record(**fields, created_by=user, created_at=now)
        try:
            _record_check(record, classes=resolved)
        except CatalogError as error:
            error.item = index
            raise
        records.append(record)
        contributor_lists.append(_contributors_clean(contributors))
    without_number = [record for record in records if not record.call_number and record.clc_code]
    numbers = call_numbers_for(clc_codes=[record.clc_code for record in without_number])
    for record, number in zip(without_number, numbers, strict=True):
        record.call_number = number
    for index, (record, contributor_list) in enumerate(zip(records, contributor_lists, strict=True)):
        for field, value in record_search_fields(record, [name for name, _role in contributor_list]).items():
            setattr(record, field, value)
        try:
            _clean_fields_or_refuse(record, exclude=["created_by", "classification"])
        except CatalogError as error:
            error.item = index
            raise
    Record.objects.bulk_create(records, batch_size=500)
    Contributor.objects.bulk_create(
        (
            Contributor(record=record, name=name, role=role, position=position)
            for record, contributor_list in zip(records, contributor_lists, strict=True)
            for position, (name, role) in enumerate(contributor_list)
        ),
        batch_size=2000,
    )
    return records


@transaction.atomic
def copies_create_bulk(*, copies: Sequence[Copy], user=None) -> list[Copy]:
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
            _clean_fields_or_refuse(copy, exclude=["record", "location", "created_by"])
        except CatalogError as error:
            error.item = index
            raise
    try:
        with transaction.atomic():
            return Copy.objects.bulk_create(copies, batch_size=2000)
    except IntegrityError as error:
        raise DuplicateBarcode() from error


# --- newspapers and periodicals -----------------------------------------------------------------


def _serial_identifiers(*, issn: str, cn_number: str, exclude_pk: int | None = None) -> tuple[str, str]:
    issn_value, cn_value = issn_clean(issn), cn_number_clean(cn_number)
    if issn_value is None:
        raise SerialError(_("This is not a valid ISSN: check the eight characters (0317-8471)."))
    if cn_value is None:
        raise SerialError(_("This is not a CN number: write it as CN11-1234/G4."))
    if not (issn_value or cn_value):
        raise SerialError(_("Give the ISSN or the CN number, as printed on the cover."))
    others = Serial.objects.exclude(pk=exclude_pk)
    for field_name, value in (("issn", issn_value), ("cn_number", cn_value)):
        if value and others.filter(**{field_name: value}).exists():
            raise SerialError(
                _("%(number)s is already the number of “%(title)s”.")
                % {"number": value, "title": others.get(**{field_name: value}).title}
            )
    return issn_value, cn_value


@transaction.atomic
def serial_create(
    *,
    title: str,
    kind: str,
    frequency: str,
    issn: str = "",
    cn_number: str = "",
    publisher: str = "",
    weekdays_only: bool = False,
    user=None,
) -> Serial:
    """A newspaper or periodical, known by its ISSN or CN number (both checked, neither taken)."""
    title = " ".join((title or "").split())
    if not title:
        raise SerialError(_("A newspaper or periodical needs its title."))
    issn, cn_number = _serial_identifiers(issn=issn, cn_number=cn_number)
    serial = Serial(
        title=title,
        kind=Serial.Kind(kind),
        frequency=Serial.Frequency(frequency),
        issn=issn,
        cn_number=cn_number,
        publisher=(publisher or "").strip(),
        weekdays_only=weekdays_only and frequency == Serial.Frequency.DAILY,
        created_by=user,
    )
    serial.full_clean()
    serial.save()
    return serial


@transaction.atomic
def subscription_create(
    *,
    serial: Serial,
    location: Location,
    year: int,
    copies: int = 1,
    price: Decimal = Decimal("0"),
    supplier: str = "",
    user=None,
) -> Subscription:
    """A year's subscription for a room, with the issues it expects predicted from the serial's
    frequency (catalog.serials.issue_dates)."""
    if not location.is_active or location.kind == Location.Kind.CLASS_CORNER:
        raise SerialError(_("Newspapers and periodicals are subscribed for a room of the library in use."))
    if Subscription.objects.filter(serial=serial, location=location, year=year).exists():
        raise SerialError(
            _("“%(title)s” is already subscribed for %(room)s in %(year)s.")
            % {"title": serial.title, "room": location.name, "year": year}
        )
    subscription = Subscription(
        serial=serial,
        location=location,
        year=year,
        copies=copies,
        price=price,
        supplier=(supplier or "").strip(),
        created_by=user,
    )
    try:
        subscription.full_clean()
    except ValidationError as error:
        raise SerialError(" ".join(error.messages)) from error
    subscription.save()
    SerialIssue.objects.bulk_create(
        SerialIssue(subscription=subscription, number=number, expected_on=day)
        for number, day in enumerate(
            issue_dates(frequency=serial.frequency, year=year, weekdays_only=serial.weekdays_only), start=1
        )
    )
    return subscription


@transaction.atomic
def issue_receive(*, issue: SerialIssue, user=None, on: date | None = None) -> tuple[SerialIssue, bool]:
    """Check an issue in. Returns the issue and whether this call received it: an issue already
    checked in (a second click, a second scan) stays as it was."""
    issue = SerialIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.received_on is not None:
        return issue, False
    issue.received_on = on or timezone.localdate()
    issue.received_by = user
    issue.save(update_fields=["received_on", "received_by"])
    return issue, True


@transaction.atomic
def issue_receive_undo(*, issue: SerialIssue, user=None) -> SerialIssue:
    """Take back a check-in made by mistake; a bound issue stays received."""
    issue = SerialIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.bound_into_id is not None:
        raise SerialError(_("This issue is bound into a volume: its check-in stays."))
    issue.received_on = None
    issue.received_by = None
    issue.save(update_fields=["received_on", "received_by"])
    return issue


def issue_receive_by_code(
    *, code: str, location: Location, user=None, on: date | None = None
) -> tuple[SerialIssue, bool]:
    """One scan at the check-in: the barcode on the cover (977…), an ISSN or a CN number names
    the serial; the room's subscription for the year receives its earliest issue not yet in."""
    on = on or timezone.localdate()
    code = (code or "").strip()
    issn = issn_from_barcode(code) or issn_clean(code)
    serial = None
    if issn:
        serial = Serial.objects.filter(issn=issn).first()
    if serial is None:
        cn_number = cn_number_clean(code)
        if cn_number:
            serial = Serial.objects.filter(cn_number=cn_number).first()
    if serial is None:
        raise SerialError(
            _("%(code)s is not the ISSN, CN number or cover barcode of a subscribed title.")
            % {"code": code[:40]}
        )
    subscription = Subscription.objects.filter(serial=serial, location=location, year=on.year).first()
    if subscription is None:
        raise SerialError(
            _("“%(title)s” is not subscribed for %(room)s in %(year)s.")
            % {"title": serial.title, "room": location.name, "year": on.year}
        )
    issue = subscription.issues.filter(received_on__isnull=True).order_by("number").first()
    if issue is None:
        raise SerialError(
            _("Every issue of “%(title)s” for %(year)s is already checked in.")
            % {"title": serial.title, "year": on.year}
        )
    return issue_receive(issue=issue, user=user, on=on)


@transaction.atomic
def issues_claim(*, issues: Iterable[SerialIssue], on: date | None = None) -> int:
    """Note that missing issues were claimed from the supplier (催缺) today; returns how many."""
    ids = [issue.pk for issue in issues]
    return SerialIssue.objects.filter(pk__in=ids, received_on__isnull=True).update(
        claimed_on=on or timezone.localdate()
    )


@transaction.atomic
def binding_create(*, subscription: Subscription, first: int, last: int, shelf: str = "", user=None) -> Copy:
    """Bind a run of received issues into one volume (期刊装订): a record of the bound volume
    (material type: bound periodical volume) with one copy in the subscription's room, which
    can be lent like any book. Every issue of the run must be in and not yet bound."""
    if not 1 <= first <= last:
        raise SerialError(_("Give the first and the last issue of the volume, the first not after the last."))
    issues = list(
        SerialIssue.objects.select_for_update()
        .filter(subscription=subscription, number__gte=first, number__lte=last)
        .order_by("pk")
    )
    numbers = {issue.number for issue in issues}
    absent = [number for number in range(first, last + 1) if number not in numbers]
    if absent:
        raise SerialError(
            _("The subscription has no issue %(numbers)s.") % {"numbers": "、".join(map(str, absent[:10]))}
        )
    missing = sorted(issue.number for issue in issues if issue.received_on is None)
    if missing:
        raise SerialError(
            _("Issues %(numbers)s have not been checked in: a volume binds only issues the library has.")
            % {"numbers": "、".join(map(str, missing[:10]))}
        )
    bound = sorted(issue.number for issue in issues if issue.bound_into_id is not None)
    if bound:
        raise SerialError(
            _("Issues %(numbers)s are already bound into a volume.")
            % {"numbers": "、".join(map(str, bound[:10]))}
        )
    serial = subscription.serial
    record = record_create(
        fields={
            "title": f"{serial.title}（{subscription.year}年第{first}-{last}期合订本）",
            "publisher": serial.publisher,
            "year": subscription.year,
            "material_type": Record.MaterialType.PERIODICAL_VOLUME,
        },
        user=user,
    )
    (copy,) = copies_add(record=record, count=1, location=subscription.location, shelf=shelf, user=user)
    SerialIssue.objects.filter(pk__in=[issue.pk for issue in issues]).update(bound_into=copy)
    return copy


# --- collection care: repairs, write-offs, stocktaking ---
# Repairs (C6, register E), write-offs (C7, register F) and stocktaking (C8). Copy statuses move
# only through copy_set_status, so every move is in CopyStatusChange with who and why.

# What a stocktake expects to find on the shelves: copies a reader could find in the library.
# A barcode as a scanner reads it: letters, digits and a few separators, at most 32 characters.
BARCODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-./_]{0,31}$")
BARCODE_SEPARATORS = re.compile(r"[\s,;，；、]+")
MAX_JUNK_SHOWN = 10


def copy_by_barcode(barcode: str) -> Copy:
    """The copy with this barcode, or a refusal that says the barcode is unknown."""
    barcode = (barcode or "").strip()
    if not barcode:
        raise CatalogError(_("Scan or type a barcode."))
    copy = Copy.objects.select_related("record", "location").filter(barcode=barcode).first()
    if copy is None:
        raise CatalogError(_("No copy has the barcode %(barcode)s.") % {"barcode": barcode})
    return copy


# --- repairs (图书修补, register E) ---


@transaction.atomic
def repair_open(*, copy: Copy, damage: str, reported_by, source: str = Repair.Source.SHELF_CHECK) -> Repair:
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
    if copy.status not in (Copy.Status.AVAILABLE, Copy.Status.ON_LOAN, Copy.Status.IN_CLASS_CORNER):
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
    *, repair: Repair, repaired_by, result: str, notes: str = "", on: date | None = None
) -> Repair:
    """Close a repair with its result: repaired (the copy is available again), or beyond repair
    (the copy stays in repair and is added to a draft write-off batch for damaged copies, which
    the administrator approves like any other)."""
    repair = Repair.objects.select_for_update().select_related("copy").get(pk=repair.pk)
    if not repair.is_open:
        raise RepairRefused(_("This repair was already closed."))
    if result not in Repair.Result.values:
        raise RepairRefused(_("Choose the result of the repair."))
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


# --- write-offs (图书注销, 剔除, register F) ---


def _batch_lock(batch: WriteOffBatch) -> WriteOffBatch:
    return WriteOffBatch.objects.select_for_update().get(pk=batch.pk)


def _batch_editable(batch: WriteOffBatch) -> None:
    if batch.status != WriteOffBatch.Status.DRAFT:
        raise WriteOffRefused(
            _("Write-off batch %(number)s is “%(status)s”: only a draft can be changed.")
            % {"number": batch.pk, "status": batch.get_status_display()}
        )


def _listed_barcodes(barcodes: Sequence[str], shown: int = 10) -> str:
    listed = "、".join(barcodes[:shown])
    return f"{listed} …" if len(barcodes) > shown else listed


@transaction.atomic
def write_off_create(*, reason: str, notes: str = "", user=None) -> WriteOffBatch:
    if reason not in WriteOffBatch.Reason.values:
        raise WriteOffRefused(_("Choose the reason for the write-off."))
    notes = (notes or "").strip()
    if len(notes) > 500:
        raise WriteOffRefused(_("Keep the notes to at most 500 characters."))
    return WriteOffBatch.objects.create(reason=reason, notes=notes, created_by=user)


@transaction.atomic
def write_off_add(*, batch: WriteOffBatch, copies: Sequence[Copy], user=None) -> list[WriteOffItem]:
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
                    [f"{barcode} ({_('batch')} {number})" for barcode, number in elsewhere]
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
def write_off_add_barcodes(*, batch: WriteOffBatch, text: str, user=None) -> list[WriteOffItem]:
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
def write_off_remove(*, batch: WriteOffBatch, copy: Copy, user=None) -> None:
    """Take a copy out of a draft batch. A draft's list is a working list, not yet a record the
    library accounts for, so the line goes; approved batches never change."""
    batch = _batch_lock(batch)
    _batch_editable(batch)
    WriteOffItem.objects.filter(batch=batch, copy=copy).delete()


@transaction.atomic
def write_off_submit(*, batch: WriteOffBatch, user) -> WriteOffBatch:
    batch = _batch_lock(batch)
    _batch_editable(batch)
    if not batch.items.exists():
        raise WriteOffRefused(_("Add the copies to write off before submitting the batch."))
    batch.status = WriteOffBatch.Status.SUBMITTED
    batch.submitted_at = timezone.now()
    batch.submitted_by = user
    batch.save(update_fields=["status", "submitted_at", "submitted_by"])
    return batch


def _approver_check(user) -> None:
    if user is None or not user.has_perm(Capability.APPROVE_WRITE_OFFS.permission):
        raise WriteOffRefused(_("Only a library administrator may approve or return a write-off batch."))


def _batch_submitted(batch: WriteOffBatch) -> None:
    if batch.status != WriteOffBatch.Status.SUBMITTED:
        raise WriteOffRefused(
            _("Write-off batch %(number)s is “%(status)s”: only a submitted batch can be decided.")
            % {"number": batch.pk, "status": batch.get_status_display()}
        )


@transaction.atomic
def write_off_approve(*, batch: WriteOffBatch, user, comment: str = "") -> WriteOffBatch:
    """The administrator approves a submitted batch: in one transaction every copy becomes
    withdrawn (kept, never deleted), the total value is frozen, and who approved it and when is
    recorded. If any copy cannot be withdrawn now (lent meanwhile), nothing changes."""
    _approver_check(user)
    batch = _batch_lock(batch)
    _batch_submitted(batch)
    items = list(batch.items.order_by("copy_id"))
    copies = list(
        Copy.objects.select_for_update().filter(pk__in=[item.copy_id for item in items]).order_by("pk")
    )
    blocked = [
        copy.barcode
        for copy in copies
        if Copy.Status.WITHDRAWN not in ALLOWED_STATUS_CHANGES[Copy.Status(copy.status)]
    ]
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
def write_off_return(*, batch: WriteOffBatch, user, comment: str) -> WriteOffBatch:
    """The administrator sends a submitted batch back to draft, saying why."""
    _approver_check(user)
    comment = (comment or "").strip()
    if not comment:
        raise WriteOffRefused(_("Say why the batch is sent back."))
    batch = _batch_lock(batch)
    _batch_submitted(batch)
    batch.status = WriteOffBatch.Status.DRAFT
    batch.decided_at = timezone.now()
    batch.decided_by = user
    batch.decision_comment = comment[:500]
    batch.save(update_fields=["status", "decided_at", "decided_by", "decision_comment"])
    return batch


@transaction.atomic
def write_off_cancel(*, batch: WriteOffBatch, user) -> WriteOffBatch:
    """Give up a draft batch: kept as cancelled, its copies free for another batch."""
    batch = _batch_lock(batch)
    _batch_editable(batch)
    batch.items.update(active=False)
    batch.status = WriteOffBatch.Status.CANCELLED
    batch.decided_at = timezone.now()
    batch.decided_by = user
    batch.save(update_fields=["status", "decided_at", "decided_by"])
    return batch


# --- stocktaking (清点) ---


@transaction.atomic
def stocktake_start(
    *, location: Location, shelf_from: str = "", shelf_to: str = "", notes: str = "", user=None
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


def _stocktake_lock_open(stocktake: Stocktake) -> Stocktake:
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.status != Stocktake.Status.OPEN:
        raise StocktakeRefused(
            _("Stocktake %(number)s is “%(status)s”: no more scans can be added.")
            % {"number": stocktake.pk, "status": stocktake.get_status_display()}
        )
    return stocktake


@transaction.atomic
def stocktake_scan(*, stocktake: Stocktake, barcode: str, user=None) -> tuple[StocktakeScan, bool]:
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
def stocktake_scan_text(*, stocktake: Stocktake, text: str, user=None) -> tuple[int, int]:
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
def stocktake_confirm(*, stocktake: Stocktake, user) -> int:
    """Confirm a stocktake: the copies still missing become lost (recorded in StocktakeLoss and
    CopyStatusChange). Confirming again changes nothing and returns 0."""
    from .selectors import stocktake_missing

    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.status == Stocktake.Status.CONFIRMED:
        return 0
    if stocktake.status != Stocktake.Status.OPEN:
        raise StocktakeRefused(_("A cancelled stocktake cannot be confirmed."))
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
def stocktake_cancel(*, stocktake: Stocktake, user) -> Stocktake:
    stocktake = _stocktake_lock_open(stocktake)
    stocktake.status = Stocktake.Status.CANCELLED
    stocktake.confirmed_at = timezone.now()
    stocktake.confirmed_by = user
    stocktake.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return stocktake


# --- textbooks (教材征订和发放) -----------------------------------------------------------------


def _textbook_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or not 1 <= quantity <= 100_000:
        raise TextbookError(_("Give a quantity of at least 1."))
    return quantity


@transaction.atomic
def textbook_term_create(*, year: int, season: str, starts_on: date, ends_on: date) -> TextbookTerm:
    if ends_on <= starts_on:
        raise TextbookError(_("A term ends after it starts."))
    if TextbookTerm.objects.filter(year=year, season=season).exists():
        raise TextbookError(_("This term exists already."))
    return TextbookTerm.objects.create(
        year=year, season=TextbookTerm.Season(season), starts_on=starts_on, ends_on=ends_on
    )


@transaction.atomic
def textbook_create(
    *,
    title: str,
    subject: str,
    grade: int,
    publisher: str = "",
    isbn: str = "",
    price: Decimal = Decimal("0"),
    is_recycled: bool = False,
) -> Textbook:
    title, subject = " ".join((title or "").split()), (subject or "").strip()
    if not title or not subject:
        raise TextbookError(_("A textbook needs its title and subject."))
    if not 1 <= grade <= 12:
        raise TextbookError(_("Grades go from 1 to 12."))
    textbook = Textbook(
        title=title,
        subject=subject,
        grade=grade,
        publisher=(publisher or "").strip(),
        isbn=isbn_normalise(isbn) if (isbn or "").strip() else "",
        price=price,
        is_recycled=is_recycled,
    )
    textbook.full_clean()
    textbook.save()
    return textbook


@transaction.atomic
def textbook_order_set(
    *, term: TextbookTerm, textbook: Textbook, class_numbers: Sequence[int], quantity: int, user=None
) -> list[TextbookOrderLine]:
    """Order ``quantity`` copies of a textbook for each of the textbook's grade's classes given
    (征订); a class ordered before gets the new quantity."""
    _textbook_quantity(quantity)
    numbers = sorted(set(class_numbers))
    if not numbers or any(not 1 <= number <= 50 for number in numbers):
        raise TextbookError(_("Name the classes, for example 1-6 or 1,3,5."))
    lines = []
    for number in numbers:
        line, _created = TextbookOrderLine.objects.update_or_create(
            term=term,
            textbook=textbook,
            grade=textbook.grade,
            class_number=number,
            defaults={"quantity": quantity, "ordered_by": user, "ordered_at": timezone.now()},
        )
        lines.append(line)
    return lines


@transaction.atomic
def textbook_delivery_record(
    *,
    term: TextbookTerm,
    textbook: Textbook,
    quantity: int,
    user=None,
    received_on: date | None = None,
    note: str = "",
) -> TextbookDelivery:
    """Copies the supplier delivered. Only a textbook ordered for the term is received."""
    _textbook_quantity(quantity)
    if not TextbookOrderLine.objects.filter(term=term, textbook=textbook).exists():
        raise TextbookError(_("“%(title)s” was not ordered for this term.") % {"title": textbook.title})
    return TextbookDelivery.objects.create(
        term=term,
        textbook=textbook,
        quantity=quantity,
        received_on=received_on or timezone.localdate(),
        received_by=user,
        note=(note or "").strip()[:200],
    )


@transaction.atomic
def textbook_handover(
    *,
    term: TextbookTerm,
    textbook: Textbook,
    class_number: int,
    quantity: int,
    teacher,
    user=None,
) -> TextbookHandover:
    """Hand textbooks to a class's teacher (发放). No more than the library has received and not
    yet handed over; the textbook (locked) keeps two handovers from sharing the same copies."""
    _textbook_quantity(quantity)
    Textbook.objects.select_for_update().get(pk=textbook.pk)
    if not TextbookOrderLine.objects.filter(
        term=term, textbook=textbook, grade=textbook.grade, class_number=class_number
    ).exists():
        raise TextbookError(
            _("This class did not order “%(title)s” for the term.") % {"title": textbook.title}
        )
    if teacher is None or not teacher.is_active:
        raise TextbookError(_("Choose the teacher who receives the textbooks."))
    delivered = (
        TextbookDelivery.objects.filter(term=term, textbook=textbook).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )
    handed = (
        TextbookHandover.objects.filter(term=term, textbook=textbook).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )
    if quantity > delivered - handed:
        raise TextbookError(
            _("Only %(count)s copies of “%(title)s” are in the library to hand over.")
            % {"count": delivered - handed, "title": textbook.title}
        )
    return TextbookHandover.objects.create(
        term=term,
        textbook=textbook,
        grade=textbook.grade,
        class_number=class_number,
        quantity=quantity,
        teacher=teacher,
        handed_by=user,
    )


@transaction.atomic
def textbook_handover_confirm(*, handover: TextbookHandover, user) -> TextbookHandover:
    """The receiving teacher confirms the textbooks came; a second confirmation changes nothing."""
    handover = TextbookHandover.objects.select_for_update().get(pk=handover.pk)
    if handover.teacher_id != getattr(user, "pk", None):
        raise TextbookError(_("Only the teacher who received the textbooks confirms them."))
    if handover.confirmed_at is None:
        handover.confirmed_at = timezone.now()
        handover.save(update_fields=["confirmed_at"])
    return handover


@transaction.atomic
def textbook_collect(
    *,
    handover: TextbookHandover,
    good: int,
    worn: int,
    damaged: int,
    note: str = "",
    user=None,
    on: date | None = None,
) -> TextbookHandover:
    """Recycled textbooks collected from a class at the end of the term, with their condition;
    the rest are recorded as not returned. Collected once."""
    handover = TextbookHandover.objects.select_for_update().select_related("textbook").get(pk=handover.pk)
    if not handover.textbook.is_recycled:
        raise TextbookError(_("Only recycled textbooks are collected at the end of the term."))
    if handover.collected_on is not None:
        raise TextbookError(_("These textbooks were collected already."))
    counts = (good, worn, damaged)
    if any(not isinstance(count, int) or count < 0 for count in counts) or sum(counts) > handover.quantity:
        raise TextbookError(
            _("The copies back can be at most the %(count)s handed over.") % {"count": handover.quantity}
        )
    handover.returned_good, handover.returned_worn, handover.returned_damaged = counts
    handover.condition_note = (note or "").strip()[:200]
    handover.collected_on = on or timezone.localdate()
    handover.collected_by = user
    handover.save()
    return handover


# --- acquisitions -------------------------------------------------------------------------------
# Purchase plans (图书采购计划): a librarian (manage_collection) drafts and submits; a leader
# (approve_purchase_plans) approves or rejects with a comment; only an approved plan is received
# against. Deliveries (purchases and donations) create records and copies in one step. Every
# step is written to PurchasePlanEvent with who took it and when.

PLAN_LINE_TEXT_FIELDS = ("title", "isbn", "author", "publisher", "supplier", "clc_code", "subject")
MAX_PLAN_LINES = 2_000
MAX_DELIVERY_VOLUMES = 5_000


def _require(user, capability: Capability) -> None:
    if user is None or not user.has_perm(capability.permission):
        raise AcquisitionRefused(
            _("Your account may not do this: it needs the right “%(right)s”.") % {"right": capability.label}
        )


def _row_refusal(message, row: int | None) -> AcquisitionRefused:
    if row is None:
        return AcquisitionRefused(message)
    return AcquisitionRefused(_("Line %(row)s: %(message)s") % {"row": row, "message": message}, row=row)


def _decimal(value, *, row: int | None, what: str, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise _row_refusal(_("the %(what)s is missing.") % {"what": what}, row)
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except ArithmeticError as error:
        raise _row_refusal(_("the %(what)s is not a number.") % {"what": what}, row) from error
    if not number.is_finite() or number < 0:
        raise _row_refusal(_("the %(what)s cannot be negative.") % {"what": what}, row)
    return number.quantize(Decimal("0.01"))


def _whole_number(value, *, row: int | None, what: str, minimum: int = 1, maximum: int = 10_000) -> int:
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError as error:
        raise _row_refusal(_("the %(what)s is not a whole number.") % {"what": what}, row) from error
    if not number.is_finite() or number != number.to_integral_value():
        raise _row_refusal(_("the %(what)s is not a whole number.") % {"what": what}, row)
    if not minimum <= number <= maximum:
        raise _row_refusal(
            _("the %(what)s must be between %(minimum)s and %(maximum)s.")
            % {"what": what, "minimum": minimum, "maximum": maximum},
            row,
        )
    return int(number)


def _title_data_check(data: dict, *, row: int | None, price_required: bool) -> dict:
    """The rules a plan line or a donated title meets: a title, a valid ISBN (stored as ISBN-13),
    a class of the CLC, a quantity of 1 to 10,000, a price that is not negative."""
    cleaned = {name: str(data.get(name) or "").strip() for name in PLAN_LINE_TEXT_FIELDS}
    if not cleaned["title"]:
        raise _row_refusal(_("a title is needed."), row)
    if cleaned["isbn"]:
        try:
            cleaned["isbn"] = isbn_normalise(cleaned["isbn"])
        except InvalidISBN as error:
            raise _row_refusal(error.message, row) from error
    cleaned["clc_code"] = clc_normalise(cleaned["clc_code"])
    try:
        clc_resolve(cleaned["clc_code"])
    except UnknownClass as error:
        raise _row_refusal(error.message, row) from error
    cleaned["quantity"] = _whole_number(data.get("quantity"), row=row, what=_("quantity"))
    cleaned["unit_price"] = _decimal(
        data.get("unit_price"), row=row, what=_("unit price"), required=price_required
    )
    return cleaned


def _plan_lines_build(plan: PurchasePlan, lines: Sequence[dict], *, first_position: int = 0):
    if len(lines) > MAX_PLAN_LINES:
        raise AcquisitionRefused(_("A plan holds at most %(limit)s lines.") % {"limit": MAX_PLAN_LINES})
    built = []
    for index, data in enumerate(lines):
        row = data.get("row", index + 1)
        cleaned = _title_data_check(data, row=row, price_required=True)
        line = PurchasePlanLine(plan=plan, position=first_position + index, **cleaned)
        try:
            line.clean_fields(exclude=["plan"])
        except ValidationError as error:
            raise _row_refusal(
                " ".join(message for messages in error.message_dict.values() for message in messages), row
            ) from error
        built.append(line)
    return built


def _plan_fields_check(*, name: str, year: int, term: str, budget) -> dict:
    name = (name or "").strip()
    if not name:
        raise AcquisitionRefused(_("A purchase plan needs a name."))
    if len(name) > 200:
        raise AcquisitionRefused(_("The plan's name is longer than 200 characters."))
    year = _whole_number(year, row=None, what=_("school year"), minimum=2000, maximum=2100)
    if term not in PurchasePlan.Term.values:
        raise AcquisitionRefused(_("Choose the term."))
    budget = _decimal(budget, row=None, what=_("budget"))
    if budget >= Decimal("10000000000"):
        raise AcquisitionRefused(_("The budget is too large."))
    return {"name": name, "year": year, "term": term, "budget": budget}


def _plan_lock(plan: PurchasePlan) -> PurchasePlan:
    return PurchasePlan.objects.select_for_update().get(pk=plan.pk)


def _plan_event(plan: PurchasePlan, action: str, user, comment: str = "") -> PurchasePlanEvent:
    return PurchasePlanEvent.objects.create(plan=plan, action=action, by=user, comment=comment)


def _plan_refuse_unless_draft(plan: PurchasePlan) -> None:
    if plan.status != PurchasePlan.Status.DRAFT:
        raise AcquisitionRefused(
            _("The plan is “%(status)s”: only a draft can be changed.")
            % {"status": plan.get_status_display()}
        )


def purchase_plan_total(plan: PurchasePlan) -> Decimal:
    total = plan.lines.aggregate(total=Sum(F("quantity") * F("unit_price")))["total"]
    return (total or Decimal(0)).quantize(Decimal("0.01"))


@transaction.atomic
def purchase_plan_create(
    *,
    name: str,
    year: int,
    term: str,
    budget,
    notes: str = "",
    lines: Sequence[dict] = (),
    user,
    form_token: str | None = None,
) -> PurchasePlan:
    """A new draft plan with its lines (dicts of title, isbn, author, publisher, quantity,
    unit_price, supplier, clc_code, subject). A form's one-time token makes a second submission
    of the same form return the plan the first one made."""
    _require(user, Capability.MANAGE_COLLECTION)
    if form_token:
        made = PurchasePlan.objects.filter(form_token=form_token).first()
        if made is not None:
            return made
    fields = _plan_fields_check(name=name, year=year, term=term, budget=budget)
    plan = PurchasePlan(**fields, notes=(notes or "").strip(), created_by=user, form_token=form_token or None)
    built = _plan_lines_build(plan, lines)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the same form, submitted twice at the same moment
        made = PurchasePlan.objects.filter(form_token=form_token).first() if form_token else None
        if made is None:
            raise
        return made
    PurchasePlanLine.objects.bulk_create(built)
    _plan_event(plan, PurchasePlanEvent.Action.DRAFTED, user)
    return plan


@transaction.atomic
def purchase_plan_update(
    *,
    plan: PurchasePlan,
    name: str,
    year: int,
    term: str,
    budget,
    notes: str = "",
    lines: Sequence[dict],
    user,
) -> PurchasePlan:
    """A draft's new heading and lines (all of them: the lines given replace the draft's)."""
    _require(user, Capability.MANAGE_COLLECTION)
    plan = _plan_lock(plan)
    _plan_refuse_unless_draft(plan)
    fields = _plan_fields_check(name=name, year=year, term=term, budget=budget)
    built = _plan_lines_build(plan, lines)
    for field, value in fields.items():
        setattr(plan, field, value)
    plan.notes = (notes or "").strip()
    plan.save(update_fields=[*fields, "notes"])
    # A draft's lines were never ordered nor received: replacing them loses nothing.
    plan.lines.all().delete()
    PurchasePlanLine.objects.bulk_create(built)
    _plan_event(plan, PurchasePlanEvent.Action.EDITED, user)
    return plan


@transaction.atomic
def purchase_plan_lines_add(*, plan: PurchasePlan, lines: Sequence[dict], user) -> list[PurchasePlanLine]:
    """Lines added to a draft (from a spreadsheet): all of them, or none when one is wrong
    (AcquisitionRefused says which, by its ``row``)."""
    _require(user, Capability.MANAGE_COLLECTION)
    plan = _plan_lock(plan)
    _plan_refuse_unless_draft(plan)
    if not lines:
        raise AcquisitionRefused(_("The file holds no lines."))
    existing = plan.lines.count()
    if existing + len(lines) > MAX_PLAN_LINES:
        raise AcquisitionRefused(_("A plan holds at most %(limit)s lines.") % {"limit": MAX_PLAN_LINES})
    built = _plan_lines_build(plan, lines, first_position=existing)
    PurchasePlanLine.objects.bulk_create(built)
    _plan_event(
        plan,
        PurchasePlanEvent.Action.IMPORTED,
        user,
        _("%(count)s lines imported.") % {"count": len(built)},
    )
    return built


@transaction.atomic
def purchase_plan_submit(*, plan: PurchasePlan, user, comment: str = "") -> PurchasePlan:
    """Send a draft for approval: it needs lines, and its total within the budget. From now on
    it is frozen."""
    _require(user, Capability.MANAGE_COLLECTION)
    plan = _plan_lock(plan)
    _plan_refuse_unless_draft(plan)
    if not plan.lines.exists():
        raise AcquisitionRefused(_("The plan has no lines yet: add the books to buy first."))
    total = purchase_plan_total(plan)
    if total > plan.budget:
        raise AcquisitionRefused(
            _(
                "The plan's total (%(total)s) is more than its budget (%(budget)s): lower the quantities or raise the budget."
            )
            % {"total": total, "budget": plan.budget}
        )
    plan.status = PurchasePlan.Status.SUBMITTED
    plan.save(update_fields=["status"])
    _plan_event(plan, PurchasePlanEvent.Action.SUBMITTED, user, (comment or "").strip())
    return plan


@transaction.atomic
def purchase_plan_decide(*, plan: PurchasePlan, approve: bool, user, comment: str = "") -> PurchasePlan:
    """A leader approves a submitted plan, or rejects it with the reason."""
    _require(user, Capability.APPROVE_PURCHASE_PLANS)
    plan = _plan_lock(plan)
    if plan.status != PurchasePlan.Status.SUBMITTED:
        raise AcquisitionRefused(
            _("The plan is “%(status)s”: only a submitted plan can be approved or rejected.")
            % {"status": plan.get_status_display()}
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise AcquisitionRefused(_("Say why the plan is rejected, so that the librarian can revise it."))
    plan.status = PurchasePlan.Status.APPROVED if approve else PurchasePlan.Status.REJECTED
    plan.save(update_fields=["status"])
    _plan_event(
        plan,
        PurchasePlanEvent.Action.APPROVED if approve else PurchasePlanEvent.Action.REJECTED,
        user,
        comment,
    )
    return plan


@transaction.atomic
def purchase_plan_revise(*, plan: PurchasePlan, user, comment: str = "") -> PurchasePlan:
    """A rejected plan back to draft, to be revised and submitted again."""
    _require(user, Capability.MANAGE_COLLECTION)
    plan = _plan_lock(plan)
    if plan.status != PurchasePlan.Status.REJECTED:
        raise AcquisitionRefused(
            _("The plan is “%(status)s”: only a rejected plan is taken back for revision.")
            % {"status": plan.get_status_display()}
        )
    plan.status = PurchasePlan.Status.DRAFT
    plan.save(update_fields=["status"])
    _plan_event(plan, PurchasePlanEvent.Action.REVISED, user, (comment or "").strip())
    return plan


def _delivery_existing(token: str) -> Delivery | None:
    return Delivery.objects.filter(token=token).first() if token else None


def _received_on_check(received_on: date | None) -> date:
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise AcquisitionRefused(_("The delivery date is in the future."))
    return received_on


def _delivery_save(delivery: Delivery) -> Delivery | None:
    """Save a new delivery; None when another request saved one with the same token meanwhile."""
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError:
        if delivery.token and Delivery.objects.filter(token=delivery.token).exists():
            return None
        raise
    return delivery


def _delivery_fill(
    delivery: Delivery, items: list[dict], *, source: str, donor: str, user
) -> list[DeliveryLine]:
    """The copies of each item (``record``, ``quantity``, ``unit_price``, ``plan_line``,
    ``surplus``) with new barcodes and accession numbers, in one insert, and the delivery's
    lines linked to them."""
    copies: list[Copy] = []
    for item in items:
        copies += [
            Copy(
                record_id=item["record"].pk,
                location=delivery.location,
                source=source,
                donor=donor,
                price_paid=item["unit_price"],
                acquired_on=delivery.received_on,
                barcode="",
                accession_number="",
            )
            for _number in range(item["quantity"])
        ]
    created = copies_create_bulk(copies=copies, user=user)
    lines = DeliveryLine.objects.bulk_create(
        DeliveryLine(
            delivery=delivery,
            plan_line=item.get("plan_line"),
            record=item["record"],
            quantity=item["quantity"],
            unit_price=item["unit_price"],
            surplus=item.get("surplus", False),
        )
        for item in items
    )
    links, start = [], 0
    for line, item in zip(lines, items, strict=True):
        links += [
            DeliveryLine.copies.through(deliveryline_id=line.pk, copy_id=copy.pk)
            for copy in created[start : start + item["quantity"]]
        ]
        start += item["quantity"]
    DeliveryLine.copies.through.objects.bulk_create(links, batch_size=2000)
    return lines


def _records_for(titles: list[dict], *, known: dict[int, Record], user) -> list[Record]:
    """The record of each title: ``known[index]`` when given, else the catalogue's record with
    that ISBN (the oldest), else a new record from the title's data (one per ISBN)."""
    isbns = {data["isbn"] for index, data in enumerate(titles) if index not in known and data["isbn"]}
    by_isbn: dict[str, Record] = {}
    for record in Record.objects.filter(isbn__in=isbns).order_by("-pk"):
        by_isbn[record.isbn] = record
    records = []
    for index, data in enumerate(titles):
        record = known.get(index) or (by_isbn.get(data["isbn"]) if data["isbn"] else None)
        if record is None:
            record = record_create(
                fields={
                    "title": data["title"][:300],
                    "isbn": data["isbn"],
                    "publisher": data["publisher"][:200],
                    "clc_code": data["clc_code"],
                    "price": data.get("unit_price"),
                },
                contributors=[(data["author"], Contributor.Role.AUTHOR)] if data["author"] else [],
                user=user,
            )
            if data["isbn"]:
                by_isbn[data["isbn"]] = record
        records.append(record)
    return records


@transaction.atomic
def delivery_receive(
    *,
    plan: PurchasePlan,
    lines: Sequence[dict],
    location: Location,
    supplier: str,
    invoice_number: str = "",
    received_on: date | None = None,
    notes: str = "",
    token: str = "",
    user,
) -> Delivery:
    """Receive books against an approved plan, in one step: for each ``{"plan_line": id,
    "quantity": n, "unit_price": price or None, "surplus": bool}`` with a quantity, the record
    (the one an earlier delivery of that line used, else the catalogue's with that ISBN, else a
    new one) and ``n`` copies bought at that price (the plan's when not given), with barcodes and
    accession numbers. More than ordered is refused unless the line is marked as surplus. The
    same ``token`` twice gives the first delivery back and makes nothing."""
    _require(user, Capability.MANAGE_COLLECTION)
    existing = _delivery_existing(token)
    if existing is not None:
        return existing
    plan = _plan_lock(plan)
    existing = _delivery_existing(token)  # made while we waited for the lock
    if existing is not None:
        return existing
    if plan.status != PurchasePlan.Status.APPROVED:
        raise AcquisitionRefused(
            _("The plan is “%(status)s”: books are received only against an approved plan.")
            % {"status": plan.get_status_display()}
        )
    supplier = (supplier or "").strip()
    if not supplier:
        raise AcquisitionRefused(_("Name the supplier of the delivery."))
    received_on = _received_on_check(received_on)
    plan_lines = {line.pk: line for line in plan.lines.all()}
    received = dict(
        DeliveryLine.objects.filter(plan_line__plan=plan)
        .values_list("plan_line")
        .annotate(total=Sum("quantity"))
        .values_list("plan_line", "total")
    )
    items, titles = [], []
    for index, data in enumerate(lines):
        plan_line = plan_lines.get(int(data.get("plan_line") or 0))
        if plan_line is None:
            raise _row_refusal(_("this line is not in the plan."), index + 1)
        quantity = _whole_number(data.get("quantity") or 0, row=index + 1, what=_("quantity"), minimum=0)
        if quantity == 0:
            continue
        unit_price = _decimal(data.get("unit_price"), row=index + 1, what=_("unit price"), required=False)
        before = received.get(plan_line.pk, 0)
        surplus = bool(data.get("surplus"))
        if before + quantity > plan_line.quantity and not surplus:
            raise AcquisitionRefused(
                _(
                    "“%(title)s”: the plan ordered %(ordered)s, %(before)s were received before, and this delivery "
                    "brings %(now)s, which is %(more)s more than ordered. Mark the line as surplus to accept them."
                )
                % {
                    "title": plan_line.title,
                    "ordered": plan_line.quantity,
                    "before": before,
                    "now": quantity,
                    "more": before + quantity - plan_line.quantity,
                },
                row=index + 1,
            )
        items.append(
            {
                "plan_line": plan_line,
                "quantity": quantity,
                "unit_price": plan_line.unit_price if unit_price is None else unit_price,
                "surplus": surplus and before + quantity > plan_line.quantity,
            }
        )
        titles.append(
            {name: getattr(plan_line, name) for name in PLAN_LINE_TEXT_FIELDS}
            | {"unit_price": items[-1]["unit_price"]}
        )
    if not items:
        raise AcquisitionRefused(_("Enter how many copies of at least one line were received."))
    volumes = sum(item["quantity"] for item in items)
    if volumes > MAX_DELIVERY_VOLUMES:
        raise AcquisitionRefused(
            _("A delivery holds at most %(limit)s volumes: enter it in parts.")
            % {"limit": MAX_DELIVERY_VOLUMES}
        )
    delivery = Delivery(
        kind=Delivery.Kind.PURCHASE,
        plan=plan,
        received_on=received_on,
        supplier=supplier[:200],
        invoice_number=(invoice_number or "").strip()[:60],
        location=location,
        notes=(notes or "").strip()[:500],
        token=token or None,
        created_by=user,
    )
    if _delivery_save(delivery) is None:
        return Delivery.objects.get(token=token)
    earlier = dict(
        DeliveryLine.objects.filter(plan_line__in=[item["plan_line"] for item in items])
        .order_by("pk")
        .values_list("plan_line", "record")
    )
    known_ids = {
        index: earlier[item["plan_line"].pk]
        for index, item in enumerate(items)
        if item["plan_line"].pk in earlier
    }
    known_records = Record.objects.in_bulk(set(known_ids.values()))
    records = _records_for(
        titles, known={index: known_records[pk] for index, pk in known_ids.items()}, user=user
    )
    for item, record in zip(items, records, strict=True):
        item["record"] = record
    _delivery_fill(delivery, items, source=Copy.Source.PURCHASE, donor="", user=user)
    _plan_event(
        plan,
        PurchasePlanEvent.Action.RECEIVED,
        user,
        _("%(volumes)s volumes from %(supplier)s, invoice %(invoice)s.")
        % {"volumes": volumes, "supplier": delivery.supplier, "invoice": delivery.invoice_number or "—"},
    )
    return delivery


@transaction.atomic
def donation_receive(
    *,
    donor: str,
    lines: Sequence[dict],
    location: Location,
    donor_class: str = "",
    received_on: date | None = None,
    notes: str = "",
    token: str = "",
    user,
) -> Delivery:
    """Donated books (from pupils too), entered like a delivery: each line a title (title,
    isbn, author, publisher, clc_code, quantity, and a unit_price when the library values it),
    giving the record (the catalogue's with that ISBN, or a new one) and its copies, with the
    donor and the donor's class on each copy."""
    _require(user, Capability.MANAGE_COLLECTION)
    existing = _delivery_existing(token)
    if existing is not None:
        return existing
    donor = (donor or "").strip()
    donor_class = (donor_class or "").strip()
    if not donor:
        raise AcquisitionRefused(_("Who gave the books? The donor is recorded with donated copies."))
    if len(donor) > 100 or len(donor_class) > 50:
        raise AcquisitionRefused(_("The donor's name or class is too long."))
    received_on = _received_on_check(received_on)
    titles = [
        _title_data_check(data, row=data.get("row", index + 1), price_required=False)
        for index, data in enumerate(lines)
    ]
    if not titles:
        raise AcquisitionRefused(_("Enter at least one donated title."))
    volumes = sum(data["quantity"] for data in titles)
    if volumes > MAX_DELIVERY_VOLUMES:
        raise AcquisitionRefused(
            _("A delivery holds at most %(limit)s volumes: enter it in parts.")
            % {"limit": MAX_DELIVERY_VOLUMES}
        )
    delivery = Delivery(
        kind=Delivery.Kind.DONATION,
        received_on=received_on,
        donor=donor,
        donor_class=donor_class,
        location=location,
        notes=(notes or "").strip()[:500],
        token=token or None,
        created_by=user,
    )
    if _delivery_save(delivery) is None:
        return Delivery.objects.get(token=token)
    records = _records_for(titles, known={}, user=user)
    items = [
        {"record": record, "quantity": data["quantity"], "unit_price": data["unit_price"]}
        for record, data in zip(records, titles, strict=True)
    ]
    copy_donor = f"{donor}（{donor_class}）" if donor_class else donor
    _delivery_fill(delivery, items, source=Copy.Source.DONATION, donor=copy_donor[:100], user=user)
    return delivery
