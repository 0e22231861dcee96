"""Issue 19's figures, on the database of DATABASE_URL (PostgreSQL for the figures that count):

    make bench BENCH=promotion        (BENCH_DATABASE_URL; BENCH_RECORDS small is fine)

1. The nightly recommendation job (``recommendations_compute``) over BENCH_PROMO_LOANS loans
   (default 1,000,000) of BENCH_PROMO_PUPILS pupils (3,000 in 60 classes of grades 1–6) on
   BENCH_PROMO_TITLES titles (20,000, one copy each, popularity skewed), three school years of
   history with each loan's grade then. Target ≤ 60 s and ≤ 500 MB (the worker's peak RSS: the
   baskets are streamed from the database and their pairs counted in the worker).
2. The pupil's home page with the bulletin and recommendations: p95 over BENCH_PROMO_PAGES
   (60) pupils through Django's test client, and the number of queries of each (must be the
   same for all). Target p95 ≤ 100 ms.
3. A questionnaire's results with BENCH_PROMO_RESPONSES (3,000) responses to 8 questions:
   ``survey_results`` and the results page (its first page of free-text answers). Target ≤ 300 ms.

The data are made once in bulk (loans by one INSERT … SELECT on PostgreSQL) and kept (pupils
numbered BP…). It writes to the database it is given.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import time
from datetime import timedelta

import django

from benchmarks.figures import percentile

PREFIX = "BP"


def env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def school_ensure(pupils: int, titles: int, loans: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from catalog.models import Copy, Location, Record
    from circulation.models import Loan, Reader, SchoolClass
    from library_site.accounts.models import User

    rng = random.Random(19)
    if Reader.objects.filter(number__startswith=PREFIX).count() < pupils:
        classes = [
            SchoolClass.objects.get_or_create(grade=grade, number=number, is_active=True)[0]
            for grade in range(1, 7)
            for number in range(1, 11)
        ]
        password = make_password("bench-pass-42")
        User.objects.bulk_create(
            [
                User(username=f"bp{index:05d}", full_name=f"学生{index}", password=password)
                for index in range(pupils)
            ],
            batch_size=2000,
        )
        users = list(User.objects.filter(username__startswith="bp").order_by("username"))
        student = Group.objects.get(name="student")
        User.groups.through.objects.bulk_create(
            [User.groups.through(user=user, group=student) for user in users]
        )
        Reader.objects.bulk_create(
            [
                Reader(
                    user=user,
                    kind=Reader.Kind.STUDENT,
                    number=f"{PREFIX}{index:05d}",
                    school_class=classes[index % 60],
                )
                for index, user in enumerate(users)
            ],
            batch_size=2000,
        )
    if Record.objects.filter(title__startswith="推荐基准").count() < titles:
        now = timezone.now()
        Record.objects.bulk_create(
            [
                Record(
                    title=f"推荐基准{index}",
                    clc_code="I287",
                    reading_level_from=(low := 1 + index % 6),
                    reading_level_to=min(12, low + 2),
                    created_at=now - timedelta(days=index % 700),
                )
                for index in range(titles)
            ],
            batch_size=5000,
        )
        location = Location.objects.filter(kind=Location.Kind.STACKS).first()
        record_ids = list(Record.objects.filter(title__startswith="推荐基准").values_list("pk", flat=True))
        Copy.objects.bulk_create(
            [
                Copy(
                    record_id=pk,
                    barcode=f"{PREFIX}{index:07d}",
                    accession_number=f"{PREFIX}A{index:07d}",
                    location=location,
                )
                for index, pk in enumerate(record_ids)
            ],
            batch_size=5000,
        )
    have = Loan.objects.filter(reader__number__startswith=PREFIX).count()
    if have >= loans:
        return
    if connection.vendor != "postgresql":
        raise SystemExit(
            "the loans are made in bulk by PostgreSQL's generate_series: use a PostgreSQL database"
        )
    readers = list(
        Reader.objects.filter(number__startswith=PREFIX)
        .order_by("pk")
        .values_list("pk", "school_class__grade", "school_class__number")
    )
    copies = list(Copy.objects.filter(barcode__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
    rng.shuffle(copies)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bp_readers (n int PRIMARY KEY, id bigint, grade int, class_number int)"
        )
        cursor.executemany(
            "INSERT INTO bp_readers VALUES (%s, %s, %s, %s)",
            [(index, pk, grade, number) for index, (pk, grade, number) in enumerate(readers)],
        )
        cursor.execute("CREATE TEMP TABLE bp_copies (n int PRIMARY KEY, id bigint)")
        cursor.executemany("INSERT INTO bp_copies VALUES (%s, %s)", list(enumerate(copies)))
        # A loan: a random pupil, a title skewed toward the popular ones (the square of a
        # uniform number), lent in the last three school years, in the grade they were in then.
        cursor.execute(
            f"""
            INSERT INTO {Loan._meta.db_table}
                (copy_id, reader_id, reader_kind, reader_grade, reader_class_number, state, lent_at, desk,
                 due_on, renewals, returned_at, return_desk, overdue_days, fine)
            SELECT c.id, r.id, 'student', GREATEST(1, r.grade - s.years_ago), r.class_number, 'returned',
                   s.lent_at, '', (s.lent_at + interval '14 days')::date, 0, s.lent_at + interval '7 days', '', 0, 0
            FROM (
                SELECT (random() * %(readers)s)::int %% %(readers)s AS reader_n,
                       (power(random(), 2) * %(copies)s)::int %% %(copies)s AS copy_n,
                       now() - (random() * 1000) * interval '1 day' AS lent_at,
                       0 AS years_ago, g
                FROM generate_series(1, %(count)s) g
            ) s0
            CROSS JOIN LATERAL (SELECT s0.lent_at, (EXTRACT(EPOCH FROM now() - s0.lent_at) / 31557600)::int AS years_ago) s
            JOIN bp_readers r ON r.n = s0.reader_n
            JOIN bp_copies c ON c.n = s0.copy_n
            """,  # noqa: S608
            {"readers": len(readers), "copies": len(copies), "count": loans - have},
        )
    analyse()


def bench_job() -> None:
    from django.db import connection

    from activities.services.recommendations import recommendations_compute
    from circulation.models import Loan

    loans = Loan.objects.count()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    result = recommendations_compute()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    work_mem = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            work_mem = f", PostgreSQL work_mem {cursor.fetchone()[0]}"
    print(
        f"1. nightly recommendations over {loans:,} loans: {seconds:.1f} s (target ≤ 60 s: "
        f"{'met' if seconds <= 60 else 'NOT MET'}); worker peak RSS {peak:.0f} MB (before {before:.0f} MB; "
        f"target ≤ 500 MB: {'met' if peak <= 500 else 'NOT MET'}){work_mem}; {result.grades} grades, "
        f"{result.pairs:,} pairs kept, {result.popular:,} popular rows"
    )


def bench_home(pages: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from activities.services.bulletin import post_save
    from circulation.models import Reader
    from library_site.accounts.models import User

    staff = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bp-admin", password=None
    )
    from activities.models import BulletinPost

    if not BulletinPost.objects.filter(title="基准通知").exists():
        for index in range(3):
            post_save(
                user=staff,
                title="基准通知" if index == 0 else f"基准新闻{index}",
                body="<p>欢迎来到图书馆</p>",
                pinned=index == 0,
            )
    readers = list(
        Reader.objects.filter(number__startswith=PREFIX)
        .select_related("user")
        .order_by("pk")[:: max(1, 3000 // pages)][:pages]
    )
    timings, counts = [], set()
    client = Client()
    client.force_login(readers[0].user)
    client.get("/")  # warm the templates
    for reader in readers:
        client.force_login(reader.user)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/")
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and b"data-home-recommendations" in response.content
        counts.add(len(queries))
    p95 = percentile(timings, 0.95)
    print(
        f"2. pupil's home page with recommendations, {len(readers)} pupils: p95 {p95:.0f} ms, median "
        f"{statistics.median(timings):.0f} ms (target p95 ≤ 100 ms: {'met' if p95 <= 100 else 'NOT MET'}); "
        f"queries per page {sorted(counts)} ({'constant' if len(counts) == 1 else 'NOT constant'})"
    )


def bench_survey(responses: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from activities.models import Survey, SurveyAnswer, SurveyParticipation, SurveyResponse
    from activities.selectors.surveys import survey_results
    from activities.services.surveys import survey_create
    from library_site.accounts.models import User

    rng = random.Random(3)
    survey = Survey.objects.filter(title="基准问卷").first()
    if survey is None:
        now = timezone.now()
        staff = User.objects.filter(is_superuser=True).first()
        questions = (
            [{"kind": "single", "text": f"单选{n}", "choices": ["甲", "乙", "丙", "丁"]} for n in range(3)]
            + [
                {"kind": "multiple", "text": f"多选{n}", "choices": ["童话", "科普", "历史", "漫画", "诗歌"]}
                for n in range(2)
            ]
            + [{"kind": "rating", "text": f"评分{n}"} for n in range(2)]
            + [{"kind": "text", "text": "建议", "required": False}]
        )
        survey = survey_create(
            user=staff,
            title="基准问卷",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=9),
            questions=questions,
        )
        questions = list(survey.questions.all())
        SurveyParticipation.objects.bulk_create(
            [SurveyParticipation(survey=survey, key=f"{index:064x}") for index in range(responses)]
        )
        made = SurveyResponse.objects.bulk_create(
            [SurveyResponse(survey=survey, submitted_on=now.date()) for _ in range(responses)],
            batch_size=2000,
        )
        answers = []
        for response in made:
            for question in questions:
                if question.kind == "single":
                    answers.append(
                        SurveyAnswer(response=response, question=question, choices=[rng.randrange(4)])
                    )
                elif question.kind == "multiple":
                    answers.append(
                        SurveyAnswer(
                            response=response, question=question, choices=sorted(rng.sample(range(5), 2))
                        )
                    )
                elif question.kind == "rating":
                    answers.append(
                        SurveyAnswer(response=response, question=question, rating=rng.randint(1, 5))
                    )
                elif rng.random() < 0.3:
                    answers.append(
                        SurveyAnswer(response=response, question=question, text="希望多买一些科普书")
                    )
        SurveyAnswer.objects.bulk_create(answers, batch_size=5000)
        analyse()
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        results = survey_results(survey)
        timings.append((time.perf_counter() - started) * 1000)
    client = Client()
    client.force_login(User.objects.filter(is_superuser=True).first())
    page = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get(f"/activities/surveys/{survey.pk}/results/").status_code == 200
        page.append((time.perf_counter() - started) * 1000)
    worst = max(max(timings), max(page))
    print(
        f"3. questionnaire results, {results['responses']:,} responses × 8 questions: selector median "
        f"{statistics.median(timings):.0f} ms, page median {statistics.median(page):.0f} ms, worst {worst:.0f} ms "
        f"(target ≤ 300 ms: {'met' if worst <= 300 else 'NOT MET'})"
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    pupils, titles, loans = (
        env("BENCH_PROMO_PUPILS", 3000),
        env("BENCH_PROMO_TITLES", 20000),
        env("BENCH_PROMO_LOANS", 1_000_000),
    )
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    started = time.perf_counter()
    school_ensure(pupils, titles, loans)
    print(
        f"data ready in {time.perf_counter() - started:.0f} s: {pupils:,} pupils, {titles:,} titles, {loans:,} loans asked"
    )
    bench_job()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest storage
    bench_home(env("BENCH_PROMO_PAGES", 60))
    bench_survey(env("BENCH_PROMO_RESPONSES", 3000))


if __name__ == "__main__":
    main()
