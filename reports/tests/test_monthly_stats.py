"""Monthly statistics: exact figures from hand-made loans, visits and copies; the upsert; the
command and the task."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Copy, CopyStatusChange, Location
from catalog.tests.factories import RecordFactory
from circulation.models import ClassSession, DeskAction, Loan, Reader, Visit
from circulation.services.loans import loan_renew
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.system.models import JobRun
from reports.exceptions import FutureMonth
from reports.models import MonthlyFigure, MonthlySnapshot, MonthlyTopReader, MonthlyTopTitle
from reports.services.statistics import monthly_snapshot_compute
from reports.tasks import compute_monthly_stats_task

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of 2026 in the school's time zone."""
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, minute))


def lend(copy, reader, lent_at, *, returned_at=None, state=Loan.State.RETURNED) -> Loan:
    if returned_at is None and state == Loan.State.RETURNED:
        state = Loan.State.OPEN
    return Loan.objects.create(
        copy=copy,
        reader=reader,
        lent_at=lent_at,
        due_on=(lent_at + datetime.timedelta(days=14)).date(),
        state=state,
        returned_at=returned_at,
    )


def renewal(loan: Loan, when, **fields) -> DeskAction:
    return DeskAction.objects.create(
        action=DeskAction.Action.RENEW, loan=loan, reader=loan.reader, copy=loan.copy, at=when, **fields
    )


@pytest.fixture
def school():
    """A month of lending in March 2026 with its edges: February and April, an undone loan, an
    anonymised one, a withdrawn copy, visits and class sessions."""
    class_3_1 = SchoolClassFactory(grade=3, number=1)
    class_3_2 = SchoolClassFactory(grade=3, number=2)
    class_5_1 = SchoolClassFactory(grade=5, number=1)
    anne = ReaderFactory(school_class=class_3_1)
    ben = ReaderFactory(school_class=class_3_2)
    cai = ReaderFactory(school_class=class_5_1)
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, school_class=None)
    novel = RecordFactory(title="草房子", clc_code="I287.45", copies=3)
    history = RecordFactory(title="上下五千年", clc_code="k220.9", copies=3)
    unclassified = RecordFactory(title="校史", clc_code="", copies=2)
    n1, n2, n3 = novel.copies.order_by("pk")
    h1, h2, h3 = history.copies.order_by("pk")
    u1, u2 = unclassified.copies.order_by("pk")
    novel.copies.update(acquired_on=datetime.date(2026, 3, 5))
    history.copies.update(acquired_on=datetime.date(2026, 1, 10))
    Copy.objects.filter(pk=u1.pk).update(acquired_on=datetime.date(2026, 3, 31))
    Copy.objects.filter(pk=u2.pk).update(acquired_on=datetime.date(2026, 4, 2))
    # h3 was withdrawn on 20 March: not held at the end of the month.
    Copy.objects.filter(pk=h3.pk).update(status=Copy.Status.WITHDRAWN)
    CopyStatusChange.objects.create(
        copy=h3, from_status=Copy.Status.AVAILABLE, to_status=Copy.Status.WITHDRAWN, changed_at=at(3, 20)
    )

    lend(n1, anne, at(3, 2), returned_at=at(3, 10))
    anne_history = lend(h1, anne, at(3, 5), returned_at=at(4, 2))
    ben_novel = lend(n2, ben, at(3, 31, 23, 30))  # still March in Beijing (15:30 UTC)
    lend(n3, cai, at(2, 25), returned_at=at(3, 3))
    lend(u1, teacher, at(3, 15), returned_at=at(3, 20))
    anonymous = lend(h2, ben, at(3, 8), returned_at=at(3, 12))
    lend(h1, anne, at(3, 9), returned_at=at(3, 9, 10, 1), state=Loan.State.UNDONE)
    lend(h2, ben, at(4, 1, 0, 0))  # April in Beijing, though 31 March in UTC
    # Ben left, and his returned loan was anonymised: it keeps grade 3, class 2 and his type.
    Loan.objects.filter(pk=anonymous.pk).update(reader=None, anonymised_at=timezone.now())

    renewal(anne_history, at(3, 12))
    renewal(Loan.objects.get(pk=anonymous.pk), at(3, 10))
    renewal(anne_history, at(3, 13), undone_at=at(3, 13, 10, 1))
    renewal(anne_history, at(3, 14), outcome=DeskAction.Outcome.REFUSED)
    renewal(ben_novel, at(4, 3))

    room = Location.objects.create(name="第一阅览室", kind=Location.Kind.READING_ROOM)
    for reader, when in ((anne, at(3, 3)), (teacher, at(3, 4)), (anne, at(4, 1, 9))):
        Visit.objects.create(room=room, reader=reader, card=reader.cards.get(), entered_at=when)
    ClassSession.objects.create(room=room, school_class=class_3_1, date=datetime.date(2026, 3, 17), period=2)
    ClassSession.objects.create(room=room, school_class=class_5_1, date=datetime.date(2026, 2, 27), period=1)
    return {"anne": anne, "ben": ben, "teacher": teacher, "novel": novel, "history": history}


def figures(snapshot, dimension) -> dict:
    fields = (
        "loans",
        "returns",
        "renewals",
        "active_readers",
        "visits",
        "class_sessions",
        "new_copies",
        "copies",
    )
    return {
        line.key: {field: getattr(line, field) for field in fields if getattr(line, field)}
        for line in snapshot.figures.filter(dimension=dimension)
    }


def test_the_month_is_counted_exactly(school):
    snapshot = monthly_snapshot_compute(month=datetime.date(2026, 3, 17))

    assert snapshot.month == MARCH
    assert (snapshot.loans, snapshot.returns, snapshot.renewals, snapshot.active_readers) == (5, 4, 2, 3)
    assert (snapshot.visits, snapshot.class_sessions, snapshot.new_copies, snapshot.copies) == (2, 1, 4, 6)
    assert figures(snapshot, MonthlyFigure.Dimension.READER_KIND) == {
        "student": {"loans": 4, "active_readers": 2, "returns": 3, "renewals": 2, "visits": 1},
        "teacher": {"loans": 1, "active_readers": 1, "returns": 1, "visits": 1},
    }
    assert figures(snapshot, MonthlyFigure.Dimension.GRADE) == {
        "3": {"loans": 4, "active_readers": 2, "returns": 2, "renewals": 2, "visits": 1, "class_sessions": 1},
        "5": {"returns": 1},
    }
    assert figures(snapshot, MonthlyFigure.Dimension.CLASS) == {
        "3-1": {
            "loans": 2,
            "active_readers": 1,
            "returns": 1,
            "renewals": 1,
            "visits": 1,
            "class_sessions": 1,
        },
        "3-2": {"loans": 2, "active_readers": 1, "returns": 1, "renewals": 1},
        "5-1": {"returns": 1},
    }
    assert figures(snapshot, MonthlyFigure.Dimension.CLC) == {
        "I": {"loans": 2, "returns": 2, "new_copies": 3, "copies": 3},
        "K": {"loans": 2, "returns": 1, "renewals": 2, "copies": 2},
        "": {"loans": 1, "returns": 1, "new_copies": 1, "copies": 1},
    }
    class_3_2 = snapshot.figures.get(dimension="class", key="3-2")
    assert (class_3_2.grade, class_3_2.class_number) == (3, 2)

    titles = list(MonthlyTopTitle.objects.filter(snapshot=snapshot).values_list("rank", "title", "loans"))
    assert titles == [(1, "草房子", 2), (2, "上下五千年", 2), (3, "校史", 1)]
    readers = list(
        MonthlyTopReader.objects.filter(snapshot=snapshot).values_list("rank", "reader", "loans", "grade")
    )
    # The anonymised loan is Ben's no more: he ranks with his one open loan; ties by reader.
    ben, teacher = school["ben"], school["teacher"]
    assert ben.pk < teacher.pk
    assert readers == [(1, school["anne"].pk, 2, 3), (2, ben.pk, 1, 3), (3, teacher.pk, 1, None)]


def test_counting_twice_keeps_one_snapshot_and_takes_in_new_loans(school):
    first = monthly_snapshot_compute(month=MARCH)
    lines = first.figures.count()
    Loan.objects.create(
        copy=school["novel"].copies.order_by("pk").first(),
        reader=school["teacher"],
        lent_at=at(3, 30),
        due_on=datetime.date(2026, 4, 13),
    )

    second = monthly_snapshot_compute(month=MARCH)

    assert MonthlySnapshot.objects.count() == 1
    assert second.pk == first.pk
    assert second.loans == 6
    assert second.figures.count() == lines
    assert second.figures.get(dimension="kind", key="teacher").loans == 2
    assert MonthlyTopTitle.objects.filter(snapshot=second).count() == 3
    assert MonthlyTopTitle.objects.get(snapshot=second, rank=1).loans == 3


def test_an_anonymised_month_still_counts_by_grade_and_class(school):
    Loan.objects.filter(reader=school["anne"]).update(reader=None, anonymised_at=timezone.now())

    snapshot = monthly_snapshot_compute(month=MARCH)

    assert snapshot.loans == 5
    assert snapshot.active_readers == 2  # Ben and the teacher: Anne is no longer known
    assert snapshot.figures.get(dimension="class", key="3-1").loans == 2
    assert snapshot.figures.get(dimension="grade", key="3").loans == 4
    assert not MonthlyTopReader.objects.filter(snapshot=snapshot, reader=school["anne"]).exists()


def test_a_renewal_on_the_readers_own_page_is_counted(school):
    reader = school["teacher"]
    loan = Loan.objects.create(
        copy=school["history"].copies.order_by("pk").last(),
        reader=reader,
        lent_at=timezone.now(),
        due_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    loan_renew(loan=loan, user=reader.user, desk="online")

    snapshot = monthly_snapshot_compute(month=timezone.localdate())

    assert snapshot.renewals == 1
    assert snapshot.figures.get(dimension="kind", key="teacher").renewals == 1


def test_an_empty_month_has_a_snapshot_of_zeros():
    snapshot = monthly_snapshot_compute(month=datetime.date(2020, 2, 1))
    assert (snapshot.loans, snapshot.returns, snapshot.active_readers, snapshot.copies) == (0, 0, 0, 0)
    assert snapshot.figures.count() == 0


def test_a_month_that_has_not_begun_is_refused_and_nothing_is_stored():
    next_month = (timezone.localdate().replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    with pytest.raises(FutureMonth):
        monthly_snapshot_compute(month=next_month)
    assert MonthlySnapshot.objects.count() == 0


def test_the_command_counts_a_month(school):
    out = io.StringIO()
    call_command("compute_monthly_stats", "2026-03", stdout=out)
    assert out.getvalue().startswith("2026-03: 5 loans, 4 returns, 2 renewals, 3 active readers")
    assert MonthlySnapshot.objects.get().loans == 5
    run = JobRun.objects.get(key="monthly_stats")
    assert (run.trigger, run.state, run.param) == ("command", "succeeded", "2026-03")
    assert run.result["loans"] == 5 and run.result["month"] == "2026-03"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "“2026-13” is not a month: write it as YYYY-MM, for example 2026-03."),
        ("March", "“March” is not a month: write it as YYYY-MM, for example 2026-03."),
        ("2999-01", "2999-01 has not begun yet: there is nothing to count."),
    ],
)
def test_the_command_refuses_a_bad_or_future_month(text, message):
    with pytest.raises(CommandError) as refused:
        call_command("compute_monthly_stats", text)
    assert str(refused.value) == message
    assert MonthlySnapshot.objects.count() == 0
    assert JobRun.objects.count() == 0


def test_the_task_counts_the_month_asked_for_and_by_default_the_month_before(school):
    result = compute_monthly_stats_task.apply(kwargs={"param": "2026-03"}).get()
    assert result["month"] == "2026-03" and result["loans"] == 5
    assert JobRun.objects.get(key="monthly_stats", param="2026-03").state == "succeeded"

    result = compute_monthly_stats_task.apply().get()
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert result["month"] == f"{last_month:%Y-%m}"
    assert MonthlySnapshot.objects.filter(month__in=[MARCH, last_month]).count() == 2
