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
