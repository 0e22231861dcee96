"""Reads about excerpt cards: what is printed, a pupil's or a class's cards with pupil, class and
book in one query."""

from __future__ import annotations

from datetime import date

from circulation.models import Reader, SchoolClass

from ..models import ExcerptCard, PupilWork

RECORD_WIDE = ("record__search_text", "record__search_grams", "record__summary")


def cards_for_printing(reader: Reader) -> list[ExcerptCard]:
    """The pupil's cards handed in, newest last: one query."""
    return list(
        ExcerptCard.objects.filter(reader=reader, state__in=PupilWork.HANDED_IN)
        .select_related("reader__user", "reader__school_class", "record")
        .defer(*RECORD_WIDE)
        .order_by("submitted_at", "pk")
    )


def class_cards_for_printing(school_class: SchoolClass, *, month: date) -> list[ExcerptCard]:
    """A class's cards handed in for a month's selection, by pupil: one query."""
    return list(
        ExcerptCard.objects.filter(
            reader__school_class=school_class, state__in=PupilWork.HANDED_IN, month=month.replace(day=1)
        )
        .select_related("reader__user", "reader__school_class", "record")
        .defer(*RECORD_WIDE)
        .order_by("reader__number", "submitted_at", "pk")
    )
