"""Reads for leavers: what readers still have out or owe, a class's clearance list (离校清书) and
a reader's clearance, each in a constant number of queries."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.dates import date_text

from ..models import Compensation, Loan, Reader, SchoolClass
from ..querysets import record_light


def readers_with_open_items(reader_ids, *, today=None) -> dict[int, list[str]]:
    """The readers among ``reader_ids`` who still have something of the library's: each id
    mapped to a line per item (a book on loan, a compensation unpaid). Promotion lists these
    graduates instead of closing them silently. Two queries, whatever the number of readers."""
    items: dict[int, list[str]] = {}
    for reader_id, lines in _open_items(list(reader_ids), today=today).items():
        items[reader_id] = [item["line"] for item in lines["loans"] + lines["compensations"]]
    return {reader_id: lines for reader_id, lines in items.items() if lines}


def _open_items(reader_ids: list[int], *, today=None) -> dict[int, dict]:
    """Per reader: the open loans (with days overdue) and the unpaid compensations."""
    today = today or timezone.localdate()
    found: dict[int, dict] = {}
    if not reader_ids:
        return found
    loans = (
        Loan.objects.filter(reader_id__in=reader_ids, state=Loan.State.OPEN)
        .select_related("copy__record")
        .defer(*record_light("copy__record"))
        .order_by("due_on", "pk")
    )
    for loan in loans:
        loan.days_overdue = loan.overdue_days_on(today)
        line = _("《%(title)s》 %(barcode)s, due %(date)s") % {
            "title": loan.copy.record.title,
            "barcode": loan.copy.barcode,
            "date": date_text(loan.due_on),
        }
        if loan.days_overdue:
            line += _(", %(days)s days overdue") % {"days": loan.days_overdue}
        found.setdefault(loan.reader_id, {"loans": [], "compensations": []})["loans"].append(
            {"loan": loan, "line": line}
        )
    compensations = (
        Compensation.objects.filter(loan__reader_id__in=reader_ids, paid_at__isnull=True)
        .select_related("loan__copy__record")
        .defer(*record_light("loan__copy__record"))
        .order_by("recorded_at", "pk")
    )
    for compensation in compensations:
        line = _("Compensation of %(amount)s yuan for 《%(title)s》 unpaid") % {
            "amount": compensation.amount,
            "title": compensation.loan.copy.record.title,
        }
        found.setdefault(compensation.loan.reader_id, {"loans": [], "compensations": []})[
            "compensations"
        ].append({"compensation": compensation, "line": line})
    return found


def class_clearance(school_class: SchoolClass, *, today=None) -> dict:
    """The clearance list (离校清书) of a class: every pupil of the class (whatever their status,
    so a graduated class is listed whole) with the books they still have out and the
    compensations they owe. Three queries, whatever the class's size and history."""
    today = today or timezone.localdate()
    readers = list(
        Reader.objects.with_display()
        .filter(school_class=school_class, kind=Reader.Kind.STUDENT)
        .order_by("number")
    )
    items = _open_items([reader.pk for reader in readers], today=today)
    rows = []
    for reader in readers:
        found = items.get(reader.pk, {"loans": [], "compensations": []})
        rows.append(
            {
                "reader": reader,
                "loans": [item["loan"] for item in found["loans"]],
                "compensations": [item["compensation"] for item in found["compensations"]],
                "clear": not found["loans"] and not found["compensations"],
                "span": len(found["loans"]) + len(found["compensations"]),
            }
        )
    return {
        "school_class": school_class,
        "rows": rows,
        "today": today,
        "clear_count": sum(row["clear"] for row in rows),
        "owing_count": sum(not row["clear"] for row in rows),
        "loan_count": sum(len(row["loans"]) for row in rows),
        "overdue_count": sum(1 for row in rows for loan in row["loans"] if loan.days_overdue),
        "compensation_total": sum(
            (compensation.amount for row in rows for compensation in row["compensations"]), 0
        ),
    }


def reader_clearance(reader: Reader, *, today=None) -> dict:
    """One reader's clearance: what they still have out and owe (empty lists when clear)."""
    today = today or timezone.localdate()
    found = _open_items([reader.pk], today=today).get(reader.pk, {"loans": [], "compensations": []})
    loans = [item["loan"] for item in found["loans"]]
    compensations = [item["compensation"] for item in found["compensations"]]
    return {
        "reader": reader,
        "loans": loans,
        "compensations": compensations,
        "clear": not loans and not compensations,
        "today": today,
    }


def clearance_certificates_of(reader: Reader, *, limit: int = 10) -> list:
    """The reader's latest clearance certificates, with who issued them."""
    return list(reader.clearance_certificates.select_related("issued_by")[:limit])
