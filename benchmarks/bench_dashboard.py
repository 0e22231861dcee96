"""The statistics dashboard's year view, rendered from twelve monthly snapshots (issue 7: ≤ 300 ms).

It needs the snapshots of a whole calendar year: run ``bench_monthly_stats`` first (it counts
every month of its two years of loans, a million of them, into snapshots), or set
``BENCH_DASHBOARD_YEAR``. The page is rendered through Django's test client as a school leader
signed in (session, menu, template, the JSON of the charts: the whole response), once to warm
up, then ``BENCH_REPEAT`` times (default 20); the figures are the median and the slowest, with
the database queries of one render and the size of the snapshots read.
Run with ``python -m benchmarks.run dashboard``.
"""

from __future__ import annotations

import os
import statistics
import time

TARGET_MS = 300


def main() -> None:
    import logging

    from django.test.utils import override_settings

    logging.getLogger("axes").setLevel(logging.WARNING)
    # Without collectstatic's manifest in the benchmark's checkout, static URLs come from the
    # plain storage (a dictionary lookup either way).
    plain = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        run()


def run() -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from library_site.accounts.models import User
    from library_site.accounts.roles import Role
    from library_site.accounts.services import user_set_roles
    from reports.models import MonthlyFigure, MonthlySnapshot, MonthlyTopReader, MonthlyTopTitle

    full_years = [
        row["month__year"]
        for row in MonthlySnapshot.objects.values("month__year")
        .annotate(n=Count("pk"))
        .order_by("-month__year")
        if row["n"] == 12
    ]
    year = int(os.environ.get("BENCH_DASHBOARD_YEAR", full_years[0] if full_years else 0))
    if not year:
        print("No year has twelve snapshots: run `python -m benchmarks.run monthly_stats` first.")
        return
    snapshots = MonthlySnapshot.objects.filter(month__year=year)
    print(
        f"year {year}: {snapshots.count()} snapshots of {sum(snapshots.values_list('loans', flat=True)):,} loans, "
        f"{MonthlyFigure.objects.filter(snapshot__in=snapshots).count():,} breakdown lines, "
        f"{MonthlyTopTitle.objects.filter(snapshot__in=snapshots).count():,} top titles, "
        f"{MonthlyTopReader.objects.filter(snapshot__in=snapshots).count():,} top readers",
        flush=True,
    )
    leader, created = User.objects.get_or_create(username="bench-leader", defaults={"full_name": "校长"})
    if created:
        user_set_roles(user=leader, roles=[Role.LEADER])
    client = Client(SERVER_NAME="localhost")
    client.force_login(leader)
    url = reverse("reports:statistics")
    repeat = max(1, int(os.environ.get("BENCH_REPEAT", "20")))
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        response = client.get(url, {"year": year})
        assert response.status_code == 200, response.status_code
        times = []
        for _run in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, {"year": year})
                times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        print(
            f"year view ({language}): median {median:.0f} ms, slowest {max(times):.0f} ms of {repeat} renders, "
            f"{len(queries.captured_queries)} queries, {len(response.content) / 1024:.0f} KiB "
            f"(target ≤ {TARGET_MS} ms: {'met' if median <= TARGET_MS else 'NOT MET'})",
            flush=True,
        )
    print(f"load average {', '.join(f'{value:.2f}' for value in os.getloadavg())}")
