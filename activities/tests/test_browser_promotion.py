"""Issue 19's walk, in a browser: a librarian publishes a notice with an image that appears on a
pupil's phone-sized home page; the pupil gets recommendations for their grade, places a hold from
a reading list, answers a questionnaire anonymously and files a complaint, which the librarian
answers with a corrective measure and publishes; screenshots in Chinese and English."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from catalog.models import Copy
from circulation.models import Hold, Loan
from circulation.tests.factories import ReaderFactory, SchoolClassFactory, copies_of
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from ..models import LibrarianPick, Suggestion, SurveyResponse
from ..services.lists import reading_list_add, reading_list_save
from ..services.recommendations import recommendations_compute
from ..services.surveys import survey_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def sign_in(page, username):
    page.context.clear_cookies()
    browser_login(page, username, PASSWORD)


def english(page):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base_url}])


def test_the_bulletin_recommendations_a_hold_a_questionnaire_and_a_complaint(page, tmp_path):
    librarian = UserFactory(username="zhanglib", full_name="张馆员", roles=[Role.LIBRARIAN])
    school_class = SchoolClassFactory(grade=4, number=1)
    pupil = ReaderFactory(full_name="林小雨", school_class=school_class)
    pupil.user.username = "linxiaoyu"
    pupil.user.save()
    # A title fit for grade 4, new, and one all out (for the hold), on a list for grade 4.
    (fit,) = copies_of("小王子")
    fit.record.reading_level_from, fit.record.reading_level_to = 3, 5
    fit.record.save()
    (out,) = copies_of("夏洛的网")
    other = ReaderFactory(school_class=school_class)
    Loan.objects.create(copy=out, reader=other, due_on=timezone.localdate() + timedelta(days=14))
    Copy.objects.filter(pk=out.pk).update(status=Copy.Status.ON_LOAN)
    LibrarianPick.objects.create(record=fit.record, blurb="一本关于友谊的书", grade_from=3, grade_to=5)
    reading_list = reading_list_save(user=librarian, title="四年级暑假书单", grade=4, is_published=True)
    reading_list_add(reading_list=reading_list, record=fit.record, note="经典童话")
    reading_list_add(reading_list=reading_list, record=out.record, note="关于友谊")
    recommendations_compute()
    now = timezone.now()
    survey = survey_create(
        user=librarian, title="图书馆满意度调查", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7),
        questions=[
            {"kind": "single", "text": "你多久来一次图书馆？", "choices": ["每天", "每周", "很少"]},
            {"kind": "rating", "text": "你对图书馆满意吗？"},
            {"kind": "text", "text": "你的建议", "required": False},
        ],
    )  # fmt: skip
    image = tmp_path / "poster.png"
    Image.new("RGB", (1600, 900), "teal").save(image)

    # The librarian publishes a notice with an image.
    sign_in(page, "zhanglib")
    page.goto("/activities/bulletin/new/")
    page.fill("#id_title", "读书节开幕")
    page.fill("#id_body", "<p>欢迎参加<strong>读书节</strong><script>alert(1)</script></p>")
    page.check("#id_pinned")
    page.set_input_files("#id_image", str(image))
    page.fill("#id_image_alt", "读书节海报")
    page.click("[data-post-form] button[type=submit]")
    page.wait_for_url("**/activities/bulletin/manage/")

    # The pupil sees it on their phone-sized home page, with recommendations for their grade.
    page.set_viewport_size(PHONE)
    sign_in(page, "linxiaoyu")
    page.goto("/")
    bulletin = page.locator("[data-home-bulletin]")
    assert "读书节开幕" in bulletin.inner_text()
    assert bulletin.locator("strong").inner_text() == "读书节"
    assert bulletin.locator("script").count() == 0
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-post-image]'); return i && i.complete && i.naturalWidth === 1200; }"
    )
    recommended = page.locator("[data-home-recommendations]")
    assert recommended.locator(f"[data-recommended='{fit.record.pk}']").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "promotion-home-phone-zh.png"), full_page=True)

    # A hold from the reading list: only the title whose copies are all out offers one.
    page.goto(f"/activities/lists/{reading_list.pk}/")
    assert page.locator(f"[data-place-hold='{fit.record.pk}']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "promotion-list-phone-zh.png"), full_page=True)
    page.click(f"[data-place-hold='{out.record.pk}']")
    page.wait_for_load_state("networkidle")
    assert Hold.objects.get().reader == pupil

    # The questionnaire, anonymously.
    page.goto(f"/activities/surveys/{survey.pk}/")
    assert page.locator("[data-anonymous-note]").count() == 1
    questions = list(survey.questions.all())
    page.check(f"#q{questions[0].pk}-1")
    page.check(f"#q{questions[1].pk}-4")
    page.fill(f"textarea[name=q{questions[2].pk}]", "希望周末也开放")
    page.screenshot(path=str(ARTIFACTS / "promotion-survey-phone-zh.png"), full_page=True)
    page.click("[data-survey-form] button[type=submit]")
    page.wait_for_url("**/activities/surveys/")
    response = SurveyResponse.objects.get()
    assert response.reader is None and response.answers.count() == 3
    page.goto(f"/activities/surveys/{survey.pk}/")
    assert page.locator("[data-answered]").count() == 1

    # A complaint, anonymously.
    page.goto("/activities/suggestions/")
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_category", "service")
    page.fill("#id_text", "午休时借书要排很久的队")
    page.check("#id_anonymous")
    page.click("[data-suggestion-form] button")
    page.wait_for_url("**/activities/suggestions/")
    complaint = Suggestion.objects.get()
    assert complaint.anonymous and complaint.reader is None

    # The librarian takes it in hand, answers it with a corrective measure and publishes it.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "zhanglib")
    page.goto(f"/activities/suggestions/{complaint.pk}/")
    assert "林小雨" not in page.content()
    page.fill("#deadline", (timezone.localdate() + timedelta(days=14)).isoformat())
    page.fill("#measure", "午休时增开一个借还窗口")
    page.click("[data-in-hand-form] button")
    page.wait_for_load_state("networkidle")
    page.fill("#answer", "从下周起午休时有两位老师值班。")
    page.click("[data-answer-form] button")
    page.wait_for_load_state("networkidle")
    page.click("[data-publish]")
    page.wait_for_load_state("networkidle")
    complaint.refresh_from_db()
    assert complaint.state == Suggestion.State.ANSWERED and complaint.published_at is not None
    assert complaint.measure == "午休时增开一个借还窗口"

    # The school reads the answer on the transparency page; the pupil's phone, then in English.
    page.set_viewport_size(PHONE)
    sign_in(page, "linxiaoyu")
    page.goto("/reports/transparency/")
    assert "午休时增开一个借还窗口" in page.locator("[data-section=suggestions]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "promotion-transparency-phone-zh.png"), full_page=True)
    english(page)
    page.goto("/")
    assert "Library bulletin" in page.locator("[data-home-bulletin]").inner_text()
    assert "Recommended for you" in page.locator("[data-home-recommendations]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "promotion-home-phone-en.png"), full_page=True)
    page.goto("/activities/library/collection/")
    page.wait_for_function("() => document.documentElement.dataset.promotionReady === '1'")
    page.screenshot(path=str(ARTIFACTS / "promotion-collection-phone-en.png"), full_page=True)
    page.goto("/reports/transparency/")
    page.screenshot(path=str(ARTIFACTS / "promotion-transparency-phone-en.png"), full_page=True)
