"""Reads of the textbooks: a term's status per textbook (ordered, delivered, handed over,
confirmed, still to come) and the handovers."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from catalog.models import Textbook, TextbookDelivery, TextbookHandover, TextbookOrderLine
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
