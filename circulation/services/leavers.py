"""Leavers: a lost book's compensation marked paid, the clearance certificate (离校证明) of a
reader with nothing out and nothing owed, and the loan history of those who left long enough
ago detached from them (anonymised)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import CopyStatusChange
from library_site.accounts.models import User

from ..exceptions import ClearanceRefused
from ..models import (
    Charge,
    CirculationSettings,
    ClearanceCertificate,
    Compensation,
    DeskAction,
    Loan,
    Reader,
    Suspension,
)
from ..selectors.leavers import readers_with_open_items
from .readers import BULK_BATCH


@transaction.atomic
def compensation_mark_paid(*, compensation, user: User) -> bool:
    """Record that a lost book's compensation is paid (whoever took the money): its charge is
    paid with a receipt (services/charges.py), or, for a compensation from before charges, its
    date is set. Idempotent: a second submit changes nothing and returns False."""
    charge = Charge.objects.filter(compensation_id=compensation.pk).select_related("reader").first()
    if charge is not None:  # money since issue 14: paid as a charge, with a numbered receipt
        if not charge.is_owed:
            return False
        from .charges import charges_pay

        charges_pay(reader=charge.reader, charge_ids=[charge.pk], user=user)
        return True
    compensation = Compensation.objects.select_for_update().get(pk=compensation.pk)
    if compensation.paid_at is not None:
        return False
    compensation.paid_at = timezone.now()
    compensation.paid_by = user
    compensation.save(update_fields=["paid_at", "paid_by"])
    return True


def anonymise_cutoff(today: datetime.date, years: int) -> datetime.date | None:
    """The last leaving day whose readers are anonymised on ``today``; None when ``years`` is 0
    (never). 29 February falls back to the 28th."""
    if years <= 0:
        return None
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@dataclass
class AnonymiseResult:
    cutoff: datetime.date | None
    readers: int = 0
    loans: int = 0
    dry_run: bool = False


@transaction.atomic
def loans_anonymise(*, today: datetime.date | None = None, dry_run: bool = False) -> AnonymiseResult:
    """Detach the closed loans of readers who graduated or left before the cutoff (the settings'
    years before ``today``) from them. A loan is never deleted: it keeps its copy, dates and the
    reader's type, grade and class number at the time, so the statistics still add up; only who
    it was is gone. Open loans and loans with an unpaid compensation stay with the reader, and
    so do the desk's records of them (their reader link is cleared too)."""
    today = today or timezone.localdate()
    cutoff = anonymise_cutoff(today, CirculationSettings.current().anonymise_after_years)
    result = AnonymiseResult(cutoff=cutoff, dry_run=dry_run)
    if cutoff is None:
        return result
    leavers = Reader.objects.exclude(status=Reader.Status.ACTIVE).filter(left_on__lte=cutoff)
    unpaid = Compensation.objects.filter(paid_at__isnull=True).values("loan_id")
    loans = (
        Loan.objects.filter(reader__in=leavers, anonymised_at__isnull=True)
        .exclude(state=Loan.State.OPEN)
        .exclude(pk__in=unpaid)
        .exclude(pk__in=Charge.objects.filter(state=Charge.State.OWED, loan__isnull=False).values("loan_id"))
    )
    rows = list(
        loans.order_by("pk").select_for_update(of=("self",)).values_list("pk", "reader_id", "copy_id")
    )
    result.loans = len(rows)
    result.readers = len({reader_id for _pk, reader_id, _copy in rows})
    if dry_run or not rows:
        return result
    now = timezone.now()
    loan_ids = [pk for pk, _reader, _copy in rows]
    for start in range(0, len(loan_ids), BULK_BATCH):
        chunk = loan_ids[start : start + BULK_BATCH]
        DeskAction.objects.filter(loan_id__in=chunk).update(reader=None)
        Suspension.objects.filter(loan_id__in=chunk).update(loan=None)
        Loan.objects.filter(pk__in=chunk).update(reader=None, anonymised_at=now)
    # The copies' status log says "Lent to <number>": blank the number out there too.
    copies_by_reader: dict[int, set[int]] = {}
    for _pk, reader_id, copy_id in rows:
        copies_by_reader.setdefault(reader_id, set()).add(copy_id)
    numbers = dict(Reader.objects.filter(pk__in=copies_by_reader).values_list("pk", "number"))
    for reader_id, copy_ids in copies_by_reader.items():
        number = numbers[reader_id]
        copy_ids = sorted(copy_ids)
        for start in range(0, len(copy_ids), BULK_BATCH):
            CopyStatusChange.objects.filter(
                copy_id__in=copy_ids[start : start + BULK_BATCH], reason__contains=number
            ).update(reason=Replace("reason", Value(number), Value("—")))
    return result


@transaction.atomic
def clearance_certificate_issue(*, reader: Reader, user: User, today: datetime.date | None = None):
    """Record a clearance certificate for a reader with nothing out and nothing owed, or raise
    ClearanceRefused naming what is still outstanding. The reader's row is locked first, so a
    book lent at the same moment cannot slip past the check."""
    today = today or timezone.localdate()
    Reader.objects.select_for_update().filter(pk=reader.pk).values_list("pk", flat=True).first()
    items = readers_with_open_items([reader.pk], today=today).get(reader.pk)
    if items:
        raise ClearanceRefused(
            gettext("No certificate for %(name)s: still outstanding: %(items)s.")
            % {"name": reader.name, "items": "；".join(items)}
        )
    return ClearanceCertificate.objects.create(reader=reader, issued_on=today, issued_by=user)
