"""Class sets: a teacher books copies for a lesson; the desk lends them in one step."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Copy
from circulation.exceptions import BookingRefused
from circulation.models import ClassSetBooking, Loan
from circulation.policies import Calendar
from circulation.services.class_sets import class_set_book, class_set_lend
from circulation.services.holds import hold_place
from circulation.services.loans import loan_checkout
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def teacher():
    return ReaderFactory(kind="teacher", number="T200", full_name="王老师")


def book(teacher, record, copies, start=TODAY, days=7, school_class=None):
    return class_set_book(
        teacher=teacher,
        school_class=school_class or SchoolClassFactory(),
        record=record,
        copies=copies,
        starts_on=start,
        ends_on=start + timedelta(days=days),
    )


def test_bookings_are_checked_against_each_other_and_holds(teacher):
    copies = copies_of(count=10)
    record = copies[0].record
    book(teacher, record, 6)
    with pytest.raises(BookingRefused) as refusal:
        book(teacher, record, 5)
    assert "4" in str(refusal.value.message)
    book(teacher, record, 5, start=TODAY + timedelta(days=10))  # other dates: free again
    assert ClassSetBooking.objects.count() == 2


def test_waiting_holds_keep_copies_back(teacher):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    (copy,) = copies_of(count=1)
    loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)
    hold_place(reader=ReaderFactory(), record=copy.record, user=None)
    with pytest.raises(BookingRefused):
        book(teacher, copy.record, 1)


def test_only_teachers_book(teacher):
    (copy,) = copies_of()
    with pytest.raises(BookingRefused):
        book(ReaderFactory(), copy.record, 1)
    assert not ClassSetBooking.objects.exists()


def test_the_desk_lends_a_class_set_in_one_step(teacher):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    copies = copies_of(count=5)
    booking = book(teacher, copies[0].record, 4)
    loans = class_set_lend(booking=booking, user=librarian)
    assert len(loans) == 4 and all(loan.reader == teacher and loan.booking == booking for loan in loans)
    assert Copy.objects.filter(status=Copy.Status.ON_LOAN).count() == 4
    with pytest.raises(BookingRefused):
        class_set_lend(booking=booking, user=librarian)
    assert Loan.objects.count() == 4


def test_a_teacher_books_through_the_page_and_a_student_may_not(client, teacher):
    copies = copies_of(count=5)
    record = copies[0].record
    school_class = SchoolClassFactory(grade=4, number=3)
    url = reverse("circulation:class-set-new", args=[record.pk])
    student = ReaderFactory()
    client.force_login(student.user)
    assert client.get(url).status_code == 403
    client.force_login(teacher.user)
    data = {
        "school_class": school_class.pk,
        "copies": 3,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=3)).isoformat(),
    }
    assert client.post(url, data).status_code == 302
    booking = ClassSetBooking.objects.get()
    assert booking.copies == 3 and booking.school_class == school_class
    page = client.get(reverse("circulation:my-library")).content.decode()
    assert f'data-booking="{booking.pk}"' in page
    too_many = client.post(url, {**data, "copies": 9}).content.decode()
    assert "class-set-form" in too_many and ClassSetBooking.objects.count() == 1
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    client.force_login(librarian)
    assert f'data-booking="{booking.pk}"' in client.get(reverse("circulation:class-sets")).content.decode()
    client.post(reverse("circulation:class-set-lend", args=[booking.pk]))
    assert Loan.objects.filter(booking=booking).count() == 3


def test_lending_a_class_set_takes_the_same_queries_whatever_its_size(teacher):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    warm, small, large = (book(teacher, copies_of(count=n)[0].record, n) for n in (1, 2, 30))
    class_set_lend(booking=warm, user=librarian)  # the lending rules, cached
    counts = []
    for booking in (small, large):
        with CaptureQueriesContext(connection) as queries:
            class_set_lend(booking=booking, user=librarian)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    loans = Loan.objects.filter(booking=large)
    assert loans.count() == 30
    due_on = Calendar.load(TODAY).next_open_day(large.ends_on)
    assert set(loans.values_list("reader_id", "reader_kind", "due_on")) == {(teacher.pk, "teacher", due_on)}
