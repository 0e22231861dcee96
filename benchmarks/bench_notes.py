"""Issue 16's figures, measured on the database of DATABASE_URL (PostgreSQL for the figures that
count):

    make bench BENCH=notes       (on BENCH_DATABASE_URL, as every benchmark)
    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python -m benchmarks.bench_notes [owed copy drafts]

1. Notes owed for a whole school: BENCH_PUPILS pupils (default 3,000 in 60 classes), a term of
   BENCH_LOANS loans (40,000) and BENCH_NOTES notes (15,000), made once in bulk and kept (pupils
   numbered BN…). The class list (one class) and the school-wide list and .xlsx export: time and
   queries. Target: a constant number of queries, ≤ 1 s for the whole school.
2. The copy check of one new note against BENCH_FINGERPRINTS earlier texts (100,000; their bands
   are random, as distinct texts' are, plus the real notes'): p95 of ``work_similarity_check``
   over 40 notes, 5 of them near copies. Target p95 ≤ 200 ms.
3. Saving a draft: BENCH_TYPISTS pupils (200) typing at once, each saving every BENCH_EVERY s
   (10) for BENCH_SECONDS s (60), through the real autosave endpoint on gunicorn
   (BENCH_WORKERS gthread workers × BENCH_THREADS threads, default 4 × 4). Target p95 ≤ 50 ms.

It writes to the database it is given.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta

import django

from benchmarks.figures import percentile

SENTENCES = [
    "我喜欢这本书里的主人公", "他遇到困难从不放弃", "这个故事告诉我要珍惜友谊", "读完以后我想了很久",
    "书中的风景描写很美", "我也想像他一样勇敢", "妈妈说这本书她小时候也读过", "最感动的是结尾那一段",
    "我明白了做事要坚持", "老师推荐我们读这本书", "我把喜欢的句子抄了下来", "下次我还要读他写的别的书",
]  # fmt: skip


def text(rng: random.Random, sentences: int = 8) -> str:
    return "，".join(rng.choice(SENTENCES) for _index in range(sentences)) + "。"


def distinct_text(rng: random.Random, length: int = 150) -> str:
    """A text of its own (the sentences above share too much to stand for different pupils)."""
    return "".join(chr(0x4E00 + rng.randrange(3000)) for _index in range(length))


def analyse() -> None:
    """Fresh statistics after a bulk load, as autovacuum would make them later."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def school_ensure(pupils: int, loans: int, notes: int, rng: random.Random):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from activities.models import PupilWork, ReadingNote
    from catalog.models import Copy, Location, Record
    from circulation.models import Loan, Reader, SchoolClass, Term
    from library_site.accounts.models import User

    today = timezone.localdate()
    term = Term.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if term is None:
        term = Term.objects.create(
            name="基准学期", starts_on=today - timedelta(days=70), ends_on=today + timedelta(days=100),
            hard_due_on=today + timedelta(days=90),
        )  # fmt: skip
    if Reader.objects.filter(number__startswith="BN").count() >= pupils:
        return term
    classes = []
    for grade in range(1, 7):
        for number in range(1, 11):
            school_class, _created = SchoolClass.objects.get_or_create(
                grade=grade, number=number, is_active=True
            )
            classes.append(school_class)
    password = make_password("bench-pass-42")
    users = User.objects.bulk_create(
        [
            User(username=f"bn{index:05d}", full_name=f"学生{index}", password=password)
            for index in range(pupils)
        ]
    )
    users = list(User.objects.filter(username__startswith="bn").order_by("username"))
    student = Group.objects.get(name="student")
    User.groups.through.objects.bulk_create([User.groups.through(user=user, group=student) for user in users])
    readers = Reader.objects.bulk_create(
        [
            Reader(
                user=user,
                kind=Reader.Kind.STUDENT,
                number=f"BN{index:05d}",
                school_class=classes[index % len(classes)],
            )
            for index, user in enumerate(users)
        ]
    )
    readers = list(Reader.objects.filter(number__startswith="BN").select_related("school_class"))
    records = Record.objects.bulk_create(
        [
            Record(
                title=f"基准图书{index}",
                material_type=Record.MaterialType.TEXTBOOK if index % 10 == 0 else Record.MaterialType.BOOK,
                summary=text(rng, 4),
            )
            for index in range(2000)
        ]
    )
    records = list(Record.objects.filter(title__startswith="基准图书"))
    location = Location.objects.filter(kind=Location.Kind.STACKS).first()
    Copy.objects.bulk_create(
        [
            Copy(
                record=records[index % len(records)],
                barcode=f"BN{index:07d}",
                accession_number=f"BNA{index:07d}",
                location=location,
            )
            for index in range(6000)
        ],
        batch_size=2000,
    )
    copies = list(Copy.objects.filter(barcode__startswith="BN").values_list("pk", "record_id"))
    start = timezone.localtime().replace(hour=10) - timedelta(days=(today - term.starts_on).days)
    span = max(1, (today - term.starts_on).days)
    batch = []
    for _index in range(loans):
        reader = rng.choice(readers)
        lent_at = start + timedelta(days=rng.randrange(span), minutes=rng.randrange(480))
        batch.append(
            Loan(
                copy_id=rng.choice(copies)[0], reader=reader, state=Loan.State.RETURNED, lent_at=lent_at,
                due_on=lent_at.date() + timedelta(days=14), returned_at=lent_at + timedelta(days=7),
                reader_kind="student", reader_grade=reader.school_class.grade,
                reader_class_number=reader.school_class.number,
            )
        )  # fmt: skip
    Loan.objects.bulk_create(batch, batch_size=5000)
    batch = []
    for _index in range(notes):
        submitted = start + timedelta(days=rng.randrange(span), minutes=rng.randrange(480))
        batch.append(
            ReadingNote(
                reader=rng.choice(readers), record=rng.choice(records), state=PupilWork.State.SUBMITTED,
                submitted_at=submitted, saved_at=submitted, month=submitted.date().replace(day=1),
                title="读后感", summary=text(rng, 3), reflection=text(rng, 10),
            )
        )  # fmt: skip
    ReadingNote.objects.bulk_create(batch, batch_size=5000)
    analyse()
    return term


def bench_owed():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from activities.exports import notes_owed_write
    from activities.selectors.notes import class_notes_owed, school_notes_owed
    from circulation.models import SchoolClass

    school_class = SchoolClass.objects.filter(is_active=True, students__number__startswith="BN").first()
    class_notes_owed(school_class)  # the rules and terms in the cache
    timings = []
    for _run in range(20):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = class_notes_owed(school_class)
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"Class list ({len(result['lines'])} pupils): p50 {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms, {len(queries)} queries."
    )
    timings = []
    for _run in range(5):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            lines = school_notes_owed()
            timings.append((time.perf_counter() - started) * 1000)
    owing = sum(1 for line in lines if line.owed)
    print(
        f"Whole school ({len(lines):,} pupils, {owing:,} owing): p50 {statistics.median(timings):.0f} ms, "
        f"max {max(timings):.0f} ms, {len(queries)} queries."
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        notes_owed_write(os.path.join(folder, "owed.xlsx"), on=timezone.localdate())
    print(f"School-wide .xlsx export (notes_owed): {(time.perf_counter() - started) * 1000:.0f} ms.")


def bench_copy_check(fingerprints: int, rng: random.Random):
    from django.db import transaction

    from activities.models import ReadingNote, WorkFingerprint
    from activities.services.similarity import BANDS, band_keys, shingles, signature, work_similarity_check
    from circulation.models import Reader

    base = 50_000_000
    have = WorkFingerprint.objects.filter(work_id__gte=base).values("work_id").distinct().count()
    if have < fingerprints:
        rows = []
        for work in range(have, fingerprints):
            rows += [
                WorkFingerprint(
                    kind="note",
                    work_id=base + work,
                    reader_id=rng.randrange(1, 10**6),
                    band=rng.getrandbits(63),
                )
                for _band in range(BANDS)
            ]
            if len(rows) >= 100_000:
                WorkFingerprint.objects.bulk_create(rows, batch_size=20_000)
                rows = []
        WorkFingerprint.objects.bulk_create(rows, batch_size=20_000)
        analyse()
    # A few real notes with their fingerprints, for the near copies to find.
    originals = list(ReadingNote.objects.filter(reader__number__startswith="BN").order_by("pk")[:5])
    for note in originals:
        WorkFingerprint.objects.filter(kind="note", work_id=note.pk).delete()
        WorkFingerprint.objects.bulk_create(
            [
                WorkFingerprint(kind="note", work_id=note.pk, reader_id=note.reader_id, band=key)
                for key in band_keys(signature(shingles(note.reflection)))
            ]
        )
    total = WorkFingerprint.objects.count()
    readers = list(Reader.objects.filter(number__startswith="BN")[:100])
    timings, flagged = [], 0
    for index in range(40):
        reflection = originals[index % 5].reflection + "真好。" if index % 8 == 0 else distinct_text(rng)
        with transaction.atomic():
            note = ReadingNote.objects.create(
                reader=rng.choice(readers), reflection=reflection, state="submitted"
            )
            note = ReadingNote.objects.select_related("record").get(pk=note.pk)
            started = time.perf_counter()
            found = work_similarity_check(work=note)
            timings.append((time.perf_counter() - started) * 1000)
            flagged += found is not None
            transaction.set_rollback(True)
    print(
        f"Copy check against {fingerprints:,} texts ({total:,} band rows): p50 {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms; {flagged} of 40 flagged (5 near copies)."
    )


def bench_drafts(typists: int, every: float, seconds: float, workers: int, threads: int):
    import http.client
    import re
    import urllib.parse

    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from activities.services.notes import note_start
    from benchmarks.bench_desk import free_port, gunicorn_start
    from circulation.models import Reader

    call_command("collectstatic", interactive=False, verbosity=0)
    readers = list(
        Reader.objects.filter(number__startswith="BN").select_related("user", "school_class")[:typists]
    )
    sessions = []
    for reader in readers:
        note = note_start(reader=reader)
        client = Client()
        client.force_login(reader.user)
        sessions.append((note.pk, client.cookies["sessionid"].value))
    connections.close_all()
    port = free_port()
    server = gunicorn_start(port, workers, "gthread", threads)
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_at = time.time() + 5

    def typist(note_id: int, session: str, seed: int):
        local = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cookies = {"sessionid": session}

        def request(method, path, body=None, headers=None):
            headers = dict(headers or {})
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
            data = urllib.parse.urlencode(body) if body is not None else None
            if data is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            try:
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionError):
                connection.close()
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
            payload = response.read().decode()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _sep, rest = value.partition("=")
                    cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, payload

        status, page = request("GET", f"/activities/notes/{note_id}/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            with lock:
                failures.append(f"page {status}")
            return
        revision, written = 0, ""
        time.sleep(max(0, start_at - time.time()) + local.uniform(0, every))
        ends = start_at + seconds
        while time.time() < ends:
            began = time.time()
            written += local.choice(SENTENCES) + "，"
            body = {"csrfmiddlewaretoken": token.group(1), "title": "读后感", "summary": "", "reflection": written,
                    "revision": revision, "book": ""}  # fmt: skip
            started = time.perf_counter()
            status, answer = request(
                "POST", f"/activities/notes/{note_id}/autosave/", body,
                {"X-CSRFToken": cookies.get("csrftoken", ""), "Referer": f"http://127.0.0.1:{port}/"},
            )  # fmt: skip
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    timings.append(elapsed)
                    revision = int(re.search(r'"revision": (\d+)', answer).group(1))
                else:
                    failures.append(f"{status} {answer[:80]}")
            time.sleep(max(0, every - (time.time() - began)))

    try:
        pool = [
            threading.Thread(target=typist, args=(note_id, session, index))
            for index, (note_id, session) in enumerate(sessions)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"Draft saves: {typists} pupils, one save each every {every:.0f} s for {seconds:.0f} s, gunicorn "
        f"{workers} gthread workers × {threads} threads: {len(timings)} saves, p50 {percentile(timings, 0.5):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings or [0]):.1f} ms; {len(failures)} failed"
        f"{f' ({failures[0]})' if failures else ''}."
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(int(os.environ.get("BENCH_SEED", "16")))
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Database: {vendor} {settings.DATABASES['default'].get('NAME')}; {os.cpu_count()} cores.")
    started = time.perf_counter()
    school_ensure(
        int(os.environ.get("BENCH_PUPILS", "3000")),
        int(os.environ.get("BENCH_LOANS", "40000")),
        int(os.environ.get("BENCH_NOTES", "15000")),
        rng,
    )
    print(f"Data ready in {time.perf_counter() - started:.0f} s.")
    parts = [part for part in sys.argv[1:] if part in ("owed", "copy", "drafts")] or [
        "owed",
        "copy",
        "drafts",
    ]
    if "owed" in parts:
        bench_owed()
    if "copy" in parts:
        bench_copy_check(int(os.environ.get("BENCH_FINGERPRINTS", "100000")), rng)
    if "drafts" in parts:
        bench_drafts(
            int(os.environ.get("BENCH_TYPISTS", "200")),
            float(os.environ.get("BENCH_EVERY", "10")),
            float(os.environ.get("BENCH_SECONDS", "60")),
            int(os.environ.get("BENCH_WORKERS", "4")),
            int(os.environ.get("BENCH_THREADS", "4")),
        )


if __name__ == "__main__":
    main()
