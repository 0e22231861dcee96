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
    StatusChangeRefused,
    UnknownClass,
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
)
from .search import record_search_fields

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
    Copy.Status.IN_CLASS_CORNER: {Copy.Status.AVAILABLE, Copy.Status.LOST, Copy.Status.IN_REPAIR},
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


@transaction.atomic
def copy_set_status(*, copy: Copy, to_status: str, user=None, reason: str = "") -> Copy:
    """Move a copy to another status, if that move is allowed, and record who did it."""
    copy = Copy.objects.select_for_update().get(pk=copy.pk)
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
    *, name: str, year: int, term: str, budget, notes: str = "", lines: Sequence[dict] = (), user
) -> PurchasePlan:
    """A new draft plan with its lines (dicts of title, isbn, author, publisher, quantity,
    unit_price, supplier, clc_code, subject)."""
    _require(user, Capability.MANAGE_COLLECTION)
    fields = _plan_fields_check(name=name, year=year, term=term, budget=budget)
    plan = PurchasePlan(**fields, notes=(notes or "").strip(), created_by=user)
    built = _plan_lines_build(plan, lines)
    plan.save()
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
