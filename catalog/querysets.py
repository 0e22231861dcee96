from __future__ import annotations

from django.db import models
from django.db.models import Count, F, Q


class RecordQuerySet(models.QuerySet):
    def with_display(self):
        """What a list of records shows, in a constant number of queries: the contributors,
        the class, and how many copies there are and how many can be borrowed now."""
        return (
            self.select_related("classification")
            .prefetch_related("contributors")
            .annotate(
                copy_count=Count("copies", filter=~Q(copies__status="withdrawn"), distinct=True),
                available_count=Count("copies", filter=Q(copies__status="available"), distinct=True),
            )
            .with_cover_version()
        )

    def with_cover_version(self):
        """The records with ``cover_version`` (None when they have no cover), in the same query:
        what ``catalog.covers.cover_info`` reads to give a cover's address without a query."""
        return self.annotate(cover_version=F("cover__version"))


class CopyQuerySet(models.QuerySet):
    def available(self):
        return self.filter(status="available")

    def on_shelf(self):
        """Copies a reader could find in the library now."""
        return self.filter(status__in=["available", "in_class_corner"])
