"""How long the MARC export takes, and how much memory it needs: N records (default 200,000)
with two or three copies each and one or two contributors, exported by ``manage.py export_marc``
as a separate process (the real path: the database read in chunks, each record written as it
comes), in CNMARC ISO 2709 UTF-8 unless told otherwise. Runs in a throw-away test database on
the configured database (SQLite by default, PostgreSQL with DATABASE_URL), so it never touches
the library's data. The peak memory is the export process's maximum resident set size.
Targets (issue 15): 200,000 records ≤ 30 s and ≤ 150 MB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/library python benchmarks/bench_marc_export.py
    python benchmarks/bench_marc_export.py --records 20000 --format marc21 --syntax marcxml
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_marc python benchmarks/bench_marc_export.py --kept-database
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")


def catalogue_make(count: int) -> int:
    """The benchmark's catalogue in the configured database: ``count`` records, each with one or two
    contributors and two or three copies, bulk-inserted 5,000 records at a time. Returns the
    number of copies."""
    from benchmarks.figures import isbn13
    from catalog.models import Contributor, Copy, Location, Record

    location = Location.objects.order_by("position").first()
    classes = ("I287.45", "I247.5", "G624.2", "K209", "O4", "TP3")
    batch = 5000
    copy_number = 0
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        records = Record.objects.bulk_create(
            [
                Record(
                    title=f"测试图书第{number}册",
                    subtitle="一个故事" if number % 3 == 0 else "",
                    isbn=isbn13(number),
                    price=Decimal("25.00"),
                    publisher="少年儿童出版社",
                    place="上海",
                    year=2000 + number % 25,
                    pages=100 + number % 300,
                    size="21cm",
                    subjects="儿童小说; 童话",
                    clc_code=classes[number % len(classes)],
                    call_number=f"{classes[number % len(classes)]}/{number % 977}",
                )
                for number in numbers
            ]
        )
        contributors, copies = [], []
        for record, number in zip(records, numbers, strict=True):
            contributors.append(
                Contributor(record=record, name=f"作者{number % 9973}", role="author", position=0)
            )
            if number % 2:
                contributors.append(
                    Contributor(record=record, name=f"译者{number % 997}", role="translator", position=1)
                )
            for _ in range(2 + number % 2):
                copy_number += 1
                copies.append(
                    Copy(
                        record=record,
                        barcode=f"B{copy_number:09d}",
                        accession_number=f"A{copy_number:09d}",
                        location=location,
                        price_paid=Decimal("20.00"),
                    )
                )
        Contributor.objects.bulk_create(contributors)
        Copy.objects.bulk_create(copies)
    return copy_number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=int(os.environ.get("BENCH_EXPORT_RECORDS", "200000")))
    parser.add_argument("--format", default="cnmarc")
    parser.add_argument("--syntax", default="iso2709")
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument(
        "--kept-database",
        action="store_true",
        help="export the configured database itself (a bench database, never the library's), filling it "
        "with the benchmark's catalogue first when it has no records; it is kept for the next run",
    )
    arguments = parser.parse_args(None if __name__ == "__main__" else [])

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from catalog.models import Copy, Record

    databases = None if arguments.kept_database else setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        if databases is None and Record.objects.exists():
            arguments.records = Record.objects.count()
            print(
                f"{connection.vendor} {connection.settings_dict['NAME']}: {arguments.records:,} records and "
                f"{Copy.objects.count():,} copies kept from an earlier run"
            )
        else:
            copy_number = catalogue_make(arguments.records)
            print(
                f"{connection.vendor}: {arguments.records:,} records and {copy_number:,} copies made "
                f"in {time.perf_counter() - started:.0f} s"
            )
        database = connection.settings_dict
        if connection.vendor == "sqlite":
            url = f"sqlite:///{database['NAME']}"
        else:
            password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
            url = (
                f"postgres://{database.get('USER') or ''}{password}@{database.get('HOST') or '127.0.0.1'}:"
                f"{database.get('PORT') or 5432}/{database['NAME']}"
            )
        connection.close()
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "export.mrc"
            command = [
                sys.executable,
                "manage.py",
                "export_marc",
                "--format",
                arguments.format,
                "--syntax",
                arguments.syntax,
                "--encoding",
                arguments.encoding,
                "--output",
                str(target),
            ]
            environment = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="library_site.settings")
            begun = time.perf_counter()
            # The operator's own command, as they would type it.
            subprocess.run(command, cwd=ROOT, env=environment, check=True, capture_output=True)  # noqa: S603
            seconds = time.perf_counter() - begun
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            size = target.stat().st_size
        print(
            f"  export_marc {arguments.format} {arguments.syntax} {arguments.encoding}: {arguments.records:,} records "
            f"({size / 1e6:.0f} MB) in {seconds:.1f} s ({arguments.records / seconds:,.0f} records/s), "
            f"peak memory {peak:.0f} MB of the export process "
            f"(targets ≤ 30 s: {'met' if seconds <= 30 else 'NOT MET'}; ≤ 150 MB: {'met' if peak <= 150 else 'NOT MET'})"
        )
    finally:
        if databases is not None:
            teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
