"""The statistics dashboard: who may see it, what a month, a term and a year show (from the
snapshots only), the months not yet counted, bad periods, and a constant query count."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.tests.factories import RecordFactory
from circulation.models import Loan, Reader, Term
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.system.models import JobRun
from library_site.system.tests.test_jobs import messages_in, test_queue  # noqa: F401 (a fixture)
from reports.models import MonthlyFigure, MonthlySnapshot, MonthlyTopReader, MonthlyTopTitle
from reports.selectors.statistics import statistics_for_period
from reports.services.statistics import monthly_snapshot_compute

pytestmark = pytest.mark.django_db
URL = reverse("reports:statistics")


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def lend(copy, reader, when, returned=None):
    return Loan.objects.create(
        copy=copy,
        reader=reader,
        lent_at=when,
        due_on=(when + datetime.timedelta(days=14)).date(),
        state=Loan.State.RETURNED if returned else Loan.State.OPEN,
        returned_at=returned,
    )


@pytest.fixture
def two_months():
    """Loans in March and April 2026 by two classes and a teacher, counted into snapshots."""
    pupil_a = ReaderFactory(school_class=SchoolClassFactory(grade=4, number=1))
    pupil_b = ReaderFactory(school_class=SchoolClassFactory(grade=4, number=2))
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, school_class=None)
    novel = RecordFactory(title="草房子", clc_code="I287.45", copies=4)
    science = RecordFactory(title="十万个为什么", clc_code="Z228", copies=2)
    novel.copies.update(acquired_on=datetime.date(2026, 1, 15))
    science.copies.update(acquired_on=datetime.date(2026, 4, 20))
    n = list(novel.copies.order_by("pk"))
    s = list(science.copies.order_by("pk"))
    lend(n[0], pupil_a, at(2026, 3, 2), at(2026, 3, 9))
    lend(n[1], pupil_a, at(2026, 3, 3), at(2026, 3, 10))
    lend(s[0], pupil_b, at(2026, 3, 4), at(2026, 3, 11))
    lend(n[0], pupil_b, at(2026, 4, 2), at(2026, 4, 9))
    lend(n[2], pupil_b, at(2026, 4, 3), at(2026, 4, 10))
    lend(s[1], teacher, at(2026, 4, 8), at(2026, 4, 20))
    for month in (3, 4):
        monthly_snapshot_compute(month=datetime.date(2026, month, 1))
    return {"pupil_a": pupil_a, "pupil_b": pupil_b, "teacher": teacher}


@pytest.fixture
def leader_client(client):
    client.force_login(UserFactory(roles=[Role.LEADER]))
    client.cookies["django_language"] = "en"
    return client


def test_a_period_adds_up_its_months_from_the_snapshots(two_months):
    stats = statistics_for_period(datetime.date(2026, 3, 1), datetime.date(2026, 5, 1))

    assert [month.loans for month in stats.months] == [3, 3, 0]
    assert stats.missing_months == [datetime.date(2026, 5, 1)]
    assert stats.totals["loans"] == 6
    assert stats.totals["returns"] == 6
    assert (stats.totals["active_readers_peak"], stats.totals["active_readers_average"]) == (2, 2)
    ranking = [(line.rank, line.key, line.loans) for line in stats.by_class]
    assert ranking == [(1, "4-2", 3), (2, "4-1", 2)]
    assert [(line.key, line.loans) for line in stats.by_kind] == [("student", 5), ("teacher", 1)]
    clc = {line.key: (line.loans, line.copies) for line in stats.by_clc if line.loans or line.copies}
    assert clc == {"I": (4, 4), "Z": (2, 2)}
    assert len([line for line in stats.by_clc if line.key]) == 22
    assert [(title.title, title.loans) for title in stats.top_titles] == [("草房子", 4), ("十万个为什么", 2)]
    top = [(reader.reader_id, reader.loans) for reader in stats.top_readers]
    assert top == [
        (two_months["pupil_b"].pk, 3),
        (two_months["pupil_a"].pk, 2),
        (two_months["teacher"].pk, 1),
    ]


def test_the_dashboard_shows_a_month_with_its_charts_and_tables(leader_client, two_months):
    response = leader_client.get(URL, {"month": "2026-04"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Library statistics" in page
    assert "Grade 4 Class 2" in page
    assert "I Literature" in page or "I 文学" in page
    charts = json.loads(json.dumps(response.context["charts"]))
    assert charts["classes"]["labels"] == ["Grade 4 Class 2"]
    assert charts["classes"]["datasets"][0]["data"] == [2]
    # The trend of a month is the twelve months that end with it.
    assert charts["trend"]["labels"][-2:] == ["2026-03", "2026-04"]
    assert len(charts["trend"]["labels"]) == 12
    assert 'id="statistics-charts"' in page
    assert "chartjs-4.6.1/chart.umd.min.js" in page


def test_the_dashboard_speaks_chinese_by_default(client, two_months):
    client.force_login(UserFactory(roles=[Role.LEADER]))
    response = client.get(URL, {"month": "2026-03"})
    assert response.status_code == 200
    assert "四年级" in response.content.decode()


def test_a_term_and_a_year_cover_their_months(leader_client, two_months):
    term = Term.objects.create(
        name="2025—2026学年第二学期",
        starts_on=datetime.date(2026, 2, 23),
        ends_on=datetime.date(2026, 7, 10),
        hard_due_on=datetime.date(2026, 7, 1),
    )
    response = leader_client.get(URL, {"term": term.pk})
    stats = response.context["stats"]
    assert (stats.period.first_month, stats.period.last_month) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 7, 1),
    )
    assert stats.totals["loans"] == 6

    response = leader_client.get(URL, {"year": "2026"})
    stats = response.context["stats"]
    assert stats.period.first_month == datetime.date(2026, 1, 1)
    assert stats.totals["loans"] == 6


def test_a_month_not_yet_counted_says_so_and_an_administrator_can_count_it(client):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    response = client.get(URL, {"month": "2026-02"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "One month of this period has not been counted yet" in page
    assert reverse("system:job-start", args=["monthly_stats"]) in page
    assert 'value="2026-02"' in page


def test_a_leader_is_told_a_month_is_missing_but_gets_no_button(leader_client):
    page = leader_client.get(URL, {"month": "2026-02"}).content.decode()
    assert "One month of this period has not been counted yet" in page
    assert reverse("system:job-start", args=["monthly_stats"]) not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2026-13"}, "“2026-13” is not a month: write it as YYYY-MM, for example 2026-03."),
        ({"month": "2999-01"}, "2999-01 has not begun yet: there is nothing to count."),
        ({"year": "26"}, "“26” is not a year: write it as YYYY, for example 2026."),
        ({"year": "2999"}, "2999 has not begun yet: there is nothing to show."),
        ({"term": "999999"}, "There is no such term: choose one from the list."),
        ({"term": "abc"}, "There is no such term: choose one from the list."),
        ({"from": "2026-05", "to": "2026-01"}, "The period ends before it begins: swap the two months."),
        (
            {"from": "2016-01", "to": "2026-01"},
            "A period of at most 36 months, please: choose a shorter one.",
        ),
    ],
)
def test_a_bad_period_gets_a_clear_message_and_no_figures(leader_client, params, message):
    response = leader_client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "stats" not in response.context


@pytest.mark.parametrize("role", ["student", "teacher", "volunteer"])
def test_readers_teachers_and_volunteers_are_refused(client, role, two_months):
    if role == "student":
        user = ReaderFactory().user
    elif role == "teacher":
        user = ReaderFactory(kind="teacher", school_class=None).user
    else:
        user = ReaderFactory(extra_roles=(Role.VOLUNTEER,)).user
    client.force_login(user)
    response = client.get(URL, {"month": "2026-03"})
    assert response.status_code == 403
    assert "草房子" not in response.content.decode()


def _fill_year(year: int, classes: int) -> None:
    """Twelve snapshots with ``classes`` classes, 22 CLC lines and 100 top titles and readers
    each, written directly (the dashboard reads only these)."""
    readers = [ReaderFactory(school_class=None, kind=Reader.Kind.TEACHER) for _ in range(3)]
    records = [RecordFactory() for _ in range(3)]
    for month in range(1, 13):
        snapshot = MonthlySnapshot.objects.create(
            month=datetime.date(year, month, 1), loans=100, computed_at=timezone.now()
        )
        lines = [
            MonthlyFigure(
                snapshot=snapshot,
                dimension="class",
                key=f"{n // 10 + 1}-{n % 10 + 1}",
                grade=n // 10 + 1,
                class_number=n % 10 + 1,
                loans=n,
            )
            for n in range(classes)
        ]
        lines += [
            MonthlyFigure(snapshot=snapshot, dimension="clc", key=chr(65 + n), loans=n, copies=n)
            for n in range(22)
        ]
        MonthlyFigure.objects.bulk_create(lines)
        MonthlyTopTitle.objects.bulk_create(
            MonthlyTopTitle(
                snapshot=snapshot, rank=n + 1, record=records[n % 3], title="书", loans=50 - n % 40
            )
            for n in range(100)
        )
        MonthlyTopReader.objects.bulk_create(
            MonthlyTopReader(snapshot=snapshot, rank=n + 1, reader=readers[n % 3], loans=9)
            for n in range(100)
        )


def test_the_year_view_takes_the_same_queries_whatever_the_size(leader_client, django_assert_num_queries):
    _fill_year(2024, classes=2)
    leader_client.get(URL, {"year": "2024"})  # warm the caches (session, language, menu)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(URL, {"year": "2024"}).status_code == 200
    _fill_year(2025, classes=60)
    with django_assert_num_queries(len(small.captured_queries)):
        response = leader_client.get(URL, {"year": "2025"})
    assert response.status_code == 200
    assert len(response.context["stats"].by_class) == 60


@pytest.mark.usefixtures("test_queue")
def test_the_count_now_button_queues_the_month_through_the_broker_once(client, settings):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    page = client.get(URL, {"month": "2026-02"}).content.decode()
    start = reverse("system:job-start", args=["monthly_stats"])
    assert f'action="{start}"' in page

    client.post(start, {"param": "2026-02"})
    client.post(start, {"param": "2026-02"})  # pressed twice

    run = JobRun.objects.get()
    assert (run.key, run.state, run.param, run.started_by) == ("monthly_stats", "queued", "2026-02", admin)
    assert messages_in(settings.LIBRARY_JOBS_QUEUE) == [
        ("reports.tasks.compute_monthly_stats_task", {"param": "2026-02", "job_run_id": run.pk})
    ]


def test_the_hardly_borrowed_classes_are_marked_by_the_schools_threshold(leader_client, two_months, settings):
    # Class I: 4 loans over 4 copies in the two months; class Z: 2 loans over 2 copies.
    stats = statistics_for_period(datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))
    assert stats.low_use_below == 0.1
    assert [line.key for line in stats.by_clc if line.hardly_borrowed] == []

    settings.REPORTS_LOW_USE_LOANS_PER_COPY = 1.5
    stats = statistics_for_period(datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))
    assert [line.key for line in stats.by_clc if line.hardly_borrowed] == ["I", "Z"]
    page = leader_client.get(URL, {"from": "2026-03", "to": "2026-04"}).content.decode()
    assert "Loans per copy below 1.5 mark a class that is hardly borrowed." in page
    assert page.count('<td class="text-end text-danger">') == 2


@pytest.mark.django_db
def test_the_statistics_list_the_periods_activities_with_their_published_results_only(client):
    """Issue 17: the monthly statistics show the month's activities; a quiz's winners only once
    they are published, and nothing of an activity of another month."""
    from activities.models import Activity, Attempt
    from activities.services.quiz import attempt_start, attempt_submit, winners_choose, winners_publish
    from activities.tests.factories import activity, librarian, pupil, question, quiz_with

    staff = librarian()
    single = question("single")
    quiz = quiz_with([single])
    Activity.objects.filter(pk=quiz.activity_id).update(title="十二月知识竞赛")
    winner = pupil(full_name="林小雨")
    attempt = attempt_start(quiz=quiz, reader=winner)
    attempt_submit(attempt_id=attempt.pk, reader=winner)
    winners_choose(quiz=quiz, attempt_ids=[attempt.pk], by=staff)
    today = timezone.localdate()
    other_month = (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=10)
    activity("themed", title="别的月份的活动", starts_on=other_month, state="closed")
    month = today.strftime("%Y-%m")
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    url = reverse("reports:statistics") + f"?from={month}&to={month}"
    page = client.get(url).content.decode()
    assert f'data-statistics-activity="{quiz.activity_id}"' in page
    assert "林小雨" not in page and "别的月份的活动" not in page
    winners_publish(quiz=quiz, by=staff)
    assert Attempt.objects.get(pk=attempt.pk).winner_rank == 1
    page = client.get(url).content.decode()
    assert "林小雨" in page and "data-results-published" in page
