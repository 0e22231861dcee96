"""The commands notes_owed and notes_selection: the spreadsheets they write, with every cell that
could run as a formula escaped and a pupil's HTML kept as text."""

from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from circulation.tests.factories import SchoolClassFactory

from ..models import PupilWork
from .factories import CardFactory, NoteFactory, at, loan, pupil

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


def rows(path, sheet=0):
    book = openpyxl.load_workbook(path)
    return [list(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]


def test_notes_owed_writes_one_row_per_pupil_of_the_class(tmp_path):
    school_class = SchoolClassFactory(grade=7, number=2)
    first = pupil(school_class=school_class, full_name="林小雨", number="20260001")
    second = pupil(school_class=school_class, full_name="=HYPERLINK(1)", number="20260002")
    pupil(full_name="别班的")
    for _index in range(3):
        loan(first, lent_on=date(2026, 3, 2))
    NoteFactory(reader=second, submitted_at=at(date(2026, 3, 3)))
    out = tmp_path / "owed.xlsx"

    call_command("notes_owed", "--class", "7-2", "--on", "2026-03-20", "--out", str(out))

    written = rows(out)
    assert written[0][3:] == ["计入的借阅", "已交笔记", "欠交笔记"]
    assert written[1:] == [
        ["七年级(2)班", "20260001", "林小雨", 3, 0, 1],
        ["七年级(2)班", "20260002", "'=HYPERLINK(1)", 0, 1, 0],
    ]


def test_notes_owed_refuses_an_unknown_class_and_a_bad_day(tmp_path):
    with pytest.raises(CommandError):
        call_command("notes_owed", "--class", "9-9", "--out", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError):
        call_command("notes_owed", "--on", "2026-13-01", "--out", str(tmp_path / "x.xlsx"))

    assert not (tmp_path / "x.xlsx").exists()


def test_notes_selection_writes_the_months_notes_and_cards(tmp_path):
    reader = pupil(full_name="林小雨")
    NoteFactory(
        reader=reader,
        state=PupilWork.State.SELECTED,
        grade="优",
        month=MARCH,
        reflection="<script>x</script>好",
    )
    NoteFactory(reader=reader, state=PupilWork.State.REVIEWED, grade="良", month=date(2026, 4, 1))
    CardFactory(reader=reader, state=PupilWork.State.REVIEWED, grade="良", month=MARCH, passage="+1 美句")
    out = tmp_path / "selection.xlsx"

    call_command("notes_selection", "2026-03", "--out", str(out))

    notes, cards = rows(out, 0), rows(out, 1)
    assert len(notes) == 2 and len(cards) == 2
    assert notes[1][2] == "林小雨" and notes[1][5] == "优" and notes[1][8] == "<script>x</script>好"
    assert notes[1][7] == "是"
    assert cards[1][8] == "'+1 美句"


# --- issue 17: quiz_results and close_overdue_attempts -------------------------------------------


def _quiz_of_a_class():
    from django.utils import timezone

    from ..services.quiz import answer_save, attempt_start, attempt_submit
    from .factories import question, quiz_with

    school_class = SchoolClassFactory(grade=4, number=6)
    handed, overdue, absent = (
        pupil(school_class=school_class, full_name=name) for name in ("甲同学", "乙同学", "=丙同学")
    )
    single = question("single", options=["安徒生", "格林"], key=[0])
    fill = question("fill", key=["吴承恩"])
    quiz = quiz_with([single, fill])
    first = attempt_start(quiz=quiz, reader=handed)
    answer_save(attempt_id=first.pk, reader=handed, question_id=single.pk, value="0")
    answer_save(attempt_id=first.pk, reader=handed, question_id=fill.pk, value="吴承恩")
    attempt_submit(attempt_id=first.pk, reader=handed)
    second = attempt_start(quiz=quiz, reader=overdue)
    answer_save(attempt_id=second.pk, reader=overdue, question_id=single.pk, value="0")
    from ..models import Attempt

    deadline = timezone.now() - timezone.timedelta(minutes=1)
    Attempt.objects.filter(pk=second.pk).update(deadline=deadline)
    return quiz, (handed, overdue, absent), (first, second)


def test_quiz_results_closes_the_overdue_first_and_writes_pupils_classes_and_grades(tmp_path, capsys):
    from ..models import Attempt

    quiz, (handed, overdue, absent), (_first, second) = _quiz_of_a_class()
    out = tmp_path / "quiz.xlsx"
    call_command("quiz_results", str(quiz.pk), "--out", str(out))
    assert "3 pupils written" in capsys.readouterr().out
    second.refresh_from_db()
    assert second.state == Attempt.State.TIMED_OUT and second.closed_at == second.deadline
    book = openpyxl.load_workbook(out)
    pupils = {row[1]: row for row in rows(out)[1:]}
    assert pupils[handed.number][2:6] == ["甲同学", "已交卷", 10, 10]
    assert pupils[overdue.number][2:6] == ["乙同学", "截止时自动交卷", 5, 10]
    # A name that would run as a formula is written as text; who has not taken it is listed.
    assert pupils[absent.number][2:5] == ["'=丙同学", "未参加", None]
    assert rows(out, 1)[1] == ["四年级(6)班", 3, 2, 7.5]
    assert rows(out, 2)[1] == ["四年级", 3, 2, 7.5]
    assert len(book.worksheets) == 3


def test_quiz_results_refuses_an_unknown_quiz_and_a_file_that_is_not_xlsx(tmp_path):
    with pytest.raises(CommandError, match="There is no quiz 999999"):
        call_command("quiz_results", "999999", "--out", str(tmp_path / "x.xlsx"))
    quiz, _pupils, _attempts = _quiz_of_a_class()
    with pytest.raises(CommandError, match=r"must end in \.xlsx"):
        call_command("quiz_results", str(quiz.pk), "--out", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()


def test_close_overdue_attempts_closes_them_at_their_deadline_once_and_records_the_run(capsys):
    from library_site.system.models import JobRun

    from ..models import Attempt

    _quiz, _pupils, (first, second) = _quiz_of_a_class()
    call_command("close_overdue_attempts")
    assert "1 attempt(s) closed" in capsys.readouterr().out
    second.refresh_from_db()
    assert (second.state, second.closed_at, second.score) == (Attempt.State.TIMED_OUT, second.deadline, 5)
    first_state = Attempt.objects.get(pk=first.pk)
    assert first_state.state == Attempt.State.SUBMITTED
    call_command("close_overdue_attempts")
    assert "0 attempt(s) closed" in capsys.readouterr().out
    run = JobRun.objects.filter(key="close_overdue_attempts").order_by("pk").first()
    assert run is not None and run.result == {"closed": 1}


def test_quiz_results_refuses_a_quiz_that_is_not_a_number_and_a_missing_out():
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("quiz_results", "第一次", "--out", "x.xlsx")
    with pytest.raises(CommandError, match="--out"):
        call_command("quiz_results", "1")


def test_quiz_results_refuses_a_folder_that_is_not_there_and_closes_nothing(tmp_path):
    from ..models import Attempt

    quiz, _pupils, (_first, second) = _quiz_of_a_class()
    out = tmp_path / "missing" / "quiz.xlsx"
    with pytest.raises(CommandError, match="There is no folder"):
        call_command("quiz_results", str(quiz.pk), "--out", str(out))
    assert not out.parent.exists()
    second.refresh_from_db()
    assert second.state == Attempt.State.OPEN


def test_quiz_results_on_a_file_it_cannot_write_says_so_and_leaves_the_file(tmp_path):
    quiz, _pupils, _attempts = _quiz_of_a_class()
    out = tmp_path / "quiz.xlsx"
    out.mkdir()  # a folder where the file should go
    with pytest.raises(CommandError, match="cannot be written"):
        call_command("quiz_results", str(quiz.pk), "--out", str(out))
    assert out.is_dir() and not any(out.iterdir())


def test_quiz_results_of_a_quiz_nobody_took_lists_every_pupil_as_absent(tmp_path, capsys):
    from .factories import question, quiz_with

    school_class = SchoolClassFactory(grade=5, number=2)
    absent = [pupil(school_class=school_class, full_name=name) for name in ("丁同学", "戊同学")]
    quiz = quiz_with([question("true_false")])
    out = tmp_path / "quiz.xlsx"
    call_command("quiz_results", str(quiz.pk), "--out", str(out))
    assert "2 pupils written" in capsys.readouterr().out
    pupils = {row[1]: row for row in rows(out)[1:]}
    assert {number: row[3] for number, row in pupils.items()} == {
        reader.number: "未参加" for reader in absent
    }
    assert rows(out, 1)[1] == ["五年级(2)班", 2, 0, None]


def test_close_overdue_attempts_leaves_attempts_in_time_and_refuses_arguments(capsys):
    from django.utils import timezone

    from library_site.system.models import JobRun

    from ..models import Attempt
    from ..services.quiz import attempt_start
    from .factories import question, quiz_with

    with pytest.raises(CommandError, match="unrecognized arguments"):
        call_command("close_overdue_attempts", "7")
    quiz = quiz_with([question("single")])
    reader = pupil()
    attempt = attempt_start(quiz=quiz, reader=reader)
    call_command("close_overdue_attempts")
    assert "0 attempt(s) closed" in capsys.readouterr().out
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.OPEN and attempt.closed_at is None
    # Its deadline just passed: closed at it, with nothing answered (0 points).
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timezone.timedelta(seconds=1))
    call_command("close_overdue_attempts")
    assert "1 attempt(s) closed" in capsys.readouterr().out
    attempt.refresh_from_db()
    assert (attempt.state, attempt.closed_at, attempt.score) == (Attempt.State.TIMED_OUT, attempt.deadline, 0)
    assert [run.result for run in JobRun.objects.filter(key="close_overdue_attempts").order_by("pk")] == [
        {"closed": 0},
        {"closed": 1},
    ]
