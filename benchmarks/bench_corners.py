"""Class book corners and the service team (issue 18). Figures to reach (PostgreSQL):

- rotating a grade of 10 classes with 40 books each in ≤ 2 s, in a number of queries that does
  not grow with the books (measured again with 10 books a class: the count must be the same);
- register G for a school year of 40 members and 3,000 shifts (each with a work-log line) in
  ≤ 2 s, as .xlsx and as .csv.

Everything runs inside a transaction rolled back at the end: the database keeps nothing. The
copies lent are the catalogue's available ones (``make bench`` fills it; BENCH_RECORDS=2000 is
plenty: 400 copies are needed).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_i18 BENCH_RECORDS=2000 \
        python -m benchmarks.run corners
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

from benchmarks.figures import verdict

ROOT = Path(__file__).resolve().parent.parent
ROTATION_TARGET_SECONDS = 2
REGISTER_TARGET_SECONDS = 2
CLASSES, BOOKS = 10, 40
MEMBERS, SHIFTS = 40, 3_000
YEAR = (date(2025, 9, 1), date(2026, 7, 10))


class Rollback(Exception):
    pass


def _grade(grade: int, books: int, copies, user):
    from activities.services.corners import corner_for_class, corner_lend, rotation_plan_create
    from circulation.models import SchoolClass

    corners = []
    for number in range(1, CLASSES + 1):
        school_class = SchoolClass.objects.create(grade=grade, number=900 + number)
        corner = corner_for_class(school_class=school_class, user=user)
        corner_lend(corner=corner, barcodes=[copy.barcode for copy in copies[:books]], user=user)
        copies = copies[books:]
        corners.append(corner)
    plan = rotation_plan_create(
        classes=[corner.school_class for corner in corners],
        every_weeks=4,
        starts_on=date(2026, 3, 1),
        user=user,
    )
    return plan, copies


def _rotate(plan, user, missing: str = ""):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from activities.services.corners import rotation_carry_out

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        rotation = rotation_carry_out(plan=plan, missing=missing, user=user)
        seconds = time.perf_counter() - started
    return rotation, seconds, len(queries.captured_queries)


def _team(user) -> None:
    from activities.models import RotaSlot, Shift, ShiftWork
    from activities.services.team import rota_slot_save, team_member_add
    from catalog.models import Location
    from circulation.models import SchoolClass
    from circulation.services.readers import reader_create

    school_class = SchoolClass.objects.create(grade=6, number=950)
    members = []
    for index in range(MEMBERS):
        reader = reader_create(
            kind="student",
            number=f"BENCHG{index:04d}",
            full_name=f"队员{index:02d}",
            school_class=school_class,
        )
        members.append(team_member_add(reader=reader, joined_on=YEAR[0], user=user))
    room = Location.objects.exclude(kind=Location.Kind.CLASS_CORNER).first()
    slots = [
        rota_slot_save(
            weekday=weekday,
            starts_at=day_time(hour),
            ends_at=day_time(hour, 50),
            room=room,
            # Eight members a slot, each member in two slots: 80 shifts a week.
            members=[members[((weekday * 2 + slot) * 4 + k) % MEMBERS] for k in range(8)],
            user=user,
        )
        for weekday in range(5)
        for slot, hour in enumerate((12, 16))
    ]
    shifts = []
    day = YEAR[0]
    states = [Shift.State.PRESENT] * 8 + [Shift.State.LATE, Shift.State.MISSED]
    while len(shifts) < SHIFTS:
        if day.weekday() < 5:
            for slot in slots:
                if slot.weekday != day.weekday():
                    continue
                for member in slot.members.all():
                    state = states[len(shifts) % len(states)]
                    start = datetime.combine(day, slot.starts_at).astimezone()
                    shifts.append(
                        Shift(
                            slot=slot,
                            member=member,
                            day=day,
                            state=state,
                            checked_in_at=None if state == Shift.State.MISSED else start,
                            checked_out_at=None
                            if state == Shift.State.MISSED
                            else start + timedelta(minutes=50),
                            desk_actions=len(shifts) % 7,
                        )
                    )
        day += timedelta(days=1)
    if day > YEAR[1]:
        raise RuntimeError("the school year is too short for the shifts asked")
    shifts = Shift.objects.bulk_create(shifts[:SHIFTS], batch_size=1000)
    ShiftWork.objects.bulk_create(
        (
            ShiftWork(shift=shift, kind=ShiftWork.Kind.SHELVING, books=index % 40, note="上架")
            for index, shift in enumerate(shifts)
            if shift.state != Shift.State.MISSED
        ),
        batch_size=1000,
    )
    assert RotaSlot.objects.count() >= len(slots)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import translation

    from catalog.models import Copy
    from library_site.accounts.roles import Role
    from library_site.accounts.services import user_create
    from reports.documents.registers import RegisterQuery, register_write

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; copies in the catalogue: {Copy.objects.count()}")
    try:
        with transaction.atomic(), translation.override("zh-hans"):
            user = user_create(
                username="bench-corners", full_name="基准", password=None, roles=[Role.LIBRARIAN]
            )
            copies = list(
                Copy.objects.filter(status="available").order_by("pk")[: CLASSES * BOOKS + CLASSES * 10]
            )
            if len(copies) < CLASSES * (BOOKS + 10):
                print(f"Not enough available copies ({len(copies)}): fill the database first.")
                return
            plan, rest = _grade(5, BOOKS, copies, user)
            small, _rest = _grade(4, 10, rest, user)
            missing = plan.classes.order_by("number").first().corner.loans.first().copy.barcode
            rotation, seconds, queries = _rotate(plan, user, missing=missing)
            small_missing = small.classes.order_by("number").first().corner.loans.first().copy.barcode
            _small_rotation, _small_seconds, small_queries = _rotate(small, user, missing=small_missing)
            print(
                f"rotation of {CLASSES} classes × {BOOKS} books: {seconds:.3f} s, {queries} queries, "
                f"{rotation.moved_count} moved, {rotation.missing_count} missing "
                f"{verdict(seconds, ROTATION_TARGET_SECONDS)}"
            )
            print(
                f"the same with {CLASSES} × 10 books: {small_queries} queries "
                f"({'constant: met' if small_queries == queries else 'GROWS WITH THE BOOKS'})"
            )
            _team(user)
            with tempfile.TemporaryDirectory() as folder:
                for fmt in ("xlsx", "csv"):
                    started = time.perf_counter()
                    rows = register_write(RegisterQuery("G", *YEAR), Path(folder) / f"g.{fmt}", fmt=fmt)
                    seconds = time.perf_counter() - started
                    print(
                        f"register G ({fmt}) of {MEMBERS} members, {rows} shifts: {seconds:.3f} s "
                        f"{verdict(seconds, REGISTER_TARGET_SECONDS)}"
                    )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
