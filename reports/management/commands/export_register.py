"""Write a register to an .xlsx or .csv file, as the registers page does.

    python manage.py export_register A --from 2026-09-01 --to 2027-01-31 --out a.xlsx
    python manage.py export_register I --from 2026-09-01 --to 2027-01-31 --grade 3 --out i.csv
    python manage.py export_register B --from 2026-01-01 --to 2026-12-31 --room 报刊阅览室 --format csv --out b.txt

The format is ``--format``, else the file's extension. The language of the headers is
``--language`` (default: the site's, Chinese)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from catalog.models import Location
from circulation.models import Reader, SchoolClass
from reports.documents.registers import (
    FORMATS,
    LETTERS,
    RegisterQuery,
    register_get,
    register_period_check,
    register_write,
)
from reports.exceptions import RegisterRefused


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"{option} is a day written YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "Write a register (A–I, except G) to an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("register", help=f"the register's letter: {', '.join(LETTERS)}")
        parser.add_argument("--from", dest="date_from", required=True, help="the first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="the last day, YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="the file to write (.xlsx or .csv)")
        parser.add_argument("--format", choices=FORMATS, help="xlsx or csv (default: from --out's extension)")
        parser.add_argument("--room", help="registers B and C: the room's name")
        parser.add_argument("--grade", type=int, help="register I: a grade (1–12)")
        parser.add_argument("--class", dest="school_class", help="register I: a class, as grade-number (3-2)")
        parser.add_argument(
            "--reader-type",
            choices=[Reader.Kind.TEACHER, Reader.Kind.STAFF],
            help="register A: teachers or staff",
        )
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, choices=[code for code, _ in settings.LANGUAGES]
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        with translation.override(options["language"]):
            query = self._query(options)
            out = Path(options["out"])
            fmt = options["format"] or out.suffix.lower().lstrip(".")
            if fmt not in FORMATS:
                raise CommandError("Give --out a name ending in .xlsx or .csv, or say --format xlsx or csv.")
            if not out.parent.is_dir():
                raise CommandError(f"The folder {out.parent} does not exist.")
            rows = register_write(query, out, fmt=fmt)
        self.stdout.write(
            f"Wrote register {query.letter} ({rows:,} rows) to {out} in {time.perf_counter() - started:.1f} s."
        )

    def _query(self, options) -> RegisterQuery:
        try:
            register = register_get(options["register"])
        except RegisterRefused as error:
            raise CommandError(str(error.message)) from None
        date_from = _day(options["date_from"], "--from")
        date_to = _day(options["date_to"], "--to")
        try:
            register_period_check(date_from, date_to)
        except RegisterRefused as error:
            raise CommandError(str(error.message)) from None
        query = RegisterQuery(letter=register.letter, date_from=date_from, date_to=date_to)
        given = {
            "room": options["room"],
            "grade": options["grade"],
            "school_class": options["school_class"],
            "reader_kind": options["reader_type"],
        }
        for name, value in given.items():
            if value not in (None, "") and name not in register.filters:
                raise CommandError(f"Register {register.letter} has no filter --{name.replace('_', '-')}.")
        if options["room"]:
            query.room = Location.objects.filter(name=options["room"]).first()
            if query.room is None:
                names = ", ".join(
                    Location.objects.order_by("position", "name").values_list("name", flat=True)
                )
                raise CommandError(f"There is no room {options['room']!r}. The rooms are: {names}.")
        if options["grade"] is not None:
            if not 1 <= options["grade"] <= 12:
                raise CommandError("--grade runs from 1 to 12.")
            query.grade = options["grade"]
        if options["school_class"]:
            grade, _, number = options["school_class"].partition("-")
            if not (grade.isdigit() and number.isdigit()):
                raise CommandError("--class is a grade and a class number, such as 3-2.")
            query.school_class = SchoolClass.objects.filter(
                grade=int(grade), number=int(number), is_active=True
            ).first()
            if query.school_class is None:
                raise CommandError(f"There is no class {options['school_class']} at school now.")
        query.reader_kind = options["reader_type"] or ""
        return query
