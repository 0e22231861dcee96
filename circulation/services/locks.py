"""The row locks the desk's services take, always in the same order: the reader, then the
copies by primary key, then the loan and the holds. The partial unique constraint
``loan_one_open_per_copy`` is the last guard against two desks lending one copy."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef

from catalog.models import Copy

from ..models import Hold, Reader
from ..querysets import record_light
from ..selectors.desk import reader_desk_annotations


def reader_lock(reader_id: int, *, key_only: bool = False) -> Reader:
    """The reader, locked, with their account and class; ``key_only`` reads only the key (a
    return locks the reader only to keep to the lock order)."""
    readers = Reader.objects.select_for_update(of=("self",))
    if key_only:
        return readers.only("id").get(pk=reader_id)
    return readers.select_related("user", "school_class").get(pk=reader_id)


# What lending and taking back read of the copy they lock (the rest is not read at all, which
# saves the compiling of some fifty columns on every scan).
DESK_COPY_FIELDS = (
    "id", "record_id", "location_id", "barcode", "status",
    "record__id", "record__title", "record__material_type", "location__id", "location__kind",
)  # fmt: skip


# What taking back reads and writes of the open loan.
RETURN_LOAN_FIELDS = ("id", "copy_id", "reader_id", "reader_kind", "state", "due_on", "fine")


def copy_lock(copy_id: int, *, waiting_holds: bool = False, fields: tuple[str, ...] | None = None) -> Copy:
    """The copy, locked. ``waiting_holds`` asks in the same query whether anybody waits for
    its title (``copy.has_waiting_hold``), so that the queue is read only when somebody does.
    ``fields`` reads only those of the copy, its record and its location."""
    copies = Copy.objects.select_for_update(of=("self",)).select_related("record", "location")
    copies = copies.only(*fields) if fields else copies.defer(*record_light("record"))
    if waiting_holds:
        copies = copies.annotate(
            has_waiting_hold=Exists(
                Hold.objects.filter(record_id=OuterRef("record_id"), state=Hold.State.WAITING)
            )
        )
    return copies.get(pk=copy_id)


def reader_lock_for_lending(reader_id: int, today: date) -> Reader:
    """The reader, locked, with what lending checks about them in the same query: their
    active card's number (None without one) and until when they are suspended; the desk's
    reader panel shows the same two (``reader_panel(reader=...)``)."""
    return (
        Reader.objects.select_for_update(of=("self",))
        .select_related("user", "school_class")
        .annotate(**reader_desk_annotations(today))
        .get(pk=reader_id)
    )
