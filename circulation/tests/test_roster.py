"""The roster import at term start: what the preview lists, what is refused, and that a refused
file changes nothing."""

import pytest

from circulation import roster
from circulation.exceptions import CellRefused, RosterRefused
from circulation.models import LibraryCard, Reader, RosterChange, SchoolClass
from circulation.services.school import roster_import
from library_site.accounts.models import User

from .factories import ReaderFactory, SchoolClassFactory
from .roster_files import roster_csv, roster_xlsx

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Reader.objects.order_by("pk").values_list("pk", "number", "school_class_id", "status")),
        list(SchoolClass.objects.order_by("pk").values_list("pk", "grade", "number", "is_active")),
        User.objects.count(),
        LibraryCard.objects.count(),
        RosterChange.objects.count(),
    )


@pytest.mark.parametrize(
    ("text", "grade_text", "expected"),
    [
        ("三年级(2)班", "", (3, 2)),
        ("三年级（2）班", "", (3, 2)),
        ("3年级2班", "", (3, 2)),
        ("３年级２班", "", (3, 2)),
        ("初一(3)班", "", (7, 3)),
        ("高二5班", "", (11, 5)),
        ("六年级十二班", "", (6, 12)),
        ("2", "三年级", (3, 2)),
        ("(2)班", "3", (3, 2)),
        ("三年级(2)班", "三年级", (3, 2)),
    ],
)
def test_class_names_are_read_as_schools_write_them(text, grade_text, expected):
    assert roster.class_parse(roster.fold(text), roster.fold(grade_text)) == expected


@pytest.mark.parametrize("text", ["三年纪2班", "3-2-1", "三年级", "十三年级1班", "初五1班", "2班", "高二"])
def test_a_class_name_that_is_not_a_grade_and_class_is_refused(text):
    with pytest.raises(CellRefused):
        roster.class_parse(text)


def test_the_preview_lists_new_readers_new_classes_moves_and_missing_readers_and_saves_nothing(tmp_path):
    # Given a school with 三年级(1)班 and three pupils in it
    class_1 = SchoolClassFactory(grade=3, number=1)
    staying = ReaderFactory(number="S001", school_class=class_1, full_name="王一")
    moving = ReaderFactory(number="S002", school_class=class_1, full_name="王二")
    gone = ReaderFactory(number="S003", school_class=class_1, full_name="王三")
    before = snapshot()
    path = roster_xlsx(
        tmp_path / "名册.xlsx",
        [
            ("S001 ", "王一", "", "三年级(1)班", ""),
            ("S002", "王二", "女", "3年级2班", ""),
            ("S004", "新同学", "女", "三年级(1)班", "13800000000"),
        ],
    )
    # When the librarian previews the roster
    plan = roster_import(path=path, extension=".xlsx", dry_run=True)
    # Then it lists each fate, and nothing is saved
    assert plan.errors == []
    assert [row.identifier for row in plan.of("new")] == ["S004"]
    assert [row.existing for row in plan.of("moved")] == [moving]
    assert [row.existing for row in plan.of("unchanged")] == [staying]
    assert plan.new_classes == [(3, 2)]
    assert plan.missing == [gone]
    assert snapshot() == before


def test_confirming_saves_readers_with_accounts_and_cards_and_moves_the_movers(tmp_path, client):
    class_1 = SchoolClassFactory(grade=3, number=1)
    moving = ReaderFactory(number="S002", school_class=class_1)
    gone = ReaderFactory(number="S003", school_class=class_1)
    path = roster_xlsx(
        tmp_path / "名册.xlsx",
        [("S002", "王二", "女", "3年级2班", ""), ("S004", "新同学", "女", "三年级(1)班", "13800000000")],
    )
    plan = roster_import(path=path, extension=".xlsx", dry_run=False)
    assert plan.saved == {"new": 1, "moved": 1, "changed": 0, "new_classes": 1, "missing": 1, "left": 0}
    new = Reader.objects.get(number="S004")
    assert (new.user.full_name, new.gender, new.guardian_contact) == ("新同学", "F", "13800000000")
    assert new.school_class == class_1
    assert new.cards.get().status == LibraryCard.Status.ACTIVE
    moving.refresh_from_db()
    assert moving.school_class.name == "Grade 3 Class 2" or str(moving.school_class) == "三年级(2)班"
    assert (moving.school_class.grade, moving.school_class.number) == (3, 2)
    gone.refresh_from_db()
    assert gone.status == Reader.Status.ACTIVE  # listed, not deactivated
    # The new reader has no password until their slip is made, and must change it then
    assert plan.new_reader_ids == [new.pk]
    assert not new.user.has_usable_password() and new.user.password_change_required
    assert RosterChange.objects.get().summary["new"] == 1


def test_missing_readers_are_marked_as_left_only_when_asked(tmp_path):
    class_1 = SchoolClassFactory(grade=3, number=1)
    ReaderFactory(number="S001", school_class=class_1)
    gone = ReaderFactory(number="S003", school_class=class_1)
    path = roster_xlsx(tmp_path / "r.xlsx", [("S001", "王一", "", "三年级(1)班", "")])
    roster_import(path=path, extension=".xlsx", dry_run=False, deactivate_missing=True)
    gone.refresh_from_db()
    assert gone.status == Reader.Status.LEFT


def test_a_file_with_wrong_rows_is_refused_whole_with_row_numbered_errors(tmp_path):
    class_1 = SchoolClassFactory(grade=3, number=1)
    ReaderFactory(number="S001", school_class=class_1)
    before = snapshot()
    path = roster_xlsx(
        tmp_path / "r.xlsx",
        [
            ("S010", "好学生", "男", "三年级(1)班", ""),  # row 2: fine
            ("S011", "", "男", "三年级(1)班", ""),  # row 3: no name
            ("S010", "重复", "男", "三年级(1)班", ""),  # row 4: duplicated number
            ("S012", "错班", "男", "三年纪2班", ""),  # row 5: not a class
            ("S013", "错班", "男", "3-2-1", ""),  # row 6: not a class
            ("S014", "无班", "男", "", ""),  # row 7: no class
        ],
    )
    plan = roster_import(path=path, extension=".xlsx", dry_run=False)
    rows = [number for number, _message in plan.errors]
    assert rows == [3, 4, 5, 6, 7]
    messages = dict(plan.errors)
    assert "row 2" in messages[4] or "第 2 行" in messages[4]
    assert plan.saved == {}
    assert snapshot() == before


def test_chinese_messages_name_the_row_and_the_problem(tmp_path, settings):
    from django.utils import translation

    path = roster_xlsx(tmp_path / "r.xlsx", [("S011", "", "男", "三年纪2班", "")])
    with translation.override("zh-hans"):
        plan = roster_import(path=path, extension=".xlsx", dry_run=True)
    texts = [message for _row, message in plan.errors]
    assert any("姓名" in text for text in texts)
    assert any("三年纪2班" in text and "不是" in text for text in texts)


def test_full_width_digits_and_trailing_spaces_are_folded(tmp_path):
    path = roster_csv(tmp_path / "r.csv", [("２０２６０００１  ", " 张 三 ", "女 ", "３年级（２）班 ")])
    plan = roster_import(path=path, extension=".csv", dry_run=False)
    reader = Reader.objects.get()
    assert reader.number == "20260001"
    assert reader.user.full_name == "张 三"
    assert (reader.school_class.grade, reader.school_class.number) == (3, 2)
    assert plan.saved["new"] == 1


def test_a_gbk_csv_with_separate_grade_and_class_columns_is_read(tmp_path):
    path = roster_csv(
        tmp_path / "r.csv",
        [("20260002", "李四", "男", "三年级", "2")],
        headers=("学号", "姓名", "性别", "年级", "班级"),
        encoding="gb18030",
    )
    roster_import(path=path, extension=".csv", dry_run=False)
    reader = Reader.objects.get()
    assert (reader.user.full_name, reader.school_class.grade, reader.school_class.number) == ("李四", 3, 2)


def test_teachers_and_staff_come_with_their_staff_number_and_department(tmp_path):
    path = roster_xlsx(
        tmp_path / "t.xlsx",
        [("王老师", "T0101", "语文组", ""), ("赵师傅", "T0102", "后勤", "职工")],
        headers=("姓名", "工号", "部门", "类别"),
    )
    roster_import(path=path, extension=".xlsx", dry_run=False)
    teacher, staff = Reader.objects.order_by("number")
    assert (teacher.kind, teacher.department, teacher.school_class) == ("teacher", "语文组", None)
    assert (staff.kind, staff.department) == ("staff", "后勤")


def test_a_number_used_as_somebody_elses_card_or_user_name_is_refused(tmp_path):
    other = ReaderFactory()
    card = other.cards.get().number
    path = roster_xlsx(tmp_path / "r.xlsx", [(card, "撞号", "男", "三年级(1)班", "")])
    plan = roster_import(path=path, extension=".xlsx", dry_run=True)
    assert [row for row, _message in plan.errors] == [2]


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.xlsx"), (b"not a workbook", "bad.xlsx"), ("姓名,电话\n张三,1\n".encode(), "noheader.csv")],
)
def test_unreadable_files_are_refused_and_change_nothing(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot()
    with pytest.raises(RosterRefused):
        roster_import(path=path, extension=path.suffix, dry_run=False)
    assert snapshot() == before


def test_a_file_with_too_many_rows_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 2)
    path = roster_xlsx(tmp_path / "r.xlsx", [(f"S{i}", "某", "", "三年级(1)班", "") for i in range(3)])
    with pytest.raises(RosterRefused):
        roster_import(path=path, extension=".xlsx", dry_run=True)


def test_the_template_has_the_chinese_headers(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    with path.open("wb") as handle:
        roster.template_write(handle)
    sheet = load_workbook(path).active
    assert [cell.value for cell in sheet[1]] == list(roster.TEMPLATE_HEADERS)
