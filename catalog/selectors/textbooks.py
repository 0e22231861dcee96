"""Reads of the textbooks: a term's status per textbook (ordered, delivered, handed over,
confirmed, still to come) and the handovers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from catalog.models import Textbook, TextbookDelivery, TextbookHandover, TextbookOrderLine, TextbookTerm
from catalog.policies import textbooks_urgent_days
from library_site.accounts.roles import Role
from library_site.school import grade_name


def textbook_term_status(*, term) -> list[dict]:
    """For each textbook of the term: copies ordered (and by how many classes), delivered,
    handed over, confirmed by the teachers, still to come from the supplier, and in the library
    waiting to be handed over. Four queries, whatever the number of textbooks."""
    ordered = {
        row["textbook"]: row
        for row in TextbookOrderLine.objects.filter(term=term)
        .values("textbook")
        .annotate(total=Sum("quantity"), classes=Count("pk"))
    }
    delivered = dict(
        TextbookDelivery.objects.filter(term=term)
        .values("textbook")
        .annotate(total=Sum("quantity"))
        .values_list("textbook", "total")
    )
    handed, confirmed = {}, {}
    for textbook_id, total, done in (
        TextbookHandover.objects.filter(term=term)
        .values("textbook")
        .annotate(total=Sum("quantity"), done=Sum("quantity", filter=Q(confirmed_at__isnull=False)))
        .values_list("textbook", "total", "done")
    ):
        handed[textbook_id], confirmed[textbook_id] = total, done or 0
    rows = []
    for textbook in Textbook.objects.filter(pk__in=ordered).order_by("grade", "subject", "title"):
        row_ordered = ordered[textbook.pk]["total"]
        row_delivered = delivered.get(textbook.pk, 0)
        row_handed = handed.get(textbook.pk, 0)
        rows.append(
            {
                "textbook": textbook,
                "grade_name": grade_name(textbook.grade),
                "classes": ordered[textbook.pk]["classes"],
                "ordered": row_ordered,
                "delivered": row_delivered,
                "handed": row_handed,
                "confirmed": confirmed.get(textbook.pk, 0),
                "to_come": max(row_ordered - row_delivered, 0),
                "in_library": row_delivered - row_handed,
            }
        )
    return rows


def textbook_handovers(*, term=None, teacher=None):
    queryset = TextbookHandover.objects.select_related("textbook", "teacher", "term").order_by(
        "grade", "class_number", "textbook__subject", "pk"
    )
    if term is not None:
        queryset = queryset.filter(term=term)
    if teacher is not None:
        queryset = queryset.filter(teacher=teacher)
    return queryset


def textbook_teachers():
    """The teachers who may receive textbooks for a class: active accounts with the teacher's role."""
    return (
        get_user_model()
        .objects.filter(groups__name=Role.TEACHER, is_active=True)
        .order_by("full_name", "username")
    )


@dataclass
class TextbookTermPage:
    """What the textbooks page shows of a term: each textbook's status, those still to come from
    the supplier, and how near the term's start is."""

    rows: list[dict] = field(default_factory=list)
    to_come: list[dict] = field(default_factory=list)
    days_to_start: int | None = None
    started: bool = False  # the term has begun
    urgent: bool = False  # textbooks still to come, and the term starts within the policy's days


def textbook_term_page(*, term, today: date) -> TextbookTermPage:
    """The term's page: textbook_term_status, and whether what is still to come is urgent
    (catalog.policies.textbooks_urgent_days)."""
    if term is None:
        return TextbookTermPage()
    rows = textbook_term_status(term=term)
    to_come = [row for row in rows if row["to_come"]]
    days = (term.starts_on - today).days
    return TextbookTermPage(
        rows=rows,
        to_come=to_come,
        days_to_start=days,
        started=days <= 0,
        urgent=bool(to_come) and days <= textbooks_urgent_days(),
    )


def textbook_term_current(*, today: date):
    """The term the textbooks page opens on: the first that has not ended, else the latest."""
    terms = TextbookTerm.objects.all()
    return terms.filter(ends_on__gte=today).order_by("starts_on").first() or terms.first()
