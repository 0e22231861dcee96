"""Reads of the catalogue that pages, reports and other apps use, each in a constant number of
queries whatever the size of the collection."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, DecimalField, Exists, F, Min, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Substr, Upper
from django.utils import timezone

from library_site.dates import day_bounds
from library_site.school import grade_name

from .isbn import isbn_normalise
from .models import (
    ClassificationClass,
    Contributor,
    Copy,
    CopyStatusChange,
    Delivery,
    DeliveryLine,
    Location,
    PurchasePlan,
    PurchasePlanEvent,
    PurchasePlanLine,
    Record,
    Repair,
    SerialIssue,
    Stocktake,
    StocktakeScan,
    Subscription,
    Textbook,
    TextbookDelivery,
    TextbookHandover,
    TextbookOrderLine,
    WriteOffBatch,
    WriteOffItem,
)
from .search import available_condition, search_match, search_normalise

PAGE_SIZE = 20
# The OPAC counts matches up to here and then says "more than 1,000": an exact count of a very
# common character (的) reads most of the catalogue, and nobody pages past fifty pages.
OPAC_COUNT_LIMIT = 1000
SORTS = {
    "relevance": ("-relevance", "title_sort", "pk"),
    "title": ("title_sort", "pk"),
    "year": ("-year", "title_sort", "pk"),
    "new": ("-created_at", "-pk"),
}


@dataclass
class SearchFilters:
    query: str = ""
    clc: str = ""
    location: int | None = None
    available: bool = False
    year_from: int | None = None
    year_to: int | None = None
    material_type: str = ""
    sort: str = "relevance"
    page: int = 1


@dataclass
class SearchResult:
    records: list[Record]
    count: int
    page_number: int
    page_count: int
    asked: bool
    sort: str
    count_capped: bool = False  # there are more than ``count`` (records_search's count_limit)


def records_search(filters: SearchFilters, *, count_limit: int | None = None) -> SearchResult:
    """One page of the OPAC's answer: five queries (count, page ids, records, contributors,
    copies), whatever the number of matches.

    ``count_limit`` counts the matches no further than that (``count_capped`` then says there
    are more, and only the pages up to the limit exist): counting a very common character
    exactly reads a third of the catalogue. The OPAC's pages count up to OPAC_COUNT_LIMIT."""
    match = search_match(filters.query)
    asked = match is not None
    sort = filters.sort if filters.sort in SORTS else "relevance"
    if sort == "relevance" and not asked:
        sort = "new"
    matching = _filters_apply(
        Record.objects.filter(match.condition) if asked else Record.objects.all(), filters
    )
    if sort == "relevance" and connection.vendor == "postgresql" and len(match.tiers) > 1:
        ids = RelevanceOrderedIds(
            matching=matching,
            counted=_filters_apply(Record.objects.filter(match.count_condition), filters),
            tiers=match.tiers,
            relevance=match.relevance,
            count_limit=count_limit,
            title_prefixes=match.title_prefixes if _filters_empty(filters) else None,
        )
    else:
        if asked:
            matching = matching.annotate(relevance=match.relevance)
        ids = CountedIds(matching.order_by(*SORTS[sort]).values_list("pk", flat=True), count_limit)
    paginator = Paginator(ids, PAGE_SIZE)
    page = paginator.get_page(filters.page)
    records = records_with_copies(list(page.object_list))
    return SearchResult(
        records=records,
        count=paginator.count,
        page_number=page.number,
        page_count=paginator.num_pages,
        asked=asked,
        sort=sort,
        count_capped=ids.capped,
    )


class CountedIds:
    """Ids for the Paginator, counted exactly (over ``exact``, by default the ids themselves)
    or no further than ``limit``, once."""

    def __init__(self, ids, limit: int | None = None, *, exact=None):
        self.ids = ids
        self.limit = limit
        self.exact = ids if exact is None else exact
        self.capped = False
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            if self.limit is None:
                self._count = self.exact.count()
            else:
                # As far as the limit only, which stops soon among many matches.
                found = self.ids.order_by()[: self.limit + 1].count()
                self.capped = found > self.limit
                self._count = min(found, self.limit)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[int]:
        return list(self.ids[item])


def _filters_empty(filters: SearchFilters) -> bool:
    return not (
        filters.clc
        or filters.location
        or filters.available
        or filters.year_from
        or filters.year_to
        or filters.material_type
    )


def _filters_apply(queryset, filters: SearchFilters):
    if filters.clc:
        queryset = queryset.filter(
            Q(clc_code__startswith=filters.clc) | Q(classification__code__startswith=filters.clc)
        )
    if filters.location:
        queryset = queryset.filter(
            Exists(
                Copy.objects.filter(record=OuterRef("pk"), location_id=filters.location).exclude(
                    status="withdrawn"
                )
            )
        )
    if filters.available:
        queryset = queryset.filter(available_condition())
    if filters.year_from:
        queryset = queryset.filter(year__gte=filters.year_from)
    if filters.year_to:
        queryset = queryset.filter(year__lte=filters.year_to)
    if filters.material_type:
        queryset = queryset.filter(material_type=filters.material_type)
    return queryset


class RelevanceOrderedIds(CountedIds):
    """The ids of the matching records in relevance order (then title, then id), for the
    Paginator: ``count()`` and slices. PostgreSQL only; one query for the count, one per slice.

    Sorting every match by a computed relevance reads every match: for a common character, a
    third of the catalogue. Instead the relevance tiers are read one after another, each only
    for the rows the tiers above it left to fill (``LIMIT n - (SELECT COUNT(*) FROM tier3)``; a
    tier with nothing left to fill is not read at all), and each in title order:

    - the title is the query, or begins with it (tiers 3 and 2): the title indexes find these
      records (without other filters, the indexes alone, which hold title_sort and id), which
      are then sorted;
    - the title holds the query, or only another field does (tiers 1 and 0): first among the
      first records in title order (WALK_ROWS, and more for later pages), where a common term
      fills the page at once. Where those hold too few (a term whose titles sit together far
      down the title order, as 世界 does), all of the tier's records are found through the
      search indexes and sorted, as for the others.

    When no more than WALK_ROWS records match, they are simply all ranked and sorted, in one
    pass (the tiers would each read them again).

    The answer is exactly that of ``ORDER BY relevance DESC, title_sort, id``
    (catalog/tests/test_search.py compares them)."""

    WALK_ROWS = 10000
    WALK_ROWS_PER_ROW = 50

    def __init__(
        self, *, matching, counted, tiers, relevance, count_limit: int | None = None, title_prefixes=None
    ):
        super().__init__(matching, count_limit, exact=counted)
        self.matching = matching
        self.title_prefixes = title_prefixes
        self.tiers = tiers
        self.relevance = relevance

    def __getitem__(self, item: slice) -> list[int]:
        start, stop = item.start or 0, item.stop
        if stop is None or stop <= start:
            return []
        walk_rows = self.WALK_ROWS + self.WALK_ROWS_PER_ROW * stop
        total = self.count()  # first: it also learns whether the count was capped
        if not self.capped and total <= walk_rows:
            # Few enough to sort them all: one pass over the matches, ranked as they come.
            ranked = self.matching.annotate(relevance=self.relevance).order_by(
                "-relevance", "title_sort", "pk"
            )
            return list(ranked.values_list("pk", flat=True)[start:stop])
        # Only Django's compiled SQL and names made here go into the text; values are parameters.
        parts: list[tuple[str, list]] = []
        unions, earlier = [], []
        for relevance, condition in self.tiers:
            name = f"tier{int(relevance)}"
            taken = "".join(f" - (SELECT COUNT(*) FROM {done})" for done in earlier)  # noqa: S608
            left = f"GREATEST(%s{taken}, 0)"
            tier = self.matching.filter(condition).values_list("pk", "title_sort")
            if relevance == 2 and self.title_prefixes and earlier == ["tier3"]:
                # No other filter: the title indexes alone (they include title_sort and id)
                # give tier 2, without reading the records: a common first character (小) begins
                # thousands of titles.
                branches = [
                    Record.objects.filter(prefix)
                    .exclude(pk__in=RawSQL("SELECT pk FROM tier3_all", []))
                    .values_list("pk", "title_sort")
                    .order_by()
                    for prefix in self.title_prefixes
                ]
                tier = branches[0].union(*branches[1:])
            sql, params = tier.order_by().query.sql_with_params()
            parts.append((f"{name}_all AS MATERIALIZED ({sql})", list(params)))
            sorted_all = f"SELECT * FROM {name}_all ORDER BY 2, 1 LIMIT {left}"  # noqa: S608
            if relevance >= 2:
                # Titles that begin alike sit together in the title order, perhaps at its end:
                # tiers 3 and 2 are never walked.
                parts.append((f"{name} AS ({sorted_all})", [stop]))
            else:
                sql, params = self._walk_sql(tier)
                parts.append((f"{name}_walk AS ({sql} LIMIT {left})", [walk_rows, *params, stop]))
                found = f"(SELECT COUNT(*) FROM {name}_walk)"  # noqa: S608
                parts.append(
                    (
                        f"{name} AS (SELECT * FROM {name}_walk WHERE {found} >= {left} "  # noqa: S608
                        f"UNION ALL SELECT * FROM ({sorted_all}) fallback WHERE {found} < {left})",
                        [stop, stop, stop],
                    )
                )
            unions.append(f"SELECT {name}.*, {int(relevance)} AS relevance FROM {name}")  # noqa: S608
            earlier.append(name)
        sql = (
            "WITH "
            + ", ".join(text for text, _params in parts)
            + " "
            + " UNION ALL ".join(unions)
            + " ORDER BY 3 DESC, 2, 1 LIMIT %s OFFSET %s"
        )
        params = [value for _text, values in parts for value in values]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, stop - start, start])
            return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _walk_sql(tier) -> tuple[str, tuple]:
        """The tier's records among the first records in title order: its query reads
        ``(SELECT * FROM catalog_record ORDER BY title_sort, id LIMIT %s)`` instead of the
        whole table (the limit being the first parameter), and tests only those."""
        sql, params = tier.order_by("title_sort", "pk").query.sql_with_params()
        table = ' FROM "catalog_record"'
        if table not in sql or ("%s" in sql and sql.index(table) > sql.index("%s")):
            raise RuntimeError("unexpected SQL for reading records in title order")
        first_rows = (
            ' FROM (SELECT * FROM "catalog_record" ORDER BY "title_sort", "id" LIMIT %s) "catalog_record"'
        )
        return sql.replace(table, first_rows, 1), params


def records_with_copies(ids: list[int]) -> list[Record]:
    """The records with these ids, in this order, with contributors, class and copies."""
    by_id = (
        Record.objects.with_display()
        .prefetch_related(
            Prefetch(
                "copies",
                queryset=Copy.objects.exclude(status=Copy.Status.WITHDRAWN).select_related("location"),
                to_attr="visible_copies",
            )
        )
        .in_bulk(ids)
    )
    return [by_id[pk] for pk in ids if pk in by_id]


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


def classification_browse(code: str | None):
    """A class with its narrower classes and how many records each holds, its whole subtree
    counted (top classes when no code is given). Three queries whatever the collection's size.
    The tree is followed by parent, not by code, because the standard's hierarchy does not
    always follow the codes (I3/7 holds I3 … I7)."""
    classes = list(
        ClassificationClass.objects.only("pk", "code", "parent_id", "name_zh", "name_en", "position")
    )
    by_code = {item.code: item for item in classes}
    current = by_code.get(code) if code else None
    if code and current is None:
        return None, []
    children_of: dict[int | None, list[ClassificationClass]] = {}
    for item in classes:
        children_of.setdefault(item.parent_id, []).append(item)
    counts = dict(
        Record.objects.filter(classification__isnull=False)
        .values_list("classification_id")
        .annotate(total=Count("pk"))
        .values_list("classification_id", "total")
    )

    def subtree_total(item) -> int:
        return counts.get(item.pk, 0) + sum(subtree_total(child) for child in children_of.get(item.pk, []))

    rows = [
        {"class": child, "records": subtree_total(child), "has_children": bool(children_of.get(child.pk))}
        for child in sorted(
            children_of.get(current.pk if current else None, []), key=lambda item: item.position
        )
    ]
    if current is not None and current.parent_id:
        current.parent_class = next((item for item in classes if item.pk == current.parent_id), None)
    return current, rows


def class_path(classification: ClassificationClass | None) -> list[ClassificationClass]:
    """The classes from the top down to this one (I › I2 › I24 › I247 › I247.5): the shelf
    signage a reader follows. One query."""
    if classification is None:
        return []
    code = classification.code
    prefixes = {code[:length] for length in range(1, len(code) + 1)}
    return list(ClassificationClass.objects.filter(code__in=prefixes).order_by("level"))


def locations_active():
    return list(Location.objects.filter(is_active=True))


# --- newspapers and periodicals -----------------------------------------------------------------


def subscriptions_overview(*, year: int, on, location: Location | None = None, kind: str = ""):
    """A year's subscriptions with, for each, the issues expected by ``on``, received and
    missing (expected more than a week ago and not in), in two queries."""
    overdue_before = on - timedelta(days=SerialIssue.MISSING_AFTER_DAYS)
    queryset = (
        Subscription.objects.filter(year=year)
        .select_related("serial", "location")
        .annotate(
            issues_total=Count("issues"),
            issues_due=Count("issues", filter=Q(issues__expected_on__lte=on)),
            issues_received=Count("issues", filter=Q(issues__received_on__isnull=False)),
            issues_missing=Count(
                "issues", filter=Q(issues__received_on__isnull=True, issues__expected_on__lt=overdue_before)
            ),
            issues_bound=Count("issues", filter=Q(issues__bound_into__isnull=False)),
        )
        .order_by("location__position", "location__name", "serial__kind", "serial__title")
    )
    if location is not None:
        queryset = queryset.filter(location=location)
    if kind:
        queryset = queryset.filter(serial__kind=kind)
    return queryset


def issues_missing(*, on, location: Location | None = None):
    """Issues to claim from the supplier: expected more than SerialIssue.MISSING_AFTER_DAYS ago,
    not in."""
    queryset = (
        SerialIssue.objects.filter(
            received_on__isnull=True, expected_on__lt=on - timedelta(days=SerialIssue.MISSING_AFTER_DAYS)
        )
        .select_related("subscription__serial", "subscription__location")
        .order_by("subscription__location__name", "subscription__serial__title", "number")
    )
    if location is not None:
        queryset = queryset.filter(subscription__location=location)
    return queryset


def checkin_list(*, location: Location, on):
    """The room's subscriptions for the year of ``on``, each with its next issue still to come
    (number and expected day) and the issues received today, for the check-in page."""
    next_issue = SerialIssue.objects.filter(subscription=OuterRef("pk"), received_on__isnull=True).order_by(
        "number"
    )
    return (
        Subscription.objects.filter(location=location, year=on.year)
        .select_related("serial")
        .annotate(
            next_issue_pk=Subquery(next_issue.values("pk")[:1]),
            next_number=Min("issues__number", filter=Q(issues__received_on__isnull=True)),
            next_expected=Min("issues__expected_on", filter=Q(issues__received_on__isnull=True)),
            received_today=Count("issues", filter=Q(issues__received_on=on)),
        )
        .order_by("serial__kind", "serial__title")
    )


def serial_register(*, kind: str, date_from, date_to, location: Location | None = None) -> list[dict]:
    """Registers B (newspapers, 报纸登记) and C (periodicals, 期刊登记) per room: for every
    subscription of a year the period touches, the issues expected and received in the period,
    the missing ones, the copies and the price. One query."""
    period = Q(issues__expected_on__gte=date_from, issues__expected_on__lte=date_to)
    queryset = (
        Subscription.objects.filter(serial__kind=kind, year__gte=date_from.year, year__lte=date_to.year)
        .select_related("serial", "location")
        .annotate(
            expected=Count("issues", filter=period),
            received=Count("issues", filter=period & Q(issues__received_on__isnull=False)),
        )
        .order_by("location__position", "location__name", "serial__title", "year")
    )
    if location is not None:
        queryset = queryset.filter(location=location)
    return [
        {
            "room": subscription.location.name,
            "title": subscription.serial.title,
            "issn": subscription.serial.issn,
            "cn_number": subscription.serial.cn_number,
            "frequency": subscription.serial.get_frequency_display(),
            "year": subscription.year,
            "copies": subscription.copies,
            "price": subscription.price,
            "supplier": subscription.supplier,
            "expected": subscription.expected,
            "received": subscription.received,
            "missing": subscription.expected - subscription.received,
        }
        for subscription in queryset
        if subscription.expected
    ]


# --- collection care: repairs, write-offs, stocktaking ---

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
    NOT_LENT = "not_lent"
    OLD_EDITIONS = "old_editions"
    OLD_IN_CLASSES = "old_in_classes"
    SURPLUS = "surplus"

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


# --- stocktaking ---


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


def stocktake_scan_outcome(stocktake: Stocktake, barcode: str, *, new: bool) -> tuple[str, Copy | None]:
    """What one scan found, for the scanner's answer, and the copy (record, location): "again"
    (scanned before in this stocktake), "unknown" (no copy has the barcode), "on_loan",
    "misplaced" (catalogued elsewhere), "status" (the catalogue says lost, in repair …) or
    "here"."""
    copy = Copy.objects.select_related("record", "location").filter(barcode=barcode).first()
    if not new:
        return "again", copy
    if copy is None:
        return "unknown", None
    if copy.status == Copy.Status.ON_LOAN:
        return "on_loan", copy
    if not Copy.objects.filter(stocktake_place(stocktake), pk=copy.pk).exists():
        return "misplaced", copy
    if copy.status not in Copy.SHELF_STATUSES:
        return "status", copy
    return "here", copy


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


# --- textbooks --------------------------------------------------------------------------------


def textbook_term_status(*, term) -> list[dict]:
    """For each textbook of the term: copies ordered (and by how many classes), delivered,
    handed over, confirmed by the teachers, still to come from the supplier, and in the library
    waiting to be handed over. Four queries, whatever the number of textbooks."""
    ordered = {
        row["textbook"]: row
        for row in TextbookOrderLine.objects.filter(term=term)
        .values("textbook")
        .annotate(total=Sum("quantity"), classes=Count("pk"))
    }
    delivered = dict(
        TextbookDelivery.objects.filter(term=term)
        .values("textbook")
        .annotate(total=Sum("quantity"))
        .values_list("textbook", "total")
    )
    handed, confirmed = {}, {}
    for textbook_id, total, done in (
        TextbookHandover.objects.filter(term=term)
        .values("textbook")
        .annotate(total=Sum("quantity"), done=Sum("quantity", filter=Q(confirmed_at__isnull=False)))
        .values_list("textbook", "total", "done")
    ):
        handed[textbook_id], confirmed[textbook_id] = total, done or 0
    rows = []
    for textbook in Textbook.objects.filter(pk__in=ordered).order_by("grade", "subject", "title"):
        row_ordered = ordered[textbook.pk]["total"]
        row_delivered = delivered.get(textbook.pk, 0)
        row_handed = handed.get(textbook.pk, 0)
        rows.append(
            {
                "textbook": textbook,
                "grade_name": grade_name(textbook.grade),
                "classes": ordered[textbook.pk]["classes"],
                "ordered": row_ordered,
                "delivered": row_delivered,
                "handed": row_handed,
                "confirmed": confirmed.get(textbook.pk, 0),
                "to_come": max(row_ordered - row_delivered, 0),
                "in_library": row_delivered - row_handed,
            }
        )
    return rows


def textbook_handovers(*, term=None, teacher=None):
    queryset = TextbookHandover.objects.select_related("textbook", "teacher", "term").order_by(
        "grade", "class_number", "textbook__subject", "pk"
    )
    if term is not None:
        queryset = queryset.filter(term=term)
    if teacher is not None:
        queryset = queryset.filter(teacher=teacher)
    return queryset


# --- acquisitions -------------------------------------------------------------------------------

MONEY = DecimalField(max_digits=14, decimal_places=2)
UNCLASSIFIED = ""


def _amount(quantity: str, price: str):
    return Coalesce(Sum(F(quantity) * F(price), output_field=MONEY), Value(0, output_field=MONEY))


def purchase_plans_list():
    """Every plan with its number of lines, volumes and total: one query."""
    return list(
        PurchasePlan.objects.select_related("created_by").annotate(
            line_count=Count("lines"),
            volumes=Coalesce(Sum("lines__quantity"), 0),
            total=_amount("lines__quantity", "lines__unit_price"),
        )
    )


def collection_by_clc_top_class() -> dict[str, int]:
    """How many copies (not withdrawn) the collection holds in each CLC top class (A … Z, and
    "" for records without a class): one aggregate query."""
    rows = (
        Copy.objects.exclude(status=Copy.Status.WITHDRAWN)
        .annotate(top=Upper(Substr("record__clc_code", 1, 1)))
        .values("top")
        .annotate(total=Count("pk"))
        .values_list("top", "total")
    )
    counts: dict[str, int] = {}
    for top, total in rows:
        counts[top or UNCLASSIFIED] = counts.get(top or UNCLASSIFIED, 0) + total
    return counts


@dataclass
class PlanSplitRow:
    key: str
    label: str
    titles: int = 0
    volumes: int = 0
    amount: Decimal = Decimal(0)
    collection: int | None = None  # copies the collection holds now (classes only)
    volumes_share: float = 0.0
    collection_share: float | None = None


@dataclass
class PurchasePlanPage:
    plan: PurchasePlan
    lines: list[PurchasePlanLine]
    events: list[PurchasePlanEvent]
    deliveries: list[Delivery]
    total: Decimal
    remainder: Decimal
    volumes: int
    received_volumes: int
    by_class: list[PlanSplitRow]
    by_subject: list[PlanSplitRow]


def _share(part, whole) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def purchase_plan_page(pk: int) -> PurchasePlanPage | None:
    """What the plan's page shows, in six queries whatever the number of lines: the plan, its
    lines with what was received of each, the trail, the deliveries, the CLC top classes and the
    collection's copies per top class."""
    plan = PurchasePlan.objects.select_related("created_by").filter(pk=pk).first()
    if plan is None:
        return None
    lines = list(
        plan.lines.annotate(received=Coalesce(Sum("delivery_lines__quantity"), 0)).order_by("position", "pk")
    )
    events = list(plan.events.select_related("by").order_by("at", "pk"))
    deliveries = list(
        plan.deliveries.select_related("created_by", "location").annotate(
            volumes=Coalesce(Sum("lines__quantity"), 0), value=_amount("lines__quantity", "lines__unit_price")
        )
    )
    total = sum((line.amount for line in lines), Decimal(0)).quantize(Decimal("0.01"))
    volumes = sum(line.quantity for line in lines)
    top_names = dict(ClassificationClass.objects.filter(level=1).values_list("code", "name_zh"))
    collection = collection_by_clc_top_class()
    collection_total = sum(collection.values())
    by_class: dict[str, PlanSplitRow] = {}
    by_subject: dict[str, PlanSplitRow] = {}
    for line in lines:
        top = line.clc_code[:1] or UNCLASSIFIED
        subject = line.subject or UNCLASSIFIED
        for rows, key, label in (
            (by_class, top, f"{top} {top_names.get(top, '')}".strip()),
            (by_subject, subject, subject),
        ):
            row = rows.setdefault(key, PlanSplitRow(key=key, label=label))
            row.titles += 1
            row.volumes += line.quantity
            row.amount += line.amount
    for row in by_class.values():
        row.collection = collection.get(row.key, 0)
        row.collection_share = _share(row.collection, collection_total)
    for rows in (by_class, by_subject):
        for row in rows.values():
            row.volumes_share = _share(row.volumes, volumes)
    return PurchasePlanPage(
        plan=plan,
        lines=lines,
        events=events,
        deliveries=deliveries,
        total=total,
        remainder=plan.budget - total,
        volumes=volumes,
        received_volumes=sum(line.received for line in lines),
        by_class=sorted(by_class.values(), key=lambda row: (row.key == UNCLASSIFIED, row.key)),
        by_subject=sorted(
            by_subject.values(), key=lambda row: (row.key == UNCLASSIFIED, -row.volumes, row.key)
        ),
    )


def delivery_detail(pk: int) -> Delivery | None:
    """A delivery with its lines, each line's record and copies: four queries."""
    return (
        Delivery.objects.select_related("plan", "location", "created_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=DeliveryLine.objects.select_related("record", "plan_line").prefetch_related(
                    Prefetch("copies", queryset=Copy.objects.order_by("barcode"), to_attr="copy_list")
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )


def _register(kind: str, date_from, date_to):
    deliveries = Delivery.objects.filter(kind=kind)
    if date_from:
        deliveries = deliveries.filter(received_on__gte=date_from)
    if date_to:
        deliveries = deliveries.filter(received_on__lte=date_to)
    return deliveries.annotate(
        titles=Count("lines__record", distinct=True),
        volumes=Coalesce(Sum("lines__quantity"), 0),
        value=_amount("lines__quantity", "lines__unit_price"),
    ).order_by("received_on", "pk")


def purchase_register(date_from=None, date_to=None) -> list[dict]:
    """The purchase register (D 购书情况登记表): one row per delivery received between the dates
    (both included), oldest first: date, supplier, invoice, plan, titles, volumes, value. One
    query; the reports app writes it to Excel."""
    return list(
        _register(Delivery.Kind.PURCHASE, date_from, date_to).values(
            "pk",
            "received_on",
            "supplier",
            "invoice_number",
            "titles",
            "volumes",
            "value",
            plan_name=F("plan__name"),
        )
    )


def donation_register(date_from=None, date_to=None) -> list[dict]:
    """The donations received between the dates (both included), oldest first: date, donor, the
    donor's class, titles, volumes, value (of the copies a price was given for). One query."""
    return list(
        _register(Delivery.Kind.DONATION, date_from, date_to).values(
            "pk", "received_on", "donor", "donor_class", "titles", "volumes", "value"
        )
    )
