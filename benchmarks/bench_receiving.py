"""How long receiving a delivery of 500 copies takes (the issue's target: ≤ 5 s on PostgreSQL):
an approved plan of 50 lines × 10 copies, half of them with an ISBN the catalogue already has,
received in one ``delivery_receive`` (records, copies with barcodes and accession numbers, the
delivery's lines and their links to the copies, the plan's trail), three times.

    .venv/bin/python benchmarks/bench_receiving.py                       # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/library .venv/bin/python benchmarks/bench_receiving.py

It works in a throwaway test database (test_<name>), made and dropped here, so that it can run
anywhere without touching the library's data; the figures are printed with the database.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from benchmarks.figures import isbn13  # noqa: E402

LINES = 50
COPIES_PER_LINE = 10
RUNS = 3


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run() -> None:
    from catalog.models import Copy, Location
    from catalog.services.acquisitions import (
        delivery_receive,
        purchase_plan_approve,
        purchase_plan_create,
        purchase_plan_submit,
    )
    from catalog.services.records import record_create
    from library_site.accounts.models import User
    from library_site.accounts.roles import Role
    from library_site.accounts.services import user_set_roles

    librarian = User.objects.create(username="bench-librarian")
    user_set_roles(user=librarian, roles=[Role.LIBRARIAN])
    leader = User.objects.create(username="bench-leader")
    user_set_roles(user=leader, roles=[Role.LEADER])
    location = Location.objects.order_by("position").first()
    timings = []
    for run_number in range(RUNS):
        librarian = User.objects.get(pk=librarian.pk)  # a fresh permission cache, as a request has
        base = run_number * 1000
        for number in range(0, LINES, 2):  # half the titles are in the catalogue already
            record_create(fields={"title": f"已有图书{base + number}", "isbn": isbn13(base + number)})
        lines = [
            {
                "title": f"采购图书{base + number}",
                "isbn": isbn13(base + number),
                "author": "作者",
                "publisher": "人民教育出版社",
                "quantity": COPIES_PER_LINE,
                "unit_price": "28.50",
                "supplier": "新华书店",
                "clc_code": "I287.45" if number % 3 else "G624",
                "subject": "语文",
            }
            for number in range(LINES)
        ]
        plan = purchase_plan_create(
            name=f"基准计划{run_number}",
            year=2026,
            term="autumn",
            budget="100000",
            lines=lines,
            user=librarian,
        )
        purchase_plan_submit(plan=plan, user=librarian)
        purchase_plan_approve(plan=plan, user=leader)
        received = [{"plan_line": line.pk, "quantity": COPIES_PER_LINE} for line in plan.lines.all()]
        before = Copy.objects.count()
        started = time.perf_counter()
        delivery_receive(
            plan=plan,
            lines=received,
            location=location,
            supplier="新华书店",
            token=f"bench-{run_number}",
            user=librarian,
        )
        timings.append(time.perf_counter() - started)
        assert Copy.objects.count() - before == LINES * COPIES_PER_LINE
    print(
        f"database: {connection.vendor}; delivery of {LINES} lines × {COPIES_PER_LINE} = "
        f"{LINES * COPIES_PER_LINE} copies ({LINES // 2} new records), {RUNS} runs"
    )
    print(
        "delivery_receive: "
        + ", ".join(f"{seconds:.2f} s" for seconds in timings)
        + f" (median {statistics.median(timings):.2f} s; target ≤ 5 s)"
    )


if __name__ == "__main__":
    main()
