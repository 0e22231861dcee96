"""Reads of loans: the books a class has out, a reader's and a copy's loan history."""

from __future__ import annotations

from django.utils import timezone

from ..models import Loan
from ..querysets import record_light


def class_open_loans(school_class_id: int, *, today=None):
    """The books a class still has out (the class pile and the head teacher's page)."""
    today = today or timezone.localdate()
    loans = list(
        Loan.objects.filter(reader__school_class_id=school_class_id, state=Loan.State.OPEN)
        .select_related("copy__record", "reader__user")
        .defer(*record_light("copy__record"))
        .order_by("reader__number", "due_on")
    )
    for loan in loans:
        loan.days_overdue = loan.overdue_days_on(today)
    return loans


def reader_history(reader_id: int, *, limit: int = 50):
    """The reader's last returned or lost loans with their titles. The loans are chosen first
    (by the reader's index) and only those joined to their copies and records: joined before the
    limit, PostgreSQL hashed every copy for a reader with hundreds of loans."""
    chosen = (
        Loan.objects.filter(reader_id=reader_id, state__in=[Loan.State.RETURNED, Loan.State.LOST])
        .order_by("-returned_at", "-pk")
        .values("pk")[:limit]
    )
    return list(
        Loan.objects.filter(pk__in=chosen)
        .select_related("copy__record")
        .defer(*record_light("copy__record"))
        .order_by("-returned_at", "-pk")
    )


def copy_loan_history(copy_id: int, *, limit: int = 100):
    return list(
        Loan.objects.filter(copy_id=copy_id)
        .select_related("reader__user", "lent_by", "returned_by")
        .order_by("-lent_at")[:limit]
    )
