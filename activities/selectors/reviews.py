"""Reviews as a record page and the approval queue show them: the reader named by class only."""

from __future__ import annotations

from django.db.models import Avg, Count

from library_site.school import class_name

from ..models import Review


def review_author_label(review: Review) -> str:
    from django.utils.translation import gettext as _

    if review.grade and review.class_number:
        return _("A reader of %(class)s") % {"class": class_name(review.grade, review.class_number)}
    return _("A teacher")


def record_reviews(record_id: int) -> dict:
    approved = Review.objects.filter(record_id=record_id, state=Review.State.APPROVED)
    summary = approved.aggregate(average=Avg("rating"), count=Count("pk"))
    reviews = list(approved.order_by("-created_at", "-pk")[:30])
    for review in reviews:
        review.author_label = review_author_label(review)
    return {
        "reviews": reviews,
        "average": round(summary["average"], 1) if summary["average"] else None,
        "count": summary["count"],
    }


def reviews_queue() -> dict:
    """Pending reviews, and shown ones that readers reported, for the approvers."""
    pending = list(
        Review.objects.filter(state=Review.State.PENDING)
        .select_related("record")
        .order_by("created_at", "pk")[:200]
    )
    reported = list(
        Review.objects.filter(state=Review.State.APPROVED, reports__gt=0)
        .select_related("record")
        .order_by("-reports", "pk")[:100]
    )
    hidden = list(
        Review.objects.filter(state=Review.State.HIDDEN).select_related("record").order_by("-decided_at")[:50]
    )
    for review in pending + reported + hidden:
        review.author_label = review_author_label(review)
    return {"pending": pending, "reported": reported, "hidden": hidden}
