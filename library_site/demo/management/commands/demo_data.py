"""A demo school, created once, with an account for every role.

``make run`` calls this on every start: the first time it creates the school and prints the
accounts with their passwords (random, and kept in var/demo_accounts.txt, readable only by
its owner); later it prints that file again and changes nothing.
"""

from __future__ import annotations

import io
import os
import secrets
import string

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from faker import Faker

from circulation.models import Reader
from circulation.services.policies import circulation_settings_update
from circulation.services.readers import reader_create, reader_grant_volunteer
from circulation.services.school import school_class_create
from library_site.accounts.models import User
from library_site.accounts.passwords import first_password_hash, first_password_make
from library_site.accounts.roles import Role
from library_site.accounts.services import user_create

DEMO_MARKER_USERNAME = "librarian"
GRADES = (3, 4, 5, 6)
# The history the demo comes with, so that the statistics, the leaders' report and registers A
# and I are full on the first start: a year of loans (some still out, some overdue), reading-room
# visits in the last months, and every month before this one counted as the monthly job would.
HISTORY_YEARS = 1
HISTORY_LOANS = 900
HISTORY_OPEN_LOANS = 16
VISIT_MONTHS = 4
VISITS_PER_PUPIL_AND_MONTH = 3
CLASSES_PER_GRADE = 2
STUDENTS_PER_CLASS = 6


def _password() -> str:
    # Letters and digits, never all digits, long enough for Django's validators.
    alphabet = string.ascii_lowercase + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(10))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate


# A small shelf of books every Chinese school library holds: title, author and role,
# publisher, year, CLC class number, number of copies.
DEMO_BOOKS = [
    ("西游记", "吴承恩", "author", "人民文学出版社", 2018, "I242.4", 3),
    ("红楼梦", "曹雪芹", "author", "人民文学出版社", 2008, "I242.4", 2),
    ("水浒传", "施耐庵", "author", "人民文学出版社", 2017, "I242.4", 2),
    ("三国演义", "罗贯中", "author", "人民文学出版社", 2017, "I242.4", 2),
    ("草房子", "曹文轩", "author", "江苏少年儿童出版社", 2016, "I287.45", 4),
    ("青铜葵花", "曹文轩", "author", "江苏少年儿童出版社", 2016, "I287.45", 3),
    ("城南旧事", "林海音", "author", "中国青年出版社", 2015, "I246.5", 2),
    ("稻草人", "叶圣陶", "author", "人民文学出版社", 2019, "I287.7", 3),
    ("寄小读者", "冰心", "author", "人民文学出版社", 2020, "I287.6", 2),
    ("骆驼祥子", "老舍", "author", "人民文学出版社", 2019, "I246.5", 2),
    ("朝花夕拾", "鲁迅", "author", "人民文学出版社", 2021, "I266", 3),
    ("繁星·春水", "冰心", "author", "人民文学出版社", 2020, "I226", 2),
    ("小王子", "圣埃克苏佩里", "author", "人民文学出版社", 2019, "I565.88", 3),
    ("夏洛的网", "E.B.怀特", "author", "上海译文出版社", 2014, "I712.88", 3),
    ("海底两万里", "儒勒·凡尔纳", "author", "人民文学出版社", 2018, "I565.44", 2),
    ("昆虫记", "法布尔", "author", "人民文学出版社", 2018, "Q96-49", 2),
    ("十万个为什么", "韩启德", "chief_editor", "少年儿童出版社", 2013, "Z228.1", 2),
    ("中国少年儿童百科全书", "林崇德", "chief_editor", "浙江教育出版社", 2016, "Z228.1", 1),
    ("上下五千年", "林汉达", "author", "少年儿童出版社", 2012, "K209", 2),
    ("唐诗三百首", "蘅塘退士", "editor", "中华书局", 2016, "I222.742", 3),
    ("安徒生童话", "安徒生", "author", "人民文学出版社", 2018, "I534.88", 3),
    ("格林童话", "格林兄弟", "author", "人民文学出版社", 2018, "I516.88", 2),
    ("新华字典", "中国社会科学院语言研究所", "editor", "商务印书馆", 2020, "H163", 4),
    ("爱的教育", "亚米契斯", "author", "人民文学出版社", 2017, "I546.84", 2),
]


HEADING = "Demo accounts (示范账号)"
SLIPS_FILE = "demo_first_passwords.pdf"


class Command(BaseCommand):
    help = "Create the demo school once and print its accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="http://127.0.0.1:8000",
            help="The address the web server listens on, printed above the accounts (make run passes its PORT).",
        )

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        accounts_file = settings.VAR_DIR / "demo_accounts.txt"
        heading = f"{HEADING} — {options['address']}\n"
        if User.objects.filter(username=DEMO_MARKER_USERNAME).exists():
            if accounts_file.exists():
                kept = accounts_file.read_text(encoding="utf-8")
                # Files written before the address was printed apart began with a heading of their own.
                if kept.startswith(HEADING):
                    kept = kept.split("\n", 1)[1]
                self.stdout.write(heading + kept)
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
        self.stdout.write(heading + text)

    def _first_passwords(self, readers: list[Reader]) -> dict[int, str]:
        """A first password for each reader, hashed, and the slips of all of them written to
        var/ (readable only by the owner), as a roster's readers get theirs."""
        from circulation.printing.first_passwords import Slip, password_slips_pdf

        passwords = {reader.pk: first_password_make() for reader in readers}
        User.objects.bulk_update(
            [
                User(
                    pk=reader.user_id,
                    password=first_password_hash(passwords[reader.pk]),
                    password_change_required=True,
                )
                for reader in readers
            ],
            ["password", "password_change_required"],
        )
        slips = [
            Slip(
                class_name=reader.school_class.name if reader.school_class_id else reader.department,
                full_name=reader.name,
                username=reader.number,
                password=passwords[reader.pk],
            )
            for reader in readers
        ]
        pdf = password_slips_pdf(slips, school=settings.SCHOOL_NAME or "示范学校图书馆")
        descriptor = os.open(settings.VAR_DIR / SLIPS_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pdf)
        return passwords

    def _create_catalogue(self) -> None:
        from catalog.models import Location
        from catalog.services.copies import copies_add
        from catalog.services.records import record_create

        stacks = Location.objects.order_by("position").first()
        for index, (title, author, role, publisher, year, clc_code, copies) in enumerate(DEMO_BOOKS):
            record = record_create(
                fields={
                    "title": title,
                    "publisher": publisher,
                    "place": "北京"
                    if "人民" in publisher or "商务" in publisher or "中华" in publisher
                    else "",
                    "year": year,
                    "clc_code": clc_code,
                    "reading_level_from": 3,
                    "reading_level_to": 6,
                },
                contributors=[(author, role)],
            )
            copies_add(
                record=record, count=copies, location=stacks, shelf=f"{chr(65 + index // 8)}{index % 8 + 1}"
            )

    def _create_history(self) -> None:
        """Loans through the loan generator, visits, and the months counted by reports' service."""
        import random
        from datetime import datetime, time, timedelta

        from django.core.management import call_command
        from django.utils import timezone

        from catalog.models import Location
        from circulation.models import LibraryCard, Loan, Visit
        from reports.periods import month_first, month_previous
        from reports.services.statistics import monthly_snapshot_compute

        today = timezone.localdate()
        call_command(
            "generate_loans",
            years=HISTORY_YEARS,
            loans=HISTORY_LOANS,
            open=HISTORY_OPEN_LOANS,
            seed=2026,
            today=today.isoformat(),
            stdout=io.StringIO(),
        )
        rooms = list(
            Location.objects.filter(kind__in=[Location.Kind.READING_ROOM, Location.Kind.PERIODICALS_ROOM])
        )
        cards = list(
            LibraryCard.objects.filter(status=LibraryCard.Status.ACTIVE, reader__kind=Reader.Kind.STUDENT)
        )
        rng = random.Random(2026)
        zone = timezone.get_current_timezone()
        visits = []
        for back in range(VISIT_MONTHS * 30, 0, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= 5 or not rooms:
                continue
            for card in rng.sample(cards, k=max(1, len(cards) * VISITS_PER_PUPIL_AND_MONTH // 22)):
                entered = datetime.combine(day, time(rng.randint(8, 16), rng.randrange(60)), tzinfo=zone)
                visits.append(
                    Visit(room=rng.choice(rooms), reader_id=card.reader_id, card=card, entered_at=entered)
                )
        Visit.objects.bulk_create(visits)
        first = Loan.objects.order_by("lent_at").values_list("lent_at", flat=True).first()
        month = month_first(timezone.localtime(first).date()) if first else month_previous(month_first(today))
        while month < month_first(today):
            monthly_snapshot_compute(month=month, today=today)
            month = month_first(month + timedelta(days=32))

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

        # The seed's primary school gives cards to grades 3–6 (R1); the administrator changes it
        # on the lending settings page.
        circulation_settings_update(fields={"card_grades": ",".join(str(grade) for grade in GRADES)})
        staff("admin", "王管理员", Role.ADMINISTRATOR)
        staff(DEMO_MARKER_USERNAME, "李馆员", Role.LIBRARIAN)
        staff("leader", "张校长", Role.LEADER)

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
        # Every teacher and pupil has a first password of their own, as a roster's readers do,
        # to be changed at the first sign-in; all of them are on the slips in var/.
        passwords = self._first_passwords([*head_teachers, *students])
        first_teacher, first = head_teachers[0], students[0]
        rows.append(
            (
                str(Role.TEACHER.label),
                first_teacher.number,
                passwords[first_teacher.pk],
                f"{first_teacher.name} (T001–T{len(head_teachers):03d}: {SLIPS_FILE})",
            )
        )
        rows.append(
            (
                str(Role.STUDENT.label),
                first.number,
                passwords[first.pk],
                f"{first.name}, {first.school_class.name} ({len(students)}: {SLIPS_FILE})",
            )
        )
        volunteer = students[-1]
        reader_grant_volunteer(reader=volunteer)
        rows.append(
            (
                str(Role.VOLUNTEER.label),
                volunteer.number,
                passwords[volunteer.pk],
                f"{volunteer.name}, {volunteer.school_class.name}",
            )
        )

        self._create_catalogue()
        self._create_history()
        lines = [
            "Students and teachers may also sign in with their library card number. Each has a first",
            f"password of their own (all on the slips in var/{SLIPS_FILE}), changed at the first sign-in.",
            f"  {'user':<12} {'password':<12} role / who",
        ]
        # The ASCII columns first, so that they line up whatever the width of the Chinese text.
        lines += [f"  {user:<12} {password:<12} {role} · {who}" for role, user, password, who in rows]
        return lines
