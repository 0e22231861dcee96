"""Write the notes owed per pupil (books counted, notes handed in, notes owed) to an .xlsx file.

    python manage.py notes_owed --out owed.xlsx
    python manage.py notes_owed --class 3-2 --on 2026-12-01 --out owed-3-2.xlsx

``--class`` is a class as grade-number (3-2) or by its name (三年级(2)班); without it, the whole
school. ``--on`` is the day counted up to (today by default)."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from circulation.models import SchoolClass

from ...exports import notes_owed_write


def class_find(text: str) -> SchoolClass:
    text = text.strip()
    grade, _sep, number = text.partition("-")
    classes = SchoolClass.objects.filter(is_active=True)
    if grade.isdigit() and number.isdigit():
        found = classes.filter(grade=int(grade), number=int(number)).first()
    else:
        found = next((school_class for school_class in classes if school_class.name == text), None)
    if found is None:
        raise CommandError(f"No active class {text!r}: give it as grade-number (3-2) or by its name.")
    return found


class Command(BaseCommand):
    help = "Write the reading notes owed per pupil to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--class", dest="school_class", help="a class, as grade-number (3-2) or by its name"
        )
        parser.add_argument("--on", help="the day counted up to, YYYY-MM-DD (today by default)")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")

    def handle(self, *args, **options):
        started = time.perf_counter()
        on = timezone.localdate()
        if options["on"]:
            try:
                on = date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError(f"--on is a day written YYYY-MM-DD, not {options['on']!r}.") from None
        school_class = class_find(options["school_class"]) if options["school_class"] else None
        count = notes_owed_write(options["out"], on=on, school_class=school_class)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{count} pupils written to {options['out']} in {seconds:.2f} s.")
