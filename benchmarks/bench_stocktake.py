"""Stocktaking at a school's full size: 100,000 scanned barcodes against a 200,000-copy
collection (the figure to reach: the report in ≤ 10 s on PostgreSQL).

- the command: ``manage.py stocktake --location <the largest location> <file>`` in a child
  process, wall time including Django's start, without ``--confirm`` (it changes nothing);
- in process, inside a transaction rolled back at the end: the stocktake started, the file's
  barcodes saved (one bulk insert), the report compared (counts and the first 200 rows of each
  list, as the page shows it) and the whole report (every row, as the command prints it), and
  the confirmation (every missing copy becomes lost through copy_set_status).

The scanned file: the location's copies on the shelves less about one in six (those are
"missing"), 700 copies of another location (misplaced), 300 copies on loan, 200 unknown
barcodes: BENCH_STOCKTAKE_SCANS (100000) in all.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/library python -m benchmarks.bench_stocktake

It runs on the configured database (migrated first), which should hold about 200,000 copies
(``manage.py generate_data --records 80000 --copies-per-record 2.5``; ``make bench`` fills its
own); nothing is kept.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import verdict

ROOT = Path(__file__).resolve().parent.parent
REPORT_TARGET_SECONDS = 10
MISPLACED, ON_LOAN, UNKNOWN = 700, 300, 200


class Rollback(Exception):
    pass


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count

    from catalog.models import Copy, Location
    from catalog.selectors.care import stocktake_report
    from catalog.services.care import stocktake_confirm, stocktake_scan_text, stocktake_start

    call_command("migrate", verbosity=0)
    scans = int(os.environ.get("BENCH_STOCKTAKE_SCANS", "100000"))
    vendor = connection.vendor
    total = Copy.objects.count()
    largest = (
        Copy.objects.filter(status="available")
        .values("location")
        .annotate(count=Count("pk"))
        .order_by("-count")
        .first()
    )
    if largest is None:
        print("No copies: fill the database first (manage.py generate_data).")
        return
    location = Location.objects.get(pk=largest["location"])
    wanted_here = scans - MISPLACED - ON_LOAN - UNKNOWN
    here = list(
        Copy.objects.filter(location=location, status="available")
        .order_by("pk")
        .values_list("barcode", flat=True)[:wanted_here]
    )
    elsewhere = list(
        Copy.objects.filter(status="available")
        .exclude(location=location)
        .order_by("pk")
        .values_list("barcode", flat=True)[:MISPLACED]
    )
    lent = list(
        Copy.objects.filter(location=location, status="on_loan")
        .order_by("pk")
        .values_list("barcode", flat=True)[:ON_LOAN]
    )
    unknown = [f"X{number:09d}" for number in range(UNKNOWN)]
    barcodes = here + elsewhere + lent + unknown
    print(
        f"{len(barcodes):,} scanned barcodes ({len(here):,} of {location.name}, {len(elsewhere)} of other "
        f"locations, {len(lent)} on loan, {len(unknown)} unknown) against {total:,} copies ({vendor})",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        scan_file = Path(folder) / "scans.txt"
        scan_file.write_text("\n".join(barcodes) + "\n", encoding="utf-8")
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "stocktake",
                "--location",
                location.name,
                str(scan_file),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - started
        summary = result.stdout.splitlines()[0]
        print(
            f"command (whole report printed, nothing saved): {seconds:.1f} s wall {verdict(seconds, REPORT_TARGET_SECONDS)}"
        )
        print(f"  {summary}", flush=True)

        try:
            with transaction.atomic():
                started = time.perf_counter()
                stocktake = stocktake_start(location=location)
                _read, added = stocktake_scan_text(
                    stocktake=stocktake, text=scan_file.read_text(encoding="utf-8")
                )
                saved = time.perf_counter() - started
                print(f"scans saved: {added:,} rows in {saved:.2f} s")
                started = time.perf_counter()
                report = stocktake_report(stocktake)
                seconds = time.perf_counter() - started
                print(
                    f"report as the page shows it (counts, first 200 rows each): {seconds:.2f} s "
                    f"{verdict(seconds, REPORT_TARGET_SECONDS)}; missing {report.missing_count:,}, "
                    f"misplaced {report.misplaced_count:,}, on loan {report.on_loan_count:,}, "
                    f"status to check {report.status_to_check_count:,}, unknown {report.unknown_count:,}",
                    flush=True,
                )
                started = time.perf_counter()
                stocktake_report(stocktake, limit=None)
                print(f"report with every row: {time.perf_counter() - started:.2f} s", flush=True)
                started = time.perf_counter()
                lost = stocktake_confirm(stocktake=stocktake, user=None)
                seconds = time.perf_counter() - started
                print(
                    f"confirmation: {lost:,} copies made lost in {seconds:.1f} s ({lost / seconds:,.0f} a second)"
                )
                raise Rollback
        except Rollback:
            print("rolled back: nothing kept", flush=True)


if __name__ == "__main__":
    main()
