"""Reading lists with each title's availability now, and what the reader may do with it (place
a hold when every copy is out): a list's page takes a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from catalog.models import Record
from circulation.models import Hold, Loan, Reader

from ..models import ReadingList, ReadingListItem


def reading_lists_for(reader: Reader | None, *, staff: bool = False):
    """The published lists (a pupil's grade's and the ones for every grade first), or every
    list not retired for staff."""
    lists = ReadingList.objects.filter(retired_at__isnull=True).order_by("grade", "title", "pk")
    if not staff:
        lists = lists.filter(is_published=True)
        grade = reader.school_class.grade if reader and reader.school_class_id else None
        if grade:
            lists = lists.filter(Q(grade=grade) | Q(grade__isnull=True))
    return list(lists)


def reading_list_detail(pk: int, *, reader: Reader | None, staff: bool = False) -> ReadingList | None:
    """The list with its titles (with_display: copies and available copies counted), each
    marked ``can_hold``, ``on_loan_to_me`` and ``in_queue`` for this reader."""
    lists = ReadingList.objects.filter(pk=pk, retired_at__isnull=True)
    if not staff:
        lists = lists.filter(is_published=True)
    reading_list = lists.prefetch_related(
        Prefetch(
            "items",
            queryset=ReadingListItem.objects.select_related(None).prefetch_related(
                Prefetch("record", queryset=Record.objects.with_display())
            ),
        )
    ).first()
    if reading_list is None:
        return None
    items = list(reading_list.items.all())
    record_ids = [item.record_id for item in items]
    mine_on_loan: set[int] = set()
    mine_queued: set[int] = set()
    if reader is not None and record_ids:
        mine_on_loan = set(
            Loan.objects.filter(
                reader=reader, state=Loan.State.OPEN, copy__record_id__in=record_ids
            ).values_list("copy__record_id", flat=True)
        )
        mine_queued = set(
            Hold.objects.filter(
                reader=reader, record_id__in=record_ids, state__in=[Hold.State.WAITING, Hold.State.READY]
            ).values_list("record_id", flat=True)
        )
    for item in items:
        record = item.record
        item.on_loan_to_me = record.pk in mine_on_loan
        item.in_queue = record.pk in mine_queued
        item.can_hold = (
            reader is not None
            and record.copy_count > 0
            and record.available_count == 0
            and not item.on_loan_to_me
            and not item.in_queue
        )
    reading_list.rows = items
    return reading_list
