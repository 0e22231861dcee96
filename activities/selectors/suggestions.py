"""The suggestion box as pages and other apps read it. ``complaints_count`` and
``complaints_list`` are the interface for the annual plan's "no complaints" target."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from ..models import Suggestion


def complaints(start: date, end: date) -> QuerySet[Suggestion]:
    """The complaints received from ``start`` to ``end``, both days included."""
    return Suggestion.objects.filter(
        kind=Suggestion.Kind.COMPLAINT, received_on__gte=start, received_on__lte=end
    ).order_by("received_on", "pk")


def complaints_count(start: date, end: date) -> int:
    return complaints(start, end).count()


def complaints_list(start: date, end: date) -> list[Suggestion]:
    """The complaints of the period with their state and owner (never their sender)."""
    return list(complaints(start, end).select_related("owner"))


def suggestions_for_staff(*, state: str | None = None) -> list[Suggestion]:
    rows = Suggestion.objects.select_related("owner").order_by("-received_on", "-pk")
    if state:
        rows = rows.filter(state=state)
    return list(rows[:300])


def suggestion_detail(pk: int) -> Suggestion | None:
    return Suggestion.objects.select_related("owner").prefetch_related("events__by").filter(pk=pk).first()


def suggestions_published(limit: int = 50) -> list[Suggestion]:
    """The answers published to the school (公示), newest first: what was asked and answered,
    with the measure, never who asked."""
    return list(
        Suggestion.objects.filter(published_at__isnull=False)
        .only(
            "kind",
            "category",
            "text",
            "answer",
            "measure",
            "state",
            "received_on",
            "published_at",
            "deadline",
        )
        .order_by("-published_at", "-pk")[:limit]
    )


def suggestions_of_reader(reader) -> list[Suggestion]:
    """A reader's own named suggestions (anonymous ones name nobody, so they are not listed)."""
    if reader is None:
        return []
    return list(Suggestion.objects.filter(reader=reader).order_by("-received_on", "-pk")[:50])
