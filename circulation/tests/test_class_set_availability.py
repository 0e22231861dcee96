"""Class sets (issue 14, point 8): copies on loan past the booking's first day are not free
(a set could be overbooked), the teacher's own class is preselected and the number of copies
starts at what is free."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.exceptions import BookingRefused
from circulation.models import ClassSetBooking, Loan
from circulation.selectors.class_sets import class_set_free_copies
from circulation.services.class_sets import class_set_book, class_set_lend
from circulation.services.loans import loan_checkout
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def teacher():
    return ReaderFactory(kind="teacher", number="T200", full_name="王老师")


def test_copies_on_loan_past_the_first_day_are_not_free(librarian, teacher):
    copies = copies_of(count=10)
    record = copies[0].record
    for copy in copies[:4]:
        loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)  # due in about two weeks
    Loan.objects.filter(copy=copies[0]).update(due_on=TODAY + timedelta(days=2))  # back before
    Loan.objects.filter(copy=copies[1]).update(due_on=TODAY - timedelta(days=3))  # overdue
    start = TODAY + timedelta(days=5)
    assert class_set_free_copies(record=record, starts_on=start, ends_on=start + timedelta(days=3)) == 7
    with pytest.raises(BookingRefused):
        class_set_book(
            teacher=teacher,
            school_class=SchoolClassFactory(),
            record=record,
            copies=8,
            starts_on=start,
            ends_on=start + timedelta(days=3),
        )
    assert not ClassSetBooking.objects.exists()


def test_a_lent_class_set_is_counted_once_not_as_booking_and_loans(librarian, teacher):
    copies = copies_of(count=10)
    record = copies[0].record
    booking = class_set_book(
        teacher=teacher,
        school_class=SchoolClassFactory(),
        record=record,
        copies=6,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=7),
    )
    class_set_lend(booking=booking, user=librarian)
    assert (
        class_set_free_copies(
            record=record, starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=2)
        )
        == 4
    )


def test_the_query_count_does_not_grow_with_the_loans(librarian, django_assert_num_queries):
    copies = copies_of(count=12)
    record = copies[0].record
    loan_checkout(reader=ReaderFactory(), copy=copies[0], user=librarian)
    with django_assert_num_queries(4):
        class_set_free_copies(record=record, starts_on=TODAY, ends_on=TODAY)
    for copy in copies[1:]:
        loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)
    with django_assert_num_queries(4):
        assert class_set_free_copies(record=record, starts_on=TODAY, ends_on=TODAY) == 0


def test_the_form_preselects_the_teachers_class_and_the_free_copies(client, librarian, teacher):
    SchoolClassFactory(grade=2, number=1)
    own = SchoolClassFactory(grade=3, number=2, head_teacher=teacher.user)
    copies = copies_of(count=9)
    loan_checkout(reader=ReaderFactory(), copy=copies[0], user=librarian)
    client.force_login(teacher.user)
    page = client.get(reverse("circulation:class-set-new", args=[copies[0].record_id])).content.decode()
    assert f'<option value="{own.pk}" selected>' in page
    assert 'name="copies" value="8"' in page


def test_a_teacher_who_heads_no_class_gets_no_class_preselected(client, teacher):
    other = SchoolClassFactory(grade=3, number=2, head_teacher=UserFactory())
    (copy,) = copies_of(count=1)
    client.force_login(teacher.user)
    page = client.get(reverse("circulation:class-set-new", args=[copy.record_id])).content.decode()
    assert f'<option value="{other.pk}" selected>' not in page and 'name="copies" value="1"' in page
