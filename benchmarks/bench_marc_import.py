"""How long a MARC import takes: reading, checking and saving N CNMARC records (each with one
barcode of its own), on the configured database (SQLite by default, PostgreSQL with
DATABASE_URL). Runs in a throw-away test database, so it never touches the library's data.

    python benchmarks/bench_marc_import.py --records 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/library python benchmarks/bench_marc_import.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from stdnum import ean

    from catalog.marc import marc_import, marc_preview
    from catalog.models import Location
    from catalog.tests.marc_samples import cnmarc, iso

    databases = setup_databases(verbosity=0, interactive=False)
    try:
        records = []
        for number in range(arguments.records):
            twelve = f"97875{number:07d}"
            isbn = twelve + ean.calc_check_digit(twelve)
            records.append(
                cnmarc(
                    f"测试图书第{number}册",
                    isbn=isbn,
                    clc=("I287.45", "I247.5", "G624.2", "K209")[number % 4],
                    holdings=((f"M{number:07d}", "", ""),),
                )
            )
        data = iso(*records, encoding="gb18030")
        started = time.perf_counter()
        report = marc_preview(data)
        preview_seconds = time.perf_counter() - started
        assert len(report.valid_entries) == arguments.records, report.invalid_entries[:3]
        started = time.perf_counter()
        result = marc_import(
            data=data, copies_per_record=1, location=Location.objects.order_by("position").first()
        )
        import_seconds = time.perf_counter() - started
        print(
            f"{connection.vendor}: {arguments.records} CNMARC records (GB18030, {len(data) / 1e6:.1f} MB), "
            f"preview {preview_seconds:.2f} s ({arguments.records / preview_seconds:.0f} records/s), "
            f"import {import_seconds:.2f} s ({arguments.records / import_seconds:.0f} records/s; "
            f"{len(result.records_created)} records and {result.copies_created} copies saved, "
            "the file read and checked again inside)"
        )
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
