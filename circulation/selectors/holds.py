"""Reads of holds: a hold's place in its title's queue."""

from __future__ import annotations

from django.db.models import Q

from ..models import Hold


def hold_queue_position(hold: Hold) -> int:
    """1 for the first in line; 0 for a hold that is not waiting."""
    if hold.state != Hold.State.WAITING:
        return 0
    return (
        Hold.objects.filter(record_id=hold.record_id, state=Hold.State.WAITING)
        .filter(Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, pk__lt=hold.pk))
        .count()
        + 1
    )


def hold_for_slip(hold_id: int) -> Hold:
    """A hold with what its slip prints (the reader, their account and class, the title and
    the copy), in one query; ``Hold.DoesNotExist`` when there is none."""
    return Hold.objects.select_related("reader__user", "reader__school_class", "record", "copy").get(
        pk=hold_id
    )
