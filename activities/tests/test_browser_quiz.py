"""Issue 17's walk, in a browser: a class takes a timed quiz (one pupil's tab is closed half-way
and the attempt resumed on a new page with the clock still running, another's time runs out and
is graded at its deadline), the head teacher grades the short answers from the keyboard, the
librarian publishes the winners and awards them 小博士 with a printed certificate; a contest's
judges disagree and the flag stops publication until it is resolved; the year's calendar shows a
month without a themed activity. Every page is shot in Chinese and English into
test-artifacts/ (SHOTS, when set, names another folder)."""

import os
import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from ..models import ActivitiesSettings, Activity, Attempt, Entry, Honour, HonourTitle
from ..services.contests import contest_create, entry_register
from ..services.quiz import answer_save, attempt_start, attempt_submit
from .factories import activity, question, quiz_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SHOTS", "") or ARTIFACTS)


def sign_in(page, username):
    # Two cores shared by many: the pages get more time than the default ten seconds.
    page.context.set_default_timeout(30_000)
    page.context.clear_cookies()
    browser_login(page, username, PASSWORD)


def shoot(page, name, *, full_page=True):
    """The page as it is (in Chinese), then the same address in English, then back."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-zh.png"), full_page=full_page)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base_url}])
    page.reload()
    page.screenshot(path=str(SHOTS / f"{name}-en.png"), full_page=full_page)
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": page.base_url}])
    page.reload()


def user_named(username, **kwargs):
    reader = ReaderFactory(**kwargs)
    reader.user.username = username
    reader.user.save()
    return reader


def test_a_class_takes_a_timed_quiz_is_graded_and_the_winners_get_little_doctor(page):
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    head = user_named("liteacher", kind="teacher", number="T001", full_name="李老师")
    school_class = SchoolClassFactory(grade=4, number=2, head_teacher=head.user)
    resumer = user_named("zhangming", full_name="张小明", school_class=school_class)
    late = user_named("lihong", full_name="李小红", school_class=school_class)
    quick = user_named("wanggang", full_name="王小刚", school_class=school_class)
    single = question(
        "single", text="《丑小鸭》的作者是谁？", options=["安徒生", "格林兄弟", "王尔德"], key=[0]
    )
    fill = question("fill", text="《西游记》的作者是____。", key=["吴承恩"])
    short = question(
        "short", text="读了《草房子》，你最喜欢哪个人物？为什么？", key=["言之有理即可"], points=10
    )
    quiz = quiz_with([single, fill, short], minutes=20, grades="3,4,5,6")
    Activity.objects.filter(pk=quiz.activity_id).update(title="十二月读书知识竞赛")

    # 王小刚 has handed in already (his answers the way the page saves them).
    attempt = attempt_start(quiz=quiz, reader=quick)
    answer_save(attempt_id=attempt.pk, reader=quick, question_id=single.pk, value="1")
    answer_save(attempt_id=attempt.pk, reader=quick, question_id=fill.pk, value="吴承恩")
    answer_save(attempt_id=attempt.pk, reader=quick, question_id=short.pk, value="秃鹤，因为他很要强。")
    attempt_submit(attempt_id=attempt.pk, reader=quick)

    # 张小明, on a phone, starts the quiz and answers the first question.
    page.set_viewport_size(PHONE)
    sign_in(page, "zhangming")
    page.goto("/activities/quizzes/")
    shoot(page, "quiz-mine-phone")
    page.click("[data-start]")
    page.wait_for_url("**/activities/attempts/*/")
    page.locator("[data-attempt][data-quiz-ready]").wait_for()
    page.check(f"#q{single.pk}-0")
    page.locator(f"[data-question='{single.pk}'][data-saved]").wait_for()
    assert page.locator(f"[data-question='{single.pk}'] [data-save-status]").inner_text() == "已保存"
    page.fill(f"[name=q{fill.pk}]", "吴 承 恩")
    page.locator(f"[data-question='{fill.pk}'][data-saved]").wait_for()
    expect(page.locator("[data-clock-text]")).to_have_text(re.compile(r"^1?\d:\d\d$"))
    page.screenshot(path=str(SHOTS / "attempt-phone-zh.png"), full_page=True)
    first_left = int(page.locator("[data-clock]").get_attribute("data-seconds-left"))

    # Half-way, the tab is closed; a new page resumes the same attempt, clock still running.
    context, base = page.context, page.base_url
    page.close()
    page = context.new_page()
    page.base_url = base
    page.set_viewport_size(PHONE)
    page.goto("/activities/quizzes/")
    page.click("[data-resume]")
    page.locator("[data-attempt][data-quiz-ready]").wait_for()
    assert Attempt.objects.filter(reader=resumer).count() == 1
    expect(page.locator(f"#q{single.pk}-0")).to_be_checked()
    expect(page.locator(f"[name=q{fill.pk}]")).to_have_value("吴 承 恩")
    resumed_left = int(page.locator("[data-clock]").get_attribute("data-seconds-left"))
    assert resumed_left <= first_left
    page.fill(f"[name=q{short.pk}]", "我最喜欢桑桑，因为他善良又勇敢。")
    page.locator(f"[data-question='{short.pk}'][data-saved]").wait_for()
    shoot(page, "attempt-phone")
    page.click("[data-hand-in]")
    page.locator("[data-attempt-closed='submitted']").wait_for()
    assert "1 道简答题" in page.locator("[data-ungraded]").inner_text()
    shoot(page, "attempt-closed-phone")
    resumed = Attempt.objects.get(reader=resumer)
    assert (resumed.state, resumed.score, resumed.ungraded) == (Attempt.State.SUBMITTED, Decimal(10), 1)

    # 李小红 starts, answers one question, and her time runs out with the page open.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "lihong")
    page.goto("/activities/quizzes/")
    page.click("[data-start]")
    page.locator("[data-attempt][data-quiz-ready]").wait_for()
    page.check(f"#q{single.pk}-0")
    page.locator(f"[data-question='{single.pk}'][data-saved]").wait_for()
    running = Attempt.objects.get(reader=late)
    # Nineteen minutes and a half later (the deadline moved, not the clock): the page is
    # opened again with seconds left, and the clock runs out in front of her.
    deadline = timezone.now() + timedelta(seconds=3)
    Attempt.objects.filter(pk=running.pk).update(deadline=deadline)
    page.reload()
    page.locator("[data-attempt-closed='timed_out']", has_text="").wait_for(timeout=15_000)
    running.refresh_from_db()
    assert running.state == Attempt.State.TIMED_OUT and running.closed_at == running.deadline
    assert running.score == Decimal(5)
    shoot(page, "attempt-timed-out")

    # The head teacher grades the short answers from the keyboard.
    sign_in(page, "liteacher")
    page.goto(f"/activities/quiz/{quiz.pk}/")
    shoot(page, "quiz-results-teacher")
    page.click("[data-grading-link]")
    shoot(page, "grading-home")
    page.click(f"[data-grading-question='{short.pk}'] a")
    page.locator("[data-grading-form][data-keys-ready]").wait_for()
    shoot(page, "grading-question")
    page.locator("[data-grading-form][data-keys-ready]").wait_for()
    ungraded = page.locator("[data-ungraded] [data-score-input]")
    assert ungraded.count() == 2
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    page.keyboard.type("6")
    # The form posts and the page comes back at the same address: wait for that navigation
    # itself, since waiting for the address returns at once (CI's flake at stop 22).
    with page.expect_navigation(url=f"**/quiz/{quiz.pk}/grading/{short.pk}/"):
        page.keyboard.press("Control+Enter")
    assert page.locator("[data-ungraded]").count() == 0
    scores = dict(Attempt.objects.filter(quiz=quiz).values_list("reader__user__username", "score"))
    assert scores["zhangming"] in (Decimal(19), Decimal(16)) and scores["wanggang"] in (
        Decimal(11),
        Decimal(14),
    )

    # The librarian chooses and publishes the winners, and awards them 小博士.
    sign_in(page, "wanglib")
    page.goto(f"/activities/quiz/{quiz.pk}/")
    page.click("[data-choose-winners]")
    page.click("[data-publish-winners]")
    page.locator("[data-winners-published]").wait_for()
    shoot(page, "quiz-results-published")
    page.goto("/activities/published/")
    assert "十二月读书知识竞赛" in page.content()
    shoot(page, "results-board")
    title = HonourTitle.objects.get(code="little_doctor")
    month = timezone.localdate().strftime("%Y-%m")
    page.goto(f"/activities/honours/award/?title={title.pk}&month={month}")
    assert page.locator("[data-candidate]").count() == 3
    shoot(page, "honours-award")
    page.click("[data-award]")
    page.locator("[data-certificate]").first.wait_for()
    assert set(Honour.objects.values_list("reader__user__username", flat=True)) == {
        "zhangming",
        "wanggang",
        "lihong",
    }
    href = page.locator("[data-certificate]").first.get_attribute("href")
    pdf = page.request.get(f"{page.base_url}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    (SHOTS / "certificate.pdf").write_bytes(pdf.body())
    subprocess.run(
        ["/usr/bin/pdftoppm", "-png", "-r", "60", str(SHOTS / "certificate.pdf"), str(SHOTS / "certificate")],
        check=True,
    )
    assert list(SHOTS.glob("certificate*.png"))
    page.goto("/activities/honours/")
    shoot(page, "honour-roll")

    # The pupil sees her title and the published results from her own page.
    sign_in(page, "lihong")
    page.goto("/activities/quizzes/")
    page.locator("[data-results-board]").click()
    page.wait_for_url("**/activities/published/")


def test_judges_disagree_the_flag_stops_publication_and_the_calendar_flags_a_month(page):
    staff = UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    first = user_named("judgeone", kind="teacher", number="T010", full_name="赵评委")
    second = user_named("judgetwo", kind="teacher", number="T011", full_name="钱评委")
    today = timezone.localdate()
    contest = contest_create(
        activity=activity("essay", title="我爱读书征文", state="open"),
        by=staff,
        judges=[first.user, second.user],
        criteria=[("内容", Decimal(60)), ("语言", Decimal(40))],
        disagreement_points=Decimal(15),
    )
    school_class = SchoolClassFactory(grade=5, number=1)
    writers = [
        user_named(f"writer{index}", full_name=name, school_class=school_class)
        for index, name in enumerate(["陈小花", "刘小强"])
    ]
    entries = [entry_register(contest=contest, reader=reader, by=reader.user) for reader in writers]
    Entry.objects.filter(pk=entries[0].pk).update(title="我和书的故事", text="书是我的好朋友。" * 20)
    Entry.objects.filter(pk=entries[1].pk).update(title="读《草房子》有感", text="桑桑的童年让我感动。" * 20)
    Activity.objects.filter(pk=contest.activity_id).update(state=Activity.State.JUDGING)

    for judge, marks in (("judgeone", [(55, 35), (40, 30)]), ("judgetwo", [(30, 20), (42, 30)])):
        sign_in(page, judge)
        page.goto(f"/activities/contests/{contest.pk}/judge/")
        for entry, (content, language) in zip(entries, marks, strict=True):
            form = page.locator(f"[data-judge-entry='{entry.pk}']")
            inputs = form.locator("input[name^=c-]")
            inputs.nth(0).fill(str(content))
            inputs.nth(1).fill(str(language))
            form.locator("[data-save-scores]").click()
            page.wait_for_load_state("networkidle")
        if judge == "judgetwo":
            shoot(page, "judge-sheet")

    sign_in(page, "wanglib")
    page.goto(f"/activities/contests/{contest.pk}/")
    page.locator("[data-disagreement]").wait_for()
    assert page.locator(f"[data-entry='{entries[0].pk}'][data-flagged]").count() == 1
    shoot(page, "contest-flagged")
    page.click("[data-publish-contest]")
    page.wait_for_load_state("networkidle")
    assert not Entry.objects.exclude(prize="").exists()
    assert "评委" in page.locator(".alert-danger, .alert-warning").first.inner_text()
    page.fill(f"[data-entry='{entries[0].pk}'] [name=resolution]", "评委复议，维持平均分")
    page.click(f"[data-entry='{entries[0].pk}'] [data-resolve]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-disagreement]").count() == 0
    page.click("[data-publish-contest]")
    page.wait_for_load_state("networkidle")
    prizes = dict(Entry.objects.values_list("reader__user__full_name", "prize"))
    assert prizes == {"刘小强": "first", "陈小花": "second"}
    shoot(page, "contest-published")
    # The prized works go onto the exhibition wall, and the month's statistics list the contest
    # with its published results.
    wall = ActivitiesSettings.current()
    wall.wall_public = True
    wall.save()
    page.goto("/activities/wall/")
    assert page.locator("[data-wall-entry]").count() == 2
    shoot(page, "wall-contest-works")
    month = today.strftime("%Y-%m")
    page.goto(f"/reports/statistics/?from={month}&to={month}")
    row = page.locator(f"[data-statistics-activity='{contest.activity_id}']")
    assert "刘小强" in row.inner_text() and row.locator("[data-results-published]").count() == 1
    page.locator("#activity-figures").screenshot(path=str(SHOTS / "statistics-activities-zh.png"))
    page.goto("/activities/contests/")
    shoot(page, "contest-list")

    # The school year's calendar: a themed activity in every month so far but its second.
    from library_site.school import school_year_of, school_year_start

    year = school_year_of(today)
    first = school_year_start(year).replace(day=1)
    missing = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    month = first
    while month <= today:
        if month != missing:
            activity(
                "themed",
                title=f"{month.month}月特色阅读",
                starts_on=min(month.replace(day=10), today),
                state="closed",
            )
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    page.goto(f"/activities/calendar/{year}/")
    flagged = page.locator(f"[data-month='{missing:%Y-%m}'][data-flagged]")
    assert flagged.count() == 1 and "没有举办" in flagged.inner_text()
    assert page.locator(f"[data-month='{first:%Y-%m}'][data-flagged]").count() == 0
    shoot(page, "calendar")
