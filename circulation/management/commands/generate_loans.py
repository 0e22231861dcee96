"""Years of loan history for a trial school, with bulk inserts: for the readers already there
(``generate_school``) and the catalogue's available copies (``generate_data``).

    python manage.py generate_loans --years 3 [--loans 300000] [--open 300] [--overdue 0.3]
                                    [--today YYYY-MM-DD] [--seed S]

Loans fall on school days only (no weekends, no summer or winter vacation), more of them in
term time's busy weeks; pupils borrow more than teachers; each copy's loans follow each other
without overlapping. Most come back in time, some late (with their days overdue). The last
``--open`` loans stay open — a share of them overdue — and their copies are put on loan, so the
desk, the overdue lists and the clearance lists have something to show. Each loan keeps the
reader's type, grade and class number at the time (a pupil was a grade lower a year before).

No desk actions and no copy status changes are written for the history: it is for statistics,
lists and benchmarks. It refuses to run when the copies it would use are already lent, and
deletes nothing."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as day_time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from catalog.models import Copy, Location
from circulation.models import Loan, LoanPolicy, Reader
from circulation.policies import policy_for

BATCH = 10_000
TAIL = 40  # school days (about eight weeks) kept free of history for the open loans


def _is_school_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) >= (7, 10) and day.month <= 8:  # summer vacation
        return False
    winter = (day.month == 1 and day.day >= 20) or (day.month == 2 and day.day <= 18)
    return not winter


class Command(BaseCommand):
    help = "Generate years of loan history for the readers and copies already there (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=3, help="Years of history back from today.")
        parser.add_argument(
            "--loans", type=int, default=None, help="Loans in all (default: 25 per reader and year)."
        )
        parser.add_argument("--open", type=int, default=300, help="Loans left open at the end.")
        parser.add_argument("--overdue", type=float, default=0.3, help="Share of the open loans overdue.")
        parser.add_argument("--today", default=None, help="The day the history ends (YYYY-MM-DD).")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        started = time.perf_counter()
        rng = random.Random(options["seed"])
        years = options["years"]
        if not 1 <= years <= 20:
            raise CommandError("--years runs from 1 to 20.")
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError:
            raise CommandError("--today is a day written YYYY-MM-DD.") from None
        if options["open"] < 0 or not 0 <= options["overdue"] <= 1:
            raise CommandError("--open cannot be negative and --overdue is a share from 0 to 1.")

        readers = list(
            Reader.objects.select_related("school_class").exclude(status=Reader.Status.LEFT).order_by("pk")
        )
        if not readers:
            raise CommandError("There are no readers: run generate_school first.")
        copies = list(
            Copy.objects.filter(status=Copy.Status.AVAILABLE, location__kind=Location.Kind.STACKS)
            .order_by("pk")
            .values_list("pk", flat=True)
        ) or list(
            Copy.objects.filter(status=Copy.Status.AVAILABLE).order_by("pk").values_list("pk", flat=True)
        )
        if not copies:
            raise CommandError("There are no available copies: run generate_data first.")
        total = options["loans"] if options["loans"] is not None else 25 * len(readers) * years
        if total < options["open"]:
            raise CommandError("--loans must be at least --open.")
        if Loan.objects.filter(copy_id__in=copies[: min(len(copies), 5000)], state=Loan.State.OPEN).exists():
            raise CommandError(
                "Some of the available copies are lent already: the database is not consistent."
            )

        policies = list(LoanPolicy.objects.filter(is_active=True))
        policy_ids = {
            reader.pk: getattr(policy_for(reader, "book", policies=policies), "pk", None)
            for reader in readers
        }
        # Pupils borrow about four times as often as teachers.
        weights = [4 if reader.kind == Reader.Kind.STUDENT else 1 for reader in readers]
        cumulative, running = [], 0
        for weight in weights:
            running += weight
            cumulative.append(running)
        start = today - timedelta(days=365 * years)
        school_days = [start + timedelta(days=offset) for offset in range((today - start).days)]
        school_days = [day for day in school_days if _is_school_day(day)]
        if len(school_days) <= TAIL + 10:
            raise CommandError("The period has too few school days.")

        # Each copy gets its share of the loans, one after the other along the school days.
        per_copy, extra = divmod(total, len(copies))
        tz = timezone.get_current_timezone()
        loans: list[Loan] = []
        open_left = options["open"]
        open_overdue = round(options["open"] * options["overdue"])
        made = 0
        copy_order = copies[:]
        rng.shuffle(copy_order)
        with transaction.atomic():
            for index, copy_id in enumerate(copy_order):
                count = per_copy + (1 if index < extra else 0)
                if not count:
                    continue
                # Leave the last stretch of days free for the open loans at the end.
                slots = sorted(
                    rng.sample(range(len(school_days) - TAIL), min(count, len(school_days) - TAIL))
                )
                keep_open = open_left > 0
                for number, slot in enumerate(slots):
                    is_last = number == len(slots) - 1
                    lent_on = school_days[slot]
                    reader = readers[_pick(rng, cumulative)]
                    next_lent = school_days[slots[number + 1]] if not is_last else today
                    loan = self._loan(
                        rng, tz, copy_id, reader, policy_ids[reader.pk], lent_on, next_lent, today, years
                    )
                    if is_last and keep_open:
                        overdue = open_overdue > 0
                        lent_on = today - timedelta(
                            days=rng.randint(20, 40) if overdue else rng.randint(1, 12)
                        )
                        loan.lent_at = datetime.combine(lent_on, day_time(10, rng.randint(0, 59)), tz)
                        loan.due_on = (
                            today - timedelta(days=rng.randint(1, 15))
                            if overdue
                            else lent_on + timedelta(days=14)
                        )
                        loan.state, loan.returned_at, loan.overdue_days = Loan.State.OPEN, None, 0
                        loan._open = True
                        open_left -= 1
                        open_overdue -= overdue
                    loans.append(loan)
                if len(loans) >= BATCH:
                    made += self._flush(loans)
            made += self._flush(loans)
        self.stdout.write(
            f"Made {made:,} loans over {years} years for {len(readers):,} readers and {len(copy_order):,} copies "
            f"({options['open'] - open_left:,} open) in {time.perf_counter() - started:.1f} s."
        )

    def _loan(self, rng, tz, copy_id, reader, policy_id, lent_on, next_lent, today, years):
        years_ago = (today - lent_on).days // 365
        grade = reader.school_class.grade if reader.school_class_id else None
        if grade is not None:
            grade = max(1, grade - years_ago)
        due_on = lent_on + timedelta(days=14 if reader.kind == Reader.Kind.STUDENT else 30)
        # Most come back before they are due, some late; always before the copy's next loan.
        latest = max(0, (next_lent - lent_on).days - 1)
        kept = min(latest, rng.randint(3, 14) if rng.random() < 0.88 else rng.randint(15, 40))
        returned_on = lent_on + timedelta(days=kept)
        lent_at = datetime.combine(lent_on, day_time(rng.randint(8, 16), rng.randint(0, 59)), tz)
        returned_at = datetime.combine(returned_on, day_time(rng.randint(8, 16), rng.randint(0, 59)), tz)
        if returned_at <= lent_at:
            returned_at = lent_at + timedelta(hours=1)
        return Loan(
            copy_id=copy_id,
            reader_id=reader.pk,
            reader_kind=reader.kind,
            reader_grade=grade,
            reader_class_number=reader.school_class.number if reader.school_class_id else None,
            policy_id=policy_id,
            state=Loan.State.RETURNED,
            lent_at=lent_at,
            due_on=due_on,
            returned_at=returned_at,
            overdue_days=max(0, (returned_on - due_on).days),
            desk="generated",
        )

    def _flush(self, loans: list[Loan]) -> int:
        if not loans:
            return 0
        Loan.objects.bulk_create(loans, batch_size=BATCH)
        opened = [loan.copy_id for loan in loans if getattr(loan, "_open", False)]
        if opened:
            Copy.objects.filter(pk__in=opened, status=Copy.Status.AVAILABLE).update(
                status=Copy.Status.ON_LOAN
            )
        count = len(loans)
        loans.clear()
        return count


def _pick(rng, cumulative: list[int]) -> int:
    from bisect import bisect

    return bisect(cumulative, rng.random() * cumulative[-1])
