"""The registers (issue 7): register I for a school of 3,000 pupils over a year with 300,000
loans, and a register of 100,000 rows (register A, staff loans).

Targets (PostgreSQL): register I ≤ 15 s with the worker's peak memory ≤ 300 MB; any register
of 100,000 rows ≤ 10 s.

Data, made once with bulk inserts and kept (``generate_school``, ``generate_loans``, and below):
3,000 pupils in 60 classes and 200 teachers; 300,000 loans in the school year 2025-09-01 –
2026-08-31; 60,000 reading-room visits in the same year; 100,000 teachers' loans in the year
2019-09-01 – 2020-08-31 (register A). A small catalogue is enough: ``BENCH_RECORDS=20000``.

Each export runs in a fresh process, as the worker would run it: the time is the count that
decides between the page and the worker plus the writing of the whole file (wall time; the
process's own CPU time is printed beside it, since on a shared machine the wall time is mostly
waiting for a core); the memory is that process's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), Python,
Django and the database driver included.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/library_bench_registers BENCH_RECORDS=20000 \
        python -m benchmarks.run registers
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

TARGET_I_SECONDS = 15
TARGET_I_MEGABYTES = 300
TARGET_100K_SECONDS = 10
YEAR = (date(2025, 9, 1), date(2026, 8, 31))
STAFF_YEAR = (date(2019, 9, 1), date(2020, 8, 31))
STUDENTS, TEACHERS, LOANS, VISITS, STAFF_LOANS = 3_000, 200, 300_000, 60_000, 100_000
HERE = Path(__file__).resolve().parent


def data_ensure() -> None:
    from django.core.management import call_command

    from circulation.models import Loan, Reader
    from library_site.dates import day_bounds

    if Reader.objects.filter(kind=Reader.Kind.STUDENT).count() < STUDENTS:
        call_command("generate_school", students=STUDENTS, classes=60, teachers=TEACHERS, seed=1)
    start, end = day_bounds(*YEAR)
    if Loan.objects.filter(lent_at__gte=start, lent_at__lt=end).count() < LOANS:
        call_command("generate_loans", years=1, loans=LOANS, today=YEAR[1].isoformat(), seed=1)
    visits_ensure()
    staff_loans_ensure()


def visits_ensure() -> None:
    from catalog.models import Location
    from circulation.models import LibraryCard, Reader, Visit
    from library_site.dates import day_bounds

    start, end = day_bounds(*YEAR)
    if Visit.objects.filter(entered_at__gte=start, entered_at__lt=end).exists():
        return
    rng = random.Random(7)
    room = Location.objects.filter(kind=Location.Kind.READING_ROOM).first() or Location.objects.first()
    cards = list(
        LibraryCard.objects.filter(reader__kind=Reader.Kind.STUDENT, status="active").values_list(
            "reader_id", "pk"
        )
    )
    days = [YEAR[0] + timedelta(days=offset) for offset in range((YEAR[1] - YEAR[0]).days) if offset % 7 < 5]
    batch = []
    for _ in range(VISITS):
        reader_id, card_id = rng.choice(cards)
        day = rng.choice(days)
        batch.append(
            Visit(
                room=room,
                reader_id=reader_id,
                card_id=card_id,
                entered_at=datetime.combine(
                    day, day_time(rng.randint(8, 16), rng.randint(0, 59)), start.tzinfo
                ),
            )
        )
    Visit.objects.bulk_create(batch, batch_size=5_000)
    print(f"Made {VISITS:,} reading-room visits.", flush=True)


def staff_loans_ensure() -> None:
    """100,000 returned loans of teachers in the year STAFF_YEAR (register A's 100,000 rows)."""
    from catalog.models import Copy
    from circulation.models import Loan, Reader
    from library_site.dates import day_bounds

    start, end = day_bounds(*STAFF_YEAR)
    have = Loan.objects.filter(
        lent_at__gte=start, lent_at__lt=end, reader_kind__in=["teacher", "staff"]
    ).count()
    if have >= STAFF_LOANS:
        return
    rng = random.Random(11)
    teachers = list(Reader.objects.filter(kind=Reader.Kind.TEACHER).values_list("pk", flat=True))
    copies = list(Copy.objects.order_by("pk").values_list("pk", flat=True))
    days = [STAFF_YEAR[0] + timedelta(days=offset) for offset in range(0, 360)]
    batch = []
    for index in range(STAFF_LOANS - have):
        day = days[index % len(days)]
        lent_at = datetime.combine(day, day_time(rng.randint(8, 16), rng.randint(0, 59)), start.tzinfo)
        batch.append(
            Loan(
                copy_id=copies[index % len(copies)],
                reader_id=rng.choice(teachers),
                reader_kind="teacher",
                state=Loan.State.RETURNED,
                lent_at=lent_at,
                due_on=day + timedelta(days=30),
                returned_at=lent_at + timedelta(days=rng.randint(3, 40)),
                desk="bench",
            )
        )
        if len(batch) >= 10_000:
            Loan.objects.bulk_create(batch)
            batch.clear()
    Loan.objects.bulk_create(batch)
    print(
        f"Made {STAFF_LOANS - have:,} teachers' loans in {STAFF_YEAR[0]:%Y}–{STAFF_YEAR[1]:%Y}.", flush=True
    )


def child(letter: str, first: str, last: str, fmt: str) -> None:
    """In a fresh process: count, then write the register; print the figures as JSON."""
    import resource

    import django

    django.setup()
    from django.utils import translation

    from reports.documents.registers import RegisterQuery, register_get, register_write

    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    with translation.override("zh-hans"), tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        query = RegisterQuery(letter, date.fromisoformat(first), date.fromisoformat(last))
        counted = register_get(letter).count(query)
        counted_at = time.perf_counter()
        path = Path(folder) / f"register.{fmt}"
        rows = register_write(query, path, fmt=fmt)
        finished = time.perf_counter()
        size = path.stat().st_size
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows,
                "counted": counted,
                "count_s": counted_at - started,
                "seconds": finished - started,
                "cpu_s": usage.ru_utime + usage.ru_stime - cpu_before,
                "peak_mb": peak_kb / 1024,
                "bytes": size,
            }
        )
    )


def run_child(letter: str, period: tuple[date, date], fmt: str) -> dict:
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE="library_site.settings")
    output = subprocess.run(  # noqa: S603 (this interpreter, this module)
        [sys.executable, "-m", "benchmarks.bench_registers", "--child", letter, *map(str, period), fmt],
        cwd=HERE.parent,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    from django.db import connection

    from circulation.models import Loan, Reader, Visit
    from library_site.dates import day_bounds

    data_ensure()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    start, end = day_bounds(*YEAR)
    print(
        f"Data: {Reader.objects.filter(kind='student').count():,} pupils, "
        f"{Reader.objects.filter(kind='teacher').count():,} teachers; "
        f"{Loan.objects.filter(lent_at__gte=start, lent_at__lt=end).count():,} loans and "
        f"{Visit.objects.filter(entered_at__gte=start, entered_at__lt=end).count():,} visits in {YEAR[0]}–{YEAR[1]}; "
        f"{Loan.objects.count():,} loans in all.",
        flush=True,
    )
    failures = []
    for label, letter, period, fmt, target_s, target_mb in (
        ("Register I, a year (.xlsx)", "I", YEAR, "xlsx", TARGET_I_SECONDS, TARGET_I_MEGABYTES),
        ("Register I, a year (.csv)", "I", YEAR, "csv", TARGET_I_SECONDS, TARGET_I_MEGABYTES),
        ("Register A, 100,000 rows (.xlsx)", "A", STAFF_YEAR, "xlsx", TARGET_100K_SECONDS, None),
        ("Register A, 100,000 rows (.csv)", "A", STAFF_YEAR, "csv", TARGET_100K_SECONDS, None),
    ):
        runs = [run_child(letter, period, fmt) for _ in range(2)]
        best = min(runs, key=lambda run: run["seconds"])
        peak = max(run["peak_mb"] for run in runs)
        times = ", ".join(f"{run['seconds']:.2f}" for run in runs)
        ok = best["seconds"] <= target_s and (target_mb is None or peak <= target_mb)
        if not ok:
            failures.append(label)
        print(
            f"{label}: {best['rows']:,} rows, {best['bytes'] / 1e6:.1f} MB file; "
            f"{best['seconds']:.2f} s (count {best['count_s']:.2f} s; runs "
            f"{times} s; target ≤ {target_s} s; this process's CPU {best['cpu_s']:.2f} s); "
            f"peak RSS {peak:.0f} MB"
            + (f" (target ≤ {target_mb} MB)" if target_mb else "")
            + f" — {'ok' if ok else 'MISSED'}",
            flush=True,
        )
    print(f"Load average after: {', '.join(f'{value:.2f}' for value in os.getloadavg())}")
    if failures:
        raise SystemExit(f"Targets missed: {', '.join(failures)}")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        sys.path.insert(0, str(HERE.parent))
        child(*sys.argv[2:])
    else:
        from benchmarks.run import main as run_main

        sys.exit(run_main(["registers"]))
