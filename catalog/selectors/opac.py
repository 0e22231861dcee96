"""The public catalogue's reads (OPAC): a page of search results in a constant number of
queries whatever the size of the collection, the records with their copies, and browsing by
class."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.expressions import RawSQL

from catalog.models import ClassificationClass, Copy, Record
from catalog.search import available_condition, search_match

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
