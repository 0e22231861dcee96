"""A demo school, created once, with an account for every role.

``make run`` calls this on every start: the first time it creates the school and prints the
accounts with their passwords (random, and kept in var/demo_accounts.txt, readable only by
its owner); later it prints that file again and changes nothing.
"""

from __future__ import annotations

import os
import secrets
import string

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from faker import Faker

from circulation.models import Reader
from circulation.services import reader_create, reader_grant_volunteer, school_class_create
from library_site.accounts.models import User
from library_site.accounts.roles import Role
from library_site.accounts.services import user_create

DEMO_MARKER_USERNAME = "librarian"
GRADES = (3, 4, 5, 6)
CLASSES_PER_GRADE = 2
STUDENTS_PER_CLASS = 6


def _password() -> str:
    # Letters and digits, never all digits, long enough for Django's validators.
    alphabet = string.ascii_lowercase + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(10))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate


class Command(BaseCommand):
    help = "Create the demo school once and print its accounts."

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        accounts_file = settings.VAR_DIR / "demo_accounts.txt"
        if User.objects.filter(username=DEMO_MARKER_USERNAME).exists():
            if accounts_file.exists():
                self.stdout.write(accounts_file.read_text(encoding="utf-8"))
            else:
                self.stdout.write(
                    "The demo school exists, but var/demo_accounts.txt is gone. "
                    "Set a new password with: python manage.py changepassword USERNAME"
                )
            return
        lines = self._create()
        text = "\n".join(lines) + "\n"
        descriptor = os.open(accounts_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        self.stdout.write(text)

    @transaction.atomic
    def _create(self) -> list[str]:
        fake = Faker("zh_CN")
        fake.seed_instance(2026)
        rows: list[tuple[str, str, str, str]] = []

        def staff(username: str, full_name: str, role: Role) -> User:
            password = _password()
            user = user_create(username=username, password=password, full_name=full_name, roles=[role])
            rows.append((str(role.label), username, password, full_name))
            return user

        staff("admin", "王管理员", Role.ADMINISTRATOR)
        staff(DEMO_MARKER_USERNAME, "李馆员", Role.LIBRARIAN)
        staff("leader", "张校长", Role.LEADER)

        teacher_password = _password()
        head_teachers = []
        for index in range(len(GRADES) * CLASSES_PER_GRADE):
            number = f"T{index + 1:03d}"
            teacher = reader_create(
                kind=Reader.Kind.TEACHER,
                number=number,
                full_name=fake.name(),
                department="语文组" if index % 2 == 0 else "数学组",
            )
            head_teachers.append(teacher)
        rows.append(
            (
                str(Role.TEACHER.label),
                head_teachers[0].number,
                teacher_password,
                f"{head_teachers[0].name} (T001–T{len(head_teachers):03d})",
            )
        )

        student_password = _password()
        students = []
        teacher_iter = iter(head_teachers)
        for grade in GRADES:
            for class_number in range(1, CLASSES_PER_GRADE + 1):
                school_class = school_class_create(
                    grade=grade, number=class_number, head_teacher=next(teacher_iter).user
                )
                for seat in range(1, STUDENTS_PER_CLASS + 1):
                    students.append(
                        reader_create(
                            kind=Reader.Kind.STUDENT,
                            number=f"2026{grade:02d}{class_number:02d}{seat:02d}",
                            full_name=fake.name(),
                            school_class=school_class,
                            gender=Reader.Gender.FEMALE if seat % 2 else Reader.Gender.MALE,
                        )
                    )
        # One hash for each shared password: hashing is slow on purpose, once is enough.
        User.objects.filter(reader__in=head_teachers).update(password=make_password(teacher_password))
        User.objects.filter(reader__in=students).update(password=make_password(student_password))
        first = students[0]
        rows.append(
            (
                str(Role.STUDENT.label),
                first.number,
                student_password,
                f"{first.name}, {first.school_class.name} ({len(students)})",
            )
        )
        volunteer = students[-1]
        reader_grant_volunteer(reader=volunteer)
        rows.append(
            (
                str(Role.VOLUNTEER.label),
                volunteer.number,
                student_password,
                f"{volunteer.name}, {volunteer.school_class.name}",
            )
        )

        lines = [
            "Demo accounts (示范账号) — http://127.0.0.1:8000",
            "Students and teachers may also sign in with their library card number.",
            f"  {'user':<12} {'password':<12} role / who",
        ]
        # The ASCII columns first, so that they line up whatever the width of the Chinese text.
        lines += [f"  {user:<12} {password:<12} {role} · {who}" for role, user, password, who in rows]
        return lines
