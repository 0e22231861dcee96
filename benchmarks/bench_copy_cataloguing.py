"""Copy cataloguing: how long the cataloguing desk waits for a lookup by ISBN.

Starts Index Data's Zebra on a loopback port (as the tests do) with ``BENCH_COPY_RECORDS``
records (default 20,000: MARC21 and CNMARC, half each, UTF-8), then looks up
``BENCH_COPY_LOOKUPS`` ISBNs (default 200; nine in ten held, one in ten unknown) through
``copy_lookup``, the function the desk calls: over SRU (urllib and pymarc's MARCXML reader, the
client chosen) and over Z39.50 (yaz-client), each alone, then both servers at once as the desk
asks them. Prints p50/p95/max per way. Target (issue 15): p95 ≤ 300 ms against the local server.
Needs no database. Run with ``make bench BENCH=copy_cataloguing``.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from benchmarks.figures import isbn13, percentile


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    import django

    django.setup()
    from django.conf import settings

    from catalog.copy_cataloguing import copy_lookup
    from catalog.tests.copy_servers import zebra_missing, zebra_server
    from catalog.tests.marc_samples import cnmarc, iso, marc21

    missing = zebra_missing()
    if missing:
        print(f"copy cataloguing: not run, {missing}")
        return
    count = int(os.environ.get("BENCH_COPY_RECORDS", "20000"))
    lookups = int(os.environ.get("BENCH_COPY_LOOKUPS", "200"))
    chunks = []
    for number in range(count):
        isbn = isbn13(number)
        if number % 2:
            chunks.append(iso(cnmarc(f"书名{number}", isbn=isbn, authors=((f"作者{number % 997}", "著"),))))
        else:
            chunks.append(iso(marc21(f"Title {number} /", isbn=isbn, statement="")))
    randomness = random.Random(1)
    wanted = [
        isbn13(randomness.randrange(count)) if index % 10 else isbn13(count + index)
        for index in range(lookups)
    ]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        with zebra_server(Path(folder), b"".join(chunks)) as port:
            print(
                f"copy cataloguing: Zebra indexed {count:,} records in {time.perf_counter() - started:.1f} s"
            )
            ways = {
                "SRU (urllib + pymarc MARCXML)": [f"Zebra SRU|http://127.0.0.1:{port}/Default"],
                "Z39.50 (yaz-client)": [f"Zebra Z39.50|z3950://127.0.0.1:{port}/Default"],
                "both at once (as the desk asks)": [
                    f"Zebra SRU|http://127.0.0.1:{port}/Default",
                    f"Zebra Z39.50|z3950://127.0.0.1:{port}/Default",
                ],
            }
            for label, servers in ways.items():
                settings.CATALOG_COPY_SERVERS = servers
                copy_lookup(wanted[0])  # the first connection and imports, not counted
                timings, found = [], 0
                for isbn in wanted:
                    begun = time.perf_counter()
                    answers = copy_lookup(isbn)
                    timings.append((time.perf_counter() - begun) * 1000)
                    problems = [answer.problem for answer in answers if answer.problem]
                    if problems:
                        raise SystemExit(f"copy cataloguing: {problems[0]}")
                    found += bool(answers[0].results)
                p95 = percentile(timings, 0.95)
                print(
                    f"  {label}: {lookups} lookups ({found} found), p50 {percentile(timings, 0.5):.1f} ms, "
                    f"p95 {p95:.1f} ms, max {max(timings):.1f} ms "
                    f"(target p95 ≤ 300 ms: {'met' if p95 <= 300 else 'NOT MET'})"
                )


if __name__ == "__main__":
    main()
