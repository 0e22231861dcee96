"""The register files, read back with openpyxl (and csv): titles, headers, rows and totals against
the database, the print settings, and cells that could run as formulas."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from activities.models import PupilWork, ReadingNote
from activities.tests.factories import NoteFactory
from catalog.models import Location, Repair, Serial, WriteOffBatch
from catalog.selectors.acquisitions import donation_register, purchase_register
from catalog.selectors.care import repair_register, write_off_register
from catalog.services.acquisitions import delivery_receive, donation_receive
from catalog.services.care import (
    repair_close,
    repair_open,
    write_off_add,
    write_off_approve,
    write_off_create,
    write_off_submit,
)
from catalog.services.serials import issue_receive, serial_create, subscription_create
from catalog.tests.factories import location_default
from circulation.models import ClassSetBooking, Hold, LibraryCard, Loan, Reader, Visit
from circulation.tests.factories import ReaderFactory, SchoolClassFactory, copies_of
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from reports.documents.registers import RegisterQuery, register_write

pytestmark = pytest.mark.django_db

SEPT_1, JAN_31 = date(2026, 9, 1), date(2027, 1, 31)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.SCHOOL_NAME = "Riverside Primary School"
    with translation.override("en"):
        yield


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def lend(copy, reader, day: date, *, returned: date | None = None, state=None, overdue_days=0) -> Loan:
    """A loan in the history, on a given day (as generate_loans writes them)."""
    return Loan.objects.create(
        copy=copy,
        reader=reader,
        lent_at=at(day),
        due_on=day + timedelta(days=30),
        returned_at=at(returned) if returned else None,
        state=state or (Loan.State.RETURNED if returned else Loan.State.OPEN),
        overdue_days=overdue_days,
    )


def workbook(tmp_path, query: RegisterQuery, name="register.xlsx"):
    path = tmp_path / name
    rows = register_write(query, path, fmt="xlsx")
    return rows, load_workbook(path)


def values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def csv_rows(tmp_path, query: RegisterQuery) -> tuple[bytes, list[list[str]]]:
    path = tmp_path / "register.csv"
    register_write(query, path, fmt="csv")
    data = path.read_bytes()
    return data, list(csv.reader(data.decode("utf-8-sig").splitlines()))


def midnight(day: date) -> datetime:
    return datetime.combine(day, time())


# --- A: staff loans ------------------------------------------------------------------------------


@pytest.fixture
def staff_loans():
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, full_name="王老师", number="T001", department="语文组")
    clerk = ReaderFactory(kind=Reader.Kind.STAFF, full_name="李会计", number="S001", department="后勤处")
    pupil = ReaderFactory(full_name="张小明")
    first, second, third, fourth = copies_of("红楼梦", count=4, price=Decimal("30"))
    loans = [
        lend(first, teacher, date(2026, 9, 2), returned=date(2026, 10, 9), overdue_days=7),
        lend(second, clerk, date(2026, 9, 15)),
        lend(third, teacher, date(2026, 12, 1), state=Loan.State.LOST),
        lend(fourth, teacher, date(2026, 8, 31), returned=date(2026, 9, 3)),  # before the period
        lend(fourth, pupil, date(2026, 10, 1), returned=date(2026, 10, 8)),  # a pupil's
        lend(fourth, teacher, date(2027, 1, 31), state=Loan.State.UNDONE),  # undone: not counted
    ]
    return teacher, clerk, loans


def test_register_a_lists_the_staff_loans_of_the_period_with_titles_totals_and_print_settings(
    tmp_path, staff_loans
):
    loans = staff_loans[2]
    rows, book = workbook(tmp_path, RegisterQuery("A", SEPT_1, JAN_31))

    assert rows == 3
    sheet = book.worksheets[0]
    assert sheet.title == "Staff loans"
    table = values(sheet)
    assert table[0][0] == "Riverside Primary School Staff loan register"
    assert table[1][0].startswith("Period: 1 Sep 2026 to 31 Jan 2027")
    assert table[2] == (
        "No.",
        "Lent on",
        "Name",
        "Staff number",
        "Reader type",
        "Department",
        "Barcode",
        "Title",
        "Call number",
        "Due on",
        "Returned on",
        "State",
        "Days overdue",
    )
    expected = [
        (
            number,
            midnight(timezone.localtime(loan.lent_at).date()),
            loan.reader.user.full_name,
            loan.reader.number,
            str(Reader.Kind(loan.reader.kind).label),
            loan.reader.department,
            loan.copy.barcode,
            "红楼梦",
            loan.copy.record.call_number,
            midnight(loan.due_on),
            midnight(timezone.localtime(loan.returned_at).date()) if loan.returned_at else None,
            str(Loan.State(loan.state).label),
            loan.overdue_days or None,
        )
        for number, loan in enumerate(loans[:3], start=1)
    ]
    assert table[3:6] == expected
    assert table[6][0] == "Lent: 3. Returned: 1. Still on loan: 1. Lost: 1."
    assert len(table) == 7

    # Printed and filed: A4 landscape, one page wide, the header row on every page, page numbers.
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.oddFooter.center.text == "Page &P of &N"
    assert {str(merged) for merged in sheet.merged_cells.ranges} == {"A1:M1", "A2:M2", "A7:M7"}
    assert sheet["B4"].number_format == "d mmm yyyy"
    assert sheet.column_dimensions["H"].width == 30


def test_register_a_can_be_limited_to_staff_and_is_in_chinese_dates_in_chinese(tmp_path, staff_loans):

    with translation.override("zh-hans"):
        _rows, book = workbook(tmp_path, RegisterQuery("A", SEPT_1, JAN_31, reader_kind=Reader.Kind.STAFF))
    sheet = book.worksheets[0]
    table = values(sheet)
    assert "2026-09-01" in table[1][0] and "2027-01-31" in table[1][0]
    assert [row[2] for row in table[3:-1]] == ["李会计"]
    assert sheet["B4"].number_format == "yyyy-mm-dd"


def test_register_a_as_csv_has_the_same_rows_with_a_byte_order_mark(tmp_path, staff_loans):
    data, rows = csv_rows(tmp_path, RegisterQuery("A", SEPT_1, JAN_31))
    assert data.startswith(b"\xef\xbb\xbf")
    assert rows[0][:3] == ["No.", "Lent on", "Name"]
    assert [row[:3] for row in rows[1:4]] == [
        ["1", "2 Sep 2026", "王老师"],
        ["2", "15 Sep 2026", "李会计"],
        ["3", "1 Dec 2026", "王老师"],
    ]
    assert rows[1][10] == "9 Oct 2026" and rows[1][12] == "7"
    assert rows[4] == ["Lent: 3. Returned: 1. Still on loan: 1. Lost: 1."]
    assert len(rows) == 5


def test_a_school_name_or_a_reader_name_that_begins_with_equals_is_written_as_text(tmp_path, settings):
    settings.SCHOOL_NAME = '=HYPERLINK("http://evil.example","x")'
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, full_name="=1+2", number="T9")
    lend(copies_of("-危险")[0], teacher, date(2026, 9, 3))

    _rows, book = workbook(tmp_path, RegisterQuery("A", SEPT_1, JAN_31))
    table = values(book.worksheets[0])
    assert table[0][0] == "'" + '=HYPERLINK("http://evil.example","x") Staff loan register'
    assert table[3][2] == "'=1+2" and table[3][7] == "'-危险"
    assert all(cell.data_type != "f" for row in book.worksheets[0].iter_rows() for cell in row)

    _data, rows = csv_rows(tmp_path, RegisterQuery("A", SEPT_1, JAN_31))
    assert rows[1][2] == "'=1+2" and rows[1][7] == "'-危险"


# --- I: pupils' reading and loans ---------------------------------------------------------------------


@pytest.fixture
def pupils():
    three_one = SchoolClassFactory(grade=3, number=1)
    three_two = SchoolClassFactory(grade=3, number=2)
    four_one = SchoolClassFactory(grade=4, number=1)
    ann = ReaderFactory(full_name="安安", number="S301", school_class=three_one, gender="F")
    bob = ReaderFactory(full_name="博博", number="S302", school_class=three_one, gender="M")
    cai = ReaderFactory(full_name="蔡蔡", number="S303", school_class=three_two)
    dan = ReaderFactory(full_name="丹丹", number="S401", school_class=four_one)
    gone = ReaderFactory(full_name="离校生", number="S399", school_class=three_two)
    idle_leaver = ReaderFactory(full_name="无借阅离校生", number="S398", school_class=three_two)
    Reader.objects.filter(pk__in=[gone.pk, idle_leaver.pk]).update(status=Reader.Status.LEFT)
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, number="T1")
    copies = copies_of("草房子", count=12)
    plan = [
        (ann, date(2026, 9, 1)),
        (ann, date(2026, 10, 1)),
        (ann, date(2027, 1, 31)),
        (bob, date(2026, 11, 11)),
        (cai, date(2026, 12, 24)),
        (dan, date(2026, 9, 20)),
        (gone, date(2026, 9, 21)),
        (teacher, date(2026, 9, 22)),  # not a pupil
        (ann, date(2026, 8, 31)),  # before the period
        (bob, date(2027, 2, 1)),  # after
    ]
    for copy, (reader, day) in zip(copies, plan, strict=False):
        lend(copy, reader, day, returned=day + timedelta(days=7))
    lend(copies[10], bob, date(2026, 10, 10), state=Loan.State.UNDONE)
    room = Location.objects.filter(kind=Location.Kind.READING_ROOM).first() or location_default()
    for reader, day in [
        (ann, date(2026, 9, 3)),
        (ann, date(2026, 9, 4)),
        (cai, date(2026, 9, 5)),
        (dan, date(2027, 3, 1)),
    ]:
        Visit.objects.create(
            room=room,
            reader=reader,
            card=LibraryCard.objects.filter(reader=reader).first(),
            entered_at=at(day),
        )
    # Reading notes: ann hands in a typed note (since reviewed) and a paper one in the period,
    # and one before it; cai hands one in; bob's draft and dan's note returned for revision do
    # not count, nor does the teacher's; a leaver with no loans or visits is not listed.
    State = PupilWork.State
    for reader, day, state, medium in [
        (ann, date(2026, 9, 15), State.REVIEWED, ReadingNote.Medium.TYPED),
        (ann, date(2026, 12, 1), State.SUBMITTED, ReadingNote.Medium.PAPER),
        (ann, date(2026, 8, 30), State.SUBMITTED, ReadingNote.Medium.TYPED),
        (cai, date(2027, 1, 31), State.RESUBMITTED, ReadingNote.Medium.TYPED),
        (dan, date(2026, 10, 5), State.RETURNED, ReadingNote.Medium.TYPED),
        (teacher, date(2026, 10, 5), State.SUBMITTED, ReadingNote.Medium.TYPED),
        (idle_leaver, date(2026, 10, 5), State.SUBMITTED, ReadingNote.Medium.PAPER),
    ]:
        NoteFactory(reader=reader, record=None, state=state, medium=medium, submitted_at=at(day))
    NoteFactory(reader=bob, record=None, state=State.DRAFT)
    return {"3-1": three_one, "3-2": three_two, "4-1": four_one}


def test_register_i_counts_each_pupils_loans_visits_and_notes_and_each_class(tmp_path, pupils):
    rows, book = workbook(tmp_path, RegisterQuery("I", SEPT_1, JAN_31))

    per_pupil, per_class = book.worksheets
    assert [per_pupil.title, per_class.title] == ["Per pupil", "Per class"]
    table = values(per_pupil)
    assert table[0][0] == "Riverside Primary School Student reading and loan statistics"
    assert table[2][0] == "Per pupil"
    assert table[3] == (
        "No.",
        "Class",
        "Student number",
        "Name",
        "Gender",
        "Loans",
        "Reading-room visits",
        "Reading notes handed in",
    )
    assert table[4:10] == [
        (1, "Grade 3 Class 1", "S301", "安安", "Female", 3, 2, 2),
        (2, "Grade 3 Class 1", "S302", "博博", "Male", 1, 0, 0),
        (3, "Grade 3 Class 2", "S303", "蔡蔡", None, 1, 1, 1),
        (4, "Grade 3 Class 2", "S399", "离校生", None, 1, 0, 0),
        (5, "Grade 4 Class 1", "S401", "丹丹", None, 1, 0, 0),
        ("Total", None, None, None, None, 7, 3, 3),
    ]
    assert len(table) == 10
    # Against the database: every pupil's loans of the period, undone ones left out.
    start, end = at(SEPT_1, 0), at(JAN_31 + timedelta(days=1), 0)
    assert table[9][5] == (
        Loan.objects.filter(reader__kind="student", lent_at__gte=start, lent_at__lt=end)
        .exclude(state=Loan.State.UNDONE)
        .count()
    )
    assert per_pupil.freeze_panes == "A5" and per_pupil.print_title_rows == "$4:$4"
    assert per_pupil.page_setup.orientation == "portrait"

    classes = values(per_class)
    assert classes[3] == (
        "No.",
        "Class",
        "Pupils",
        "Pupils who borrowed",
        "Loans",
        "Loans per pupil",
        "Pupils who came to the reading room",
        "Reading-room visits",
        "Reading notes handed in",
    )
    assert classes[4:] == [
        (1, "Grade 3 Class 1", 2, 2, 4, 2, 1, 2, 2),
        (2, "Grade 3 Class 2", 2, 2, 2, 1, 1, 1, 1),
        (3, "Grade 4 Class 1", 1, 1, 1, 1, 0, 0, 0),
        ("Total", None, 5, 5, 7, 1.4, 2, 3, 3),
    ]
    assert per_class["F5"].number_format == "#,##0.00"
    assert rows == 5 + 3


def test_register_i_filters_by_class_or_grade_and_as_csv_holds_both_tables(tmp_path, pupils):
    _rows, book = workbook(tmp_path, RegisterQuery("I", SEPT_1, JAN_31, school_class=pupils["3-2"]))
    table = values(book.worksheets[0])
    assert "Class: Grade 3 Class 2" in table[1][0]
    assert [row[3] for row in table[4:-1]] == ["蔡蔡", "离校生"]

    _rows, book = workbook(tmp_path, RegisterQuery("I", SEPT_1, JAN_31, grade=3), name="grade.xlsx")
    assert [row[1] for row in values(book.worksheets[1])[4:-1]] == ["Grade 3 Class 1", "Grade 3 Class 2"]

    _data, rows = csv_rows(tmp_path, RegisterQuery("I", SEPT_1, JAN_31, grade=4))
    assert rows == [
        ["Per pupil"],
        [
            "No.",
            "Class",
            "Student number",
            "Name",
            "Gender",
            "Loans",
            "Reading-room visits",
            "Reading notes handed in",
        ],
        ["1", "Grade 4 Class 1", "S401", "丹丹", "", "1", "0", "0"],
        ["Total", "", "", "", "", "1", "0", "0"],
        [],
        ["Per class"],
        [
            "No.",
            "Class",
            "Pupils",
            "Pupils who borrowed",
            "Loans",
            "Loans per pupil",
            "Pupils who came to the reading room",
            "Reading-room visits",
            "Reading notes handed in",
        ],
        ["1", "Grade 4 Class 1", "1", "1", "1", "1.00", "0", "0", "0"],
        ["Total", "", "1", "1", "1", "1.00", "0", "0", "0"],
    ]


def test_register_i_reads_in_a_constant_number_of_queries(django_assert_max_num_queries, tmp_path, pupils):
    query = RegisterQuery("I", SEPT_1, JAN_31)
    with django_assert_max_num_queries(10):
        register_write(query, tmp_path / "few.xlsx")
    more = SchoolClassFactory(grade=5, number=1)
    copies = copies_of("更多", count=20)
    for index, copy in enumerate(copies):
        pupil = ReaderFactory(school_class=more, number=f"S5{index:02d}")
        lend(copy, pupil, date(2026, 9, 10))
        NoteFactory(reader=pupil, record=None, submitted_at=at(date(2026, 9, 20)))
        NoteFactory(
            reader=pupil, record=None, medium=ReadingNote.Medium.PAPER, submitted_at=at(date(2026, 9, 21))
        )
    with django_assert_max_num_queries(10):
        register_write(query, tmp_path / "more.xlsx")


# --- H: teachers' reservations ------------------------------------------------------------------------


def test_register_h_lists_class_set_bookings_and_teachers_holds_in_order(tmp_path):
    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, full_name="周老师", number="T7")
    pupil = ReaderFactory(full_name="学生甲")
    school_class = SchoolClassFactory(grade=5, number=3)
    record = copies_of("西游记", count=3)[0].record
    booking = ClassSetBooking.objects.create(
        record=record,
        school_class=school_class,
        teacher=teacher,
        copies=3,
        starts_on=date(2026, 10, 12),
        ends_on=date(2026, 10, 16),
        created_at=at(date(2026, 10, 8)),
    )
    Hold.objects.create(
        record=record,
        reader=teacher,
        placed_at=at(date(2026, 9, 20)),
        state=Hold.State.COLLECTED,
        ready_at=at(date(2026, 9, 22)),
        collect_by=date(2026, 9, 25),
    )
    Hold.objects.create(record=record, reader=pupil, placed_at=at(date(2026, 9, 21)))  # a pupil's
    ClassSetBooking.objects.create(
        record=record,
        school_class=school_class,
        teacher=teacher,
        copies=2,
        starts_on=date(2026, 8, 1),
        ends_on=date(2026, 8, 2),
        created_at=at(date(2026, 7, 1)),  # before the period
    )

    rows, book = workbook(tmp_path, RegisterQuery("H", SEPT_1, JAN_31))
    assert rows == 2
    table = values(book.worksheets[0])
    assert table[2] == (
        "No.",
        "Made on",
        "Teacher",
        "Staff number",
        "Kind",
        "Title",
        "Call number",
        "Class",
        "Copies",
        "From",
        "Until",
        "State",
    )
    call_number = record.call_number
    assert table[3:6] == [
        (1, midnight(date(2026, 9, 20)), "周老师", "T7", "Hold", "西游记", call_number, None, 1,
         midnight(date(2026, 9, 22)), midnight(date(2026, 9, 25)), "Collected"),
        (2, midnight(date(2026, 10, 8)), "周老师", "T7", "Class set", "西游记", call_number, "Grade 5 Class 3",
         booking.copies, midnight(date(2026, 10, 12)), midnight(date(2026, 10, 16)), "Booked"),
        ("Total", None, None, None, None, None, None, None, 4, None, None, None),
    ]  # fmt: skip


# --- B to F: the catalogue's registers --------------------------------------------------------------


def test_registers_b_and_c_total_each_rooms_subscriptions(tmp_path):
    periodicals_room = Location.objects.get(name="期刊室")
    reading_room = Location.objects.get(name="阅览室")
    monthly = serial_create(
        title="少年文艺", kind=Serial.Kind.PERIODICAL, frequency=Serial.Frequency.MONTHLY, issn="1000-0003"
    )
    weekly = serial_create(
        title="中国少年报",
        kind=Serial.Kind.NEWSPAPER,
        frequency=Serial.Frequency.WEEKLY,
        cn_number="CN11-0057",
    )
    periodicals = subscription_create(
        serial=monthly,
        location=periodicals_room,
        year=2026,
        copies=2,
        price=Decimal("96.00"),
        supplier="邮局",
    )
    subscription_create(
        serial=weekly, location=reading_room, year=2026, copies=1, price=Decimal("52.00"), supplier="邮局"
    )
    for issue in periodicals.issues.filter(number__lte=2):
        issue_receive(issue=issue)

    _rows, book = workbook(tmp_path, RegisterQuery("C", date(2026, 1, 1), date(2026, 3, 31)))
    table = values(book.worksheets[0])
    assert table[0][0] == "Riverside Primary School Periodical register"
    assert table[3:] == [
        (1, "期刊室", "少年文艺", "1000-0003", None, "Monthly", 2026, 2, 96, "邮局", 3, 2, 1),
        ("Total", None, None, None, None, None, None, 2, 96, None, 3, 2, 1),
    ]
    _rows, book = workbook(
        tmp_path, RegisterQuery("B", date(2026, 1, 1), date(2026, 1, 31), room=reading_room), name="b.xlsx"
    )
    table = values(book.worksheets[0])
    assert "Room: 阅览室" in table[1][0]
    assert [row[1:3] + row[-3:] for row in table[3:]] == [
        ("阅览室", "中国少年报", 4, 0, 4),
        (None, None, 4, 0, 4),
    ]
    _rows, book = workbook(
        tmp_path,
        RegisterQuery("B", date(2026, 1, 1), date(2026, 1, 31), room=periodicals_room),
        name="b2.xlsx",
    )
    assert values(book.worksheets[0])[3:] == [
        ("Total", None, None, None, None, None, None, 0, 0, None, 0, 0, 0),
        ("Nothing was recorded in this period.", *[None] * 12),
    ]


def test_register_d_has_the_purchases_and_the_donations_with_their_totals(tmp_path):
    from catalog.tests.test_acquisitions_services import approved_plan

    librarian = UserFactory(roles=[Role.LIBRARIAN])
    leader = UserFactory(roles=[Role.LEADER])
    plan = approved_plan(librarian, leader)  # 草房子 × 5 at 25.00
    today = timezone.localdate()
    for quantity, invoice in ((2, "=SUM(A1)"), (3, "FP-002")):
        delivery_receive(
            plan=plan,
            lines=[{"plan_line": plan.lines.get().pk, "quantity": quantity}],
            location=location_default(),
            supplier="新华书店",
            invoice_number=invoice,
            received_on=today,
            user=librarian,
        )
    for donor, quantity in (("林小雨", 2), ("王大山", 3)):
        donation_receive(
            donor=donor,
            donor_class="五年级(2)班",
            lines=[
                {
                    "title": "安徒生童话",
                    "isbn": "",
                    "author": "安徒生",
                    "publisher": "",
                    "clc_code": "I533.88",
                    "quantity": quantity,
                    "unit_price": "15",
                }
            ],
            location=location_default(),
            user=librarian,
        )
    _rows, book = workbook(tmp_path, RegisterQuery("D", today, today))
    purchases, donations = book.worksheets
    assert [purchases.title, donations.title] == ["Purchases", "Donations"]
    assert values(purchases)[3] == (
        "No.",
        "Received on",
        "Supplier",
        "Invoice number",
        "Purchase plan",
        "Titles",
        "Volumes",
        "Value (yuan)",
    )
    bought = purchase_register(today, today)
    assert values(purchases)[4:] == [
        *[
            (
                number,
                midnight(row["received_on"]),
                "新华书店",
                "'=SUM(A1)" if number == 1 else "FP-002",
                row["plan_name"],
                1,
                row["volumes"],
                row["value"],
            )
            for number, row in enumerate(bought, start=1)
        ],
        ("Total", None, None, None, None, 2, 5, 125),
    ]
    assert [row["volumes"] for row in bought] == [2, 3]
    expected = donation_register(today, today)
    assert values(donations)[4:] == [
        *[
            (
                number,
                midnight(row["received_on"]),
                row["donor"],
                row["donor_class"],
                1,
                row["volumes"],
                row["value"],
            )
            for number, row in enumerate(expected, start=1)
        ],
        ("Total", None, None, None, 2, 5, 75),
    ]


def test_registers_e_and_f_list_the_repairs_and_the_approved_write_offs(tmp_path):
    librarian = UserFactory(roles=[Role.LIBRARIAN], full_name="馆员甲")
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], full_name="管理员乙")
    torn, wet, old = copies_of("格林童话", count=3, price=Decimal("20.00"))
    shelved = repair_open(copy=torn, damage="撕页", reported_by=librarian)
    repair_close(repair=shelved, repaired_by=librarian, result=Repair.Result.SHELVED)
    repair_open(copy=wet, damage="水渍", reported_by=librarian)
    batch = write_off_create(reason=WriteOffBatch.Reason.OUTDATED, user=librarian)
    write_off_add(batch=batch, copies=[old], user=librarian)
    write_off_submit(batch=batch, user=librarian)
    write_off_approve(batch=batch, user=administrator)
    today = timezone.localdate()

    rows, book = workbook(tmp_path, RegisterQuery("E", today, today))
    table = values(book.worksheets[0])
    repairs = repair_register(today, today)
    assert rows == 2 == len(repairs)
    assert [row[2] for row in table[3:5]] == [torn.barcode, wet.barcode]
    assert table[3][6] == "撕页" and table[3][8] == "馆员甲" and table[3][11] == repairs[0]["result"]
    assert table[5][0] == "Reported: 2. Repaired and shelved: 1. To be written off: 0. Still in repair: 1."

    rows, book = workbook(tmp_path, RegisterQuery("F", today, today), name="f.xlsx")
    table = values(book.worksheets[0])
    [item] = write_off_register(today, today)
    assert rows == 1
    assert table[3] == (
        1,
        batch.pk,
        midnight(today),
        old.barcode,
        old.accession_number or None,
        "格林童话",
        old.record.call_number,
        item["publisher"] or None,
        item["year"],
        midnight(item["acquired_on"]) if item["acquired_on"] else None,
        20,
        item["reason"],
        "馆员甲",
        "管理员乙",
    )
    assert table[4][0] == "Total" and table[4][10] == 20


def test_register_h_counts_the_teachers_reservations_of_periodical_issues(tmp_path):
    from circulation.models import IssueReservation

    teacher = ReaderFactory(kind=Reader.Kind.TEACHER, full_name="吴老师", number="T9")
    serial = serial_create(
        title="儿童文学", kind=Serial.Kind.PERIODICAL, frequency=Serial.Frequency.MONTHLY, issn="1000-0003"
    )
    room = Location.objects.get(kind=Location.Kind.PERIODICALS_ROOM)
    subscription = subscription_create(serial=serial, location=room, year=2026, copies=1)
    issue = subscription.issues.get(number=10)
    IssueReservation.objects.create(
        issue=issue,
        reader=teacher,
        placed_at=at(date(2026, 10, 5)),
        state=IssueReservation.State.READY,
        ready_at=at(date(2026, 10, 9)),
        collect_by=date(2026, 10, 14),
    )
    IssueReservation.objects.create(
        issue=issue, reader=teacher, placed_at=at(date(2026, 8, 5)), state=IssueReservation.State.CANCELLED
    )  # fmt: skip  (before the period)

    rows, book = workbook(tmp_path, RegisterQuery("H", SEPT_1, JAN_31))

    assert rows == 1
    table = values(book.worksheets[0])
    assert table[3] == (
        1, midnight(date(2026, 10, 5)), "吴老师", "T9", "Periodical issue", f"儿童文学, 2026, issue 10 ({room.name})",
        None, None, 1, midnight(date(2026, 10, 9)), midnight(date(2026, 10, 14)), "Ready to collect",
    )  # fmt: skip


# --- G: the student service team (issue 18) ----------------------------------------------------


def test_register_g_lists_every_shift_with_its_work_totals_and_print_settings(tmp_path):
    from activities.models import ShiftWork
    from activities.services.team import rota_slot_save, shift_scan, shift_work_log, team_member_add
    from activities.tests.factories import librarian

    staff = librarian()
    member = team_member_add(
        reader=ReaderFactory(full_name="=SUM(A1)", school_class=SchoolClassFactory(grade=5, number=2)),
        joined_on=SEPT_1,
        user=staff,
    )
    slot = rota_slot_save(
        weekday=0, starts_at=time(12), ends_at=time(13), room=location_default(), members=[member], user=staff
    )
    monday = date(2026, 11, 2)
    shift, _in = shift_scan(reader=member.reader, user=None, at=at(monday, 12))
    shift_scan(reader=member.reader, user=None, at=at(monday, 13))
    shift_work_log(shift=shift, kind=ShiftWork.Kind.SHELVING, books=30, user=staff)

    rows, book = workbook(tmp_path, RegisterQuery("G", SEPT_1, JAN_31))

    assert rows == 1
    sheet = book.worksheets[0]
    table = values(sheet)
    assert table[0][0] == "Riverside Primary School Student service team register"
    assert table[1][0].startswith("Period: 1 Sep 2026 to 31 Jan 2027")
    assert table[2][:6] == ("No.", "Day", "Weekday", "Time", "Room", "Member")
    assert table[3][1] == midnight(monday)
    assert table[3][2:8] == (
        "Monday",
        "12:00–13:00",
        location_default().name,
        "'=SUM(A1)",
        "Grade 5 Class 2",
        "On time",
    )
    assert table[3][10:13] == ("Shelving", 30, 0)
    assert table[4][0] == "Total" and table[4][11] == 30
    assert "Books shelved: 30" in table[5][0]
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    data, lines = csv_rows(tmp_path, RegisterQuery("G", SEPT_1, JAN_31))
    assert data.startswith(b"\xef\xbb\xbf")
    assert lines[1][5] == "'=SUM(A1)" and lines[1][11] == "30"
    assert slot.pk


def test_register_g_from_the_command(tmp_path):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "export_register",
        "G",
        "--from",
        "2026-09-01",
        "--to",
        "2027-01-31",
        "--out",
        str(tmp_path / "g.csv"),
        "--language",
        "zh-hans",
        stdout=out,
    )
    text = (tmp_path / "g.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("序号,日期")
    assert "G" in out.getvalue()
