"""The OPAC's search: how long one results page takes, per kind of query, on a warm database.

Times ``catalog.selectors.records_search(SearchFilters(query=...))``, the whole results page
(the count, the page's ids, the records with their contributors and copies), for many queries of
each kind taken from the generated data: Chinese substrings of titles and authors of one, two
and three or four characters (and the commonest characters: 的, 中, 国), the full pinyin of a
title, pinyin initials, ISBN-13 with hyphens, ISBN-10, a call number's class and a whole call
number, an English word. Every query runs once untimed first (warming the caches, and counting
the page's database queries), then BENCH_REPEAT times (default 3); a query's time is the median
of those, so that one run stalled by another process on the machine does not count.

Settings (environment): BENCH_QUERIES queries per kind (default 100), BENCH_QUERY_SEED (default
7), BENCH_REPEAT (default 3), BENCH_COUNT_LIMIT (default: the OPAC's own OPAC_COUNT_LIMIT, 1,000;
0 for exact counts) to count matches no further than that, BENCH_EXPLAIN=1 to print
PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of the slowest query of each kind.
Run with ``make bench BENCH=opac`` or ``python -m benchmarks.run opac``.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
from collections import defaultdict

from benchmarks.figures import percentile

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
COMMON_CHARACTERS = ["的", "中", "国"]
TARGET_P95_MS = 50
KINDS = [
    ("Chinese, 1 character", "zh1"),
    ("Chinese, 2 characters", "zh2"),
    ("Chinese, 3-4 characters", "zh34"),
    ("pinyin", "pinyin"),
    ("initials", "initials"),
    ("ISBN-13 with hyphens", "isbn13"),
    ("ISBN-10", "isbn10"),
    ("call number prefix", "call_prefix"),
    ("call number", "call_number"),
    ("English word", "english"),
]


def _substring(rng: random.Random, text: str, lengths: tuple[int, ...]) -> str | None:
    runs = [run for run in CJK_RUN.findall(text) if len(run) >= min(lengths)]
    if not runs:
        return None
    run = rng.choice(runs)
    length = rng.choice([length for length in lengths if length <= len(run)])
    start = rng.randrange(len(run) - length + 1)
    return run[start : start + length]


def queries_choose(count: int, seed: int) -> dict[str, list[str]]:
    """``count`` queries of each kind, from records picked at random (the same for the same seed)."""
    from catalog.isbn import isbn_hyphenate, isbn_to_10
    from catalog.models import Record

    rng = random.Random(seed)
    ids = sorted(Record.objects.values_list("pk", flat=True))
    picked = Record.objects.filter(pk__in=rng.sample(ids, min(len(ids), count * 12))).prefetch_related(
        "contributors"
    )
    samples = sorted(picked, key=lambda record: record.pk)
    rng.shuffle(samples)
    queries: dict[str, list[str]] = defaultdict(list)

    def add(kind: str, value: str | None) -> None:
        if value and len(queries[kind]) < count and value not in queries[kind]:
            queries[kind].append(value)

    for character in COMMON_CHARACTERS:
        add("zh1", character)
    english_words = set()
    for record in samples:
        names = [contributor.name for contributor in record.contributors.all()]
        source = rng.choice([record.title, *names]) if names and rng.random() < 0.3 else record.title
        add("zh1", _substring(rng, source, (1,)))
        add("zh2", _substring(rng, source, (2,)))
        add("zh34", _substring(rng, source, (3, 4)))
        if record.language == "chi" and CJK_RUN.search(record.title):
            add("pinyin", record.title_pinyin)
            if len(record.title_initials) >= 3:
                add("initials", record.title_initials[: rng.randint(3, len(record.title_initials))])
        if record.isbn:
            add("isbn13", isbn_hyphenate(record.isbn))
            add("isbn10", isbn_to_10(record.isbn))
        if record.call_number:
            class_number = record.call_number.split("/")[0]
            add("call_prefix", class_number[: rng.randint(min(2, len(class_number)), len(class_number))])
            add("call_number", record.call_number)
        if record.language == "eng":
            english_words.update(word.lower() for word in re.findall(r"[A-Za-z]{3,}", record.title))
    for word in sorted(english_words):
        add("english", word)
    # Few English titles in a sample: fill up from the whole catalogue.
    if len(queries["english"]) < count:
        titles = Record.objects.filter(language="eng").order_by("pk").values_list("title", flat=True)[:2000]
        words = sorted({word.lower() for title in titles for word in re.findall(r"[A-Za-z]{3,}", title)})
        rng.shuffle(words)
        for word in words:
            add("english", word)
    return queries


def count_limit() -> int | None:
    """As the OPAC's pages count (catalog.views.opac), unless BENCH_COUNT_LIMIT says otherwise."""
    from catalog.selectors.opac import OPAC_COUNT_LIMIT

    limit = int(os.environ.get("BENCH_COUNT_LIMIT", OPAC_COUNT_LIMIT))
    return limit or None


def search_once(query: str):
    from catalog.selectors.opac import SearchFilters, records_search

    return records_search(SearchFilters(query=query), count_limit=count_limit())


def explain(query: str) -> None:
    """PostgreSQL's plan of each database query of the results page, as run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        search_once(query)
    with connection.cursor() as cursor:
        for number, executed in enumerate(captured.captured_queries, start=1):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + executed["sql"])
            print(f"\n  -- query {number} of the page for {query!r}:\n  {executed['sql'][:600]}")
            print("\n".join("    " + row[0] for row in cursor.fetchall()))


def main() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    count = int(os.environ.get("BENCH_QUERIES", "100"))
    seed = int(os.environ.get("BENCH_QUERY_SEED", "7"))
    queries = queries_choose(count, seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            jit = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            buffers = cursor.fetchone()[0]
        print(f"PostgreSQL settings: jit={jit}, shared_buffers={buffers}")
    limit = count_limit()
    counting = f"counts stop at {limit:,}, as on the OPAC's pages" if limit else "exact counts"
    repeat = max(1, int(os.environ.get("BENCH_REPEAT", "3")))
    print(
        f"{count} queries per kind (seed {seed}), {counting}. Each query runs once to warm up, then "
        f"{repeat} times; its time is the median of those (one run stalled by another process does not count)."
    )
    print(f"Load average before: {', '.join(f'{value:.2f}' for value in os.getloadavg())}\n")
    header = f"{'kind':<24} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'median hits':>12} {'queries/page':>13}"
    print(header)
    print("-" * len(header))
    slowest = {}
    misses = []
    for label, kind in KINDS:
        chosen = queries.get(kind, [])
        if not chosen:
            print(f"{label:<24} {0:>4}  (no such data)")
            continue
        query_counts = set()
        for query in chosen:  # warm-up, and the number of database queries per page
            with CaptureQueriesContext(connection) as captured:
                search_once(query)
            query_counts.add(len(captured.captured_queries))
        timings, hits = [], []
        for query in chosen:
            runs = []
            for _run in range(repeat):
                started = time.perf_counter()
                result = search_once(query)
                runs.append((time.perf_counter() - started) * 1000)
            elapsed = statistics.median(runs)
            timings.append(elapsed)
            hits.append(result.count)
            slowest.setdefault(kind, []).append((elapsed, query, result.count))
        counts = "–".join(str(value) for value in sorted({min(query_counts), max(query_counts)}))
        p95 = percentile(timings, 0.95)
        print(
            f"{label:<24} {len(chosen):>4} {percentile(timings, 0.5):>8.1f} {p95:>8.1f} {max(timings):>8.1f}"
            f" {statistics.median(hits):>12,.0f} {counts:>13}"
        )
        if p95 > TARGET_P95_MS:
            misses.append(label)
    print()
    print(f"Load average after: {', '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print("Slowest queries of each kind (ms, hits):")
    for kind, timed in slowest.items():
        worst = sorted(timed, reverse=True)[:4]
        print(f"  {kind:<12} " + "; ".join(f"{query!r} {ms:.0f} ({hits:,})" for ms, query, hits in worst))
    if misses:
        print(f"p95 above {TARGET_P95_MS} ms: {', '.join(misses)}")
    else:
        print(f"Every kind within p95 ≤ {TARGET_P95_MS} ms.")
    if os.environ.get("BENCH_EXPLAIN") and connection.vendor == "postgresql":
        for kind, timed in slowest.items():
            print(f"\n== EXPLAIN, slowest {kind} query")
            explain(max(timed)[1])


if __name__ == "__main__":
    from benchmarks.run import main as run

    raise SystemExit(run(["opac"]))
