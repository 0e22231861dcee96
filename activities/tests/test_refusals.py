"""Refusals with other people's ids (issue 17, "Who may do what"): a pupil reaches none of
another pupil's attempt (open or closed), contest entry, file, scores or certificate; a judge
only the contests they judge, and there only their own points; a teacher only their classes'
results, paper answers and make-up times. Each refusal changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ..models import Activity, Answer, Attempt, Entry, Honour, HonourTitle, MakeUp, Score
from ..services.contests import contest_create, entry_register, entry_submit, scores_save
from ..services.honours import honours_award
from ..services.quiz import answer_save, attempt_start, attempt_submit
from .factories import activity, librarian, pupil, question, quiz_with, teacher

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    translation.activate("en")
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def quiz_setting():
    single = question("single", text="谁写了《丑小鸭》？", options=["安徒生", "格林兄弟", "王尔德"], key=[0])
    short = question("short", text="你想到了什么？", key=["模范答案"], points=10)
    return quiz_with([single, short]), single, short


def _judging(*contests):
    Activity.objects.filter(pk__in=[contest.activity_id for contest in contests]).update(
        state=Activity.State.JUDGING
    )


def _contest():
    judges = [teacher().user, teacher().user]
    contest = contest_create(
        activity=activity("essay", title="我爱读书征文"),
        by=librarian(),
        judges=judges,
        criteria=[("内容", Decimal(60)), ("语言", Decimal(40))],
        submission="file",
        disagreement_points=Decimal(15),
    )
    return contest, judges


# --- the quiz -----------------------------------------------------------------------------------


def test_another_pupils_closed_attempt_and_its_score_answer_404(client, quiz_setting):
    quiz, single, _short = quiz_setting
    owner, other = pupil(), pupil()
    attempt = attempt_start(quiz=quiz, reader=owner)
    answer_save(attempt_id=attempt.pk, reader=owner, question_id=single.pk, value="0")
    attempt_submit(attempt_id=attempt.pk, reader=owner)
    client.force_login(other.user)
    assert client.get(reverse("activities:attempt", args=[attempt.pk])).status_code == 404
    # A second submit or a save by another id changes nothing of the closed attempt.
    assert client.post(reverse("activities:attempt-submit", args=[attempt.pk])).status_code == 404
    response = client.post(
        reverse("activities:attempt-answer", args=[attempt.pk]), {"question": single.pk, "value": "2"}
    )
    assert response.status_code == 400 and response.json()["error"] == "This attempt is not yours."
    answer = Answer.objects.get(attempt=attempt, question=single)
    assert (answer.response, answer.saves, answer.score) == ([0], 1, 5)
    # Their own quiz list does not show the owner's attempt or score.
    page = client.get(reverse("activities:quizzes-mine")).content.decode()
    assert reverse("activities:attempt", args=[attempt.pk]) not in page


def test_another_pupils_open_attempt_cannot_be_handed_in_or_answered_with_a_form_field(client, quiz_setting):
    """The hand-in form posts q<id> fields: another pupil's post neither saves nor closes."""
    quiz, single, _short = quiz_setting
    owner, other = pupil(), pupil()
    attempt = attempt_start(quiz=quiz, reader=owner)
    attempt_start(quiz=quiz, reader=other)
    client.force_login(other.user)
    response = client.post(reverse("activities:attempt-submit", args=[attempt.pk]), {f"q{single.pk}": "1"})
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.OPEN and not Answer.objects.filter(attempt=attempt).exists()


def test_a_teacher_reads_only_their_classes_results_and_grids(client, quiz_setting):
    quiz, single, _short = quiz_setting
    head = teacher().user
    mine = pupil(grade=4, full_name="本班学生")
    mine.school_class.head_teacher = head
    mine.school_class.save()
    other = pupil(grade=4, full_name="别班学生")
    for reader in (mine, other):
        attempt = attempt_start(quiz=quiz, reader=reader)
        answer_save(attempt_id=attempt.pk, reader=reader, question_id=single.pk, value="0")
        attempt_submit(attempt_id=attempt.pk, reader=reader)
    client.force_login(head)
    page = client.get(reverse("activities:quiz-results", args=[quiz.pk])).content.decode()
    assert "本班学生" in page and "别班学生" not in page
    assert str(other.school_class) not in page
    # Another class's paper-answer grid: 404, and a post to it enters nothing.
    absent = pupil(school_class=other.school_class)
    grid = reverse("activities:paper-answers", args=[quiz.pk, other.school_class.pk])
    assert client.get(grid).status_code == 404
    assert client.post(grid, {f"p{absent.pk}-q{single.pk}": "A"}).status_code == 404
    assert not Attempt.objects.filter(reader=absent).exists()
    # A make-up time for another class or another class's pupil is refused.
    now = timezone.now()
    times = {
        "opens_at": (now + timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timezone.timedelta(days=1, hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(
        reverse("activities:quiz-make-up", args=[quiz.pk]), {**times, "school_class": other.school_class.pk}
    )
    assert response.status_code == 200 and not MakeUp.objects.exists()
    client.post(reverse("activities:quiz-make-up", args=[quiz.pk]), {**times, "reader_number": absent.number})
    assert not MakeUp.objects.exists()


# --- contests -----------------------------------------------------------------------------------


def test_a_pupil_sees_neither_another_entry_nor_any_judges_scores(client):
    contest, (judge, _second) = _contest()
    owner, other = pupil(), pupil()
    entry = entry_register(contest=contest, reader=owner, by=owner.user)
    own_entry = entry_register(contest=contest, reader=other, by=other.user)
    Entry.objects.filter(pk=entry.pk).update(title="别人的作文")
    _judging(contest)
    criteria = list(contest.criteria.all())
    scores_save(entry=entry, judge=judge, points={criteria[0].pk: "57", criteria[1].pk: "38"})
    for reader in (other, owner):
        client.force_login(reader.user)
        # The judges' sheet, with the points, is the judges' only.
        assert client.get(reverse("activities:judge", args=[contest.pk])).status_code == 404
        page = client.get(reverse("activities:contest", args=[contest.pk])).content.decode()
        assert ">57<" not in page and "57.0" not in page and "95" not in page
        if reader == other:
            assert "别人的作文" not in page
    client.force_login(other.user)
    assert client.get(reverse("activities:entry", args=[entry.pk])).status_code == 404
    assert client.get(reverse("activities:entry", args=[own_entry.pk])).status_code == 200
    # A pupil posting points as if a judge changes nothing.
    response = client.post(
        reverse("activities:judge", args=[contest.pk]),
        {"entry": own_entry.pk, f"c-{criteria[0].pk}": "60", f"c-{criteria[1].pk}": "40"},
    )
    assert response.status_code == 404 and not Score.objects.filter(entry=own_entry).exists()


def test_a_judge_reaches_only_their_contests_and_sees_only_their_own_points(client):
    contest, (judge, second) = _contest()
    elsewhere, (_other_judge, _) = _contest()
    owner = pupil()
    entry = entry_register(contest=contest, reader=owner, by=owner.user)
    foreign = entry_register(contest=elsewhere, reader=owner, by=owner.user)
    entry_submit(entry=foreign, reader=owner, data=b"%PDF-1.4 foreign", file_name="作文.pdf")
    _judging(contest, elsewhere)
    criteria = list(contest.criteria.all())
    scores_save(entry=entry, judge=second, points={criteria[0].pk: "51", criteria[1].pk: "33"})
    scores_save(entry=entry, judge=judge, points={criteria[0].pk: "44", criteria[1].pk: "22"})
    client.force_login(judge)
    sheet = client.get(reverse("activities:judge", args=[contest.pk])).content.decode()
    assert 'value="44' in sheet and 'value="22' in sheet
    assert 'value="51' not in sheet and 'value="33' not in sheet
    # Another contest: its sheet, its page and its entry's file answer 404.
    assert client.get(reverse("activities:judge", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("activities:contest", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("activities:entry-file", args=[foreign.pk])).status_code == 404
    # Another contest's entry posted through their own contest's sheet: 404, nothing scored.
    other_criteria = list(elsewhere.criteria.all())
    response = client.post(
        reverse("activities:judge", args=[contest.pk]),
        {"entry": foreign.pk, f"c-{other_criteria[0].pk}": "60", f"c-{other_criteria[1].pk}": "40"},
    )
    assert response.status_code == 404 and not Score.objects.filter(entry=foreign).exists()


def test_a_pupil_cannot_enter_a_class_or_another_pupil(client):
    contest, _judges = _contest()
    me = pupil()
    classmate = pupil(school_class=me.school_class)
    client.force_login(me.user)
    client.post(
        reverse("activities:contest-register-class", args=[contest.pk]),
        {"school_class": me.school_class.pk, "reader": [classmate.pk]},
    )
    assert not Entry.objects.exists()


# --- honours ------------------------------------------------------------------------------------


def test_another_pupils_certificate_and_the_batch_are_refused(client):
    staff = librarian()
    owner, other = pupil(), pupil(full_name="另一位同学")
    title = HonourTitle.objects.get(code="little_doctor")
    start = timezone.localdate().replace(day=1)
    (honour,) = honours_award(
        title=title,
        period="month",
        period_start=start,
        period_label=f"{start:%Y-%m}",
        by=staff,
        readers=[owner],
    )
    client.force_login(other.user)
    assert client.get(reverse("activities:honour-certificate", args=[honour.pk])).status_code == 404
    batch = reverse("activities:honour-certificates")
    response = client.get(batch, {"class": owner.school_class.pk, "title": title.pk})
    assert response.status_code == 403
    # A teacher who does not manage activities cannot print the batch either.
    client.force_login(teacher().user)
    assert client.get(reverse("activities:honour-certificate", args=[honour.pk])).status_code == 404
    assert client.get(batch, {"class": owner.school_class.pk}).status_code == 403
    assert Honour.objects.count() == 1
