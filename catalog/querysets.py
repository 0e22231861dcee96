from __future__ import annotations

from django.db import models
from django.db.models import Count, Q


class RecordQuerySet(models.QuerySet):
    def with_display(self):
        """What a list of records shows, in a constant number of queries: the contributors,
        the class, and how many copies there are and how many can be borrowed now."""
        from .covers import with_cover_version

        return with_cover_version(
            self.select_related("classification")
            .prefetch_related("contributors")
            .annotate(
                copy_count=Count("copies", filter=~Q(copies__status="withdrawn"), distinct=True),
                available_count=Count("copies", filter=Q(copies__status="available"), distinct=True),
            )
        )


class CopyQuerySet(models.QuerySet):
    def available(self):
        return self.filter(status="available")

    def on_shelf(self):
        """Copies a reader could find in the library now."""
        return self.filter(status__in=["available", "in_class_corner"])
