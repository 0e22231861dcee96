"""Move every class up a grade at the end of the school year; the top grade graduates.

python manage.py promote_grades [--dry-run] [--top-grade N]
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from circulation.exceptions import CirculationError
from circulation.policies import top_grade_default
from circulation.selectors.school import promotion_plan
from circulation.services.school import grades_promote


class Command(BaseCommand):
    help = "Move every class up a grade; the classes of the top grade graduate."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")
        parser.add_argument(
            "--top-grade",
            type=int,
            default=None,
            help="The school's top grade (default: SCHOOL_TOP_GRADE, 6).",
        )

    def handle(self, *args, dry_run: bool, top_grade: int | None, **options):
        top_grade = top_grade or top_grade_default()
        try:
            plan = promotion_plan(top_grade=top_grade)
        except CirculationError as error:
            raise CommandError(str(error.message)) from error
        for item in plan["moving"]:
            self.stdout.write(f"  {item['school_class'].name} → {item['next_name']}")
        for school_class in plan["graduating"]:
            self.stdout.write(f"  {school_class.name} graduates")
        for item in plan["graduates_with_items"]:
            reader = item["reader"]
            self.stdout.write(f"  still has items: {reader.number} {reader.name}: {'、'.join(item['items'])}")
        if dry_run:
            self.stdout.write(
                f"Dry run: {len(plan['moving'])} classes would move up, {len(plan['graduating'])} classes and "
                f"{len(plan['graduates'])} students would graduate; nothing was changed."
            )
            return
        summary = grades_promote(top_grade=top_grade)
        self.stdout.write(
            f"Moved {summary['moved']} classes up a grade; {summary['graduated_classes']} classes and "
            f"{summary['graduates']} students graduated ({summary['graduates_with_items']} with items still out)."
        )
