"""The quiz's pages: a pupil reaches only their own attempt, the key never reaches the browser
before the attempt is closed, forged fields change nothing, and the grading and results pages
take the same number of queries however many attempts there are."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ..models import Answer, Attempt
from ..services.quiz import answer_save, attempt_start, attempt_submit
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
def setting():
    single = question("single", text="谁写了《丑小鸭》？", options=["安徒生", "格林兄弟", "王尔德"], key=[0])
    fill = question("fill", text="《海的女儿》的作者是____。", key=["秘密答案甲"])
    short = question("short", text="读了《丑小鸭》你想到了什么？", key=["模范答案乙"], points=10)
    quiz = quiz_with([single, fill, short])
    return quiz, single, fill, short


def test_the_open_attempt_page_shows_the_questions_and_never_a_key(client, setting):
    quiz, _single, fill, _short = setting
    reader = pupil()
    client.force_login(reader.user)
    response = client.post(reverse("activities:quiz-start", args=[quiz.pk]))
    attempt = Attempt.objects.get(reader=reader)
    assert response.url == reverse("activities:attempt", args=[attempt.pk])
    page = client.get(response.url).content.decode()
    assert "谁写了《丑小鸭》？" in page and "data-seconds-left" in page
    assert "秘密答案甲" not in page and "模范答案乙" not in page and "text-success fw-semibold" not in page
    client.post(reverse("activities:attempt-submit", args=[attempt.pk]), {f"q{fill.pk}": "秘密答案甲"})
    closed = client.get(reverse("activities:attempt", args=[attempt.pk])).content.decode()
    assert "秘密答案甲" in closed and "data-attempt-closed" in closed


def test_another_pupils_attempt_answers_404_and_their_answers_stay(client, setting):
    quiz, single, _fill, _short = setting
    owner, other = pupil(), pupil()
    attempt = attempt_start(quiz=quiz, reader=owner)
    answer_save(attempt_id=attempt.pk, reader=owner, question_id=single.pk, value="1")
    client.force_login(other.user)
    assert client.get(reverse("activities:attempt", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("activities:attempt-submit", args=[attempt.pk])).status_code == 404
    response = client.post(
        reverse("activities:attempt-answer", args=[attempt.pk]), {"question": single.pk, "value": "0"}
    )
    assert response.status_code == 400
    assert Answer.objects.get(attempt=attempt).response == [1]
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.OPEN


def test_a_forged_score_or_deadline_in_the_request_changes_nothing(client, setting):
    quiz, single, _fill, _short = setting
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    client.force_login(reader.user)
    deadline = attempt.deadline
    response = client.post(
        reverse("activities:attempt-answer", args=[attempt.pk]),
        {
            "question": single.pk,
            "value": "1",
            "score": "100",
            "deadline": "2099-01-01T00:00:00",
            "state": "submitted",
        },
    )
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.deadline == deadline and attempt.score is None and attempt.state == Attempt.State.OPEN
    answer = Answer.objects.get(attempt=attempt)
    assert answer.score is None and answer.response == [1]


def test_an_answer_after_the_deadline_answers_409_and_the_page_then_shows_the_score(client, setting):
    quiz, single, _fill, _short = setting
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader, now=timezone.now() - timedelta(minutes=1))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    client.force_login(reader.user)
    response = client.post(
        reverse("activities:attempt-answer", args=[attempt.pk]), {"question": single.pk, "value": "0"}
    )
    assert response.status_code == 409 and response.json()["closed"] is True
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TIMED_OUT
    assert not Answer.objects.filter(attempt=attempt, question=single).exclude(response=[]).exists()


def _class_attempts(quiz, school_class, count, single, short):
    for _index in range(count):
        reader = pupil(school_class=school_class)
        attempt = attempt_start(quiz=quiz, reader=reader)
        answer_save(attempt_id=attempt.pk, reader=reader, question_id=single.pk, value="0")
        answer_save(attempt_id=attempt.pk, reader=reader, question_id=short.pk, value="我想到了要善良")
        attempt_submit(attempt_id=attempt.pk, reader=reader)


def test_the_grading_and_results_pages_take_the_same_queries_as_attempts_grow(
    client, setting, django_assert_max_num_queries
):
    quiz, single, _fill, short = setting
    head = teacher().user
    first = pupil(grade=4)
    school_class = first.school_class
    school_class.head_teacher = head
    school_class.save()
    _class_attempts(quiz, school_class, 2, single, short)
    client.force_login(head)
    pages = [
        reverse("activities:grading-question", args=[quiz.pk, short.pk]),
        reverse("activities:quiz-results", args=[quiz.pk]),
        reverse("activities:grading", args=[quiz.pk]),
    ]
    counts = {}
    for page in pages:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        counts[page] = len(captured)
    _class_attempts(quiz, school_class, 12, single, short)
    for page in pages:
        with django_assert_max_num_queries(counts[page]):
            response = client.get(page)
        assert response.status_code == 200
    assert response.content.decode().count("data-grading-question") == 1


def test_a_teacher_grades_only_their_class_and_a_forged_answer_id_is_refused(client, setting):
    quiz, single, _fill, short = setting
    head = teacher().user
    mine = pupil(grade=4)
    mine.school_class.head_teacher = head
    mine.school_class.save()
    other = pupil(grade=4)
    _class_attempts(quiz, mine.school_class, 1, single, short)
    _class_attempts(quiz, other.school_class, 1, single, short)
    foreign = Answer.objects.get(question=short, attempt__reader__school_class=other.school_class)
    own = Answer.objects.get(question=short, attempt__reader__school_class=mine.school_class)
    client.force_login(head)
    page = client.get(reverse("activities:grading-question", args=[quiz.pk, short.pk])).content.decode()
    assert f'name="score-{own.pk}"' in page and f'name="score-{foreign.pk}"' not in page
    response = client.post(
        reverse("activities:grading-question", args=[quiz.pk, short.pk]),
        {f"score-{own.pk}": "8", f"score-{foreign.pk}": "10"},
    )
    assert response.status_code == 400
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.score is None and foreign.score is None
    response = client.post(
        reverse("activities:grading-question", args=[quiz.pk, short.pk]), {f"score-{own.pk}": "8"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.score == 8 and own.graded_by == head


def test_a_pupil_cannot_reach_the_staff_pages(client, setting):
    quiz, _single, _fill, _short = setting
    client.force_login(pupil().user)
    for name, args in (("quiz-results", [quiz.pk]), ("grading", [quiz.pk]), ("bank", []), ("quiz-new", [])):
        assert client.get(reverse(f"activities:{name}", args=args)).status_code == 403
    client.force_login(librarian())
    assert client.get(reverse("activities:quiz-results", args=[quiz.pk])).status_code == 200


def test_the_page_save_is_one_read_and_one_upsert_and_keeps_one_row_with_the_last_value(
    client, setting, django_assert_max_num_queries
):
    """The page's save (every pupil of a grade, about every ten seconds) takes the user's row,
    one read and, on PostgreSQL, one guarded upsert; saved again it replaces the value in the
    same row and counts the saves. A save to a question of another quiz changes nothing."""
    from django.db import connection

    quiz, single, _fill, _short = setting
    other_question = question("single", options=["甲", "乙"], key=[0])
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    client.force_login(reader.user)
    url = reverse("activities:attempt-answer", args=[attempt.pk])
    client.post(url, {"question": single.pk, "value": "0"})
    bound = 3 if connection.vendor == "postgresql" else 12
    with django_assert_max_num_queries(bound):
        response = client.post(url, {"question": single.pk, "value": "2"})
    assert response.status_code == 200 and 0 < response.json()["seconds_left"] <= 20 * 60
    answer = Answer.objects.get(attempt=attempt)
    assert (answer.response, answer.saves) == ([2], 2)
    refused = client.post(url, {"question": other_question.pk, "value": "0"})
    assert refused.status_code == 400 and refused.json()["error"] == "This question is not in your quiz."
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_a_save_to_a_handed_in_attempt_answers_409_and_changes_nothing(client, setting):
    quiz, single, _fill, _short = setting
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    answer_save(attempt_id=attempt.pk, reader=reader, question_id=single.pk, value="1")
    attempt_submit(attempt_id=attempt.pk, reader=reader)
    client.force_login(reader.user)
    response = client.post(
        reverse("activities:attempt-answer", args=[attempt.pk]), {"question": single.pk, "value": "0"}
    )
    assert response.status_code == 409 and response.json()["closed"] is True
    answer = Answer.objects.get(attempt=attempt, question=single)
    assert (answer.response, answer.saves) == ([1], 1)
