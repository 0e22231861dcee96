"""The monthly statistics over a million loans (issue 6: ≤ 10 s a month, on PostgreSQL).

Data, made once and kept: a school (``generate_school``: 3,000 pupils in 60 classes, 200
teachers) and ``BENCH_LOANS`` loans (default 1,000,000) over the two years before
``BENCH_TODAY`` (default 2026-11-20) by ``generate_loans``; then, in SQL, a renewal desk action
for every 25th loan (a week after it was lent) and a reading-room visit for every 5th loan (an
hour after it). The catalogue is the benchmark database's (``BENCH_RECORDS``; 20,000 is
plenty: ``BENCH_RECORDS=20000``).

Figures: the time to compute the busiest month's snapshot (median of ``BENCH_REPEAT`` runs,
default 3, each a full upsert), the query count, then every month of the period once (min,
median, max) — which also leaves the snapshots the dashboard's benchmark reads — and the plan
of the heaviest query. Run with
``BENCH_DATABASE_URL=postgres://…/library_bench_stats BENCH_RECORDS=20000 python -m benchmarks.run monthly_stats``.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date

from benchmarks.figures import verdict

TARGET_SECONDS = 10


def data_ensure(loans_wanted: int, today: date) -> None:
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import Location
    from circulation.models import DeskAction, Loan, Reader, Visit

    if not Reader.objects.exists():
        call_command("generate_school", students=3000, teachers=200)
    have = Loan.objects.count()
    if have < loans_wanted * 0.95:
        print(f"Generating {loans_wanted - have:,} loans over two years (kept for the next run)…", flush=True)
        call_command("generate_loans", years=2, loans=loans_wanted - have, today=today.isoformat())
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not DeskAction.objects.filter(action=DeskAction.Action.RENEW, desk="generated").exists():
            print("Adding a renewal to every 25th loan…", flush=True)
            cursor.execute(
                """
                INSERT INTO circulation_deskaction
                    (at, desk, action, outcome, scanned, message, reader_id, copy_id, loan_id)
                SELECT lent_at + interval '7 days', 'generated', 'renew', 'done', '', '', reader_id,
                       copy_id, id
                FROM circulation_loan WHERE id %% 25 = 0 AND state <> 'undone'
                """,
                [],
            )
        if not Visit.objects.exists():
            room, _created = Location.objects.get_or_create(
                name="基准阅览室", defaults={"kind": Location.Kind.READING_ROOM}
            )
            print("Adding a reading-room visit for every 5th loan…", flush=True)
            cursor.execute(
                """
                INSERT INTO circulation_visit (room_id, reader_id, card_id, entered_at)
                SELECT %s, loan.reader_id, card.id, loan.lent_at + interval '1 hour'
                FROM circulation_loan loan
                JOIN circulation_librarycard card
                  ON card.reader_id = loan.reader_id AND card.status = 'active'
                WHERE loan.id %% 5 = 0 AND loan.reader_id IS NOT NULL
                """,
                [room.pk],
            )
        cursor.execute("ANALYZE circulation_loan; ANALYZE circulation_deskaction; ANALYZE circulation_visit")


def main() -> None:
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from circulation.models import DeskAction, Loan, Visit
    from reports.periods import month_bounds, months_between
    from reports.services.statistics import monthly_snapshot_compute

    loans_wanted = int(os.environ.get("BENCH_LOANS", "1000000"))
    today = date.fromisoformat(os.environ.get("BENCH_TODAY", "2026-11-20"))
    repeat = max(1, int(os.environ.get("BENCH_REPEAT", "3")))
    data_ensure(loans_wanted, today)
    print(
        f"{Loan.objects.count():,} loans, {DeskAction.objects.filter(action='renew').count():,} renewals, "
        f"{Visit.objects.count():,} visits ({connection.vendor}); "
        f"load average {', '.join(f'{value:.2f}' for value in os.getloadavg())}",
        flush=True,
    )
    per_month = dict(
        Loan.objects.annotate(month=TruncMonth("lent_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    busiest = timezone.localtime(max(per_month, key=per_month.get)).date()
    # Every month from the first loan to today, the summer ones without loans too.
    months = months_between(timezone.localtime(min(per_month)).date(), today)

    times = []
    for _run in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            snapshot = monthly_snapshot_compute(month=busiest, today=today)
            times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    print(
        f"busiest month {busiest:%Y-%m} ({snapshot.loans:,} loans, {snapshot.returns:,} returns, "
        f"{snapshot.renewals:,} renewals, {snapshot.active_readers:,} active readers, {snapshot.visits:,} visits): "
        f"median {seconds:.2f} s of {repeat} runs ({', '.join(f'{value:.2f}' for value in times)}), "
        f"{len(queries.captured_queries)} queries {verdict(seconds, TARGET_SECONDS)}",
        flush=True,
    )
    slowest = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))[:3]
    for query in slowest:
        print(f"  {float(query['time']) * 1000:6.0f} ms  {query['sql'][:110]}…")

    all_times = []
    for month in months:
        started = time.perf_counter()
        monthly_snapshot_compute(month=month, today=today)
        all_times.append(time.perf_counter() - started)
    print(
        f"every month once ({len(months)} months, {months[0]:%Y-%m} to {months[-1]:%Y-%m}): "
        f"min {min(all_times):.2f} s, median {statistics.median(all_times):.2f} s, max {max(all_times):.2f} s, "
        f"total {sum(all_times):.1f} s {verdict(max(all_times), TARGET_SECONDS)}",
        flush=True,
    )

    if connection.vendor == "postgresql":
        start, end = month_bounds(busiest)
        plan = (
            Loan.objects.filter(lent_at__gte=start, lent_at__lt=end)
            .exclude(state=Loan.State.UNDONE)
            .values("reader_grade", "reader_class_number")
            .annotate(n=Count("pk"), readers=Count("reader", distinct=True))
            .explain(analyze=True)
        )
        print("\nPlan of the loans by class (EXPLAIN ANALYZE):\n" + plan)
