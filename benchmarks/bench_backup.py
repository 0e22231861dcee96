"""The backup drill at size: ``manage.py backup`` of the benchmark database, then
``manage.py restore --yes`` of that archive into a fresh database, each as the real command in
its own process, and the restored database's counts and checksums against the manifest (the
restore command checks every table and exits 1 on any difference).

Data (made once and kept): the catalogue of ``BENCH_RECORDS`` records and about 2.5 copies
each (run.py), and the school and ``BENCH_LOANS`` loans of bench_notices (default 1,000,000).
The fresh database is ``<benchmark database>_restore``, created empty for each run and dropped
afterwards. Targets (issue 13): backup ≤ 60 s, restore ≤ 180 s, for 200,000 records, 500,000
copies and a million loans.

    BENCH_RECORDS=20000 BENCH_LOANS=100000 python -m benchmarks.run backup

At a tenth of the size (20,000 records, 50,158 copies, 100,000 loans, 213,607 rows in 71 tables,
a 111 MB database), PostgreSQL 15 on 2 shared CPUs at a load average of 8: backup 13.8 s
(pg_dump 6.8 s, an 8.6 MB archive), restore 35.6 s (26.1 s inside the command), every table
matching.

At full size (200,000 records, 499,257 copies, 1,000,000 loans, 1,992,417 rows in 161 tables, an
899 MB database), PostgreSQL 15 on 2 shared CPUs at a load average of 10–13 (seven engineers'
tests), 2026-12-07: backup 47.5 s (pg_dump 39.4 s, an 82.8 MB archive), restore 170.1 s (163.2 s
inside the command), every table's count and checksum matching; both targets met.

    BENCH_DATABASE_URL=postgres://…/bench_i13 flock /tmp/bench.lock python -m benchmarks.run backup
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BACKUP_TARGET_SECONDS = 60
RESTORE_TARGET_SECONDS = 180


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").strip() or default)


def _manage(*args: str, database_url: str, var: Path) -> tuple[float, subprocess.CompletedProcess]:
    environment = {**os.environ, "DATABASE_URL": database_url, "LIBRARY_VAR_DIR": str(var)}
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (manage.py with our arguments)
        [sys.executable, "manage.py", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    import django

    django.setup()
    from django.db import connection

    from benchmarks.bench_notices import data_ensure
    from catalog.models import Copy, Record
    from circulation.models import Loan
    from library_site.system.backups import manifest_read

    if connection.vendor != "postgresql":
        raise SystemExit("The backup benchmark runs on PostgreSQL (BENCH_DATABASE_URL).")
    data_ensure(
        today=date.fromisoformat(os.environ.get("BENCH_NOTICES_TODAY", "2026-11-20")),
        students=_int("BENCH_STUDENTS", 3000),
        loans=_int("BENCH_LOANS", 1_000_000),
        open_loans=_int("BENCH_OPEN", 25_000),
        overdue=_int("BENCH_OVERDUE", 20_000),
    )
    sizes = {"records": Record.objects.count(), "copies": Copy.objects.count(), "loans": Loan.objects.count()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (database_size,) = cursor.fetchone()
    print(
        f"Data: {sizes['records']:,} records, {sizes['copies']:,} copies, {sizes['loans']:,} loans; "
        f"database {database_size}"
    )
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    server = f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    source_url = f"{server}/{db['NAME']}"
    fresh = f"{db['NAME']}_restore"
    with tempfile.TemporaryDirectory() as folder:
        var = Path(folder)
        archive = var / "drill.tar"
        backup_seconds, _done = _manage("backup", "--output", str(archive), database_url=source_url, var=var)
        manifest = manifest_read(archive)
        rows = sum(entry["rows"] for entry in manifest["tables"].values())
        print(
            f"Backup:  {backup_seconds:6.1f} s  {archive.stat().st_size / 1e6:,.1f} MB, "
            f"{len(manifest['tables'])} tables, {rows:,} rows (pg_dump {manifest['database_seconds']} s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            cursor.execute(f'CREATE DATABASE "{fresh}"')
        try:
            restore_seconds, done = _manage(
                "restore", str(archive), "--yes", database_url=f"{server}/{fresh}", var=var / "server"
            )
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        print(f"Restore: {restore_seconds:6.1f} s  {done.stdout.strip().splitlines()[-1]}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Load average after: {load}")
    for what, seconds, target in (
        ("backup", backup_seconds, BACKUP_TARGET_SECONDS),
        ("restore", restore_seconds, RESTORE_TARGET_SECONDS),
    ):
        verdict = "meets" if seconds <= target else "MISSES"
        print(f"The {what} {verdict} the target of ≤ {target} s ({seconds:.1f} s) at this size.")
