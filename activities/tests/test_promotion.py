"""Promotion and the readers' voice (issue 19): the bulletin and library pages, cover images,
reading lists with holds, recommendations, reviews, questionnaires and the suggestion box.
Each refusal asserts that nothing changed; anonymity is checked through every page, the export
and the Django admin; the pupil's page keeps a constant number of queries."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from catalog.models import Copy, RecordCover
from circulation.models import Hold, Loan, Reader
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.documents.exceptions import ImageRefused

from ..exceptions import ActivitiesError, ReviewRefused, SuggestionRefused, SurveyRefused
from ..models import (
    BulletinPost,
    CoBorrowing,
    GradePopularity,
    LibrarianPick,
    ReadingList,
    Review,
    Suggestion,
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
)
from ..selectors.recommendations import recommendations_for_reader
from ..selectors.suggestions import complaints_count, complaints_list
from ..selectors.surveys import survey_results
from ..services import recommendations as recommendations_service
from ..services.bulletin import post_save, promotion_settings_save
from ..services.lists import reading_list_add, reading_list_save
from ..services.recommendations import co_borrowing_count, recommendations_compute
from ..services.reviews import review_report, review_write, reviews_decide
from ..services.suggestions import (
    suggestion_answer,
    suggestion_file,
    suggestion_publish,
    suggestion_take_in_hand,
)
from ..services.surveys import participation_key, survey_create, survey_respond
from .factories import book, librarian, loan, pupil, teacher

pytestmark = pytest.mark.django_db


def png(width=40, height=30, colour="red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def leveled_book(title, *, level_from=None, level_to=None, copies=1, days_old=0):
    record, made = book(title, copies=copies)
    record.reading_level_from, record.reading_level_to = level_from, level_to
    record.created_at = timezone.now() - timedelta(days=days_old)
    record.save(update_fields=["reading_level_from", "reading_level_to", "created_at"])
    return record, made


# --- the bulletin ------------------------------------------------------------------------------


def test_a_post_keeps_only_sanitised_html_and_a_resized_jpeg():
    user = librarian()
    post = post_save(
        user=user,
        title="新书到馆",
        body='<p onclick="steal()">好书<script>alert(1)</script><a href="javascript:x()">看</a> <strong>推荐</strong></p>',
        image=png(3000, 1500),
    )
    assert post.body_html == '<p>好书<a rel="noopener noreferrer">看</a> <strong>推荐</strong></p>'
    assert (post.image_width, post.image_height) == (1200, 600)
    assert Image.open(io.BytesIO(bytes(post.image))).format == "JPEG"


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.png", b"<script>not an image</script>", content_type="image/png"),
        SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (9 * 1024 * 1024), content_type="image/png"),
    ],
    ids=["not-an-image", "too-large"],
)
def test_a_post_whose_image_is_refused_saves_nothing(upload):
    with pytest.raises(ActivitiesError) as refusal:
        post_save(user=librarian(), title="通知", body="<p>x</p>", image=upload)
    assert "JPEG" in str(refusal.value.message)
    assert BulletinPost.objects.count() == 0


def test_the_bulletin_shows_current_posts_pinned_first_and_hides_expired_future_and_withdrawn(client):
    user = librarian()
    now = timezone.now()
    post_save(user=user, title="旧闻", body="", publish_at=now - timedelta(days=3))
    post_save(user=user, title="置顶", body="", pinned=True, publish_at=now - timedelta(days=5))
    post_save(
        user=user,
        title="过期",
        body="",
        publish_at=now - timedelta(days=9),
        expires_at=now - timedelta(days=1),
    )
    post_save(user=user, title="明天", body="", publish_at=now + timedelta(days=1))
    reader = pupil()
    client.force_login(reader.user)
    page = client.get(reverse("activities:bulletin")).content.decode()
    assert page.index("置顶") < page.index("旧闻")
    assert "过期" not in page and "明天" not in page
    home = client.get("/").content.decode()
    assert "data-home-bulletin" in home and "置顶" in home


def test_the_public_bulletin_follows_the_administrators_switch(client):
    post_save(user=librarian(), title="公开的", body="")
    post_save(user=librarian(), title="校内的", body="", is_public=False)
    page = client.get(reverse("activities:bulletin")).content.decode()
    assert "公开的" in page and "校内的" not in page
    promotion_settings_save(user=librarian(), public_bulletin=False)
    response = client.get(reverse("activities:bulletin"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_school_screen_shows_public_posts_pinned_first_with_the_hours_and_no_menu(client):
    now = timezone.now()
    post_save(user=librarian(), title="读书节开幕", body="<p>欢迎</p>", publish_at=now - timedelta(days=2))
    post_save(user=librarian(), title="置顶通知", body="", pinned=True, publish_at=now - timedelta(days=4))
    post_save(user=librarian(), title="校内的", body="", is_public=False)
    # Signed in or not, a screen in the corridor shows only what is meant for the public.
    client.force_login(pupil().user)
    response = client.get(reverse("activities:bulletin-screen"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("置顶通知") < page.index("读书节开幕") and "校内的" not in page
    assert page.count("data-screen-post=") == 2 and 'class="screen-post is-shown"' in page
    assert 'http-equiv="refresh" content="300"' in page and "js/screen.js" in page
    assert "navbar" not in page and "<script>" not in page  # no menu, no inline script (CSP)
    assert "开放时间" in page
    client.logout()
    promotion_settings_save(user=librarian(), public_bulletin=False)
    response = client.get(reverse("activities:bulletin-screen"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_those_who_run_activities_write_posts(client):
    client.force_login(pupil().user)
    assert client.post(reverse("activities:post-new"), {"title": "x", "kind": "news"}).status_code == 403
    assert BulletinPost.objects.count() == 0


def test_the_collection_page_counts_copies_per_class_and_place(client):
    book("红楼梦", copies=3)
    client.force_login(pupil().user)
    response = client.get(reverse("activities:collection"))
    structure = response.context["structure"]
    assert structure["total"] == 3
    assert [(row["code"], row["copies"]) for row in structure["classes"]] == [("I", 3)]
    assert "promotion-charts-classes" in response.content.decode()


# --- covers ------------------------------------------------------------------------------------


def test_a_cover_is_stored_in_two_sizes_and_shown_in_the_opac(client):
    from catalog.services.covers import cover_set

    record, _copies = book("草房子")
    cover = cover_set(record=record, upload=png(1200, 1800), user=librarian())
    assert (cover.large_width, cover.large_height, cover.small_width, cover.small_height) == (
        600,
        900,
        160,
        240,
    )
    client.force_login(pupil().user)
    page = client.get(reverse("catalog:opac-record", args=[record.pk])).content.decode()
    assert reverse("catalog:record-cover", args=[record.pk, "large"]) + "?v=1" in page
    image = client.get(reverse("catalog:record-cover", args=[record.pk, "small"]))
    assert image["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).size == (160, 240)


def test_a_refused_cover_changes_nothing_and_the_placeholder_escapes_the_title(client):
    from catalog.services.covers import cover_set

    record, _copies = book("<script>x</script>")
    with pytest.raises(ImageRefused):
        cover_set(record=record, upload=SimpleUploadedFile("a.jpg", b"nope"), user=librarian())
    assert RecordCover.objects.count() == 0
    client.force_login(pupil().user)
    svg = client.get(reverse("catalog:record-cover-placeholder", args=[record.pk])).content.decode()
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_only_cataloguers_upload_covers(client):
    record, _copies = book()
    client.force_login(pupil().user)
    assert (
        client.post(reverse("catalog:record-cover-upload", args=[record.pk]), {"cover": png()}).status_code
        == 403
    )
    assert RecordCover.objects.count() == 0


# --- reading lists and holds -------------------------------------------------------------------


def test_a_reading_list_shows_live_availability_and_a_hold_button_only_when_all_copies_are_out(client):
    reader = pupil(grade=3)
    shelf, _ = book("在架上")
    out, (out_copy,) = book("全借出")
    other = pupil(grade=3)
    loan(other, copy=out_copy, state=Loan.State.OPEN)
    Copy.objects.filter(pk=out_copy.pk).update(status=Copy.Status.ON_LOAN)
    reading_list = reading_list_save(user=librarian(), title="三年级书单", grade=3, is_published=True)
    reading_list_add(reading_list=reading_list, record=shelf)
    reading_list_add(reading_list=reading_list, record=out)
    client.force_login(reader.user)
    page = client.get(reverse("activities:list", args=[reading_list.pk])).content.decode()
    assert f'data-place-hold="{out.pk}"' in page and f'data-place-hold="{shelf.pk}"' not in page
    client.post(reverse("circulation:hold-place", args=[out.pk]))
    assert Hold.objects.get().reader == reader
    page = client.get(reverse("activities:list", args=[reading_list.pk])).content.decode()
    assert f'data-place-hold="{out.pk}"' not in page


def test_an_unpublished_list_is_not_found_for_readers(client):
    reading_list = reading_list_save(user=librarian(), title="草稿")
    client.force_login(pupil().user)
    assert client.get(reverse("activities:list", args=[reading_list.pk])).status_code == 404


def test_a_title_twice_on_a_list_is_refused():
    record, _ = book()
    reading_list = reading_list_save(user=librarian(), title="书单")
    reading_list_add(reading_list=reading_list, record=record)
    with pytest.raises(ActivitiesError):
        reading_list_add(reading_list=reading_list, record=record)
    assert reading_list.items.count() == 1


# --- recommendations ---------------------------------------------------------------------------


def _co_borrowed_world():
    """Pupils of grade 4 who borrowed A also borrowed B (twice) and C (once)."""
    a, (a_copy,) = leveled_book("甲", level_from=3, level_to=5, days_old=400)
    b, (b_copy,) = leveled_book("乙", level_from=4, level_to=6, days_old=400)
    c, (c_copy,) = leveled_book("丙", days_old=400)
    high, (high_copy,) = leveled_book("高年级", level_from=6, level_to=9, days_old=400)
    for copies in ([a_copy, b_copy, high_copy], [a_copy, b_copy, c_copy, high_copy]):
        someone = pupil(grade=4)
        for copy in copies:
            made = loan(someone, copy=copy)
            Loan.objects.filter(pk=made.pk).update(reader_kind=Reader.Kind.STUDENT, reader_grade=4)
    return a, b, c, high


def test_the_nightly_job_counts_co_borrowing_per_grade_and_is_safe_to_run_twice():
    a, b, _c, high = _co_borrowed_world()
    first = recommendations_compute()
    rows = set(CoBorrowing.objects.values_list("grade", "record_id", "other_id", "pupils"))
    assert (4, a.pk, b.pk, 2) in rows and (4, a.pk, high.pk, 2) in rows
    assert all(pupils >= 2 for *_ids, pupils in rows)
    assert recommendations_compute() == first
    assert set(CoBorrowing.objects.values_list("grade", "record_id", "other_id", "pupils")) == rows
    assert GradePopularity.objects.filter(grade=4).count() == 4


def test_the_nightly_job_sees_each_grade_once_however_many_loans_it_has():
    _co_borrowed_world()
    assert recommendations_compute().grades == 1


def test_co_borrowing_counts_a_pair_once_per_pupil_and_keeps_each_titles_best_partners(monkeypatch):
    baskets = [[1, 2, 3], [2, 1, 1], [3, 4], [4, 3, 1]]
    rows = co_borrowing_count(iter(baskets), width=10)
    assert rows == [(1, 2, 2), (1, 3, 2), (2, 1, 2), (3, 1, 2), (3, 4, 2), (4, 3, 2)]
    monkeypatch.setattr(recommendations_service, "TOP_PER_RECORD", 1)
    assert co_borrowing_count(iter(baskets), width=10) == [(1, 2, 2), (2, 1, 2), (3, 1, 2), (4, 3, 2)]
    monkeypatch.setattr(recommendations_service, "MIN_PUPILS", 3)
    assert co_borrowing_count(iter(baskets), width=10) == []


def test_a_pupils_basket_is_their_most_recent_titles_and_a_title_lent_twice_counts_once(monkeypatch):
    monkeypatch.setattr(recommendations_service, "BASKET_SIZE", 2)
    old, (old_copy,) = leveled_book("旧书")
    a, (a_copy,) = leveled_book("甲")
    b, (b_copy,) = leveled_book("乙")
    for _ in range(2):
        someone = pupil(grade=2)
        for days_ago, copy in ((30, old_copy), (3, a_copy), (2, b_copy), (1, a_copy)):
            made = loan(someone, copy=copy, lent_on=timezone.localdate() - timedelta(days=days_ago))
            Loan.objects.filter(pk=made.pk).update(reader_kind=Reader.Kind.STUDENT, reader_grade=2)
    recommendations_compute()
    assert set(CoBorrowing.objects.values_list("grade", "record_id", "other_id", "pupils")) == {
        (2, a.pk, b.pk, 2),
        (2, b.pk, a.pk, 2),
    }
    assert not CoBorrowing.objects.filter(record=old).exists()


def test_a_pupil_never_gets_a_book_read_already_nor_one_above_their_level():
    a, _b, _c, high = _co_borrowed_world()
    recommendations_compute()
    reader = pupil(grade=4)
    loan(reader, copy=a.copies.first())
    _new, _ = leveled_book("新书", level_from=3, level_to=4)
    leveled_book("新书太难", level_from=5, level_to=6)
    LibrarianPick.objects.create(record=high, blurb="太难", grade_from=1, grade_to=12)
    pick, _ = leveled_book("馆员推荐", days_old=400)
    LibrarianPick.objects.create(record=pick, blurb="好看", grade_from=4, grade_to=4)
    result = recommendations_for_reader(reader)
    assert [record.title for record in result.also_borrowed] == ["乙"]
    assert [record.title for record in result.new_books] == ["新书"]
    assert [item.record.title for item in result.picks] == ["馆员推荐"]
    shown = {record.pk for record in result.also_borrowed + result.new_books + result.popular}
    assert a.pk not in shown and high.pk not in shown
    assert not result.cold_start and result.popular == []


def test_a_new_pupil_gets_what_their_grade_borrows_most():
    _a, _b, _c, _high = _co_borrowed_world()
    recommendations_compute()
    result = recommendations_for_reader(pupil(grade=4))
    assert result.cold_start
    assert [record.title for record in result.popular] == ["甲", "乙", "丙"]


def test_the_pupils_home_page_keeps_its_queries_as_recommendations_grow(
    client, django_assert_max_num_queries
):
    _co_borrowed_world()
    recommendations_compute()
    reader = pupil(grade=4)
    client.force_login(reader.user)
    with django_assert_max_num_queries(40) as first:
        client.get("/")
    for number in range(6):
        _record, (copy,) = leveled_book(f"书{number}", level_from=4, level_to=4)
        loan(reader, copy=copy)
        LibrarianPick.objects.create(
            record=leveled_book(f"荐{number}")[0], blurb="好", grade_from=4, grade_to=4
        )
    post_save(user=librarian(), title="通知", body="", image=png())
    recommendations_compute()
    with django_assert_max_num_queries(len(first.captured_queries) + 1):
        response = client.get("/")
    assert "data-home-recommendations" in response.content.decode()


# --- reviews -----------------------------------------------------------------------------------


def test_only_a_reader_who_borrowed_the_book_may_review_it():
    record, (copy,) = book()
    with pytest.raises(ReviewRefused):
        review_write(reader=pupil(), record=record, rating=5, text="好")
    with pytest.raises(ReviewRefused):
        review_write(reader=None, record=record, rating=5)
    reader = pupil()
    loan(reader, copy=copy)
    with pytest.raises(ReviewRefused):
        review_write(reader=reader, record=record, rating=9)
    assert Review.objects.count() == 0
    review_write(reader=reader, record=record, rating=4)
    with pytest.raises(ReviewRefused):
        review_write(reader=reader, record=record, rating=3)
    assert Review.objects.count() == 1


def test_a_review_is_shown_escaped_by_class_only_once_approved_in_bulk(client):
    record, (copy,) = book()
    reader = pupil(grade=5, class_number=2)
    loan(reader, copy=copy)
    review = review_write(reader=reader, record=record, rating=5, text="<script>alert(1)</script>真好看")
    other = teacher()
    loan(other, copy=copy)
    second = review_write(reader=other, record=record, rating=3, text="还行")
    client.force_login(pupil().user)
    url = reverse("catalog:opac-record", args=[record.pk])
    assert "真好看" not in client.get(url).content.decode()
    with pytest.raises(ReviewRefused):
        reviews_decide(review_ids=[review.pk], approve=True, user=reader.user)
    checker = UserFactory(roles=[Role.TEACHER])
    client.force_login(checker)
    client.post(reverse("activities:reviews"), {"review": [review.pk, second.pk], "decision": "approve"})
    assert set(Review.objects.values_list("state", flat=True)) == {Review.State.APPROVED}
    client.force_login(pupil().user)
    page = client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;真好看" in page
    section = page[page.index("data-reviews") :]
    assert reader.name not in section and reader.number not in section
    assert "五年级(2)班" in section


def test_a_review_can_be_reported_once_per_reader():
    record, (copy,) = book()
    writer = pupil()
    loan(writer, copy=copy)
    review = review_write(reader=writer, record=record, rating=2)
    reviews_decide(review_ids=[review.pk], approve=True, user=librarian())
    reporter = pupil()
    assert review_report(review=review, reader=reporter).reports == 1
    with pytest.raises(ReviewRefused):
        review_report(review=review, reader=reporter)
    review.refresh_from_db()
    assert review.reports == 1


# --- questionnaires ----------------------------------------------------------------------------


def _survey(**fields):
    now = timezone.now()
    defaults = {
        "user": librarian(),
        "title": "阅读习惯调查",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=7),
        "questions": [
            {"kind": "single", "text": "你每周读几本书？", "choices": ["一本", "两本", "更多"]},
            {"kind": "multiple", "text": "你喜欢哪些书？", "choices": ["童话", "科普", "历史"]},
            {"kind": "rating", "text": "你对图书馆满意吗？"},
            {"kind": "text", "text": "你的建议", "required": False},
        ],
    }
    return survey_create(**{**defaults, **fields})


def _answers(survey, *, single="1", multiple=("0", "2"), rating="4", text="多买漫画"):
    questions = list(survey.questions.all())
    return {
        questions[0].pk: [single],
        questions[1].pk: list(multiple),
        questions[2].pk: [rating],
        questions[3].pk: [text],
    }


def test_an_anonymous_response_is_counted_once_and_a_second_one_is_refused():
    survey = _survey()
    reader = pupil()
    survey_respond(survey=survey, user=reader.user, reader=reader, answers=_answers(survey))
    with pytest.raises(SurveyRefused) as refusal:
        survey_respond(survey=survey, user=reader.user, reader=reader, answers=_answers(survey, single="0"))
    assert "already" in str(refusal.value.message) or "已" in str(refusal.value.message)
    assert SurveyResponse.objects.count() == 1 and SurveyAnswer.objects.count() == 4
    response = SurveyResponse.objects.get()
    assert response.reader is None and not hasattr(response, "submitted_at")
    key = SurveyParticipation.objects.get().key
    assert len(key) == 64 and key == participation_key(survey.pk, reader.user.pk)
    assert participation_key(survey.pk + 1, reader.user.pk) != key


@pytest.mark.parametrize(
    "change",
    [
        {"single": "7"},  # no such choice
        {"rating": "6"},
        {"single": ""},  # a required question left empty
        {"multiple": ("x",)},
    ],
)
def test_an_answer_that_does_not_fit_saves_nothing(change):
    survey = _survey()
    reader = pupil()
    with pytest.raises(SurveyRefused):
        survey_respond(survey=survey, user=reader.user, reader=reader, answers=_answers(survey, **change))
    assert SurveyParticipation.objects.count() == 0 and SurveyResponse.objects.count() == 0


def test_a_response_after_closing_or_from_outside_the_audience_is_refused():
    now = timezone.now()
    closed = _survey(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1))
    reader = pupil(grade=3)
    with pytest.raises(SurveyRefused):
        survey_respond(survey=closed, user=reader.user, reader=reader, answers=_answers(closed))
    for_grade_five = _survey(audience="pupils", grades="5")
    with pytest.raises(SurveyRefused):
        survey_respond(
            survey=for_grade_five, user=reader.user, reader=reader, answers=_answers(for_grade_five)
        )
    assert SurveyResponse.objects.count() == 0 and SurveyParticipation.objects.count() == 0


def test_the_results_count_every_answer_and_the_export_names_nobody(client):
    survey = _survey()
    names = []
    for single, rating in [("0", "5"), ("1", "4"), ("1", "3")]:
        reader = pupil()
        names.append(reader.name)
        survey_respond(
            survey=survey,
            user=reader.user,
            reader=reader,
            answers=_answers(survey, single=single, rating=rating),
        )
    client.force_login(librarian())
    response = client.get(reverse("activities:survey-results", args=[survey.pk]))
    rows = response.context["rows"]
    assert [bar["count"] for bar in rows[0]["bars"]] == [1, 2, 0]
    assert [bar["count"] for bar in rows[1]["bars"]] == [3, 0, 3]
    assert rows[2]["average"] == 4.0
    assert rows[3]["texts"] == ["多买漫画"] * 3
    export = client.get(reverse("activities:survey-export", args=[survey.pk]))
    book_ = openpyxl.load_workbook(io.BytesIO(export.content))
    cells = [
        str(cell) for sheet in book_.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    ]
    assert "多买漫画" in cells
    for name in names:
        assert all(name not in cell for cell in cells)
    assert len(list(book_.worksheets[1].iter_rows())) == 4  # header and three responses


def test_the_results_page_the_free_text_answers_and_the_export_keeps_them_all(
    client, monkeypatch, django_assert_max_num_queries
):
    survey = _survey()
    for number, text in enumerate(["甲建议", "", "乙建议", "丙建议"]):
        reader = pupil()
        survey_respond(
            survey=survey,
            user=reader.user,
            reader=reader,
            answers=_answers(survey, single=str(number % 3), multiple=("1",), text=text),
        )
    first = survey_results(survey, texts_per_page=2)
    second = survey_results(survey, texts_page=2, texts_per_page=2)
    shown = first["rows"][3]["texts"] + second["rows"][3]["texts"]
    assert len(first["rows"][3]["texts"]) == 2 and sorted(shown) == ["丙建议", "乙建议", "甲建议"]
    assert first["rows"][3]["texts_page"].paginator.num_pages == 2 and first["rows"][3]["answered"] == 3
    assert [bar["count"] for bar in first["rows"][0]["bars"]] == [2, 1, 1]
    assert [bar["count"] for bar in first["rows"][1]["bars"]] == [0, 4, 0]
    assert first["rows"][1]["bars"][1]["share"] == 100.0
    assert sorted(survey_results(survey, texts_per_page=None)["rows"][3]["texts"]) == sorted(shown)
    monkeypatch.setattr(survey_results, "__defaults__", (1, 2))
    client.force_login(librarian())
    url = reverse("activities:survey-results", args=[survey.pk])
    with django_assert_max_num_queries(30) as few:
        page = client.get(url).content.decode()
    assert "data-texts-pager" in page
    for _ in range(5):
        reader = pupil()
        survey_respond(survey=survey, user=reader.user, reader=reader, answers=_answers(survey))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, {"page": 2}).status_code == 200


def test_a_pupil_answers_through_the_page_and_a_closed_one_says_so(client):
    survey = _survey()
    reader = pupil()
    client.force_login(reader.user)
    url = reverse("activities:survey-answer", args=[survey.pk])
    answers = {f"q{pk}": values for pk, values in _answers(survey).items()}
    assert client.post(url, answers).status_code == 302
    page = client.post(url, answers).content.decode()
    assert "data-survey-error" in page
    assert SurveyResponse.objects.count() == 1


# --- the suggestion box ------------------------------------------------------------------------


def test_an_anonymous_suggestion_keeps_no_trace_of_its_sender_on_any_page_or_the_admin(client):
    reader = pupil()
    suggestion = suggestion_file(
        reader=reader, kind="complaint", category="service", text="<b>借书太慢</b>", anonymous=True
    )
    assert suggestion.reader is None
    staff = librarian()
    suggestion_answer(suggestion=suggestion, user=staff, answer="增加一个借还窗口", measure="午休时两人值班")
    suggestion_publish(suggestion=suggestion, user=staff)
    admin = UserFactory(is_staff=True, is_superuser=True)
    pages = []
    client.force_login(staff)
    pages.append(client.get(reverse("activities:suggestions-manage")).content.decode())
    pages.append(client.get(reverse("activities:suggestion-handle", args=[suggestion.pk])).content.decode())
    pages.append(client.get(reverse("reports:transparency")).content.decode())
    client.force_login(admin)
    pages.append(
        client.get(reverse("admin:activities_suggestion_change", args=[suggestion.pk])).content.decode()
    )
    pages.append(client.get(reverse("admin:activities_suggestion_changelist")).content.decode())
    for page in pages:
        assert reader.name not in page and reader.number not in page and reader.user.username not in page
    assert "&lt;b&gt;借书太慢&lt;/b&gt;" in pages[2] and "午休时两人值班" in pages[2]
    # Not even the sender's own page lists it: nothing ties it to them.
    client.force_login(reader.user)
    assert "data-mine" not in client.get(reverse("activities:suggestions")).content.decode()


def test_an_anonymous_questionnaire_response_is_not_traceable_in_the_admin(client):
    survey = _survey()
    reader = pupil()
    survey_respond(survey=survey, user=reader.user, reader=reader, answers=_answers(survey))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = SurveyResponse.objects.get()
    for url in [
        reverse("admin:activities_surveyresponse_changelist"),
        reverse("admin:activities_surveyresponse_change", args=[response.pk]),
    ]:
        page = client.get(url).content.decode()
        assert reader.name not in page and reader.user.username not in page
    assert client.get("/admin/activities/surveyparticipation/").status_code == 404


def test_a_suggestion_moves_through_its_states_and_refuses_the_others():
    staff = librarian()
    suggestion = suggestion_file(
        reader=pupil(), kind="suggestion", category="hours", text="周六开放", anonymous=False
    )
    with pytest.raises(SuggestionRefused):
        suggestion_publish(suggestion=suggestion, user=staff)
    with pytest.raises(SuggestionRefused):
        suggestion_take_in_hand(suggestion=suggestion, user=staff, owner=staff, measure="", deadline=None)
    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.RECEIVED and suggestion.events.count() == 0
    deadline = timezone.localdate() + timedelta(days=14)
    suggestion = suggestion_take_in_hand(
        suggestion=suggestion, user=staff, owner=staff, measure="排班", deadline=deadline
    )
    suggestion = suggestion_answer(suggestion=suggestion, user=staff, answer="下学期起周六上午开放")
    assert suggestion.state == Suggestion.State.ANSWERED and suggestion.owner == staff
    assert [event.to_state for event in suggestion.events.all()] == ["in_hand", "answered"]


def test_a_reader_may_not_handle_suggestions_even_by_id(client):
    suggestion = suggestion_file(
        reader=pupil(), kind="complaint", category="other", text="太吵", anonymous=True
    )
    client.force_login(pupil().user)
    response = client.post(
        reverse("activities:suggestion-handle", args=[suggestion.pk]), {"action": "answer", "answer": "好"}
    )
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.RECEIVED and suggestion.answer == ""


def test_empty_or_script_suggestions_are_refused_or_kept_as_text():
    with pytest.raises(SuggestionRefused):
        suggestion_file(reader=pupil(), kind="suggestion", category="other", text="  ", anonymous=False)
    with pytest.raises(SuggestionRefused):
        suggestion_file(reader=None, kind="suggestion", category="other", text="x", anonymous=True)
    assert Suggestion.objects.count() == 0


def test_complaints_are_counted_for_the_plan():
    today = timezone.localdate()
    suggestion_file(reader=pupil(), kind="complaint", category="service", text="一", anonymous=True)
    suggestion_file(reader=pupil(), kind="suggestion", category="service", text="二", anonymous=False)
    old = suggestion_file(reader=pupil(), kind="complaint", category="rooms", text="三", anonymous=False)
    Suggestion.objects.filter(pk=old.pk).update(received_on=today - timedelta(days=400))
    assert complaints_count(today - timedelta(days=30), today) == 1
    assert complaints_count(today - timedelta(days=500), today) == 2
    assert [item.text for item in complaints_list(today - timedelta(days=500), today)] == ["三", "一"]


def test_reading_lists_and_picks_are_for_staff_to_make(client):
    client.force_login(pupil().user)
    assert client.post(reverse("activities:list-new"), {"title": "我的"}).status_code == 403
    assert client.post(reverse("activities:picks"), {"record": "1", "blurb": "x"}).status_code == 403
    assert ReadingList.objects.count() == 0 and LibrarianPick.objects.count() == 0
