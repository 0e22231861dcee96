"""The reader's own pages and the administrator's policy pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.models import ClosedPeriod, Hold, Loan, LoanPolicy, Term
from circulation.services.holds import hold_place
from circulation.services.loans import loan_checkout, loan_return
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
MINE = reverse("circulation:my-library")


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


def test_a_student_sees_their_loans_with_overdue_days_and_history_and_nobody_elses(client, librarian):
    pupil = ReaderFactory(full_name="林小雨")
    other = ReaderFactory(full_name="王大山")
    mine, old, theirs = copies_of(count=3)
    loan_checkout(reader=pupil, copy=old, user=librarian)
    loan_return(copy=old, user=librarian)
    loan = loan_checkout(reader=pupil, copy=mine, user=librarian).loan
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    loan_checkout(reader=other, copy=theirs, user=librarian)
    client.force_login(pupil.user)
    page = client.get(MINE).content.decode()
    assert f'data-loan="{mine.barcode}"' in page and "超期 3 天" in page
    assert f'data-loan="{theirs.barcode}"' not in page
    assert page.count("data-history") == 1


def test_a_student_renews_their_own_loan_but_not_anothers(client, librarian):
    pupil, other = ReaderFactory(), ReaderFactory()
    first, second = copies_of(count=2)
    mine = loan_checkout(reader=pupil, copy=first, user=librarian).loan
    theirs = loan_checkout(reader=other, copy=second, user=librarian).loan
    Loan.objects.update(due_on=timezone.localdate() + timedelta(days=1))
    client.force_login(pupil.user)
    assert client.post(reverse("circulation:my-loan-renew", args=[theirs.pk])).status_code == 404
    assert Loan.objects.get(pk=theirs.pk).renewals == 0
    response = client.post(reverse("circulation:my-loan-renew", args=[mine.pk]), follow=True)
    assert Loan.objects.get(pk=mine.pk).renewals == 1
    assert "已续借" in response.content.decode()


def test_a_student_places_a_hold_sees_the_queue_and_cancels(client, librarian):
    pupil, other = ReaderFactory(), ReaderFactory()
    (copy,) = copies_of()
    loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)
    hold_place(reader=other, record=copy.record, user=None)
    client.force_login(pupil.user)
    client.post(reverse("circulation:hold-place", args=[copy.record.pk]))
    hold = Hold.objects.get(reader=pupil)
    page = client.get(MINE).content.decode()
    assert "排队第 2 位" in page
    other_hold = Hold.objects.get(reader=other)
    assert client.post(reverse("circulation:my-hold-cancel", args=[other_hold.pk])).status_code == 404
    client.post(reverse("circulation:my-hold-cancel", args=[hold.pk]))
    hold.refresh_from_db()
    other_hold.refresh_from_db()
    assert hold.state == Hold.State.CANCELLED and other_hold.state == Hold.State.WAITING


def test_a_hold_while_a_copy_is_on_the_shelf_is_refused_plainly(client):
    pupil = ReaderFactory()
    (copy,) = copies_of()
    client.force_login(pupil.user)
    page = client.post(reverse("circulation:hold-place", args=[copy.record.pk])).content.decode()
    assert "data-refusal" in page and not Hold.objects.exists()


def test_a_head_teacher_sees_their_class_loans_only(client, librarian):
    teacher = ReaderFactory(kind="teacher", number="T100")
    mine = SchoolClassFactory(grade=4, number=1, head_teacher=teacher.user)
    pupil = ReaderFactory(full_name="林小雨", school_class=mine)
    stranger = ReaderFactory(full_name="王大山", school_class=SchoolClassFactory(grade=4, number=2))
    first, second = copies_of(count=2)
    loan_checkout(reader=pupil, copy=first, user=librarian)
    loan_checkout(reader=stranger, copy=second, user=librarian)
    client.force_login(teacher.user)
    page = client.get(MINE).content.decode()
    assert page.count("data-class-loan") == 1 and "林小雨" in page and "王大山" not in page


def test_the_reader_page_takes_the_same_queries_whatever_the_history(
    client, librarian, django_assert_max_num_queries
):
    counts = []
    for past in (1, 50):
        pupil = ReaderFactory()
        for copy in copies_of(count=past):
            loan_checkout(reader=pupil, copy=copy, user=librarian)
            loan_return(copy=copy, user=librarian)
        client.force_login(pupil.user)
        with django_assert_max_num_queries(40) as queries:
            client.get(MINE)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --- the administrator's pages -------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    return client


def test_the_administrator_edits_a_policy(admin_client):
    policy = LoanPolicy.objects.get(name="小学生 图书")
    data = {
        "name": policy.name,
        "reader_group": "student",
        "grade_from": 1,
        "grade_to": 6,
        "material_type": "",
        "loan_days": 21,
        "max_loans": 3,
        "renewals": 1,
        "renewal_days": 14,
        "holds_allowed": "on",
        "block_on_overdue": "on",
        "is_active": "on",
    }
    response = admin_client.post(reverse("circulation:policy-edit", args=[policy.pk]), data)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.loan_days, policy.max_loans) == (21, 3)


def test_a_zero_period_is_refused_with_a_message_and_nothing_changes(admin_client):
    policy = LoanPolicy.objects.get(name="小学生 图书")
    data = {
        "name": policy.name,
        "reader_group": "student",
        "loan_days": 0,
        "max_loans": 2,
        "renewals": 1,
        "renewal_days": 14,
    }
    page = admin_client.post(reverse("circulation:policy-edit", args=[policy.pk]), data).content.decode()
    assert "借期至少为一天" in page
    policy.refresh_from_db()
    assert policy.loan_days == 14


def test_the_administrator_enters_the_calendar(admin_client):
    admin_client.post(
        reverse("circulation:closed-create"),
        {"name": "国庆节", "kind": "holiday", "starts_on": "2026-10-01", "ends_on": "2026-10-07"},
    )
    assert ClosedPeriod.objects.get().name == "国庆节"
    page = admin_client.post(
        reverse("circulation:closed-create"),
        {"name": "坏", "kind": "holiday", "starts_on": "2026-10-07", "ends_on": "2026-10-01"},
    ).content.decode()
    assert "闭馆末日不能早于闭馆首日" in page and ClosedPeriod.objects.count() == 1
    admin_client.post(
        reverse("circulation:term-create"),
        {
            "name": "2026 秋",
            "starts_on": "2026-09-01",
            "ends_on": "2027-01-20",
            "hard_due_on": "2027-01-10",
            "freeze_days_before_exams": 14,
        },
    )
    assert Term.objects.get().hard_due_on == date(2027, 1, 10)
    admin_client.post(
        reverse("circulation:policy-settings"),
        {
            "closed_weekdays": ["6"],
            "suspension_days_per_late_day": 1,
            "fine_per_day": "0",
            "lost_multiplier": "3",
            "hold_pickup_days": 3,
            "graduating_grades": "6，9",
        },
    )
    from circulation.models import CirculationSettings

    settings = CirculationSettings.current()
    assert (settings.closed_weekdays, settings.graduating_grades, settings.hold_pickup_days) == (
        "6",
        "6,9",
        3,
    )
    assert "国庆节" in admin_client.get(reverse("circulation:policies")).content.decode()


def test_a_librarian_may_not_edit_policies(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    policy = LoanPolicy.objects.first()
    response = client.post(reverse("circulation:policy-edit", args=[policy.pk]), {"loan_days": 99})
    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.loan_days != 99


def test_a_lost_book_gets_a_printable_receipt(client, librarian):
    from decimal import Decimal

    pupil = ReaderFactory(full_name="林小雨")
    (copy,) = copies_of(price=Decimal("30.00"))
    loan = loan_checkout(reader=pupil, copy=copy, user=librarian).loan
    client.force_login(librarian)
    page = client.get(reverse("circulation:loan-lost", args=[loan.pk])).content.decode()
    assert 'value="30.00"' in page
    response = client.post(reverse("circulation:loan-lost", args=[loan.pk]), {"price": "30.00"}, follow=True)
    page = response.content.decode()
    assert "data-receipt" in page and "60.00" in page and "林小雨" in page


def test_staff_see_the_loan_history_of_a_reader_and_of_a_copy_and_volunteers_do_not(client, librarian):
    pupil = ReaderFactory(full_name="林小雨")
    (copy,) = copies_of("草房子")
    loan_checkout(reader=pupil, copy=copy, user=librarian)
    loan_return(copy=copy, user=librarian)
    client.force_login(librarian)
    page = client.get(reverse("circulation:reader-loans", args=[pupil.pk])).content.decode()
    assert page.count("data-history") == 1 and "草房子" in page
    page = client.get(reverse("circulation:copy-loans", args=[copy.pk])).content.decode()
    assert page.count("data-history") == 1 and "林小雨" in page
    client.force_login(ReaderFactory(extra_roles=(Role.VOLUNTEER,)).user)
    assert client.get(reverse("circulation:reader-loans", args=[pupil.pk])).status_code == 403
    assert client.get(reverse("circulation:copy-loans", args=[copy.pk])).status_code == 403
