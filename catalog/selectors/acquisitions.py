"""Reads of acquisitions: the purchase plans with their totals, a plan's page (its lines with
what was received, its trail, its deliveries, its split by class and subject), a delivery, and
the purchase (D 购书情况登记表) and donation registers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Prefetch, Sum, Value
from django.db.models.functions import Coalesce, Substr, Upper

from catalog.models import (
    ClassificationClass,
    Copy,
    Delivery,
    DeliveryLine,
    PurchasePlan,
    PurchasePlanEvent,
    PurchasePlanLine,
)


def purchase_plan_total(plan: PurchasePlan) -> Decimal:
    total = plan.lines.aggregate(total=Sum(F("quantity") * F("unit_price")))["total"]
    return (total or Decimal(0)).quantize(Decimal("0.01"))


MONEY = DecimalField(max_digits=14, decimal_places=2)


UNCLASSIFIED = ""


def _amount(quantity: str, price: str):
    return Coalesce(Sum(F(quantity) * F(price), output_field=MONEY), Value(0, output_field=MONEY))


def _plans_with_totals():
    return PurchasePlan.objects.select_related("created_by").annotate(
        line_count=Count("lines"),
        volumes=Coalesce(Sum("lines__quantity"), 0),
        total=_amount("lines__quantity", "lines__unit_price"),
    )


def purchase_plans_list():
    """Every plan with its number of lines, volumes and total: one query."""
    return list(_plans_with_totals())


def collection_by_clc_top_class() -> dict[str, int]:
    """How many copies (not withdrawn) the collection holds in each CLC top class (A … Z, and
    "" for records without a class): one aggregate query."""
    rows = (
        Copy.objects.exclude(status=Copy.Status.WITHDRAWN)
        .annotate(top=Upper(Substr("record__clc_code", 1, 1)))
        .values("top")
        .annotate(total=Count("pk"))
        .values_list("top", "total")
    )
    counts: dict[str, int] = {}
    for top, total in rows:
        counts[top or UNCLASSIFIED] = counts.get(top or UNCLASSIFIED, 0) + total
    return counts


@dataclass
class PlanSplitRow:
    key: str
    label: str
    titles: int = 0
    volumes: int = 0
    amount: Decimal = Decimal(0)
    collection: int | None = None  # copies the collection holds now (classes only)
    volumes_share: float = 0.0
    collection_share: float | None = None


@dataclass
class PurchasePlanPage:
    plan: PurchasePlan
    lines: list[PurchasePlanLine]
    events: list[PurchasePlanEvent]
    deliveries: list[Delivery]
    total: Decimal
    remainder: Decimal
    volumes: int
    received_volumes: int
    by_class: list[PlanSplitRow]
    by_subject: list[PlanSplitRow]

    @property
    def over_budget(self) -> bool:
        return self.remainder < 0


def _share(part, whole) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def purchase_plan_page(pk: int) -> PurchasePlanPage | None:
    """What the plan's page shows, in six queries whatever the number of lines: the plan, its
    lines with what was received of each, the trail, the deliveries, the CLC top classes and the
    collection's copies per top class."""
    plan = PurchasePlan.objects.select_related("created_by").filter(pk=pk).first()
    if plan is None:
        return None
    lines = list(
        plan.lines.annotate(received=Coalesce(Sum("delivery_lines__quantity"), 0)).order_by("position", "pk")
    )
    for line in lines:
        # What is still to come of each line, and whether all of it came.
        line.outstanding = max(line.quantity - line.received, 0)
        line.received_all = line.received >= line.quantity
    events = list(plan.events.select_related("by").order_by("at", "pk"))
    deliveries = list(
        plan.deliveries.select_related("created_by", "location").annotate(
            volumes=Coalesce(Sum("lines__quantity"), 0), value=_amount("lines__quantity", "lines__unit_price")
        )
    )
    total = sum((line.amount for line in lines), Decimal(0)).quantize(Decimal("0.01"))
    volumes = sum(line.quantity for line in lines)
    top_names = dict(ClassificationClass.objects.filter(level=1).values_list("code", "name_zh"))
    collection = collection_by_clc_top_class()
    collection_total = sum(collection.values())
    by_class: dict[str, PlanSplitRow] = {}
    by_subject: dict[str, PlanSplitRow] = {}
    for line in lines:
        top = line.clc_code[:1] or UNCLASSIFIED
        subject = line.subject or UNCLASSIFIED
        for rows, key, label in (
            (by_class, top, f"{top} {top_names.get(top, '')}".strip()),
            (by_subject, subject, subject),
        ):
            row = rows.setdefault(key, PlanSplitRow(key=key, label=label))
            row.titles += 1
            row.volumes += line.quantity
            row.amount += line.amount
    for row in by_class.values():
        row.collection = collection.get(row.key, 0)
        row.collection_share = _share(row.collection, collection_total)
    for rows in (by_class, by_subject):
        for row in rows.values():
            row.volumes_share = _share(row.volumes, volumes)
    return PurchasePlanPage(
        plan=plan,
        lines=lines,
        events=events,
        deliveries=deliveries,
        total=total,
        remainder=plan.budget - total,
        volumes=volumes,
        received_volumes=sum(line.received for line in lines),
        by_class=sorted(by_class.values(), key=lambda row: (row.key == UNCLASSIFIED, row.key)),
        by_subject=sorted(
            by_subject.values(), key=lambda row: (row.key == UNCLASSIFIED, -row.volumes, row.key)
        ),
    )


def delivery_detail(pk: int) -> Delivery | None:
    """A delivery with its lines, each line's record and copies: four queries."""
    return (
        Delivery.objects.select_related("plan", "location", "created_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=DeliveryLine.objects.select_related("record", "plan_line").prefetch_related(
                    Prefetch("copies", queryset=Copy.objects.order_by("barcode"), to_attr="copy_list")
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )


def _register(kind: str, date_from, date_to):
    deliveries = Delivery.objects.filter(kind=kind)
    if date_from:
        deliveries = deliveries.filter(received_on__gte=date_from)
    if date_to:
        deliveries = deliveries.filter(received_on__lte=date_to)
    return deliveries.annotate(
        titles=Count("lines__record", distinct=True),
        volumes=Coalesce(Sum("lines__quantity"), 0),
        value=_amount("lines__quantity", "lines__unit_price"),
    ).order_by("received_on", "pk")


def purchase_register(date_from=None, date_to=None) -> list[dict]:
    """The purchase register (D 购书情况登记表): one row per delivery received between the dates
    (both included), oldest first: date, supplier, invoice, plan, titles, volumes, value. One
    query; the reports app writes it to Excel."""
    return list(
        _register(Delivery.Kind.PURCHASE, date_from, date_to).values(
            "pk",
            "received_on",
            "supplier",
            "invoice_number",
            "titles",
            "volumes",
            "value",
            plan_name=F("plan__name"),
        )
    )


def donation_register(date_from=None, date_to=None) -> list[dict]:
    """The donations received between the dates (both included), oldest first: date, donor, the
    donor's class, titles, volumes, value (of the copies a price was given for). One query."""
    return list(
        _register(Delivery.Kind.DONATION, date_from, date_to).values(
            "pk", "received_on", "donor", "donor_class", "titles", "volumes", "value"
        )
    )


def register_totals(rows: list[dict]) -> dict:
    """The totals of a register's rows (purchase_register, donation_register): titles, volumes,
    value."""
    return {
        "titles": sum(row["titles"] for row in rows),
        "volumes": sum(row["volumes"] for row in rows),
        "value": sum((row["value"] for row in rows), 0),
    }


def purchase_plans_awaiting_approval():
    """The plans submitted and not decided yet, oldest first, with their totals: what waits for
    the department leader (the leader's home page)."""
    return list(
        _plans_with_totals().filter(status=PurchasePlan.Status.SUBMITTED).order_by("created_at", "pk")
    )
