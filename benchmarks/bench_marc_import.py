"""How long a MARC import takes and how much memory it needs: N CNMARC records in GB18030 (each
with two or three barcodes of its own, 2.4 copies a record), read, checked and saved by
``manage.py import_marc`` as a separate process (the real path: the preview, then the import,
in one transaction with one reading of the file), on the configured database (SQLite by
default, PostgreSQL with DATABASE_URL). Runs in a throw-away test database, so it never touches
the library's data. The peak memory is the import process's maximum resident set size; the
file is written record by record before, so the benchmark's own data never counts in it.
Targets (issue 15): 50,000 records with 120,000 copies ≤ 60 s, ≤ 300 MB.

    BENCH_IMPORT_RECORDS=50000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/library python benchmarks/bench_marc_import.py
    python benchmarks/bench_marc_import.py --records 5000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")


def marc_file_write(path: Path, count: int) -> None:
    """The benchmark's file: ``count`` CNMARC records in GB18030, each with an ISBN, a class and
    two or three copies with barcodes of their own (905 $b; 2.4 a record, as the issue's 50,000
    records with 120,000 copies), written record by record."""
    from stdnum import ean

    from catalog.tests.marc_samples import cnmarc, iso

    with path.open("wb") as target:
        for number in range(count):
            twelve = f"97875{number:07d}"
            record = cnmarc(
                f"测试图书第{number}册",
                isbn=twelve + ean.calc_check_digit(twelve),
                clc=("I287.45", "I247.5", "G624.2", "K209")[number % 4],
                holdings=tuple((f"M{number:07d}{copy}", "", "") for copy in range(2 + (number % 5 < 2))),
            )
            target.write(iso(record, encoding="gb18030"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=int(os.environ.get("BENCH_IMPORT_RECORDS", "50000")))
    arguments = parser.parse_args(None if __name__ == "__main__" else [])

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from catalog.models import Copy, Record

    databases = setup_databases(verbosity=0, interactive=False)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "records.mrc"
            marc_file_write(path, arguments.records)
            size = path.stat().st_size
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
            # 50,000 records with 120,000 copies are about 22 MB, above the 20 MB of an upload:
            # the command is the way for such a file (its own limit, CATALOG_IMPORT_COMMAND_MAX_BYTES).
            environment = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="library_site.settings")
            begun = time.perf_counter()
            # The operator's own command, as they would type it.
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "import_marc", str(path), "--copies", "1"],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            _output, errors = process.communicate()
            seconds = time.perf_counter() - begun
            if process.returncode:
                raise RuntimeError(errors.decode(errors="replace")[-2000:])
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        records, copies = Record.objects.count(), Copy.objects.count()
        print(
            f"{connection.vendor}: import_marc of {arguments.records:,} CNMARC records (GB18030, {size / 1e6:.1f} MB): "
            f"{records:,} records and {copies:,} copies saved in {seconds:.1f} s "
            f"({arguments.records / seconds:,.0f} records/s, the preview included), "
            f"peak memory {peak:.0f} MB of the import process, its CPU time {cpu:.1f} s (user+sys) "
            f"(targets ≤ 60 s: {'met' if seconds <= 60 else 'NOT MET'}; ≤ 300 MB: {'met' if peak <= 300 else 'NOT MET'})"
        )
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
