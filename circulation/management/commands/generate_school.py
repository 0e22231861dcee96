"""A trial school's readers and classes, made with bulk inserts (no loans: those come with the
loans module).

    python manage.py generate_school [--students 3000] [--grades 1-6] [--classes 60] [--teachers 200]
                                     [--password P] [--seed S]
    python manage.py generate_school --write-roster FILE.xlsx [...]   # the same pupils as a roster file

Every reader gets an account (the student or staff number is the user name), the role of their
kind and an active library card (R0000001 …). A shared first password, when given, is hashed
once. Classes get a head teacher each. It refuses to run when any of the numbers it would use is
taken, and deletes nothing."""

from __future__ import annotations

import random
import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.names import GIVEN, SURNAMES
from circulation.models import LibraryCard, Reader, SchoolClass
from circulation.services.readers import ROLE_FOR_KIND, card_number_next
from library_site.accounts.models import User

DEPARTMENTS = ("语文组", "数学组", "英语组", "科学组", "体育组", "艺术组", "德育处", "教务处", "后勤处")
BATCH = 2_000


def _grades(text: str) -> list[int]:
    try:
        first, _, last = text.partition("-")
        grades = list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise CommandError("--grades is a range such as 1-6 or 7-9.") from None
    if not grades or grades[0] < 1 or grades[-1] > 12:
        raise CommandError("--grades runs from 1 to 12.")
    return grades


class Command(BaseCommand):
    help = "Generate a trial school: classes, pupils and teachers with accounts and cards (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=3000)
        parser.add_argument("--grades", default="1-6", help="A range of grades, such as 1-6 or 1-9.")
        parser.add_argument("--classes", type=int, default=60, help="Classes in all, spread over the grades.")
        parser.add_argument("--teachers", type=int, default=200)
        parser.add_argument("--password", default="", help="A first password shared by every new reader.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int, default=2026, help="The year the student numbers start with.")
        parser.add_argument(
            "--write-roster", metavar="FILE", help="Write the pupils as a roster .xlsx; save nothing."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        rng = random.Random(options["seed"])
        grades = _grades(options["grades"])
        if options["students"] < 0 or options["teachers"] < 0 or options["classes"] < len(grades):
            raise CommandError("Give at least one class per grade, and no negative counts.")
        per_grade = [
            options["classes"] // len(grades) + (index < options["classes"] % len(grades))
            for index in range(len(grades))
        ]
        class_keys = [
            (grade, number)
            for grade, count in zip(grades, per_grade, strict=True)
            for number in range(1, count + 1)
        ]
        pupils = []
        for index in range(options["students"]):
            grade, number = class_keys[index % len(class_keys)]
            seat = index // len(class_keys) + 1
            pupils.append(
                {
                    "number": f"{options['year']}{grade:02d}{number:02d}{seat:02d}"
                    if seat < 100
                    else f"{options['year']}{index:06d}",
                    "name": rng.choice(SURNAMES)
                    + rng.choice(GIVEN)
                    + (rng.choice(GIVEN) if rng.random() < 0.8 else ""),
                    "gender": rng.choice(["F", "M"]),
                    "class_key": (grade, number),
                    "guardian": f"13{rng.randrange(10**9):09d}",
                }
            )
        pupils.sort(key=lambda row: row["number"])  # cards numbered class by class
        teachers = [
            {
                "number": f"T{options['year'] % 100:02d}{index + 1:04d}",
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "gender": rng.choice(["F", "M"]),
                "department": DEPARTMENTS[index % len(DEPARTMENTS)],
            }
            for index in range(options["teachers"])
        ]
        if options["write_roster"]:
            self._write_roster(options["write_roster"], pupils)
            self.stdout.write(
                f"Wrote {len(pupils):,} pupils to {options['write_roster']}; nothing was saved."
            )
            return
        self._check_free([row["number"] for row in pupils + teachers])
        with transaction.atomic():
            classes = self._classes(class_keys)
            made = self._readers(pupils, teachers, classes, options["password"])
            teacher_users = list(
                User.objects.filter(username__in=[row["number"] for row in teachers]).order_by("username")
            )
            for school_class, teacher in zip(
                sorted(classes.values(), key=lambda item: (item.grade, item.number)),
                teacher_users,
                strict=False,
            ):
                if school_class.head_teacher_id is None:
                    school_class.head_teacher = teacher
            SchoolClass.objects.bulk_update(list(classes.values()), ["head_teacher"])
        self.stdout.write(
            f"Made {self.created_classes:,} new classes ({len(classes):,} in use) in grades {grades[0]}–{grades[-1]}, {made['students']:,} pupils and "
            f"{made['teachers']:,} teachers with accounts and cards in {time.perf_counter() - started:.1f} s."
        )

    def _check_free(self, numbers: list[str]) -> None:
        taken = set()
        for start in range(0, len(numbers), BATCH):
            chunk = numbers[start : start + BATCH]
            taken.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
            taken.update(Reader.objects.filter(number__in=chunk).values_list("number", flat=True))
        if taken:
            raise CommandError(
                f"{len(taken):,} of the numbers are taken already (e.g. {sorted(taken)[0]}): "
                "give another --year, or a database without this school."
            )

    def _classes(self, class_keys) -> dict:
        existing = {(item.grade, item.number): item for item in SchoolClass.objects.filter(is_active=True)}
        missing = [
            SchoolClass(grade=grade, number=number)
            for grade, number in class_keys
            if (grade, number) not in existing
        ]
        SchoolClass.objects.bulk_create(missing, batch_size=BATCH)
        self.created_classes = len(missing)
        existing = {(item.grade, item.number): item for item in SchoolClass.objects.filter(is_active=True)}
        return {key: existing[key] for key in class_keys}

    def _readers(self, pupils, teachers, classes, password: str) -> dict:
        password_hash = make_password(password) if password else make_password(None)
        rows = [(Reader.Kind.STUDENT, row) for row in pupils] + [
            (Reader.Kind.TEACHER, row) for row in teachers
        ]
        users = [
            User(username=row["number"], full_name=row["name"], password=password_hash) for _kind, row in rows
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        by_name = dict(
            User.objects.filter(username__in=[user.username for user in users]).values_list("username", "pk")
        )
        groups = {group.name: group.pk for group in Group.objects.all()}
        memberships = [
            User.groups.through(user_id=by_name[row["number"]], group_id=groups[ROLE_FOR_KIND[kind].value])
            for kind, row in rows
        ]
        User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)
        readers = [
            Reader(
                user_id=by_name[row["number"]],
                kind=kind,
                number=row["number"],
                gender=row["gender"],
                school_class=classes[row["class_key"]] if kind == Reader.Kind.STUDENT else None,
                guardian_contact=row.get("guardian", ""),
                department=row.get("department", ""),
            )
            for kind, row in rows
        ]
        Reader.objects.bulk_create(readers, batch_size=BATCH)
        reader_ids = dict(
            Reader.objects.filter(number__in=[reader.number for reader in readers]).values_list(
                "number", "pk"
            )
        )
        first = int(card_number_next()[1:])
        cards = [
            LibraryCard(reader_id=reader_ids[reader.number], number=f"R{first + index:07d}")
            for index, reader in enumerate(readers)
        ]
        LibraryCard.objects.bulk_create(cards, batch_size=BATCH)
        return {"students": len(pupils), "teachers": len(teachers)}

    def _write_roster(self, path: str, pupils) -> None:
        from django.utils import translation
        from openpyxl import Workbook

        translation.activate("zh-hans")  # the class names as a Chinese school office writes them
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("名册")
        sheet.append(["学号", "姓名", "性别", "班级", "家长联系方式"])
        for row in pupils:
            school_class = SchoolClass(grade=row["class_key"][0], number=row["class_key"][1])
            sheet.append(
                [
                    row["number"],
                    row["name"],
                    "女" if row["gender"] == "F" else "男",
                    f"{school_class.grade_name}({school_class.number})班",
                    row["guardian"],
                ]
            )
        workbook.save(path)
