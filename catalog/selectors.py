"""Reads of the catalogue that pages, reports and other apps use, each in a constant number of
queries whatever the size of the collection."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from .isbn import isbn_normalise
from .models import ClassificationClass, Contributor, Copy, Location, Record
from .search import available_condition, search_match, search_normalise

PAGE_SIZE = 20
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
    facets: dict = field(default_factory=dict)


def records_search(filters: SearchFilters) -> SearchResult:
    """One page of the OPAC's answer: five queries (count, page ids, records, contributors,
    copies), whatever the number of matches."""
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
        )
    else:
        if asked:
            matching = matching.annotate(relevance=match.relevance)
        ids = matching.order_by(*SORTS[sort]).values_list("pk", flat=True)
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


class RelevanceOrderedIds:
    """The ids of the matching records in relevance order (then title, then id), for the
    Paginator: ``count()`` and slices. PostgreSQL only.

    Ordering every match by a computed relevance reads every match; for a common character
    that is a third of the catalogue. Instead each relevance tier is read in title order
    (where a tier holds many records PostgreSQL walks the title index and stops as soon as it
    has enough) and a tier is read only for the rows the tiers above it could not fill: one
    query, ``WITH tier3 AS (… LIMIT n), tier2 AS (… LIMIT n - (SELECT COUNT(*) FROM tier3)) …``.
    The answer is exactly that of ``ORDER BY relevance DESC, title_sort, id``."""

    def __init__(self, *, matching, counted, tiers):
        self.matching = matching
        self.counted = counted
        self.tiers = tiers

    def count(self) -> int:
        return self.counted.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[int]:
        start, stop = item.start or 0, item.stop
        if stop is None or stop <= start:
            return []
        # Only Django's own compiled SQL, the tiers' names and their numbers go into the text;
        # every value is a parameter.
        ctes, unions, params, earlier = [], [], [], []
        for relevance, condition in self.tiers:
            tier = (
                self.matching.filter(condition).order_by("title_sort", "pk").values_list("pk", "title_sort")
            )
            sql, tier_params = tier.query.sql_with_params()
            name = f"tier{int(relevance)}"
            taken = "".join(f" - (SELECT COUNT(*) FROM {earlier_name})" for earlier_name in earlier)  # noqa: S608
            ctes.append(f"{name} AS ({sql} LIMIT GREATEST(%s{taken}, 0))")
            params += [*tier_params, stop]
            unions.append(f"SELECT {name}.*, {int(relevance)} AS relevance FROM {name}")  # noqa: S608
            earlier.append(name)
        sql = f"WITH {', '.join(ctes)} {' UNION ALL '.join(unions)} ORDER BY 3 DESC, 2, 1 LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, stop - start, start])
            return [row[0] for row in cursor.fetchall()]


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
