"""Contests (registration, submissions, judges' rubric scores, the disagreement flag that stops
publication, prizes) and honorary titles (candidate rules, awards per period, revocation with a
reason, certificates)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ..exceptions import ContestRefused, HonourRefused, UploadRefused
from ..models import Activity, Entry, Honour, HonourTitle
from ..services.contests import (
    contest_create,
    contest_publish,
    entry_register,
    entry_resolve,
    entry_submit,
    scores_save,
)
from ..services.honours import honour_candidates, honour_revoke, honours_award, period_bounds
from ..services.quiz import answer_save, attempt_start, attempt_submit, winners_choose, winners_publish
from .factories import activity, librarian, pupil, question, quiz_with, teacher

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
def essay():
    staff = librarian()
    judges = [teacher().user, teacher().user]
    contest = contest_create(
        activity=activity("essay", title="我爱读书征文"),
        by=staff,
        judges=judges,
        criteria=[("内容", Decimal(60)), ("语言", Decimal(40))],
        submission="file",
        disagreement_points=Decimal(15),
    )
    return staff, judges, contest


def test_a_pupil_enters_once_and_hands_in_a_typed_essay(essay):
    _staff, _judges, contest = essay
    reader = pupil()
    entry = entry_register(contest=contest, reader=reader, by=reader.user)
    assert entry_register(contest=contest, reader=reader, by=reader.user).pk == entry.pk
    entry_submit(entry=entry, reader=reader, title="书是我的朋友", text="我喜欢读书。")
    entry.refresh_from_db()
    assert entry.submitted_at and entry.text == "我喜欢读书。"
    with pytest.raises(ContestRefused, match="another pupil"):
        entry_submit(entry=entry, reader=pupil(), text="改掉")
    entry.refresh_from_db()
    assert entry.text == "我喜欢读书。"


def test_an_upload_that_is_not_what_it_says_or_too_large_is_refused(essay):
    _staff, _judges, contest = essay
    reader = pupil()
    entry = entry_register(contest=contest, reader=reader, by=reader.user)
    with pytest.raises(UploadRefused, match="not what its name says"):
        entry_submit(entry=entry, reader=reader, data=b"MZ\x90\x00 an exe", file_name="作文.pdf")
    with pytest.raises(UploadRefused, match="larger than 10 MB"):
        entry_submit(
            entry=entry, reader=reader, data=b"%PDF-" + b"0" * (10 * 1024 * 1024), file_name="作文.pdf"
        )
    entry.refresh_from_db()
    assert not entry.file_name and entry.submitted_at is None
    entry_submit(entry=entry, reader=reader, data=b"%PDF-1.4 small", file_name="作文.pdf")
    entry.refresh_from_db()
    assert entry.file_type == "application/pdf"


def _judge(contest, entry, judge, content, language):
    criteria = list(contest.criteria.all())
    return scores_save(
        entry=entry, judge=judge, points={criteria[0].pk: str(content), criteria[1].pk: str(language)}
    )


def test_judges_who_disagree_flag_the_entry_and_publication_waits_for_the_resolution(essay):
    staff, (first, second), contest = essay
    readers = [pupil(), pupil()]
    entries = [entry_register(contest=contest, reader=reader, by=reader.user) for reader in readers]
    Activity.objects.filter(pk=contest.activity_id).update(state=Activity.State.JUDGING)
    contest.activity.refresh_from_db()
    with pytest.raises(ContestRefused, match="not a judge"):
        _judge(contest, entries[0], teacher().user, 50, 30)
    with pytest.raises(ContestRefused, match="between 0 and 40"):
        _judge(contest, entries[0], first, 50, 41)
    _judge(contest, entries[0], first, 55, 35)
    flagged = _judge(contest, entries[0], second, 30, 20)
    assert flagged.flagged and flagged.spread == Decimal(40) and flagged.average == Decimal("70.00")
    _judge(contest, entries[1], first, 40, 30)
    _judge(contest, entries[1], second, 42, 30)
    with pytest.raises(ContestRefused, match="disagree over 1 entries"):
        contest_publish(contest=contest, by=staff, prizes={"first": 1})
    assert not Entry.objects.exclude(prize="").exists()
    entry_resolve(entry=entries[0], by=staff, resolution="评委复议，维持平均分")
    contest_publish(contest=contest, by=staff, prizes={"first": 1, "second": 1})
    ranked = {entry.reader_id: (entry.rank, entry.prize) for entry in Entry.objects.all()}
    assert ranked == {readers[1].pk: (1, "first"), readers[0].pk: (2, "second")}
    contest.activity.refresh_from_db()
    assert contest.activity.state == Activity.State.PUBLISHED


def test_a_judge_sees_only_the_contests_they_judge(client, essay):
    _staff, (first, _second), contest = essay
    Activity.objects.filter(pk=contest.activity_id).update(state=Activity.State.JUDGING)
    client.force_login(teacher().user)
    assert client.get(reverse("activities:judge", args=[contest.pk])).status_code == 404
    assert client.get(reverse("activities:contest", args=[contest.pk])).status_code == 404
    client.force_login(first)
    assert client.get(reverse("activities:judge", args=[contest.pk])).status_code == 200


def _published_quiz_winner():
    staff = librarian()
    single = question("single")
    quiz = quiz_with([single])
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    answer_save(attempt_id=attempt.pk, reader=reader, question_id=single.pk, value="0")
    attempt_submit(attempt_id=attempt.pk, reader=reader)
    winners_choose(quiz=quiz, attempt_ids=[attempt.pk], by=staff)
    winners_publish(quiz=quiz, by=staff)
    return staff, reader


def test_little_doctor_proposes_the_quiz_winners_and_is_awarded_once_per_period():
    staff, reader = _published_quiz_winner()
    title = HonourTitle.objects.get(code="little_doctor")
    start, end = period_bounds(Honour.Period.MONTH, timezone.localdate())
    candidates, _text = honour_candidates(title, start, end)
    assert [candidate.reader.pk for candidate in candidates] == [reader.pk]
    honours_award(
        title=title,
        period="month",
        period_start=start,
        period_label=f"{start:%Y-%m}",
        by=staff,
        readers=[reader],
    )
    with pytest.raises(HonourRefused, match="Already awarded"):
        honours_award(
            title=title,
            period="month",
            period_start=start,
            period_label=f"{start:%Y-%m}",
            by=staff,
            readers=[reader],
        )
    assert Honour.objects.count() == 1


def test_an_award_is_revoked_with_a_reason_and_kept(client):
    staff, reader = _published_quiz_winner()
    title = HonourTitle.objects.get(code="little_doctor")
    start = timezone.localdate().replace(day=1)
    (honour,) = honours_award(
        title=title, period="month", period_start=start, period_label="2026-12", by=staff, readers=[reader]
    )
    client.force_login(reader.user)
    response = client.get(reverse("activities:honour-certificate", args=[honour.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(pupil().user)
    assert client.get(reverse("activities:honour-certificate", args=[honour.pk])).status_code == 404
    with pytest.raises(HonourRefused, match="reason"):
        honour_revoke(honour=honour, by=staff, reason="  ")
    honour_revoke(honour=honour, by=staff, reason="成绩登记有误")
    honour.refresh_from_db()
    assert honour.revoked_at and honour.revoke_reason == "成绩登记有误"
    assert Honour.objects.count() == 1
    # Revoked: the title can be awarded again for the period.
    honours_award(
        title=title, period="month", period_start=start, period_label="2026-12", by=staff, readers=[reader]
    )
    assert Honour.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_class_title_goes_to_classes_only():
    staff = librarian()
    title = HonourTitle.objects.get(code="scholarly_class")
    with pytest.raises(HonourRefused, match="awarded to a class"):
        honours_award(
            title=title,
            period="month",
            period_start=timezone.localdate().replace(day=1),
            period_label="x",
            by=staff,
            readers=[pupil()],
        )


def test_another_pupils_entry_and_its_file_answer_404_and_a_post_to_it_changes_nothing(client, essay):
    _staff, (judge, _second), contest = essay
    owner, other = pupil(), pupil()
    entry = entry_register(contest=contest, reader=owner, by=owner.user)
    entry_submit(entry=entry, reader=owner, data=b"%PDF-1.4 my essay", file_name="作文.pdf")
    client.force_login(other.user)
    assert client.get(reverse("activities:entry", args=[entry.pk])).status_code == 404
    assert client.get(reverse("activities:entry-file", args=[entry.pk])).status_code == 404
    response = client.post(reverse("activities:entry", args=[entry.pk]), {"title": "改掉", "text": "改掉"})
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.title == "" and entry.text == "" and entry.file_name == "作文.pdf"
    # Its owner and the contest's judges read the file.
    client.force_login(owner.user)
    assert client.get(reverse("activities:entry-file", args=[entry.pk])).content == b"%PDF-1.4 my essay"
    client.force_login(judge)
    assert client.get(reverse("activities:entry-file", args=[entry.pk])).status_code == 200


def test_a_pupil_cannot_publish_winners_or_award_titles_with_their_own_attempt_id(client):
    _staff, reader = _published_quiz_winner()
    from ..models import Attempt

    attempt = Attempt.objects.get(reader=reader)
    client.force_login(reader.user)
    response = client.post(
        reverse("activities:quiz-winners", args=[attempt.quiz_id]), {"attempt": [attempt.pk]}
    )
    assert response.status_code == 403
    title = HonourTitle.objects.get(code="little_doctor")
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(
        reverse("activities:honours-award"), {"title": title.pk, "month": month, "numbers": reader.number}
    )
    assert response.status_code == 403 and not Honour.objects.exists()


def test_a_certificate_says_a_month_as_the_language_writes_it_and_a_term_by_its_name():
    from django.utils import translation

    from ..certificates import period_text

    month = Honour(
        period=Honour.Period.MONTH, period_start=timezone.datetime(2026, 12, 1).date(), period_label="2026-12"
    )
    term = Honour(
        period=Honour.Period.TERM, period_start=month.period_start, period_label="2026—2027学年第一学期"
    )
    with translation.override("zh-hans"):
        assert period_text(month) == "2026年12月"
    assert period_text(month) == "December 2026"
    assert period_text(term) == "2026—2027学年第一学期"
