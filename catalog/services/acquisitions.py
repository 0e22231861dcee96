"""Acquisitions: purchase plans (图书采购计划) that a librarian (manage_collection) drafts and
submits and a leader (approve_purchase_plans) approves or rejects with a comment; deliveries
received against an approved plan, and donations, which make records and copies in one step.
Every step of a plan is written to PurchasePlanEvent with who took it and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.exceptions import AcquisitionRefused, InvalidISBN, UnknownClass
from catalog.isbn import isbn_normalise
from catalog.models import (
    Contributor,
    Copy,
    Delivery,
    DeliveryLine,
    Location,
    PurchasePlan,
    PurchasePlanEvent,
    PurchasePlanLine,
    Record,
)
from catalog.selectors.acquisitions import purchase_plan_total
from catalog.services.copies import copies_create_bulk
from catalog.services.records import clc_normalise, clc_resolve, record_create
from catalog.states import PURCHASE_PLAN_STATES, refusal_naming
from library_site.accounts.roles import Capability

if TYPE_CHECKING:
    from library_site.accounts.models import User


PLAN_LINE_TEXT_FIELDS = ("title", "isbn", "author", "publisher", "supplier", "clc_code", "subject")


MAX_PLAN_LINES = 2_000


MAX_DELIVERY_VOLUMES = 5_000


def _require(user: User | None, capability: Capability) -> None:
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


def _plan_event(plan: PurchasePlan, action: str, user: User, comment: str = "") -> PurchasePlanEvent:
    return PurchasePlanEvent.objects.create(plan=plan, action=action, by=user, comment=comment)


DRAFT_ONLY = gettext_lazy("The plan is “%(status)s”: only a draft can be changed.")
SUBMITTED_ONLY = gettext_lazy("The plan is “%(status)s”: only a submitted plan can be approved or rejected.")
REJECTED_ONLY = gettext_lazy("The plan is “%(status)s”: only a rejected plan is taken back for revision.")


def _plan_refuse_unless_draft(plan: PurchasePlan) -> None:
    """Refused unless the plan is a draft: only a draft's heading and lines change."""
    if not plan.is_editable:
        raise AcquisitionRefused(DRAFT_ONLY % {"status": plan.get_status_display()})


def _plan_move(plan: PurchasePlan, to_status: str, message) -> None:
    """The plan's move to ``to_status`` through PURCHASE_PLAN_STATES, refused with ``message``."""
    PURCHASE_PLAN_STATES.check(plan.status, to_status, message=refusal_naming(message))


@transaction.atomic
def purchase_plan_create(
    *,
    name: str,
    year: int,
    term: str,
    budget,
    notes: str = "",
    lines: Sequence[dict] = (),
    user: User,
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
    user: User,
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
def purchase_plan_lines_add(
    *, plan: PurchasePlan, lines: Sequence[dict], user: User
) -> list[PurchasePlanLine]:
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
def purchase_plan_submit(*, plan: PurchasePlan, user: User, comment: str = "") -> PurchasePlan:
    """Send a draft for approval: it needs lines, and its total within the budget. From now on
    it is frozen."""
    _require(user, Capability.MANAGE_COLLECTION)
    plan = _plan_lock(plan)
    _plan_move(plan, PurchasePlan.Status.SUBMITTED, DRAFT_ONLY)
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
def purchase_plan_approve(*, plan: PurchasePlan, user: User, comment: str = "") -> PurchasePlan:
    """A leader approves a submitted plan: books may now be received against it."""
    _require(user, Capability.APPROVE_PURCHASE_PLANS)
    plan = _plan_lock(plan)
    _plan_move(plan, PurchasePlan.Status.APPROVED, SUBMITTED_ONLY)
    plan.status = PurchasePlan.Status.APPROVED
    plan.save(update_fields=["status"])
    _plan_event(plan, PurchasePlanEvent.Action.APPROVED, user, (comment or "").strip())
    return plan


@transaction.atomic
def purchase_plan_reject(*, plan: PurchasePlan, user: User, comment: str) -> PurchasePlan:
    """A leader rejects a submitted plan, saying why, so that the librarian can revise it."""
    _require(user, Capability.APPROVE_PURCHASE_PLANS)
    plan = _plan_lock(plan)
    _plan_move(plan, PurchasePlan.Status.REJECTED, SUBMITTED_ONLY)
    comment = (comment or "").strip()
    if not comment:
        raise AcquisitionRefused(_("Say why the plan is rejected, so that the librarian can revise it."))
    plan.status = PurchasePlan.Status.REJECTED
    plan.save(update_fields=["status"])
    _plan_event(plan, PurchasePlanEvent.Action.REJECTED, user, comment)
    return plan


@transaction.atomic
def purchase_plan_revise(*, plan: PurchasePlan, user: User, comment: str = "") -> PurchasePlan:
    """A rejected plan back to draft, to be revised and submitted again."""
    _require(user, Capability.MANAGE_COLLECTION)
    plan = _plan_lock(plan)
    _plan_move(plan, PurchasePlan.Status.DRAFT, REJECTED_ONLY)
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
    delivery: Delivery,
    items: list[dict],
    *,
    source: str,
    donor: str,
    user: User,
    status: str = Copy.Status.AVAILABLE,
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
                status=status,
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


def _records_for(titles: list[dict], *, known: dict[int, Record], user: User) -> list[Record]:
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
    user: User,
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
    if not plan.is_receivable:
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
    user: User,
    awaiting_review: bool = False,
) -> Delivery:
    """Donated books (from pupils too), entered like a delivery: each line a title (title,
    isbn, author, publisher, clc_code, quantity, and a unit_price when the library values it),
    giving the record (the catalogue's with that ISBN, or a new one) and its copies, with the
    donor and the donor's class on each copy.

    ``awaiting_review=True``: the copies are made “awaiting content review” (a pupil's gift to a
    class corner, checked before it circulates); the review moves them on through COPY_STATES."""
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
    _delivery_fill(
        delivery,
        items,
        source=Copy.Source.DONATION,
        donor=copy_donor[:100],
        user=user,
        status=Copy.Status.AWAITING_REVIEW if awaiting_review else Copy.Status.AVAILABLE,
    )
    return delivery


# --- the lines of a plan from a spreadsheet, read by the worker (issue 13) -----------------------------


def plan_lines_preview_build(path, options: dict, progress) -> dict:
    """The preview of a plan's lines from an .xlsx file, as the worker builds it
    (library_site.documents.previews): the lines checked and kept as JSON for the confirmation,
    or every row-numbered error; nothing saved."""
    from catalog.resources import plan_lines_read

    plan = PurchasePlan.objects.filter(pk=options.get("plan_id")).first()
    read = plan_lines_read(path.read_bytes(), plan=plan)
    if read.errors:
        return {
            "refusal": _("Nothing was imported: correct the file and import it again."),
            "errors": [str(error) for error in read.errors],
        }
    return {"refusal": "", "count": len(read.lines), "lines": read.lines}


def plan_lines_from_preview(result: dict) -> list[dict]:
    """The lines a preview kept (JSON: prices as text), typed again as purchase_plan_lines_add
    takes them."""
    typed = []
    for line in result.get("lines", []):
        values = {}
        for name, value in line.items():
            try:
                field = PurchasePlanLine._meta.get_field(name)
            except FieldDoesNotExist:  # "row": where the line was in the file
                values[name] = value
                continue
            values[name] = field.to_python(value) if value is not None else None
        typed.append(values)
    return typed
