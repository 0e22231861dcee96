"""Notes owed: which loans count, the rule per group, grade and term, and the selectors for one
reader, a class and the school, with their query counts; the desk's check and panel line."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from catalog.models import Record
from circulation.models import ClassSetBooking, Loan, LoanPolicy
from circulation.tests.factories import SchoolClassFactory

from ..desk import notes_owed_borrowing_check, notes_owed_panel_line
from ..models import NotesRule, PupilWork, ReadingNote
from ..policies import notes_period, rule_for_reader
from ..selectors.notes import (
    class_notes_owed,
    reader_notes_owed,
    reader_notes_owed_count,
    school_notes_owed,
)
from .factories import NoteFactory, at, book, loan, pupil, teacher, term

pytestmark = pytest.mark.django_db
State = PupilWork.State


def test_two_books_borrowed_owe_one_note_and_a_note_handed_in_lifts_it():
    reader = pupil()
    first, second = loan(reader, "草房子"), loan(reader, "青铜葵花")

    before = reader_notes_owed(reader)
    NoteFactory(reader=reader, loan=first)
    after = reader_notes_owed(reader)

    assert (before.loans_counted, before.notes_handed_in, before.owed) == (2, 0, 1)
    assert [line["record"].title for line in before.books] == ["草房子", "青铜葵花"]
    assert [line["has_note"] for line in before.books] == [False, False]
    assert (after.loans_counted, after.notes_handed_in, after.owed) == (2, 1, 0)
    assert [line["has_note"] for line in after.books] == [True, False]
    assert second.pk == after.books[1]["loan"].pk


def test_owed_is_the_floor_of_loans_over_n_minus_notes():
    reader = pupil()
    for index in range(5):
        loan(reader, f"书{index}")

    assert reader_notes_owed(reader).owed == 2
    NoteFactory(reader=reader)
    assert reader_notes_owed(reader).owed == 1
    NoteFactory(reader=reader)
    NoteFactory(reader=reader)
    assert reader_notes_owed(reader).owed == 0


def test_textbooks_periodicals_other_media_class_sets_and_undone_loans_do_not_count():
    reader = pupil()
    loan(reader, "语文", material_type=Record.MaterialType.TEXTBOOK)
    loan(reader, "少年文艺合订本", material_type=Record.MaterialType.PERIODICAL_VOLUME)
    loan(reader, "朗读光盘", material_type=Record.MaterialType.AUDIO_VISUAL)
    loan(reader, "撤销的书", state=Loan.State.UNDONE)
    record, (copy,) = book("班级共读")
    booking = ClassSetBooking.objects.create(
        record=record,
        school_class=reader.school_class,
        teacher=teacher(),
        copies=1,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    loan(reader, copy=copy, booking=booking)
    loan(reader, "草房子", state=Loan.State.OPEN)
    loan(reader, "丢了的书", state=Loan.State.LOST)

    owed = reader_notes_owed(reader)

    assert owed.loans_counted == 2
    assert [line["record"].title for line in owed.books] == ["草房子", "丢了的书"]
    assert owed.owed == 1


def test_drafts_and_notes_returned_for_revision_do_not_count_but_paper_notes_do():
    reader = pupil()
    for index in range(6):
        loan(reader, f"书{index}")
    NoteFactory(reader=reader, state=State.DRAFT)
    NoteFactory(reader=reader, state=State.RETURNED)

    assert reader_notes_owed(reader).owed == 3
    NoteFactory(reader=reader, medium=ReadingNote.Medium.PAPER)
    NoteFactory(reader=reader, state=State.REVIEWED)
    NoteFactory(reader=reader, state=State.RESUBMITTED)

    assert reader_notes_owed(reader).notes_handed_in == 3
    assert reader_notes_owed(reader).owed == 0


def test_another_pupils_loans_and_notes_count_for_them_only():
    reader, other = pupil(), pupil()
    loan(reader)
    loan(reader)
    loan(other)
    NoteFactory(reader=other)

    assert reader_notes_owed(reader).owed == 1
    assert reader_notes_owed(other).owed == 0


def test_loans_before_the_term_do_not_count_and_a_vacation_belongs_to_the_term_just_ended():
    reader = pupil()
    autumn = term(date(2025, 9, 1), date(2026, 1, 20))
    loan(reader, "暑假读的书", lent_on=date(2025, 8, 20))
    loan(reader, "九月", lent_on=date(2025, 9, 3))
    loan(reader, "十月", lent_on=date(2025, 10, 3))
    loan(reader, "寒假", lent_on=date(2026, 1, 28))

    in_term = reader_notes_owed(reader, on=date(2025, 12, 1))
    in_vacation = reader_notes_owed(reader, on=date(2026, 2, 1))

    assert notes_period(date(2026, 2, 1)).term == autumn
    assert (in_term.loans_counted, in_term.owed) == (2, 1)
    assert (in_vacation.loans_counted, in_vacation.owed) == (3, 1)


def test_notes_handed_in_before_the_term_do_not_count_in_it():
    reader = pupil()
    term(date(2025, 9, 1), date(2026, 1, 20))
    loan(reader, "九月", lent_on=date(2025, 9, 3))
    loan(reader, "十月", lent_on=date(2025, 10, 3))
    NoteFactory(reader=reader, submitted_at=at(date(2025, 8, 25)))

    assert reader_notes_owed(reader, on=date(2025, 12, 1)).owed == 1


def test_the_rule_for_a_grade_range_and_for_a_term_is_the_most_specific():
    younger, older = pupil(grade=2), pupil(grade=5)
    autumn = term(date(2025, 9, 1), date(2026, 1, 20))
    term(date(2026, 2, 20), date(2026, 7, 10))
    NotesRule.objects.create(name="低年级", grade_from=1, grade_to=2, loans_per_note=0)
    NotesRule.objects.create(
        name="高年级", grade_from=4, grade_to=6, loans_per_note=3, min_reflection_chars=300
    )
    NotesRule.objects.create(name="本学期五年级", grade_from=5, grade_to=5, term=autumn, loans_per_note=4)
    NotesRule.objects.create(name="停用", loans_per_note=1, is_active=False)
    for reader in (younger, older):
        for index in range(8):
            loan(reader, f"书{index}", lent_on=date(2025, 9, 10))

    assert reader_notes_owed(younger, on=date(2025, 12, 1)).owed == 0
    assert reader_notes_owed(older, on=date(2025, 12, 1)).owed == 2  # 8 // 4
    assert reader_notes_owed(older, on=date(2026, 3, 1)).owed == 0  # another term: no loans yet
    assert rule_for_reader(older, on=date(2026, 3, 1)).loans_per_note == 3
    assert rule_for_reader(older, on=date(2026, 3, 1)).min_reflection_chars == 300


def test_teachers_owe_no_notes_unless_a_rule_asks_them():
    reader = teacher()
    loan(reader)
    loan(reader)

    assert reader_notes_owed(reader).owed == 0
    NotesRule.objects.create(name="教师", reader_group=NotesRule.Group.TEACHER, loans_per_note=2)
    assert reader_notes_owed(reader).owed == 1


def test_the_class_list_names_who_owes_how_many_in_three_queries_as_the_class_grows(
    django_assert_num_queries,
):
    school_class = SchoolClassFactory(grade=4, number=1)
    other_class = SchoolClassFactory(grade=4, number=2)
    stranger = pupil(school_class=other_class, full_name="王大山")
    loan(stranger)
    loan(stranger)
    first = pupil(school_class=school_class, full_name="林小雨", number="20260001")
    loan(first)
    loan(first)
    class_notes_owed(school_class)  # the rules and terms are now in the cache

    with django_assert_num_queries(3):
        small = class_notes_owed(school_class)
    for index in range(8):
        reader = pupil(school_class=school_class, number=f"2026{index + 10:04d}")
        for _copy in range(index):
            loan(reader, f"书{index}-{_copy}")
        NoteFactory(reader=reader)
    with django_assert_num_queries(3):
        large = class_notes_owed(school_class)

    assert [(line.reader.name, line.owed) for line in small["lines"]] == [("林小雨", 1)]
    assert len(large["lines"]) == 9
    assert [line.owed for line in large["lines"]] == [1, 0, 0, 0, 0, 1, 1, 2, 2]
    assert (large["owing"], large["owed"]) == (5, 7)
    assert "王大山" not in [line.reader.name for line in large["lines"]]


def test_the_whole_school_in_three_queries(django_assert_num_queries):
    readers = [pupil(grade=grade, class_number=1) for grade in (1, 2, 3)]
    for reader in readers:
        loan(reader)
        loan(reader)
    school_notes_owed()

    with django_assert_num_queries(3):
        lines = school_notes_owed()
    for reader in readers:
        loan(reader)
        NoteFactory(reader=reader)
    with django_assert_num_queries(3):
        later = school_notes_owed()

    assert [line.owed for line in lines] == [1, 1, 1]
    assert [line.reader.school_class.grade for line in lines] == [1, 2, 3]
    assert [line.owed for line in later] == [0, 0, 0]


# --- the desk ----------------------------------------------------------------------------------


@pytest.fixture
def blocking_policy():
    return LoanPolicy(name="小学生 图书", reader_group="student", block_on_owed_notes=True)


def test_the_borrowing_check_blocks_when_the_switch_is_on_and_lifts_when_a_note_is_handed_in(
    blocking_policy, django_assert_num_queries
):
    reader = pupil()
    first = loan(reader)
    loan(reader)
    reader_notes_owed_count(reader)  # warm the rules' cache

    with django_assert_num_queries(1):
        reason = notes_owed_borrowing_check(reader, blocking_policy)
    NoteFactory(reader=reader, loan=first)
    lifted = notes_owed_borrowing_check(reader, blocking_policy)

    assert reason == "欠交 1 篇读书笔记，暂停借书：请先交读书笔记。"
    assert lifted is None


def test_the_borrowing_check_is_silent_when_the_switch_is_off(django_assert_num_queries):
    reader = pupil()
    loan(reader)
    loan(reader)
    policy = LoanPolicy(name="小学生 图书", reader_group="student", block_on_owed_notes=False)

    with django_assert_num_queries(0):
        assert notes_owed_borrowing_check(reader, policy) is None


def test_the_panel_line_says_how_many_notes_are_owed(django_assert_num_queries):
    reader, other = pupil(), pupil()
    for _index in range(4):
        loan(reader)
    reader_notes_owed_count(reader)

    with django_assert_num_queries(1):
        line = notes_owed_panel_line(reader)

    assert line == "还需交 2 篇读书笔记"
    assert notes_owed_panel_line(other) is None


def test_the_panel_line_for_a_teacher_costs_no_query(django_assert_num_queries):
    reader = teacher()
    loan(reader)
    loan(reader)
    reader_notes_owed_count(reader)

    with django_assert_num_queries(0):
        assert notes_owed_panel_line(reader) is None


def test_a_note_handed_in_yesterday_of_a_loan_today_still_counts():
    reader = pupil()
    loan(reader)
    loan(reader, lent_on=timezone.localdate() - timedelta(days=1))
    NoteFactory(reader=reader, submitted_at=timezone.now() - timedelta(days=1))

    assert reader_notes_owed_count(reader)[0] == 0
