from __future__ import annotations

from django.db import models
from django.db.models import F, Prefetch, Q


class LibraryCardQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status="active")


class ClosedPeriodQuerySet(models.QuerySet):
    def current(self):
        """The periods on the calendar (not withdrawn)."""
        return self.filter(withdrawn_at__isnull=True)


class OpeningHoursQuerySet(models.QuerySet):
    def current(self):
        """The hours a room keeps now (not ended)."""
        return self.filter(ended_at__isnull=True)


class ClassSessionQuerySet(models.QuerySet):
    def booked(self):
        """The timetable: sessions not cancelled."""
        return self.filter(status="booked")

    def held(self):
        """What the statistics count: a session not cancelled, or cancelled only after its day
        (it took place, and may have been counted already), so a recount gives the same figure."""
        return self.filter(Q(status="booked") | Q(cancelled_at__date__gt=F("date")))


class ReaderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status="active")

    def with_display(self):
        """What a list of readers shows, in a constant number of queries: the account, the
        class and the active card (as ``active_cards``, a list of zero or one). The card model
        is reached through the relation, so that this module needs nothing of models.py (which
        imports it)."""
        cards = self.model._meta.get_field("cards").related_model
        return self.select_related("user", "school_class").prefetch_related(
            Prefetch("cards", queryset=cards.objects.active(), to_attr="active_cards")
        )


# The catalogue's derived search columns (long texts): the desk never shows them, and reading
# them on every scan costs time. ``.defer(*RECORD_SEARCH_FIELDS)`` on a query of records;
# prefix with the path (``copy__record__``) through a relation.
RECORD_SEARCH_FIELDS = (
    "search_text",
    "search_grams",
    "title_search",
    "title_pinyin",
    "title_initials",
    "summary",
)


def record_light(path: str) -> list[str]:
    return [f"{path}__{name}" for name in RECORD_SEARCH_FIELDS]
