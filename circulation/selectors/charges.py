"""Reads of money (issue 14 point 10): a reader's charges and payments, a receipt, and the day's
cash list the librarian hands over with the money; each in a constant number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone

from library_site.dates import day_bounds

from ..models import Charge, Payment
from ..money import ZERO, money
from ..querysets import record_light


def _charges():
    return Charge.objects.select_related("copy__record", "created_by", "closed_by", "payment").defer(
        *record_light("copy__record")
    )


def reader_charges(reader_id: int) -> dict:
    """A reader's charges, owed first (oldest first, as they are paid) then the settled ones
    (latest first), with the total owed and their payments. Two queries whatever the history."""
    charges = list(_charges().filter(reader_id=reader_id).order_by("-created_at", "-pk"))
    owed = sorted((c for c in charges if c.is_owed), key=lambda c: (c.created_at, c.pk))
    settled = [c for c in charges if not c.is_owed]
    payments = list(
        Payment.objects.filter(reader_id=reader_id).select_related("taken_by").order_by("-taken_at")
    )
    return {
        "owed": owed,
        "settled": settled,
        "owed_total": money(sum((c.amount for c in owed), Decimal(0))),
        "payments": payments,
    }


def reader_money_owed(reader_id: int) -> Decimal:
    """What the reader owes now, in yuan (0.00 when nothing)."""
    total = Charge.objects.filter(reader_id=reader_id, state=Charge.State.OWED).aggregate(total=Sum("amount"))
    return money(total["total"] or ZERO)


def payment_receipt(payment_id: int) -> Payment | None:
    """A payment with what the receipt prints: the reader (class), who took it and the charges
    paid with their books. Two queries."""
    return (
        Payment.objects.select_related("reader__user", "reader__school_class", "taken_by")
        .prefetch_related(Prefetch("charges", queryset=_charges().order_by("pk")))
        .filter(pk=payment_id)
        .first()
    )


def cash_list(day: date, *, taken_by=None) -> dict:
    """The day's cash list: every payment taken on ``day`` (in the school's time zone) in the
    order taken, with the reader and the charges, the total per person who took money and the
    day's total; beside it the charges waived or cancelled that day (no money, but the
    hand-over shows them). ``taken_by`` keeps one person's. Three queries whatever the day."""
    start, end = day_bounds(day, day)
    payments = (
        Payment.objects.filter(taken_at__gte=start, taken_at__lt=end)
        .select_related("reader__user", "reader__school_class", "taken_by")
        .prefetch_related(Prefetch("charges", queryset=_charges().order_by("pk")))
        .order_by("taken_at", "pk")
    )
    if taken_by is not None:
        payments = payments.filter(taken_by=taken_by)
    payments = list(payments)
    per_person: dict[int, dict] = {}
    for payment in payments:
        row = per_person.setdefault(
            payment.taken_by_id, {"user": payment.taken_by, "count": 0, "total": Decimal(0)}
        )
        row["count"] += 1
        row["total"] += payment.amount
    settled = (
        _charges()
        .select_related("reader__user", "reader__school_class")
        .filter(
            closed_at__gte=start, closed_at__lt=end, state__in=[Charge.State.WAIVED, Charge.State.CANCELLED]
        )
        .order_by("closed_at", "pk")
    )
    if taken_by is not None:
        settled = settled.filter(closed_by=taken_by)
    return {
        "day": day,
        "payments": payments,
        "people": [
            {**row, "total": money(row["total"])}
            for row in sorted(per_person.values(), key=lambda row: row["user"].display_name)
        ],
        "total": money(sum((payment.amount for payment in payments), Decimal(0))),
        "waived": list(settled),
        "today": timezone.localdate(),
    }
