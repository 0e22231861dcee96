"""The reader's whole story on one page for staff (issue 14, point 4): cards, loans, overdue
books, holds, suspensions, compensations, the registered lines and the history, in a constant
number of queries as the history grows; the edit form is a link from it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.models import Loan, LoanPolicy, Suspension
from circulation.registries import reader_panel_line_register
from circulation.services.holds import hold_place
from circulation.services.loans import loan_checkout, loan_mark_lost, loan_return
from circulation.services.readers import card_reissue
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, copies_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian():
    LoanPolicy.objects.update(max_loans=50)
    return UserFactory(roles=[Role.LIBRARIAN])


def story(client, reader):
    response = client.get(reverse("circulation:reader-detail", args=[reader.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_tells_the_whole_story(client, librarian):
    pupil = ReaderFactory(full_name="林小雨", card_number="R0000101")
    card_reissue(reader=pupil, reason="丢失")
    on_loan, late, lost, back = copies_of(count=4)
    (held,) = copies_of("小王子")
    for copy in (on_loan, late, lost, back):
        loan_checkout(reader=pupil, copy=copy, user=librarian)
    Loan.objects.filter(copy=late).update(due_on=timezone.localdate() - timedelta(days=3))
    loan_return(copy=back, user=librarian)
    loan_mark_lost(loan=Loan.objects.get(copy=lost), user=librarian, price=Decimal("25.00"))
    loan_checkout(reader=ReaderFactory(), copy=held, user=librarian)
    hold_place(reader=pupil, record=held.record, user=None)
    Suspension.objects.create(
        reader=pupil, ends_on=timezone.localdate() + timedelta(days=4), reason="还书晚了"
    )
    client.force_login(librarian)
    with reader_panel_line_register(lambda reader: "欠读书笔记 1 篇" if reader.pk == pupil.pk else None):
        page = story(client, pupil)
    assert 'data-card="R0000101"' in page and 'data-card="R0000102"' in page
    assert f'data-loan="{on_loan.barcode}"' in page and f'data-loan="{late.barcode}"' in page
    assert "1 册超期" in page or "超期" in page
    assert "小王子" in page  # the hold
    assert "data-suspension-current" in page and "还书晚了" in page
    assert "data-compensation" in page and "data-owed-total" in page
    assert "欠读书笔记 1 篇" in page
    assert page.count("data-history") == 2  # returned and lost
    assert reverse("circulation:reader-edit", args=[pupil.pk]) in page


def test_the_query_count_stays_the_same_as_the_history_grows(client, librarian, django_assert_num_queries):
    pupil = ReaderFactory(card_number="R0000101")
    client.force_login(librarian)
    story(client, pupil)  # the session and the caches settle

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            story(client, pupil)
        return len(captured)

    copies = copies_of(count=12)
    loan_checkout(reader=pupil, copy=copies[0], user=librarian)
    loan_return(copy=copies[0], user=librarian)
    few = queries()
    for copy in copies[1:10]:
        loan_checkout(reader=pupil, copy=copy, user=librarian)
        loan_return(copy=copy, user=librarian)
    loan_checkout(reader=pupil, copy=copies[10], user=librarian)
    loan_mark_lost(loan=Loan.objects.get(copy=copies[10]), user=librarian, price=Decimal("20.00"))
    loan_checkout(reader=pupil, copy=copies[11], user=librarian)
    Suspension.objects.create(reader=pupil, ends_on=timezone.localdate() + timedelta(days=4))
    Suspension.objects.create(reader=pupil, ends_on=timezone.localdate() - timedelta(days=9))
    card_reissue(reader=pupil, reason="丢失")
    with django_assert_num_queries(few):
        page = story(client, pupil)
    assert page.count("data-history") == 11


def test_the_edit_form_is_one_click_away_and_links_back(client, librarian):
    pupil = ReaderFactory(full_name="林小雨")
    client.force_login(librarian)
    page = client.get(reverse("circulation:reader-edit", args=[pupil.pk])).content.decode()
    assert "data-story-link" in page and reverse("circulation:reader-detail", args=[pupil.pk]) in page


def test_the_reader_list_links_to_the_story(client, librarian):
    pupil = ReaderFactory(full_name="林小雨")
    client.force_login(librarian)
    page = client.get(reverse("circulation:reader-list"), {"q": "林小雨"}).content.decode()
    assert reverse("circulation:reader-detail", args=[pupil.pk]) in page


def test_a_teacher_or_a_volunteer_cannot_read_a_pupils_story_and_an_unknown_id_is_404(client, librarian):
    pupil = ReaderFactory()
    for user in (ReaderFactory(kind="teacher").user, ReaderFactory(extra_roles=(Role.VOLUNTEER,)).user):
        client.force_login(user)
        assert client.get(reverse("circulation:reader-detail", args=[pupil.pk])).status_code == 403
    client.force_login(librarian)
    assert client.get(reverse("circulation:reader-detail", args=[pupil.pk + 999])).status_code == 404
