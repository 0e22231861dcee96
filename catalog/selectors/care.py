"""Reads of collection care: repairs open and closed (register E), write-off batches and their
copies (register F), weeding proposals, and a stocktake's comparison of what was scanned with
what the catalogue puts on the shelves, each set-based in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    Contributor,
    Copy,
    CopyStatusChange,
    Location,
    Record,
    Repair,
    Stocktake,
    StocktakeScan,
    WriteOffBatch,
    WriteOffItem,
)
from library_site.dates import day_bounds

# Statuses a copy may have to be proposed for weeding: on the shelves, or in repair.
WEEDABLE = (Copy.Status.AVAILABLE, Copy.Status.IN_CLASS_CORNER, Copy.Status.IN_REPAIR)


def _person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def repairs_open():
    """Copies in repair now, oldest first, in two queries whatever their number."""
    return (
        Repair.objects.filter(closed_at__isnull=True)
        .select_related("copy__record", "copy__location", "reported_by")
        .order_by("reported_at", "pk")
    )


def repairs_closed_recent(limit: int = 20):
    return (
        Repair.objects.filter(closed_at__isnull=False)
        .select_related("copy__record", "reported_by", "repaired_by")
        .order_by("-closed_at", "-pk")[:limit]
    )


def repair_register(date_from: date, date_to: date) -> list[dict]:
    """Register E (图书修补登记表): the repairs reported between two dates (inclusive), in order,
    one row each, in one query."""
    start, end = day_bounds(date_from, date_to)
    repairs = (
        Repair.objects.filter(reported_at__gte=start, reported_at__lt=end)
        .select_related("copy__record", "reported_by", "repaired_by")
        .order_by("reported_at", "pk")
    )
    return [
        {
            "reported_on": timezone.localtime(repair.reported_at).date(),
            "barcode": repair.copy.barcode,
            "accession_number": repair.copy.accession_number,
            "title": repair.copy.record.full_title,
            "call_number": repair.copy.record.call_number,
            "damage": repair.damage,
            "source": repair.get_source_display(),
            "reported_by": _person(repair.reported_by),
            "repaired_on": repair.closed_on,
            "repaired_by": _person(repair.repaired_by),
            "result": repair.get_result_display() if repair.result else "",
            "notes": repair.notes,
        }
        for repair in repairs
    ]


def write_off_batches():
    """Every batch with its number of copies and total value, newest first, in one query."""
    return (
        WriteOffBatch.objects.select_related("created_by", "submitted_by", "decided_by")
        .annotate(item_count=Count("items"), value_sum=Sum("items__value"))
        .order_by("-created_at", "-pk")
    )


def write_off_detail(pk: int) -> WriteOffBatch | None:
    """A batch with its copies (record, location) and its totals, in three queries."""
    batch = write_off_batches().filter(pk=pk).first()
    if batch is None:
        return None
    batch.item_list = list(
        batch.items.select_related("copy__record", "copy__location").order_by("copy__barcode")
    )
    return batch


def write_off_register(date_from: date, date_to: date) -> list[dict]:
    """Register F (图书注销登记表): the copies of the batches approved between two dates
    (inclusive), one row per copy, in one query."""
    start, end = day_bounds(date_from, date_to)
    items = (
        WriteOffItem.objects.filter(
            batch__status=WriteOffBatch.Status.APPROVED,
            batch__decided_at__gte=start,
            batch__decided_at__lt=end,
        )
        .select_related("batch__submitted_by", "batch__decided_by", "copy__record")
        .order_by("batch__decided_at", "batch_id", "copy__barcode")
    )
    return [
        {
            "batch": item.batch_id,
            "approved_on": timezone.localtime(item.batch.decided_at).date(),
            "barcode": item.copy.barcode,
            "accession_number": item.copy.accession_number,
            "title": item.copy.record.full_title,
            "call_number": item.copy.record.call_number,
            "publisher": item.copy.record.publisher,
            "year": item.copy.record.year,
            "acquired_on": item.copy.acquired_on,
            "value": item.value,
            "reason": item.batch.get_reason_display(),
            "submitted_by": _person(item.batch.submitted_by),
            "approved_by": _person(item.batch.decided_by),
        }
        for item in items
    ]


@dataclass
class WeedingCriteria:
    class Criterion(models.TextChoices):
        NOT_LENT = "not_lent", _("Copies not lent for N years")
        OLD_EDITIONS = "old_editions", _("Older editions of a title and author")
        OLD_IN_CLASSES = "old_in_classes", _("Published more than N years ago, in classes")
        SURPLUS = "surplus", _("Surplus copies of titles not lent for N years")

    NOT_LENT = Criterion.NOT_LENT
    OLD_EDITIONS = Criterion.OLD_EDITIONS
    OLD_IN_CLASSES = Criterion.OLD_IN_CLASSES
    SURPLUS = Criterion.SURPLUS

    criterion: str = NOT_LENT
    years: int = 5
    keep: int = 3  # SURPLUS: the copies of a title the library keeps
    classes: list[str] = field(default_factory=list)
    location: Location | None = None


def weeding_candidates(criteria: WeedingCriteria, *, today: date | None = None):
    """Copies proposed for weeding, as a queryset (page it): on the shelves or in repair, in no
    write-off batch, and

    - not lent for ``years`` years: no change to "on loan" in CopyStatusChange since then, and
      acquired before then (a copy never lent counts from its acquisition);
    - an outdated edition: a record of the same title and first author with a later year exists;
    - published more than ``years`` years ago in one of ``classes`` (CLC class prefixes);
    - surplus copies (复本过多): a title with more than ``keep`` such copies, none lent for
      ``years`` years; the newest ``keep`` are kept, the older ones proposed.

    Each copy carries ``last_lent`` (when it last went on loan, or None)."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - criteria.years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - criteria.years, day=28)
    copies = Copy.objects.filter(status__in=WEEDABLE).exclude(
        Exists(WriteOffItem.objects.filter(copy=OuterRef("pk"), active=True))
    )
    if criteria.location is not None:
        copies = copies.filter(location=criteria.location)
    lent = CopyStatusChange.objects.filter(copy=OuterRef("pk"), to_status=Copy.Status.ON_LOAN)
    if criteria.criterion == WeedingCriteria.NOT_LENT:
        start, _end = day_bounds(cutoff, cutoff)
        copies = copies.filter(acquired_on__lt=cutoff).exclude(Exists(lent.filter(changed_at__gte=start)))
    elif criteria.criterion == WeedingCriteria.OLD_EDITIONS:
        first_author = Contributor.objects.filter(record=OuterRef("record_id")).order_by("position", "pk")
        newer = Record.objects.filter(
            title=OuterRef("record__title"),
            year__gt=OuterRef("record__year"),
            contributors__name=OuterRef("first_author"),
        )
        copies = (
            copies.filter(record__year__isnull=False)
            .annotate(first_author=Subquery(first_author.values("name")[:1]))
            .filter(Exists(newer))
        )
    elif criteria.criterion == WeedingCriteria.SURPLUS:
        from django.db.models import Window
        from django.db.models.functions import RowNumber

        start, _end = day_bounds(cutoff, cutoff)
        recently_lent = CopyStatusChange.objects.filter(
            copy__record_id=OuterRef("record_id"), to_status=Copy.Status.ON_LOAN, changed_at__gte=start
        )
        copies = (
            copies.exclude(Exists(recently_lent))
            .annotate(
                newest_first=Window(
                    RowNumber(),
                    partition_by=[F("record_id")],
                    order_by=[F("acquired_on").desc(), F("pk").desc()],
                )
            )
            .filter(newest_first__gt=criteria.keep)
        )
    else:
        condition = Q()
        for code in criteria.classes:
            condition |= Q(record__clc_code__startswith=code)
        if not criteria.classes:
            return Copy.objects.none()
        copies = copies.filter(condition, record__year__lt=today.year - criteria.years)
    return (
        copies.select_related("record", "location")
        .annotate(last_lent=Subquery(lent.order_by("-changed_at").values("changed_at")[:1]))
        .order_by("record__call_number", "barcode")
    )


def stocktake_place(stocktake: Stocktake) -> Q:
    """Where the stocktake looks: its location and, if given, its shelves (compared as text)."""
    condition = Q(location_id=stocktake.location_id)
    if stocktake.shelf_from:
        condition &= Q(shelf__gte=stocktake.shelf_from)
    if stocktake.shelf_to:
        condition &= Q(shelf__lte=stocktake.shelf_to)
    return condition


def _scanned(stocktake: Stocktake):
    return Exists(StocktakeScan.objects.filter(stocktake_id=stocktake.pk, barcode=OuterRef("barcode")))


def stocktake_scan_outcome(
    stocktake: Stocktake, barcode: str, *, new: bool
) -> tuple[StocktakeScan.Outcome, Copy | None]:
    """What one scan found (StocktakeScan.Outcome), for the scanner's answer, and the copy
    (record, location): scanned again in this stocktake, an unknown barcode, on loan, misplaced
    (catalogued elsewhere), a status to check (the catalogue says lost, in repair …) or here."""
    outcome = StocktakeScan.Outcome
    copy = Copy.objects.select_related("record", "location").filter(barcode=barcode).first()
    if not new:
        return outcome.AGAIN, copy
    if copy is None:
        return outcome.UNKNOWN, None
    if copy.status == Copy.Status.ON_LOAN:
        return outcome.ON_LOAN, copy
    if not Copy.objects.filter(stocktake_place(stocktake), pk=copy.pk).exists():
        return outcome.MISPLACED, copy
    if copy.status not in Copy.SHELF_STATUSES:
        return outcome.STATUS, copy
    return outcome.HERE, copy


def stocktake_missing(stocktake: Stocktake):
    """Copies the catalogue puts on these shelves that nobody scanned: one anti-join."""
    return Copy.objects.filter(stocktake_place(stocktake), status__in=Copy.SHELF_STATUSES).exclude(
        _scanned(stocktake)
    )


def stocktake_found(stocktake: Stocktake):
    """The copies whose barcodes were scanned: one semi-join."""
    return Copy.objects.filter(_scanned(stocktake))


def stocktake_misplaced(stocktake: Stocktake):
    """Scanned here but catalogued elsewhere (another location or outside the shelf range)."""
    return stocktake_found(stocktake).exclude(status=Copy.Status.ON_LOAN).exclude(stocktake_place(stocktake))


def stocktake_on_loan(stocktake: Stocktake):
    """Copies of these shelves that are on loan (accounted for though not on the shelf), and
    scanned copies the catalogue says are on loan (a return that was never checked in);
    ``scanned`` tells them apart."""
    return (
        Copy.objects.filter(status=Copy.Status.ON_LOAN)
        .filter(stocktake_place(stocktake) | Q(_scanned(stocktake)))
        .annotate(scanned=_scanned(stocktake))
    )


def stocktake_status_to_check(stocktake: Stocktake):
    """Scanned on these shelves though the catalogue says lost, withdrawn, in repair or on the
    hold shelf."""
    return (
        stocktake_found(stocktake)
        .filter(stocktake_place(stocktake))
        .exclude(status__in=(*Copy.SHELF_STATUSES, Copy.Status.ON_LOAN))
    )


def stocktake_unknown(stocktake: Stocktake):
    """Scanned barcodes that no copy has."""
    return stocktake.scans.exclude(Exists(Copy.objects.filter(barcode=OuterRef("barcode")))).order_by(
        "barcode"
    )


@dataclass
class StocktakeReport:
    stocktake: Stocktake
    scanned: int
    expected: int
    missing: list[Copy]
    missing_count: int
    misplaced: list[Copy]
    misplaced_count: int
    on_loan: list[Copy]
    on_loan_count: int
    status_to_check: list[Copy]
    status_to_check_count: int
    unknown: list[str]
    unknown_count: int
    lost: list[Copy] = field(default_factory=list)
    lost_count: int = 0


def stocktake_report(stocktake: Stocktake, *, limit: int | None = 200) -> StocktakeReport:
    """The comparison, set-based: a count and the first ``limit`` rows (every row with None) of
    each list, in a fixed number of queries (two per list) whatever the size of the location."""

    def rows(queryset):
        queryset = queryset.select_related("record", "location").order_by(
            "shelf", "record__call_number", "barcode"
        )
        return list(queryset if limit is None else queryset[:limit])

    unknown = stocktake_unknown(stocktake).values_list("barcode", flat=True)
    report = StocktakeReport(
        stocktake=stocktake,
        scanned=stocktake.scans.count(),
        expected=Copy.objects.filter(stocktake_place(stocktake), status__in=Copy.SHELF_STATUSES).count(),
        missing=rows(stocktake_missing(stocktake)),
        missing_count=stocktake_missing(stocktake).count(),
        misplaced=rows(stocktake_misplaced(stocktake)),
        misplaced_count=stocktake_misplaced(stocktake).count(),
        on_loan=rows(stocktake_on_loan(stocktake)),
        on_loan_count=stocktake_on_loan(stocktake).count(),
        status_to_check=rows(stocktake_status_to_check(stocktake)),
        status_to_check_count=stocktake_status_to_check(stocktake).count(),
        unknown=list(unknown if limit is None else unknown[:limit]),
        unknown_count=stocktake_unknown(stocktake).count(),
    )
    if stocktake.status == Stocktake.Status.CONFIRMED:
        lost = Copy.objects.filter(stocktake_losses__stocktake=stocktake)
        report.lost = rows(lost)
        report.lost_count = lost.count()
        # Once confirmed, the missing copies are lost; the list shows them as they were.
        report.missing, report.missing_count = report.lost, report.lost_count
    return report


def stocktakes_list():
    return (
        Stocktake.objects.select_related("location", "started_by", "confirmed_by")
        .annotate(scan_count=Count("scans"))
        .order_by("-started_at", "-pk")
    )


def write_off_drafts():
    """The draft batches a weeding proposal's copies can be added to, newest first."""
    return list(
        WriteOffBatch.objects.filter(status=WriteOffBatch.Status.DRAFT).order_by("-created_at", "-pk")
    )


def write_offs_awaiting_approval():
    """The write-off batches submitted and not decided yet, oldest first (the approver's home page)."""
    return list(
        write_off_batches().filter(status=WriteOffBatch.Status.SUBMITTED).order_by("submitted_at", "pk")
    )
