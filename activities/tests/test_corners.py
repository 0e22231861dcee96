"""Class book corners (issue 18): lending a batch, returning with the missing listed, rotation
between parallel classes, donations reviewed first, the class's light register, the stocktake,
the figures; refusals change nothing; other people's corners are not shown."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from catalog.models import Copy, CopyStatusChange, Location
from circulation.models import Loan
from circulation.tests.factories import SchoolClassFactory, copies_of

from ..exceptions import CornerRefused
from ..models import ClassCorner, CornerBatch, CornerDonation, CornerLending, CornerLoan, CornerRotation
from ..selectors.corners import corner_figures, rotation_preview
from ..services.corners import (
    corner_donation_record,
    corner_donation_review,
    corner_for_class,
    corner_keeper_set,
    corner_lend,
    corner_lending_record,
    corner_return,
    corner_stocktake,
    rotation_carry_out,
    rotation_plan_create,
)
from ..states import CORNER_DONATION_STATES, CORNER_LOAN_STATES
from .factories import librarian, pupil, teacher

pytestmark = pytest.mark.django_db


def _codes(copies):
    return [copy.barcode for copy in copies]


@pytest.fixture
def staff():
    return librarian()


@pytest.fixture
def corner(staff):
    return corner_for_class(school_class=SchoolClassFactory(grade=3, number=1), user=staff)


def test_a_corner_gets_a_class_corner_location_of_its_own(corner):
    assert corner.location.kind == Location.Kind.CLASS_CORNER
    assert corner.location.name == "三年级(1)班图书角"


def test_lending_a_batch_puts_every_copy_in_the_corner_through_catalog(staff, corner):
    copies = copies_of("草房子", count=3)
    stacks = copies[0].location

    batch = corner_lend(corner=corner, barcodes="\n".join(_codes(copies)), user=staff)

    assert batch.copies_count == 3
    assert set(Copy.objects.filter(pk__in=[c.pk for c in copies]).values_list("status", "location")) == {
        (Copy.Status.IN_CLASS_CORNER, corner.location.pk)
    }
    assert CopyStatusChange.objects.filter(to_status=Copy.Status.IN_CLASS_CORNER).count() == 3
    assert set(CornerLoan.objects.values_list("home_location", flat=True)) == {stacks.pk}


def test_a_copy_on_loan_refuses_the_whole_batch(staff, corner):
    copies = copies_of(count=2)
    reader = pupil()
    Loan.objects.create(reader=reader, copy=copies[1], due_on=date(2030, 1, 1), reader_kind="student")
    Copy.objects.filter(pk=copies[1].pk).update(status=Copy.Status.ON_LOAN)

    with pytest.raises(CornerRefused) as error:
        corner_lend(corner=corner, barcodes=_codes(copies), user=staff)

    assert copies[1].barcode in str(error.value.message)
    assert str(Copy.Status.ON_LOAN.label) in str(error.value.message)
    assert CornerLoan.objects.count() == 0
    assert Copy.objects.get(pk=copies[0].pk).status == Copy.Status.AVAILABLE


def test_a_copy_in_another_corner_is_refused_naming_that_class(staff, corner):
    other = corner_for_class(school_class=SchoolClassFactory(grade=3, number=2), user=staff)
    copies = copies_of(count=2)
    corner_lend(corner=other, barcodes=_codes(copies[:1]), user=staff)

    with pytest.raises(CornerRefused) as error:
        corner_lend(corner=corner, barcodes=_codes(copies), user=staff)

    assert "三年级(2)班" in str(error.value.message)
    assert CornerLoan.objects.filter(corner=corner).count() == 0


def test_an_unknown_barcode_refuses_the_batch(staff, corner):
    with pytest.raises(CornerRefused) as error:
        corner_lend(corner=corner, barcodes=["NOPE1"], user=staff)
    assert "NOPE1" in str(error.value.message)
    assert CornerBatch.objects.count() == 0


def test_return_in_one_step_lists_the_missing_and_declares_them_lost(staff, corner):
    copies = copies_of(count=3)
    corner_lend(corner=corner, barcodes=_codes(copies), user=staff)

    batch = corner_return(corner=corner, barcodes=_codes(copies[:2]), user=staff)

    assert (batch.copies_count, batch.missing_count) == (2, 1)
    statuses = dict(Copy.objects.filter(pk__in=[c.pk for c in copies]).values_list("barcode", "status"))
    assert statuses == {
        copies[0].barcode: Copy.Status.AVAILABLE,
        copies[1].barcode: Copy.Status.AVAILABLE,
        copies[2].barcode: Copy.Status.LOST,
    }
    assert Copy.objects.get(pk=copies[0].pk).location == copies[0].location
    assert list(
        CornerLoan.objects.filter(state=CornerLoan.State.LOST).values_list("copy__barcode", flat=True)
    ) == [copies[2].barcode]


def test_a_return_scanning_a_stranger_changes_nothing(staff, corner):
    copies = copies_of(count=2)
    corner_lend(corner=corner, barcodes=_codes(copies[:1]), user=staff)

    with pytest.raises(CornerRefused):
        corner_return(corner=corner, barcodes=_codes(copies), user=staff)

    assert Copy.objects.get(pk=copies[0].pk).status == Copy.Status.IN_CLASS_CORNER
    assert CornerLoan.objects.get().state == CornerLoan.State.IN_CORNER


def _grade(staff, *, classes=3, books=2, grade=4):
    corners = [
        corner_for_class(school_class=SchoolClassFactory(grade=grade, number=n), user=staff)
        for n in range(1, classes + 1)
    ]
    lent = []
    for index, corner in enumerate(corners):
        copies = copies_of(f"书{index}", count=books)
        corner_lend(corner=corner, barcodes=_codes(copies), user=staff)
        lent.append(copies)
    plan = rotation_plan_create(
        classes=[corner.school_class for corner in corners],
        every_weeks=4,
        starts_on=date(2026, 10, 1),
        user=staff,
    )
    return corners, lent, plan


def test_rotation_moves_each_batch_to_the_next_parallel_class_and_the_missing_stay(staff):
    corners, lent, plan = _grade(staff)
    missing = lent[0][0]

    preview = rotation_preview(plan)
    assert [(share.school_class.number, share.to_class.number, len(share.copies)) for share in preview] == [
        (1, 2, 2),
        (2, 3, 2),
        (3, 1, 2),
    ]

    rotation = rotation_carry_out(plan=plan, missing=missing.barcode, user=staff)

    assert (rotation.moved_count, rotation.missing_count) == (5, 1)
    where = dict(
        CornerLoan.objects.filter(state=CornerLoan.State.IN_CORNER).values_list(
            "copy__barcode", "corner__school_class__number"
        )
    )
    assert where[lent[0][1].barcode] == 2
    assert where[lent[1][0].barcode] == 3
    assert where[lent[2][0].barcode] == 1
    assert where[missing.barcode] == 1  # stays with the class that lost it
    assert Copy.objects.get(pk=lent[1][0].pk).location == corners[2].location
    assert CornerLoan.objects.get(copy=missing, state=CornerLoan.State.IN_CORNER).missing_since is not None
    page = rotation_preview(plan)
    assert [len(share.staying) for share in page] == [1, 0, 0]


def test_rotation_queries_do_not_grow_with_the_books(staff, django_assert_max_num_queries):
    _corners, _lent, plan = _grade(staff, classes=3, books=2)
    with django_assert_max_num_queries(40) as few:
        rotation_carry_out(plan=plan, user=staff)
    _corners, _lent, bigger = _grade(staff, classes=3, books=12, grade=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rotation_carry_out(plan=bigger, user=staff)


def test_a_rotation_of_classes_of_different_grades_is_refused(staff):
    classes = [SchoolClassFactory(grade=3, number=7), SchoolClassFactory(grade=4, number=7)]
    with pytest.raises(CornerRefused) as error:
        rotation_plan_create(classes=classes, every_weeks=4, starts_on=date(2026, 10, 1), user=staff)
    assert "同一年级" in str(error.value.message) or "one grade" in str(error.value.message)


def test_a_missing_barcode_not_in_the_rotation_changes_nothing(staff):
    _corners, _lent, plan = _grade(staff, classes=2, books=1)
    stranger = copies_of(count=1)[0]
    with pytest.raises(CornerRefused):
        rotation_carry_out(plan=plan, missing=stranger.barcode, user=staff)
    assert CornerRotation.objects.count() == 0
    assert CornerLoan.objects.filter(state=CornerLoan.State.ROTATED).count() == 0


def test_a_donation_awaits_review_then_goes_to_the_corner(staff, corner):
    donor = pupil(school_class=corner.school_class)

    donation = corner_donation_record(
        corner=corner, donor=donor, lines=[{"title": "小王子", "quantity": 2}], user=staff
    )

    copies = list(Copy.objects.filter(delivery_lines__delivery=donation.delivery))
    assert [copy.status for copy in copies] == [Copy.Status.AWAITING_REVIEW] * 2
    assert copies[0].donor == f"{donor.name}（三年级(1)班）"
    assert copies[0].source == Copy.Source.DONATION

    corner_donation_review(donation=donation, decision=CornerDonation.State.IN_CORNER, user=staff)

    assert set(Copy.objects.filter(pk__in=[c.pk for c in copies]).values_list("status", "location")) == {
        (Copy.Status.IN_CLASS_CORNER, corner.location.pk)
    }
    assert CornerLoan.objects.filter(corner=corner, state=CornerLoan.State.IN_CORNER).count() == 2
    with pytest.raises(CornerRefused):
        corner_donation_review(donation=donation, decision=CornerDonation.State.IN_LIBRARY, user=staff)


def test_a_refused_donation_is_withdrawn_not_deleted_and_needs_a_reason(staff, corner):
    donor = pupil(school_class=corner.school_class)
    donation = corner_donation_record(
        corner=corner, donor=donor, lines=[{"title": "漫画", "quantity": 1}], user=staff
    )
    with pytest.raises(CornerRefused):
        corner_donation_review(donation=donation, decision=CornerDonation.State.REFUSED, user=staff)
    assert Copy.objects.get(delivery_lines__delivery=donation.delivery).status == Copy.Status.AWAITING_REVIEW

    corner_donation_review(
        donation=donation, decision=CornerDonation.State.REFUSED, note="内容不适合", user=staff
    )

    assert Copy.objects.get(delivery_lines__delivery=donation.delivery).status == Copy.Status.WITHDRAWN


def test_a_donor_of_another_class_is_refused(staff, corner):
    with pytest.raises(CornerRefused):
        corner_donation_record(
            corner=corner, donor=pupil(grade=5), lines=[{"title": "书", "quantity": 1}], user=staff
        )
    assert CornerDonation.objects.count() == 0


def test_head_teacher_and_pupil_librarian_record_lending_within_the_class(staff):
    head = teacher()
    school_class = SchoolClassFactory(grade=3, number=5, head_teacher=head.user)
    corner = corner_for_class(school_class=school_class, user=staff)
    copies = copies_of(count=2)
    corner_lend(corner=corner, barcodes=_codes(copies), user=staff)
    child, keeper = pupil(school_class=school_class), pupil(school_class=school_class)
    corner_keeper_set(corner=corner, keeper=keeper, user=staff)

    corner_lending_record(corner=corner, barcode=copies[0].barcode, reader=child, user=head.user)
    corner_lending_record(corner=corner, barcode=copies[1].barcode, reader=child, user=keeper.user)

    assert CornerLending.objects.filter(returned_on__isnull=True).count() == 2
    with pytest.raises(CornerRefused):
        corner_lending_record(corner=corner, barcode=copies[0].barcode, reader=keeper, user=head.user)
    with pytest.raises(CornerRefused):
        corner_lending_record(corner=corner, barcode=copies[0].barcode, reader=pupil(grade=3), user=head.user)
    other_teacher = teacher()
    with pytest.raises(CornerRefused):
        corner_lending_record(corner=corner, barcode=copies[0].barcode, reader=child, user=other_teacher.user)


def test_stocktake_by_scanning_marks_the_missing_and_lists_strangers(staff, corner):
    copies = copies_of(count=3)
    stranger = copies_of("别的书", count=1)[0]
    corner_lend(corner=corner, barcodes=_codes(copies), user=staff)

    stocktake = corner_stocktake(
        corner=corner, barcodes=[copies[0].barcode, copies[1].barcode, stranger.barcode], user=staff
    )

    assert stocktake.found_count == 2
    assert stocktake.missing == [copies[2].barcode]
    assert stocktake.unexpected == [stranger.barcode]
    assert CornerLoan.objects.get(copy=copies[2]).missing_since is not None
    figures = corner_figures()
    assert (figures["books"], figures["missing"], figures["rotations"]) == (3, 1, 0)
    assert figures["corners"] == [{"name": "三年级(1)班", "books": 3, "missing": 1}]


def test_the_state_tables_refuse_every_other_move():
    assert len(CORNER_LOAN_STATES.refused_moves()) == 4 * 3 - 3
    assert len(CORNER_DONATION_STATES.refused_moves()) == 4 * 3 - 3
    with pytest.raises(CornerRefused):
        CORNER_LOAN_STATES.check(CornerLoan.State.RETURNED, CornerLoan.State.IN_CORNER)


def test_only_the_library_lends_to_a_corner(corner):
    head = teacher()
    with pytest.raises(CornerRefused):
        corner_lend(corner=corner, barcodes=_codes(copies_of(count=1)), user=head.user)


# --- the pages ------------------------------------------------------------------------------


def test_a_head_teacher_sees_their_corner_and_not_another_class(client, staff):
    head = teacher()
    own = corner_for_class(
        school_class=SchoolClassFactory(grade=3, number=8, head_teacher=head.user), user=staff
    )
    other = corner_for_class(school_class=SchoolClassFactory(grade=3, number=9), user=staff)
    batch = corner_lend(corner=other, barcodes=_codes(copies_of(count=1)), user=staff)
    client.force_login(head.user)

    assert client.get(reverse("activities:corner", args=[own.pk])).status_code == 200
    assert client.get(reverse("activities:corners")).status_code == 302
    assert client.get(reverse("activities:corner", args=[other.pk])).status_code == 404
    assert client.get(reverse("activities:corner-batch-pdf", args=[batch.pk])).status_code == 404
    response = client.post(reverse("activities:corner-lend", args=[own.pk]), {"barcodes": "X"})
    assert response.status_code == 403
    assert client.get(reverse("activities:rotations")).status_code == 403


def test_the_corner_page_lends_and_prints_the_list(client, staff, corner, django_assert_max_num_queries):
    copies = copies_of(count=4)
    client.force_login(staff)
    response = client.post(
        reverse("activities:corner-lend", args=[corner.pk]), {"barcodes": "\n".join(_codes(copies))}
    )
    assert response.status_code == 302
    batch = CornerBatch.objects.get()
    with django_assert_max_num_queries(30):
        page = client.get(reverse("activities:corner", args=[corner.pk]))
    assert page.status_code == 200
    assert f'data-result-batch="{batch.pk}"' in page.content.decode()
    pdf = client.get(reverse("activities:corner-batch-pdf", args=[batch.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_refused_lend_says_why_in_chinese_and_changes_nothing(client, staff, corner):
    client.force_login(staff)
    response = client.post(
        reverse("activities:corner-lend", args=[corner.pk]), {"barcodes": "NOSUCH"}, follow=True
    )
    assert "没有条码为 NOSUCH 的复本" in response.content.decode() or "NOSUCH" in response.content.decode()
    assert CornerBatch.objects.count() == 0


def test_the_corners_overview_query_count_does_not_grow(client, staff, django_assert_max_num_queries):
    for number in range(1, 4):
        corner_for_class(school_class=SchoolClassFactory(grade=2, number=number), user=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("activities:corners"))
    for number in range(4, 10):
        corner_for_class(school_class=SchoolClassFactory(grade=2, number=number), user=staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("activities:corners")).status_code == 200


def test_the_statistics_page_shows_the_corner_figures(client, staff, corner):
    from library_site.accounts.roles import Role
    from library_site.accounts.tests.factories import UserFactory

    corner_lend(corner=corner, barcodes=_codes(copies_of(count=2)), user=staff)
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    page = client.get(reverse("reports:statistics")).content.decode()
    assert 'data-figure="corner-books">2<' in page
    assert ClassCorner.objects.count() == 1
