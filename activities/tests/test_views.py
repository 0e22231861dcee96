"""The pupil's notes pages, a class's pages for its teachers and the review pages: who may see
what (other pupils' and other classes' ids answer 404 and change nothing), what the pages say,
and their query counts as the data grows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.tests.factories import SchoolClassFactory
from library_site.accounts.navigation import menu_for, menu_keys
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from ..models import ClassReviewer, PupilWork, ReadingNote
from ..services.notes import note_start
from .factories import REFLECTION, SUMMARY, NoteFactory, librarian, loan, pupil, teacher

pytestmark = pytest.mark.django_db
State = PupilWork.State
MINE = reverse("activities:notes-mine")


def note_post(note, **fields):
    return {
        "title": "友谊",
        "summary": SUMMARY,
        "reflection": REFLECTION,
        "revision": note.revision,
        "book": "",
        **fields,
    }


def snapshot(note):
    note.refresh_from_db()
    return (note.state, note.title, note.reflection, note.revision, note.loan_id)


# --- the pupil's pages ---------------------------------------------------------------------------


def test_the_pupil_is_told_they_owe_a_note_with_the_books_that_count(client):
    reader, other = pupil(), pupil()
    first, second = loan(reader, "草房子"), loan(reader, "青铜葵花")
    loan(other, "别人的书")
    client.force_login(reader.user)

    page = client.get(MINE).content.decode()

    assert "还需交 1 篇读书笔记" in page
    assert f'data-counted-book="{first.pk}"' in page and f'data-counted-book="{second.pk}"' in page
    assert "草房子" in page and "别人的书" not in page


def test_the_pupils_page_takes_the_same_queries_whatever_their_history(client, django_assert_max_num_queries):
    counts = []
    for books in (1, 12):
        reader = pupil()
        for index in range(books):
            NoteFactory(reader=reader, loan=loan(reader, f"书{index}"))
        NoteFactory(reader=reader, state=State.DRAFT)
        client.force_login(reader.user)
        client.get(MINE)
        with django_assert_max_num_queries(20) as queries:
            client.get(MINE)
        counts.append(len(queries.captured_queries))

    assert counts[0] == counts[1]


def test_the_menu_offers_notes_to_pupils_and_review_to_teachers_not_to_volunteers_or_leaders():
    reader = pupil()
    head = teacher()
    volunteer = UserFactory(roles=[Role.VOLUNTEER])
    leader = UserFactory(roles=[Role.LEADER])

    assert "my-notes" in menu_keys(menu_for(reader.user))
    assert "review" in menu_keys(menu_for(head.user))
    assert {"my-notes", "review"} & menu_keys(menu_for(volunteer)) == set()
    assert {"my-notes", "review"} & menu_keys(menu_for(leader)) == set()


def test_a_pupil_starts_a_note_for_their_loan_and_not_for_another_pupils(client):
    reader, other = pupil(), pupil()
    mine, theirs = loan(reader), loan(other)
    client.force_login(reader.user)

    refused = client.post(reverse("activities:note-new"), {"loan": theirs.pk})
    started = client.post(reverse("activities:note-new"), {"loan": mine.pk})

    note = ReadingNote.objects.get()
    assert refused.status_code == 404
    assert (note.reader, note.loan) == (reader, mine)
    assert started["Location"] == reverse("activities:note-edit", args=[note.pk])


def test_another_pupils_note_answers_404_to_every_page_and_is_left_unchanged(client):
    reader, other = pupil(), pupil()
    theirs = note_start(reader=other, loan=loan(other))
    handed_in = NoteFactory(reader=other)
    before, handed_before = snapshot(theirs), snapshot(handed_in)
    client.force_login(reader.user)

    answers = [
        client.get(reverse("activities:note-edit", args=[theirs.pk])).status_code,
        client.post(
            reverse("activities:note-edit", args=[theirs.pk]), note_post(theirs, submit="1")
        ).status_code,
        client.post(reverse("activities:note-autosave", args=[theirs.pk]), note_post(theirs)).status_code,
        client.get(reverse("activities:note-edit", args=[handed_in.pk])).status_code,
        client.get(reverse("activities:note-photo", args=[handed_in.pk])).status_code,
    ]

    assert answers == [404, 404, 404, 404, 404]
    assert snapshot(theirs) == before and snapshot(handed_in) == handed_before


def test_the_autosave_keeps_the_draft_and_a_reload_shows_it(client):
    reader = pupil()
    note = note_start(reader=reader, loan=loan(reader))
    client.force_login(reader.user)

    answer = client.post(
        reverse("activities:note-autosave", args=[note.pk]), note_post(note, reflection="正在写的读后感")
    )
    page = client.get(reverse("activities:note-edit", args=[note.pk])).content.decode()

    assert answer.status_code == 200 and answer.json()["revision"] == 1
    assert "正在写的读后感" in page
    assert 'data-autosave-url="/activities/notes/' in page


def test_an_autosave_from_an_outdated_page_is_refused_with_409(client):
    reader = pupil()
    note = note_start(reader=reader)
    client.force_login(reader.user)
    client.post(reverse("activities:note-autosave", args=[note.pk]), note_post(note, reflection="新的"))

    stale = client.post(
        reverse("activities:note-autosave", args=[note.pk]), note_post(note, reflection="旧的", revision=0)
    )

    assert stale.status_code == 409
    assert "另一台设备" in stale.json()["error"]
    assert snapshot(note)[2] == "新的"


def test_a_pupil_hands_in_a_note_and_it_can_no_longer_be_edited(client):
    reader = pupil()
    note = note_start(reader=reader, loan=loan(reader))
    client.force_login(reader.user)

    response = client.post(
        reverse("activities:note-edit", args=[note.pk]), note_post(note, submit="1"), follow=True
    )
    edit = client.post(
        reverse("activities:note-autosave", args=[note.pk]), note_post(note, reflection="改", revision=1)
    )

    assert "你的读书笔记已提交" in response.content.decode()
    assert snapshot(note)[0] == State.SUBMITTED
    assert edit.status_code == 400 and "不能再修改" in edit.json()["error"]
    assert snapshot(note)[2] == REFLECTION


def test_a_short_reflection_is_refused_on_the_page_and_the_draft_keeps_the_text(client):
    reader = pupil()
    note = note_start(reader=reader, loan=loan(reader))
    client.force_login(reader.user)

    page = client.post(
        reverse("activities:note-edit", args=[note.pk]), note_post(note, reflection="很好看。", submit="1")
    ).content.decode()

    assert "读后感只有 3 字，至少要写 100 字。" in page
    assert snapshot(note)[:3] == (State.DRAFT, "友谊", "很好看。")


def test_a_text_of_100000_characters_is_refused_and_nothing_is_saved(client):
    reader = pupil()
    note = note_start(reader=reader)
    before = snapshot(note)
    client.force_login(reader.user)

    answer = client.post(
        reverse("activities:note-autosave", args=[note.pk]), note_post(note, reflection="好" * 100_000)
    )

    assert answer.status_code == 400 and "100000" in answer.json()["error"]
    assert snapshot(note) == before


def test_html_in_a_note_is_shown_as_text(client):
    reader = pupil()
    note = NoteFactory(
        reader=reader, title="<b>标题</b>", reflection=REFLECTION + "<script>alert('x')</script>"
    )
    client.force_login(reader.user)

    page = client.get(reverse("activities:note-edit", args=[note.pk])).content.decode()

    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;标题&lt;/b&gt;" in page


def test_the_pupil_sees_the_grade_only_once_released(client):
    reader = pupil()
    note = NoteFactory(
        reader=reader, state=State.REVIEWED, grade="优", comment="很棒", reviewed_at=timezone.now()
    )
    client.force_login(reader.user)

    hidden = client.get(reverse("activities:note-edit", args=[note.pk])).content.decode()
    ReadingNote.objects.filter(pk=note.pk).update(released_at=timezone.now())
    shown = client.get(reverse("activities:note-edit", args=[note.pk])).content.decode()

    assert "data-grade" not in hidden and "很棒" not in hidden
    assert "<span data-grade>优</span>" in shown and "很棒" in shown


def test_a_pupil_chooses_any_record_of_the_catalogue_found_by_its_title(client):
    from .factories import book

    record, _copies = book("城南旧事")
    reader = pupil()
    note = note_start(reader=reader)
    client.force_login(reader.user)

    found = client.post(
        reverse("activities:note-edit", args=[note.pk]), note_post(note, q="城南", find="1")
    ).content.decode()
    note.refresh_from_db()
    client.post(reverse("activities:note-edit", args=[note.pk]), note_post(note, book=f"record:{record.pk}"))

    assert f'value="record:{record.pk}"' in found
    note.refresh_from_db()
    assert (note.record, note.loan) == (record, None)


# --- the class's pages --------------------------------------------------------------------------


@pytest.fixture
def head_class():
    head = teacher()
    return head.user, SchoolClassFactory(grade=3, number=2, head_teacher=head.user)


def test_the_head_teacher_sees_who_owes_how_many_and_others_do_not(client, head_class):
    user, school_class = head_class
    reader = pupil(school_class=school_class, full_name="林小雨")
    loan(reader)
    loan(reader)
    url = reverse("activities:class-owed", args=[school_class.pk])

    client.force_login(user)
    page = client.get(url).content.decode()
    answers = []
    for outsider in (
        teacher().user,
        reader.user,
        UserFactory(roles=[Role.VOLUNTEER]),
        UserFactory(roles=[Role.LEADER]),
    ):
        client.force_login(outsider)
        answers.append(client.get(url).status_code)

    assert f'data-owed-line="{reader.pk}"' in page and "林小雨" in page and 'data-owed="1"' in page
    assert answers == [404, 404, 404, 404]


def test_the_class_list_takes_the_same_queries_as_the_class_grows(
    client, head_class, django_assert_max_num_queries
):
    user, school_class = head_class
    url = reverse("activities:class-owed", args=[school_class.pk])
    client.force_login(user)
    counts = []
    for pupils in (1, 10):
        while school_class.students.count() < pupils:
            reader = pupil(school_class=school_class)
            loan(reader)
            NoteFactory(reader=reader)
        client.get(url)
        with django_assert_max_num_queries(20) as queries:
            client.get(url)
        counts.append(len(queries.captured_queries))

    assert counts[0] == counts[1]


def test_a_named_teacher_records_paper_notes_from_the_grid(client, head_class):
    _user, school_class = head_class
    named = teacher().user
    ClassReviewer.objects.create(school_class=school_class, teacher=named)
    reader = pupil(school_class=school_class)
    first, second = loan(reader, "小猪唏哩呼噜"), loan(reader, "小狗钱钱")
    url = reverse("activities:paper-notes", args=[school_class.pk])
    client.force_login(named)

    grid = client.get(url).content.decode()
    response = client.post(url, {"received": [f"{reader.pk}:{first.pk}"]}, follow=True)

    assert f'data-tick="{first.pk}"' in grid and f'data-tick="{second.pk}"' in grid
    assert "已登记收到 1 篇纸质读书笔记" in response.content.decode()
    assert list(ReadingNote.objects.values_list("loan_id", "medium")) == [(first.pk, "paper")]


def test_a_teacher_of_another_class_cannot_reach_its_grid_nor_tick_its_pupils(client, head_class):
    _user, school_class = head_class
    reader = pupil(school_class=school_class)
    first = loan(reader)
    client.force_login(teacher().user)

    answers = [
        client.get(reverse("activities:paper-notes", args=[school_class.pk])).status_code,
        client.post(
            reverse("activities:paper-notes", args=[school_class.pk]),
            {"received": [f"{reader.pk}:{first.pk}"]},
        ).status_code,
    ]

    assert answers == [404, 404]
    assert not ReadingNote.objects.exists()


# --- the review ---------------------------------------------------------------------------------


def test_the_reviewer_grades_one_note_and_goes_on_to_the_next(client, head_class):
    user, school_class = head_class
    first = NoteFactory(reader=pupil(school_class=school_class))
    second = NoteFactory(reader=pupil(school_class=school_class))
    client.force_login(user)

    page = client.get(
        reverse("activities:review-work", args=[school_class.pk, "note", first.pk])
    ).content.decode()
    response = client.post(
        reverse("activities:review-work", args=[school_class.pk, "note", first.pk]),
        {"action": "grade", "grade": "优", "comment": "写得好"},
    )

    first.refresh_from_db()
    assert 'data-grade-key="1"' in page and f"/note/{second.pk}/" in page
    assert (first.state, first.grade, first.comment) == (State.REVIEWED, "优", "写得好")
    assert response["Location"] == reverse(
        "activities:review-work", args=[school_class.pk, "note", second.pk]
    )


def test_the_reviewer_returns_a_note_with_a_reason_and_a_grade_off_the_scale_is_refused(client, head_class):
    user, school_class = head_class
    note = NoteFactory(reader=pupil(school_class=school_class))
    url = reverse("activities:review-work", args=[school_class.pk, "note", note.pk])
    client.force_login(user)

    refused = client.post(url, {"action": "grade", "grade": "满分"})
    state_after_refusal = snapshot(note)[0]
    client.post(url, {"action": "return", "reason": "请写写你自己的想法"})

    note.refresh_from_db()
    assert refused.status_code == 400 and "请选择评价等级中的一个等级" in refused.content.decode()
    assert state_after_refusal == State.SUBMITTED
    assert (note.state, note.return_reason) == (State.RETURNED, "请写写你自己的想法")


def test_another_classes_notes_answer_404_to_a_teacher_and_stay_ungraded(client, head_class):
    user, school_class = head_class
    stranger_class = SchoolClassFactory(grade=5, number=1)
    theirs = NoteFactory(reader=pupil(school_class=stranger_class))
    client.force_login(user)

    answers = [
        client.get(reverse("activities:review-class", args=[stranger_class.pk, "note"])).status_code,
        client.get(
            reverse("activities:review-work", args=[stranger_class.pk, "note", theirs.pk])
        ).status_code,
        client.post(
            reverse("activities:review-work", args=[stranger_class.pk, "note", theirs.pk]),
            {"action": "grade", "grade": "优"},
        ).status_code,
        # the note of another class under the teacher's own class in the address
        client.post(
            reverse("activities:review-work", args=[school_class.pk, "note", theirs.pk]),
            {"action": "grade", "grade": "优"},
        ).status_code,
        client.post(reverse("activities:review-release", args=[stranger_class.pk])).status_code,
    ]

    theirs.refresh_from_db()
    assert answers == [404, 404, 404, 404, 404]
    assert (theirs.state, theirs.grade) == (State.SUBMITTED, "")


def test_pupils_volunteers_and_leaders_reach_no_review_page(client, head_class):
    _user, school_class = head_class
    note = NoteFactory(reader=pupil(school_class=school_class))
    answers = []
    for person in (note.reader.user, UserFactory(roles=[Role.VOLUNTEER]), UserFactory(roles=[Role.LEADER])):
        client.force_login(person)
        answers.append(client.get(reverse("activities:review")).status_code)
        answers.append(
            client.get(reverse("activities:review-work", args=[school_class.pk, "note", note.pk])).status_code
        )

    assert answers == [403] * 6


def test_a_librarian_reviews_every_class_and_releases_its_grades(client, head_class):
    _user, school_class = head_class
    note = NoteFactory(
        reader=pupil(school_class=school_class), state=State.REVIEWED, grade="良", reviewed_at=timezone.now()
    )
    client.force_login(librarian())

    overview = client.get(reverse("activities:review")).content.decode()
    response = client.post(
        reverse("activities:review-release", args=[school_class.pk]), {"kind": "note"}, follow=True
    )

    note.refresh_from_db()
    assert f'data-review-class="{school_class.pk}"' in overview
    assert note.released_at is not None
    assert "已向三年级(2)班的学生公布 1 个等级" in response.content.decode()


def test_the_review_queue_and_item_take_the_same_queries_as_the_queue_grows(
    client, head_class, django_assert_max_num_queries
):
    user, school_class = head_class
    client.force_login(user)
    first = NoteFactory(reader=pupil(school_class=school_class))
    counts = []
    for size in (1, 12):
        while ReadingNote.objects.count() < size:
            NoteFactory(reader=pupil(school_class=school_class))
        urls = [
            reverse("activities:review"),
            reverse("activities:review-class", args=[school_class.pk, "note"]),
            reverse("activities:review-work", args=[school_class.pk, "note", first.pk]),
        ]
        sizes = []
        for url in urls:
            client.get(url)
            with django_assert_max_num_queries(20) as queries:
                client.get(url)
            sizes.append(len(queries.captured_queries))
        counts.append(sizes)

    assert counts[0] == counts[1]


def test_an_autosave_costs_the_same_few_queries_however_long_the_note(client, django_assert_num_queries):
    reader = pupil()
    note = note_start(reader=reader)
    client.force_login(reader.user)
    url = reverse("activities:note-autosave", args=[note.pk])
    client.post(url, note_post(note, reflection="开头"))

    # the session's user, the reader, then BEGIN, the note locked, its update, COMMIT
    with django_assert_num_queries(6):
        answer = client.post(url, note_post(note, reflection="开头" * 2000, revision=1))

    assert answer.json()["revision"] == 2
