"""Reading rooms (visits at the door, the class timetable, opening hours) and the commands."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import Location
from circulation.exceptions import CardNotValid, RoomNotAvailable
from circulation.models import ClassSession, OpeningHours, Reader, SchoolClass, Visit
from circulation.services.readers import card_issue
from circulation.services.rooms import class_session_book, opening_hours_add, visit_record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory
from .roster_files import roster_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    return Location.objects.create(name="第一阅览室", kind=Location.Kind.READING_ROOM)


@pytest.fixture
def desk_client(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


def test_a_card_scanned_at_the_door_records_one_visit(room):
    reader = ReaderFactory(card_number="R0000009")
    visit, new = visit_record(room=room, scan=" ｒ0000009 ")
    assert new and visit.reader == reader
    again, new_again = visit_record(room=room, scan="R0000009")
    assert again == visit and not new_again
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("scan", ["", "NOPE", "R0000001"])
def test_unknown_blocked_or_empty_scans_are_refused_and_record_nothing(room, scan):
    reader = ReaderFactory(card_number="R0000001")
    card_issue(reader=reader, number="R0000002", reason="丢失")
    with pytest.raises(CardNotValid):
        visit_record(room=room, scan=scan)
    assert Visit.objects.count() == 0


def test_a_graduate_cannot_come_in_and_a_stacks_room_is_not_a_reading_room(room):
    reader = ReaderFactory(card_number="R0000003")
    Reader.objects.filter(pk=reader.pk).update(status=Reader.Status.GRADUATED)
    with pytest.raises(CardNotValid):
        visit_record(room=room, scan="R0000003")
    stacks = Location.objects.create(name="试验书库", kind=Location.Kind.STACKS)
    with pytest.raises(RoomNotAvailable):
        visit_record(room=stacks, scan="R0000003")
    assert Visit.objects.count() == 0


def test_the_kiosk_answers_in_place(desk_client, room):
    ReaderFactory(card_number="R0000004", full_name="林小雨")
    url = reverse("circulation:room-kiosk", args=[room.pk])
    page = desk_client.get(url).content.decode()
    assert "data-keep-focus" in page and "autofocus" in page
    answer = desk_client.post(url, {"scan": "R0000004"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in answer and "林小雨" in answer
    refusal = desk_client.post(url, {"scan": "BAD"}, HTTP_HX_REQUEST="true").content.decode()
    assert "data-refusal" in refusal


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_the_kiosk_and_the_timetable_refuse_readers(client, room, role):
    user = (
        ReaderFactory().user if role == "student" else ReaderFactory(kind="teacher", school_class=None).user
    )
    client.force_login(user)
    assert client.post(reverse("circulation:room-kiosk", args=[room.pk]), {"scan": "x"}).status_code == 403
    assert client.get(reverse("circulation:room-week", args=[room.pk])).status_code == 403
    assert Visit.objects.count() == 0


def test_a_class_session_is_booked_once_per_room_and_period(room):
    class_1 = SchoolClassFactory(grade=3, number=1)
    class_2 = SchoolClassFactory(grade=3, number=2)
    day = datetime.date(2026, 3, 2)
    class_session_book(room=room, school_class=class_1, date=day, period=3)
    with pytest.raises(RoomNotAvailable):
        class_session_book(room=room, school_class=class_2, date=day, period=3)
    other_room = Location.objects.create(name="第二阅览室", kind=Location.Kind.READING_ROOM)
    with pytest.raises(RoomNotAvailable):  # one class cannot be in two rooms at once
        class_session_book(room=other_room, school_class=class_1, date=day, period=3)
    assert ClassSession.objects.count() == 1


def test_opening_hours_add_up_to_the_week_and_overlaps_are_refused(desk_client, room):
    for weekday in range(1, 6):
        opening_hours_add(room=room, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(16))
    with pytest.raises(RoomNotAvailable):
        opening_hours_add(room=room, weekday=1, opens_at=datetime.time(15), closes_at=datetime.time(17))
    with pytest.raises(RoomNotAvailable):
        opening_hours_add(room=room, weekday=2, opens_at=datetime.time(18), closes_at=datetime.time(17))
    assert OpeningHours.objects.count() == 5
    page = desk_client.get(reverse("circulation:room-week", args=[room.pk])).content.decode()
    assert 'data-weekly-hours="40.0"' in page


def test_the_timetable_page_books_a_session(desk_client, room):
    school_class = SchoolClassFactory(grade=4, number=1)
    url = reverse("circulation:room-week", args=[room.pk])
    response = desk_client.post(
        url, {"session-school_class": school_class.pk, "session-date": "2026-03-04", "session-period": 2}
    )
    assert response.status_code == 302
    page = desk_client.get(response["Location"]).content.decode()
    assert 'data-session="四年级(1)班"' in page


# --- commands -------------------------------------------------------------------------------------


def test_import_roster_dry_run_saves_nothing_and_the_real_run_saves(tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", [("S1", "张一", "男", "三年级(2)班", "")])
    out = io.StringIO()
    call_command("import_roster", str(path), "--dry-run", stdout=out)
    assert "1 new readers" in out.getvalue() and Reader.objects.count() == 0
    slips = tmp_path / "slips.pdf"
    call_command("import_roster", str(path), "--slips", str(slips), stdout=io.StringIO())
    assert Reader.objects.get().number == "S1"
    # The new reader's first password is printed on the slips, where the librarian asked.
    assert slips.read_bytes().startswith(b"%PDF")


def test_import_roster_refuses_with_row_numbers_and_saves_nothing(tmp_path):
    path = roster_xlsx(
        tmp_path / "r.xlsx", [("S1", "张一", "男", "三年级(2)班", ""), ("S1", "", "男", "3-2-1", "")]
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 3:" in err.getvalue()
    assert Reader.objects.count() == 0 and SchoolClass.objects.count() == 0


def test_import_roster_writes_the_template(tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("import_roster", str(path), "--template", stdout=io.StringIO())
    assert path.read_bytes()[:2] == b"PK"


def test_promote_grades_dry_run_then_for_real():
    school_class = SchoolClassFactory(grade=6, number=1)
    younger = SchoolClassFactory(grade=5, number=1)
    out = io.StringIO()
    call_command("promote_grades", "--dry-run", stdout=out)
    assert "nothing was changed" in out.getvalue()
    school_class.refresh_from_db()
    assert school_class.is_active
    call_command("promote_grades", stdout=io.StringIO())
    school_class.refresh_from_db()
    younger.refresh_from_db()
    assert not school_class.is_active and younger.grade == 6


def test_promote_grades_refuses_an_empty_school():
    with pytest.raises(CommandError):
        call_command("promote_grades", stdout=io.StringIO())


def test_generate_school_makes_readers_with_accounts_and_cards_and_refuses_to_run_twice(client):
    call_command(
        "generate_school",
        "--students",
        "120",
        "--classes",
        "6",
        "--teachers",
        "8",
        "--password",
        "pw123456",
        stdout=io.StringIO(),
    )
    assert Reader.objects.filter(kind="student").count() == 120
    assert Reader.objects.filter(kind="teacher").count() == 8
    assert SchoolClass.objects.count() == 6
    assert SchoolClass.objects.filter(head_teacher__isnull=True).count() == 0
    reader = Reader.objects.filter(kind="student").first()
    assert reader.cards.get().is_active and reader.user.check_password("pw123456")
    assert reader.user.groups.get().name == Role.STUDENT.value
    with pytest.raises(CommandError):
        call_command(
            "generate_school", "--students", "120", "--classes", "6", "--teachers", "8", stdout=io.StringIO()
        )
