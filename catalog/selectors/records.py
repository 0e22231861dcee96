"""Reads of the records for cataloguing: a record with all its copies, a record by its ISBN,
likely duplicates of a record about to be saved, the locations in use."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from catalog.isbn import isbn_normalise
from catalog.models import Contributor, Copy, Location, Record
from catalog.search import search_normalise


def record_detail(pk: int) -> Record | None:
    record = (
        Record.objects.with_display()
        .prefetch_related(
            Prefetch(
                "copies",
                queryset=Copy.objects.select_related("location").order_by("barcode"),
                to_attr="all_copies",
            )
        )
        .filter(pk=pk)
        .first()
    )
    return record


def record_find_by_isbn(isbn: str) -> Record | None:
    return Record.objects.with_display().filter(isbn=isbn_normalise(isbn)).order_by("pk").first()


def record_likely_duplicates(
    *, isbn: str = "", title: str = "", authors: list[str] | None = None, limit: int = 10
):
    """Records that may be the same work: the same ISBN, or the same title and an author in common."""
    condition = Q()
    if isbn:
        condition |= Q(isbn=isbn)
    normalised_title = search_normalise(title)
    if normalised_title:
        same_title = Q(title_search=normalised_title)
        names = [name.strip() for name in authors or [] if name.strip()]
        if names:
            same_title &= Q(pk__in=Contributor.objects.filter(name__in=names).values("record"))
        condition |= same_title
    if not condition:
        return []
    return list(Record.objects.with_display().filter(condition).order_by("pk")[:limit])


def locations_active():
    return list(Location.objects.filter(is_active=True))
