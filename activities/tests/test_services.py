"""Writing, handing in, recording on paper, reviewing and releasing notes, through the services.
Every refusal leaves the note as it was."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from circulation.tests.factories import SchoolClassFactory

from ..exceptions import (
    BookRefused,
    DraftOutdated,
    GradeRefused,
    NotEditable,
    NoteExists,
    NotReviewer,
    NotYours,
    PhotoRefused,
    TextRefused,
    WorkRefused,
)
from ..models import (
    ActivitiesSettings,
    ClassReviewer,
    MonthSelection,
    NotePhoto,
    NotesRule,
    PupilWork,
    ReadingNote,
)
from ..selectors.notes import reader_notes_owed, work_feedback_visible
from ..services.notes import KEEP, note_save_draft, note_start, note_submit, paper_notes_record
from ..services.review import work_return, work_review, works_release
from .factories import REFLECTION, SUMMARY, NoteFactory, at, librarian, loan, pupil, teacher

pytestmark = pytest.mark.django_db
State = PupilWork.State


def save(note, reader=None, *, revision=None, book=KEEP, **texts):
    fields = {"title": "友谊", "summary": SUMMARY, "reflection": REFLECTION, **texts}
    return note_save_draft(
        note=note,
        reader=reader or note.reader,
        revision=note.revision if revision is None else revision,
        book=book,
        **fields,
    )


def snapshot(note):
    note.refresh_from_db()
    return (note.state, note.title, note.summary, note.reflection, note.revision, note.submitted_at)


# --- drafts ------------------------------------------------------------------------------------


def test_a_note_started_for_a_loan_has_its_book_and_a_second_start_opens_the_same_draft():
    reader = pupil()
    first = loan(reader, "草房子")

    note = note_start(reader=reader, loan=first)
    again = note_start(reader=reader, loan=first)

    assert (note.state, note.record.title, note.loan_id) == (State.DRAFT, "草房子", first.pk)
    assert again.pk == note.pk
    assert ReadingNote.objects.count() == 1


def test_a_note_for_another_pupils_loan_is_refused_and_nothing_is_made():
    reader, other = pupil(), pupil()
    theirs = loan(other)

    with pytest.raises(BookRefused):
        note_start(reader=reader, loan=theirs)

    assert not ReadingNote.objects.exists()


def test_a_loan_whose_note_is_handed_in_cannot_have_another():
    reader = pupil()
    first = loan(reader)
    NoteFactory(reader=reader, loan=first)

    with pytest.raises(NoteExists):
        note_start(reader=reader, loan=first)
    draft = note_start(reader=reader)
    with pytest.raises(NoteExists):
        save(draft, book=first)

    assert ReadingNote.objects.filter(loan=first).count() == 1
    assert snapshot(draft)[4] == 0


def test_each_draft_save_raises_the_revision_and_an_older_page_cannot_overwrite_it():
    reader = pupil()
    note = note_start(reader=reader)

    save(note, reflection="第一台设备上写的")
    stale = ReadingNote.objects.get(pk=note.pk)
    save(note, reflection="第二台设备上写得更多", revision=1)
    with pytest.raises(DraftOutdated):
        save(stale, reflection="旧页面", revision=1)

    note.refresh_from_db()
    assert (note.revision, note.reflection) == (2, "第二台设备上写得更多")


def test_a_draft_of_another_pupil_cannot_be_saved():
    mine, other = pupil(), pupil()
    note = note_start(reader=other)
    before = snapshot(note)

    with pytest.raises(NotYours):
        save(note, reader=mine, reflection="不是我的")

    assert snapshot(note) == before


def test_a_text_of_100000_characters_is_refused_and_nothing_is_saved():
    note = note_start(reader=pupil())
    before = snapshot(note)

    with pytest.raises(TextRefused) as error:
        save(note, reflection="好" * 100_000)

    assert error.value.message == "读后感太长：共 100000 字，最多 10000 字。"
    assert snapshot(note) == before


def test_html_is_kept_as_typed_text():
    note = note_start(reader=pupil())

    save(note, title="<script>alert(1)</script>")

    note.refresh_from_db()
    assert note.title == "<script>alert(1)</script>"


# --- handing in --------------------------------------------------------------------------------


def test_a_complete_note_is_handed_in_counts_at_once_and_takes_part_in_this_months_selection():
    reader = pupil()
    first = loan(reader)
    loan(reader)
    note = note_start(reader=reader, loan=first)
    save(note)

    note_submit(note=note, reader=reader)

    note.refresh_from_db()
    assert note.state == State.SUBMITTED
    assert note.month == timezone.localdate().replace(day=1)
    assert reader_notes_owed(reader).owed == 0


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ({"reflection": ""}, "读后感为空。"),
        ({"reflection": "啊" * 150}, "读后感只是在重复同样的字：请用自己的话写。"),
        ({"reflection": "哈哈哈" * 60}, "读后感只是在重复同样的字：请用自己的话写。"),
        ({"reflection": "这本书很好看，我很喜欢。"}, "读后感只有 10 字，至少要写 100 字。"),
        ({"title": "   "}, "标题为空。"),
        ({"summary": ""}, "内容简介为空。"),
    ],
    ids=["empty", "one-character", "repeated-unit", "too-short", "no-title", "no-summary"],
)
def test_an_incomplete_note_is_refused_with_a_message_and_stays_a_draft(texts, message):
    reader = pupil()
    note = note_start(reader=reader, loan=loan(reader))
    save(note, **texts)
    before = snapshot(note)

    with pytest.raises(TextRefused) as error:
        note_submit(note=note, reader=reader)

    assert error.value.message == message
    assert snapshot(note) == before


def test_a_note_without_a_book_is_refused():
    reader = pupil()
    note = note_start(reader=reader)
    save(note)

    with pytest.raises(BookRefused):
        note_submit(note=note, reader=reader)

    assert snapshot(note)[0] == State.DRAFT


def test_the_minimum_length_comes_from_the_rule_for_the_pupils_grade():
    younger, older = pupil(grade=2), pupil(grade=6)
    NotesRule.objects.create(name="低年级", grade_from=1, grade_to=3, min_reflection_chars=20)
    NotesRule.objects.create(name="高年级", grade_from=4, grade_to=6, min_reflection_chars=300)
    short = "读了这本书，我知道了要爱护小动物，它们也是我们的朋友。"
    notes = []
    for reader in (younger, older):
        note = note_start(reader=reader, loan=loan(reader))
        save(note, reflection=short)
        notes.append(note)

    note_submit(note=notes[0], reader=younger)
    with pytest.raises(TextRefused):
        note_submit(note=notes[1], reader=older)

    assert [snapshot(note)[0] for note in notes] == [State.SUBMITTED, State.DRAFT]


def test_a_double_submit_is_refused_and_changes_nothing():
    reader = pupil()
    note = note_start(reader=reader, loan=loan(reader))
    save(note)
    note_submit(note=note, reader=reader)
    before = snapshot(note)

    with pytest.raises(WorkRefused) as error:
        note_submit(note=note, reader=reader)

    assert error.value.message == "“已提交”状态的读书笔记不能变为“已提交”。"
    assert snapshot(note) == before


def test_a_note_handed_in_cannot_be_edited():
    reader = pupil()
    note = NoteFactory(reader=reader)
    before = snapshot(note)

    with pytest.raises(NotEditable):
        save(note, reflection="偷偷修改")

    assert snapshot(note) == before


def test_a_note_handed_in_after_the_months_results_are_published_counts_for_the_next_month():
    reader = pupil()
    note = note_start(reader=reader, loan=loan(reader))
    save(note)
    now = at(date(2026, 3, 30))
    MonthSelection.objects.create(month=date(2026, 3, 1), published_at=at(date(2026, 3, 29)))

    note_submit(note=note, reader=reader, now=now)

    note.refresh_from_db()
    assert note.month == date(2026, 4, 1)


def test_a_returned_note_is_revised_and_handed_in_again_keeping_its_first_hand_in():
    reader = pupil()
    note = note_start(reader=reader, loan=loan(reader))
    save(note)
    note_submit(note=note, reader=reader)
    first = snapshot(note)[5]
    work_return(work=note, reviewer=librarian(), reason="请多写写你自己的感受。")

    note.refresh_from_db()
    save(note, reflection=REFLECTION + "我也想交这样的朋友。")
    note_submit(note=note, reader=reader)

    note.refresh_from_db()
    assert (note.state, note.submitted_at, note.return_reason) == (
        State.RESUBMITTED,
        first,
        "请多写写你自己的感受。",
    )


# --- paper notes --------------------------------------------------------------------------------


def photo(size=(3000, 2000), format="JPEG", exif=True) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 180, 150))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x0132] = "2026:03:04 10:00:00"  # DateTime
        kwargs["exif"] = data.tobytes()
    image.save(out, format=format, **kwargs)
    return SimpleUploadedFile("page.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def head_teacher_class():
    head = teacher()
    school_class = SchoolClassFactory(grade=2, number=1, head_teacher=head.user)
    return head.user, school_class


def test_a_teacher_records_paper_notes_with_a_photo_resized_and_stripped(head_teacher_class):
    user, school_class = head_teacher_class
    first, second = pupil(school_class=school_class), pupil(school_class=school_class)
    one, two, three = loan(first, "小猪唏哩呼噜"), loan(first, "没头脑和不高兴"), loan(second, "大头儿子")

    created = paper_notes_record(
        school_class=school_class,
        received=[(first.pk, one.pk), (second.pk, three.pk)],
        photos={first.pk: photo()},
        user=user,
    )

    assert [(note.reader_id, note.loan_id, note.state, note.medium) for note in created] == [
        (first.pk, one.pk, State.SUBMITTED, "paper"),
        (second.pk, three.pk, State.SUBMITTED, "paper"),
    ]
    kept = NotePhoto.objects.get()
    image = Image.open(io.BytesIO(bytes(kept.image)))
    assert (kept.note.loan_id, image.size, image.format) == (one.pk, (1600, 1067), "JPEG")
    assert dict(image.getexif()) == {}
    assert reader_notes_owed(first).notes_handed_in == 1
    assert two.pk not in set(ReadingNote.objects.values_list("loan_id", flat=True))


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("page.jpg", b"not an image at all", content_type="image/jpeg"),
        SimpleUploadedFile("page.gif", b"GIF89a" + b"\0" * 20, content_type="image/gif"),
        SimpleUploadedFile(
            "huge.jpg", b"\xff\xd8" + b"\0" * (8 * 1024 * 1024 + 1), content_type="image/jpeg"
        ),
    ],
    ids=["not-an-image", "not-allowed-format", "too-large"],
)
def test_a_photo_that_is_not_an_allowed_image_saves_no_note(head_teacher_class, upload):
    user, school_class = head_teacher_class
    reader = pupil(school_class=school_class)
    first = loan(reader)

    with pytest.raises(PhotoRefused):
        paper_notes_record(
            school_class=school_class, received=[(reader.pk, first.pk)], photos={reader.pk: upload}, user=user
        )

    assert not ReadingNote.objects.exists()


def test_a_tick_for_a_pupil_of_another_class_or_another_pupils_loan_saves_nothing(head_teacher_class):
    user, school_class = head_teacher_class
    reader = pupil(school_class=school_class)
    stranger = pupil()
    mine, theirs = loan(reader), loan(stranger)

    with pytest.raises(NotReviewer):
        paper_notes_record(
            school_class=school_class, received=[(reader.pk, mine.pk), (stranger.pk, theirs.pk)], user=user
        )
    with pytest.raises(BookRefused):
        paper_notes_record(school_class=school_class, received=[(reader.pk, theirs.pk)], user=user)

    assert not ReadingNote.objects.exists()


def test_a_paper_note_recorded_twice_is_refused(head_teacher_class):
    user, school_class = head_teacher_class
    reader = pupil(school_class=school_class)
    first = loan(reader)
    paper_notes_record(school_class=school_class, received=[(reader.pk, first.pk)], user=user)

    with pytest.raises(NoteExists):
        paper_notes_record(school_class=school_class, received=[(reader.pk, first.pk)], user=user)

    assert ReadingNote.objects.count() == 1


def test_a_teacher_of_another_class_cannot_record_paper_notes(head_teacher_class):
    _user, school_class = head_teacher_class
    reader = pupil(school_class=school_class)
    first = loan(reader)
    outsider = teacher().user

    with pytest.raises(NotReviewer):
        paper_notes_record(school_class=school_class, received=[(reader.pk, first.pk)], user=outsider)

    assert not ReadingNote.objects.exists()


# --- review -------------------------------------------------------------------------------------


def test_a_head_teacher_grades_a_note_and_the_pupil_sees_it_once_released(head_teacher_class):
    user, school_class = head_teacher_class
    note = NoteFactory(reader=pupil(school_class=school_class))
    settings = ActivitiesSettings.current()

    work_review(work=note, reviewer=user, grade="良", comment="写得真诚。")
    note.refresh_from_db()
    hidden = work_feedback_visible(note, today=timezone.localdate(), settings=settings)
    count = works_release(school_class=school_class, reviewer=user)
    note.refresh_from_db()

    assert (note.state, note.grade, note.comment, note.reviewed_by) == (
        State.REVIEWED,
        "良",
        "写得真诚。",
        user,
    )
    assert hidden is False
    assert count == 1
    assert work_feedback_visible(note, today=timezone.localdate(), settings=settings) is True


def test_grades_not_released_show_from_the_next_month_unless_the_administrator_turned_it_off():
    note = NoteFactory(state=State.REVIEWED, grade="优", reviewed_at=at(date(2026, 3, 20)))
    settings = ActivitiesSettings.current()

    in_march = work_feedback_visible(note, today=date(2026, 3, 31), settings=settings)
    in_april = work_feedback_visible(note, today=date(2026, 4, 1), settings=settings)
    settings.release_at_month_end = False

    assert (in_march, in_april) == (False, True)
    assert work_feedback_visible(note, today=date(2026, 4, 1), settings=settings) is False


def test_a_named_teacher_reviews_the_class_and_a_teacher_of_another_class_may_not(head_teacher_class):
    _user, school_class = head_teacher_class
    named, outsider = teacher().user, teacher().user
    ClassReviewer.objects.create(school_class=school_class, teacher=named)
    note, other = (
        NoteFactory(reader=pupil(school_class=school_class)),
        NoteFactory(reader=pupil(school_class=school_class)),
    )

    work_review(work=note, reviewer=named, grade="优")
    with pytest.raises(NotReviewer):
        work_review(work=other, reviewer=outsider, grade="优")
    with pytest.raises(NotReviewer):
        works_release(school_class=school_class, reviewer=outsider)

    other.refresh_from_db()
    assert (other.state, other.grade) == (State.SUBMITTED, "")


def test_a_grade_off_the_scale_is_refused_and_the_scale_is_the_administrators():
    note = NoteFactory()
    reviewer = librarian()

    with pytest.raises(GradeRefused):
        work_review(work=note, reviewer=reviewer, grade="A+")
    settings = ActivitiesSettings.current()
    settings.grade_scale = "A，B，C"
    settings.save()
    work_review(work=note, reviewer=reviewer, grade="B")

    note.refresh_from_db()
    assert (note.state, note.grade) == (State.REVIEWED, "B")


def test_a_released_grade_no_longer_changes():
    note = NoteFactory(
        state=State.REVIEWED, grade="良", reviewed_at=timezone.now(), released_at=timezone.now()
    )

    with pytest.raises(GradeRefused):
        work_review(work=note, reviewer=librarian(), grade="优")

    note.refresh_from_db()
    assert note.grade == "良"


def test_a_return_needs_a_reason_and_a_returned_note_no_longer_counts():
    reader = pupil()
    loan(reader)
    loan(reader)
    note = NoteFactory(reader=reader)
    reviewer = librarian()

    with pytest.raises(TextRefused):
        work_return(work=note, reviewer=reviewer, reason="  ")
    assert reader_notes_owed(reader).owed == 0
    work_return(work=note, reviewer=reviewer, reason="请写出你自己的想法。")

    note.refresh_from_db()
    assert (note.state, note.return_reason) == (State.RETURNED, "请写出你自己的想法。")
    assert reader_notes_owed(reader).owed == 1


def test_release_covers_only_the_class_asked(head_teacher_class):
    user, school_class = head_teacher_class
    mine = NoteFactory(
        reader=pupil(school_class=school_class), state=State.REVIEWED, reviewed_at=timezone.now()
    )
    theirs = NoteFactory(state=State.REVIEWED, reviewed_at=timezone.now() - timedelta(minutes=1))

    works_release(school_class=school_class, reviewer=user)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.released_at is not None and theirs.released_at is None
