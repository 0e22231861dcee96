"""The timed quiz through its services: the deadline fixed at the start and kept by the server,
answers saved one by one, refusals that change nothing, closing at the deadline (by the next
request and by the beat task's service), grading, the key correction and the winners."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ..exceptions import AnswerRefused, AttemptRefused, DeadlinePassed, GradingRefused, QuizRefused
from ..models import Activity, Answer, Attempt, MakeUp
from ..services.quiz import (
    answer_save,
    answers_grade,
    attempt_close_if_overdue,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
    make_up_set,
    paper_answers_enter,
    question_key_change,
    winners_choose,
    winners_publish,
)
from .factories import librarian, pupil, question, quiz_with, teacher

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """The refusals and pages in English, as the assertions read them (Chinese is the default)."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    translation.activate("en")
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def bank():
    return {
        "single": question("single"),
        "multiple": question("multiple"),
        "true_false": question("true_false"),
        "fill": question("fill"),
        "short": question("short", points=10),
    }


def test_the_deadline_is_fixed_at_the_start_and_a_second_start_resumes_the_same_attempt(bank):
    quiz = quiz_with(bank.values(), minutes=20)
    reader = pupil(grade=4)
    now = timezone.now()
    attempt = attempt_start(quiz=quiz, reader=reader, now=now)
    assert attempt.deadline == now + timedelta(minutes=20)
    again = attempt_start(quiz=quiz, reader=reader, now=now + timedelta(minutes=7))
    assert again.pk == attempt.pk
    assert again.deadline == attempt.deadline
    assert Attempt.objects.count() == 1


def test_the_deadline_never_passes_the_quizs_closing_time(bank):
    now = timezone.now()
    quiz = quiz_with(bank.values(), minutes=20, closes_at=now + timedelta(minutes=5))
    attempt = attempt_start(quiz=quiz, reader=pupil(grade=3), now=now)
    assert attempt.deadline == quiz.closes_at


def test_a_pupil_of_another_grade_or_before_opening_is_refused_and_nothing_is_made(bank):
    quiz = quiz_with(bank.values(), grades="5,6")
    with pytest.raises(QuizRefused, match="not for your grade"):
        attempt_start(quiz=quiz, reader=pupil(grade=3))
    later = quiz_with(
        bank.values(),
        opens_at=timezone.now() + timedelta(hours=1),
        closes_at=timezone.now() + timedelta(hours=2),
    )
    with pytest.raises(QuizRefused, match="not opened"):
        attempt_start(quiz=later, reader=pupil(grade=3))
    assert Attempt.objects.count() == 0


def test_answers_are_saved_once_per_question_and_replaced_as_they_change(bank):
    quiz = quiz_with(bank.values())
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    answer_save(attempt_id=attempt.pk, reader=reader, question_id=bank["single"].pk, value="1")
    answer_save(attempt_id=attempt.pk, reader=reader, question_id=bank["single"].pk, value="0")
    answer = Answer.objects.get(attempt=attempt, question=bank["single"])
    assert answer.response == [0]
    assert answer.saves == 2
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_an_answer_to_a_question_not_in_the_attempt_is_refused_and_nothing_is_saved(bank):
    quiz = quiz_with([bank["single"]])
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    with pytest.raises(AnswerRefused, match="not in your quiz"):
        answer_save(attempt_id=attempt.pk, reader=reader, question_id=bank["fill"].pk, value="安徒生")
    assert not Answer.objects.exists()


def test_another_pupils_attempt_is_refused(bank):
    quiz = quiz_with(bank.values())
    owner, other = pupil(), pupil()
    attempt = attempt_start(quiz=quiz, reader=owner)
    with pytest.raises(AnswerRefused, match="not yours"):
        answer_save(attempt_id=attempt.pk, reader=other, question_id=bank["single"].pk, value="0")
    with pytest.raises(AnswerRefused):
        attempt_submit(attempt_id=attempt.pk, reader=other)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.OPEN
    assert not Answer.objects.exists()


def test_an_answer_after_the_deadline_is_refused_and_the_attempt_is_closed_at_its_deadline(bank):
    quiz = quiz_with(bank.values(), minutes=10)
    reader = pupil()
    start = timezone.now()
    attempt = attempt_start(quiz=quiz, reader=reader, now=start)
    answer_save(
        attempt_id=attempt.pk,
        reader=reader,
        question_id=bank["single"].pk,
        value="0",
        now=start + timedelta(minutes=3),
    )
    with pytest.raises(DeadlinePassed):
        answer_save(
            attempt_id=attempt.pk,
            reader=reader,
            question_id=bank["fill"].pk,
            value="安徒生",
            now=start + timedelta(minutes=10, seconds=1),
        )
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TIMED_OUT
    assert attempt.closed_at == attempt.deadline
    assert attempt.score == Decimal(5)
    assert Answer.objects.get(attempt=attempt, question=bank["fill"]).response == []


def test_the_beat_tasks_service_closes_every_overdue_attempt_once(bank):
    quiz = quiz_with(bank.values(), minutes=10)
    start = timezone.now()
    gone = [attempt_start(quiz=quiz, reader=pupil(), now=start) for _index in range(3)]
    busy = attempt_start(quiz=quiz, reader=pupil(), now=start + timedelta(minutes=5))
    assert attempts_close_overdue(now=start + timedelta(minutes=11)) == 3
    assert attempts_close_overdue(now=start + timedelta(minutes=11)) == 0
    for attempt in gone:
        attempt.refresh_from_db()
        assert attempt.state == Attempt.State.TIMED_OUT
        assert attempt.closed_at == attempt.deadline
        assert attempt.score == 0
    busy.refresh_from_db()
    assert busy.state == Attempt.State.OPEN


def test_the_next_request_closes_an_overdue_attempt_and_a_second_attempt_is_refused(bank):
    quiz = quiz_with(bank.values(), minutes=10, opens_at=timezone.now() - timedelta(hours=1))
    reader = pupil()
    start = timezone.now() - timedelta(minutes=11)
    attempt = attempt_start(quiz=quiz, reader=reader, now=start)
    closed = attempt_close_if_overdue(attempt)
    assert closed.state == Attempt.State.TIMED_OUT
    with pytest.raises(QuizRefused, match="one attempt per pupil"):
        attempt_start(quiz=quiz, reader=reader)
    assert Attempt.objects.count() == 1


def test_objective_questions_are_graded_at_submit_with_full_and_half_width_blanks(bank):
    quiz = quiz_with(bank.values())
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    for key, value in (
        ("single", "0"),
        ("multiple", ["2", "0"]),
        ("true_false", "true"),
        ("fill", " ＡＮＤＥＲＳＥＮ "),
        ("short", "要做一个善良的人"),
    ):
        answer_save(attempt_id=attempt.pk, reader=reader, question_id=bank[key].pk, value=value)
    attempt = attempt_submit(attempt_id=attempt.pk, reader=reader)
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.score == Decimal(20)
    assert attempt.max_score == Decimal(30)
    assert attempt.ungraded == 1
    with pytest.raises(AttemptRefused, match="already been handed in"):
        attempt_submit(attempt_id=attempt.pk, reader=reader)


def test_shuffled_options_are_kept_in_the_banks_order(bank):
    quiz = quiz_with([bank["single"]], shuffle=True)
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    order = attempt.option_orders[str(bank["single"].pk)]
    assert sorted(order) == [0, 1, 2]
    shown_right = order.index(0)
    answer_save(attempt_id=attempt.pk, reader=reader, question_id=bank["single"].pk, value=str(shown_right))
    assert attempt_submit(attempt_id=attempt.pk, reader=reader).score == Decimal(5)


def test_an_option_that_does_not_exist_is_refused(bank):
    quiz = quiz_with([bank["single"]])
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    with pytest.raises(AnswerRefused, match="options"):
        answer_save(attempt_id=attempt.pk, reader=reader, question_id=bank["single"].pk, value="7")
    assert not Answer.objects.exists()


def _closed_with_short(bank, reader, text="要善良"):
    quiz = quiz_with([bank["single"], bank["short"]])
    attempt = attempt_start(quiz=quiz, reader=reader)
    answer_save(attempt_id=attempt.pk, reader=reader, question_id=bank["short"].pk, value=text)
    return quiz, attempt_submit(attempt_id=attempt.pk, reader=reader)


def test_the_head_teacher_grades_a_short_answer_and_another_teacher_is_refused(bank):
    head = teacher().user
    reader = pupil()
    reader.school_class.head_teacher = head
    reader.school_class.save()
    _quiz, attempt = _closed_with_short(bank, reader)
    answer = Answer.objects.get(attempt=attempt, question=bank["short"])
    stranger = teacher().user
    with pytest.raises(GradingRefused, match="do not grade"):
        answers_grade(question=bank["short"], scores={answer.pk: ("8", "")}, grader=stranger)
    with pytest.raises(GradingRefused, match="between 0 and 10"):
        answers_grade(question=bank["short"], scores={answer.pk: ("11", "")}, grader=head)
    answer.refresh_from_db()
    assert answer.score is None
    assert answers_grade(question=bank["short"], scores={answer.pk: ("8.5", "很好")}, grader=head) == 1
    attempt.refresh_from_db()
    assert attempt.score == Decimal("8.5")
    assert attempt.ungraded == 0


def test_a_corrected_key_is_dry_run_first_then_regrades(bank):
    staff = librarian()
    quiz = quiz_with([bank["single"]])
    right, wrong = pupil(), pupil()
    for reader, value in ((right, "0"), (wrong, "1")):
        attempt = attempt_start(quiz=quiz, reader=reader)
        answer_save(attempt_id=attempt.pk, reader=reader, question_id=bank["single"].pk, value=value)
        attempt_submit(attempt_id=attempt.pk, reader=reader)
    changes = question_key_change(question=bank["single"], key=[1], by=staff, dry_run=True)
    assert sorted((change.attempt.reader_id, change.before, change.after) for change in changes) == sorted(
        [(right.pk, Decimal(5), Decimal(0)), (wrong.pk, Decimal(0), Decimal(5))]
    )
    bank["single"].refresh_from_db()
    assert bank["single"].key == [0]
    assert Attempt.objects.get(reader=wrong).score == 0
    question_key_change(question=bank["single"], key=[1], by=staff, dry_run=False)
    assert Attempt.objects.get(reader=wrong).score == Decimal(5)
    assert Attempt.objects.get(reader=right).score == 0


def test_winners_are_published_only_when_everything_is_graded(bank):
    staff = librarian()
    reader = pupil()
    quiz, attempt = _closed_with_short(bank, reader)
    with pytest.raises(QuizRefused, match="fully graded"):
        winners_choose(quiz=quiz, attempt_ids=[attempt.pk], by=staff)
    answer = Answer.objects.get(attempt=attempt, question=bank["short"])
    answers_grade(question=bank["short"], scores={answer.pk: ("9", "")}, grader=staff)
    winners_choose(quiz=quiz, attempt_ids=[attempt.pk], by=staff)
    winners_publish(quiz=quiz, by=staff)
    quiz.refresh_from_db()
    quiz.activity.refresh_from_db()
    assert quiz.winners_published_at is not None
    assert quiz.activity.state == Activity.State.PUBLISHED
    assert Attempt.objects.get(pk=attempt.pk).winner_rank == 1
    with pytest.raises(QuizRefused, match="no longer change"):
        winners_choose(quiz=quiz, attempt_ids=[], by=staff)


def test_a_make_up_time_lets_an_absent_pupil_start_after_closing(bank):
    head = teacher().user
    reader = pupil()
    reader.school_class.head_teacher = head
    reader.school_class.save()
    now = timezone.now()
    quiz = quiz_with(bank.values(), opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
    with pytest.raises(QuizRefused, match="closed"):
        attempt_start(quiz=quiz, reader=reader)
    with pytest.raises(QuizRefused, match="do not teach"):
        make_up_set(
            quiz=quiz,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(hours=1),
            by=teacher().user,
            reader=reader,
        )
    assert not MakeUp.objects.exists()
    make_up_set(
        quiz=quiz,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=1),
        by=head,
        reader=reader,
    )
    assert attempt_start(quiz=quiz, reader=reader).is_open


def test_a_teacher_enters_paper_answers_once(bank):
    head = teacher().user
    reader = pupil()
    reader.school_class.head_teacher = head
    reader.school_class.save()
    quiz = quiz_with([bank["single"], bank["true_false"]])
    attempt = paper_answers_enter(
        quiz=quiz, reader=reader, answers={bank["single"].pk: ["0"], bank["true_false"].pk: "true"}, by=head
    )
    assert attempt.on_paper and attempt.state == Attempt.State.SUBMITTED
    assert attempt.score == Decimal(10)
    with pytest.raises(QuizRefused, match="already taken"):
        paper_answers_enter(quiz=quiz, reader=reader, answers={}, by=head)
