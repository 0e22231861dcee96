"""Reservations of periodical issues by teachers (issue 14 point 11, register H): a reservation
is kept, filled when the issue is checked in or a copy comes back, shown to the teacher, and
refused for other teachers' reservations and for pupils."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Location, Serial, SerialIssue
from catalog.services.serials import issue_receive, issue_receive_undo, serial_create, subscription_create
from circulation.exceptions import IssueReservationRefused, StateRefused
from circulation.models import IssueReservation, Reader
from circulation.registries import reader_page_section_register
from circulation.selectors.issue_reservations import issue_reservations_section, issues_to_reserve
from circulation.services.issue_reservations import (
    issue_reservation_cancel,
    issue_reservation_collect,
    issue_reservation_place,
    issue_reservation_return,
    issue_reservations_expire,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import user_with_role

from .factories import ReaderFactory

pytestmark = pytest.mark.django_db

State = IssueReservation.State


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def subscription():
    serial = serial_create(
        title="少年文艺",
        kind=Serial.Kind.PERIODICAL,
        frequency=Serial.Frequency.MONTHLY,
        issn="1000-0003",
    )
    room = Location.objects.get(kind=Location.Kind.PERIODICALS_ROOM)
    return subscription_create(
        serial=serial, location=room, year=timezone.localdate().year, copies=1, price=Decimal("96")
    )


def teacher(**kwargs):
    return ReaderFactory(kind=Reader.Kind.TEACHER, **kwargs)


def issue(subscription, number):
    return SerialIssue.objects.get(subscription=subscription, number=number)


def test_a_reservation_of_an_issue_to_come_waits_and_is_kept_when_the_issue_is_checked_in(subscription):
    wang, li = teacher(), teacher()
    coming = issue(subscription, 3)
    first = issue_reservation_place(reader=wang, issue=coming, user=wang.user)
    second = issue_reservation_place(reader=li, issue=coming, user=li.user)
    assert (first.state, second.state) == (State.WAITING, State.WAITING)

    issue_receive(issue=coming)

    first.refresh_from_db()
    second.refresh_from_db()
    # One copy comes: it is kept for the first teacher; the second waits for it to come back.
    assert first.state == State.READY and first.collect_by >= timezone.localdate()
    assert second.state == State.WAITING


def test_a_returned_issue_fills_the_next_reservation(subscription):
    wang, li = teacher(), teacher()
    current = issue(subscription, 1)
    issue_receive(issue=current)
    first = issue_reservation_place(reader=wang, issue=current, user=wang.user)
    second = issue_reservation_place(reader=li, issue=current, user=li.user)
    assert (first.state, second.state) == (State.READY, State.WAITING)

    taken = issue_reservation_collect(reservation=first, user=None)
    assert taken.state == State.COLLECTED and taken.due_on == timezone.localdate() + timedelta(days=7)
    filled = issue_reservation_return(reservation=first, user=None)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.RETURNED and first.closed_at is not None
    assert [reservation.pk for reservation in filled] == [second.pk]
    assert second.state == State.READY


def test_an_undone_check_in_puts_the_kept_reservation_back_to_waiting(subscription):
    wang = teacher()
    current = issue(subscription, 1)
    issue_receive(issue=current)
    reservation = issue_reservation_place(reader=wang, issue=current, user=wang.user)
    assert reservation.state == State.READY

    issue_receive_undo(issue=current)

    reservation.refresh_from_db()
    assert (reservation.state, reservation.collect_by) == (State.WAITING, None)


def test_a_reservation_not_collected_expires_and_the_next_teacher_gets_the_issue(subscription):
    wang, li = teacher(), teacher()
    current = issue(subscription, 1)
    issue_receive(issue=current)
    first = issue_reservation_place(reader=wang, issue=current, user=wang.user)
    second = issue_reservation_place(reader=li, issue=current, user=li.user)

    assert issue_reservations_expire(today=first.collect_by + timedelta(days=1)) == 1
    assert issue_reservations_expire(today=first.collect_by + timedelta(days=1)) == 0

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.EXPIRED, State.READY)


@pytest.mark.parametrize("case", ["pupil", "old issue", "twice", "bound"])
def test_refused_reservations_change_nothing(subscription, case):
    wang = teacher()
    for number in (1, 2):
        issue_receive(issue=issue(subscription, number))
    reader, wanted = wang, issue(subscription, 2)
    if case == "pupil":
        reader = ReaderFactory()
    elif case == "old issue":
        wanted = issue(subscription, 1)
    elif case == "twice":
        issue_reservation_place(reader=wang, issue=wanted, user=None)
    elif case == "bound":
        from catalog.services.serials import binding_create

        binding_create(subscription=subscription, first=1, last=2)
    before = IssueReservation.objects.count()
    with pytest.raises(IssueReservationRefused) as refusal:
        issue_reservation_place(reader=reader, issue=wanted, user=None)
    assert IssueReservation.objects.count() == before
    assert {
        "pupil": "Only teachers",
        "old issue": "no longer the current one",
        "twice": "already reserved",
        "bound": "bound into a volume",
    }[case] in str(refusal.value.message)


def test_a_returned_reservation_cannot_be_cancelled(subscription):
    wang = teacher()
    current = issue(subscription, 1)
    issue_receive(issue=current)
    reservation = issue_reservation_place(reader=wang, issue=current, user=None)
    issue_reservation_collect(reservation=reservation, user=None)
    issue_reservation_return(reservation=reservation, user=None)
    with pytest.raises(StateRefused):
        issue_reservation_cancel(reservation=reservation, user=None)
    reservation.refresh_from_db()
    assert reservation.state == State.RETURNED


def test_the_list_shows_the_current_issue_with_free_copies_and_the_next(
    subscription, django_assert_max_num_queries
):
    issue_receive(issue=issue(subscription, 1))
    issue_receive(issue=issue(subscription, 2))
    issue_reservation_place(reader=teacher(), issue=issue(subscription, 2), user=None)
    with django_assert_max_num_queries(3):
        rows = issues_to_reserve()
    (row,) = rows
    assert (row["current"].number, row["current_free"], row["next"].number) == (2, 0, 3)


# --- the pages ---------------------------------------------------------------------------------


def test_a_teacher_reserves_on_their_page_and_sees_it_on_my_library(client, subscription):
    wang = teacher()
    current = issue(subscription, 1)
    issue_receive(issue=current)
    client.force_login(wang.user)

    response = client.post(reverse("circulation:issue-reservations-mine"), {"issue": current.pk})

    assert response.status_code == 302
    reservation = IssueReservation.objects.get(reader=wang)
    assert reservation.state == State.READY
    page = client.get(reverse("circulation:issue-reservations-mine")).content.decode()
    assert f'data-reservation="{reservation.pk}" data-state="ready"' in page
    with reader_page_section_register(issue_reservations_section):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        home = client.get(reverse("circulation:my-library")).content.decode()
    assert "1 issue is kept for you" in home


def test_a_teacher_cannot_cancel_another_teachers_reservation(client, subscription):
    wang, li = teacher(), teacher()
    current = issue(subscription, 1)
    issue_receive(issue=current)
    theirs = issue_reservation_place(reader=li, issue=current, user=None)
    client.force_login(wang.user)

    response = client.post(reverse("circulation:issue-reservation-cancel", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == State.READY


def test_a_pupil_has_no_reservation_page_and_the_desk_hands_over_and_takes_back(client, subscription):
    pupil = ReaderFactory()
    client.force_login(pupil.user)
    assert client.get(reverse("circulation:issue-reservations-mine")).status_code == 403
    assert client.get(reverse("circulation:issue-reservations-desk")).status_code == 403

    wang = teacher()
    current = issue(subscription, 1)
    issue_receive(issue=current)
    reservation = issue_reservation_place(reader=wang, issue=current, user=None)
    librarian = user_with_role(Role.LIBRARIAN)
    client.force_login(librarian)
    page = client.get(reverse("circulation:issue-reservations-desk")).content.decode()
    assert f'data-reservation="{reservation.pk}"' in page
    client.post(
        reverse("circulation:issue-reservations-desk"), {"reservation": reservation.pk, "action": "collect"}
    )
    reservation.refresh_from_db()
    assert reservation.state == State.COLLECTED
    client.post(
        reverse("circulation:issue-reservations-desk"), {"reservation": reservation.pk, "action": "unknown"}
    )
    reservation.refresh_from_db()
    assert reservation.state == State.COLLECTED
    client.post(
        reverse("circulation:issue-reservations-desk"), {"reservation": reservation.pk, "action": "return"}
    )
    reservation.refresh_from_db()
    assert reservation.state == State.RETURNED and reservation.closed_by == librarian
