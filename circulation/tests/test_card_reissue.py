"""A card reissued twice at the same moment (issue 14, point 9): a clear answer, never a
server error. The threads' tests need PostgreSQL's row locks (SQLite serialises writes)."""

import pytest
from django.db import connection
from django.urls import reverse

from circulation.exceptions import CardAlreadyReissued, CirculationError, DuplicateIdentifier
from circulation.models import LibraryCard
from circulation.services.readers import _card_replace, card_reissue
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory
from .test_concurrency import run_at_once

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
)


@pytest.mark.django_db
def test_a_reissue_for_a_card_already_replaced_is_refused_and_changes_nothing():
    reader = ReaderFactory(card_number="R0000101")
    card_reissue(reader=reader, reason="丢失", replacing="R0000101")
    with pytest.raises(CardAlreadyReissued, match="R0000102"):
        card_reissue(reader=reader, reason="丢失", replacing="R0000101")
    assert list(
        LibraryCard.objects.filter(reader=reader).order_by("number").values_list("number", "status")
    ) == [
        ("R0000101", "blocked"),
        ("R0000102", "active"),
    ]


@pytest.mark.django_db
def test_a_number_taken_meanwhile_is_a_clear_refusal_not_a_server_error():
    reader, other = ReaderFactory(card_number="R0000101"), ReaderFactory(card_number="R0000105")
    with pytest.raises(DuplicateIdentifier):
        _card_replace(reader=reader, number="R0000105", issued_by=None, reason="丢失")
    assert LibraryCard.objects.get(reader=other).status == "active"


@pytest.mark.django_db
def test_the_page_sent_twice_reissues_once_and_says_why_the_second_is_refused(client):
    reader = ReaderFactory(card_number="R0000101")
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    url = reverse("circulation:card-reissue", args=[reader.pk])
    page = client.get(url).content.decode()
    assert 'name="replacing" value="R0000101"' in page
    assert client.post(url, {"reason": "丢失", "replacing": "R0000101"}).status_code == 302
    page = client.post(url, {"reason": "丢失", "replacing": "R0000101"}).content.decode()
    assert "R0000102" in page and "刚刚" in page
    assert LibraryCard.objects.filter(reader=reader).count() == 2


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_readers_reissued_at_the_same_moment_get_two_numbers(data_from_migrations):
    for _round in range(5):
        first, second = ReaderFactory(), ReaderFactory()
        outcomes = run_at_once(
            lambda reader=first: card_reissue(reader=reader, reason="丢失"),
            lambda reader=second: card_reissue(reader=reader, reason="损坏"),
        )
        assert all(isinstance(outcome, LibraryCard) for outcome in outcomes), outcomes
        assert outcomes[0].number != outcomes[1].number
    assert LibraryCard.objects.filter(status="active").count() == 10


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_card_reissued_twice_at_the_same_moment_is_reissued_once(data_from_migrations):
    for _round in range(5):
        reader = ReaderFactory()
        old = LibraryCard.objects.get(reader=reader, status="active").number
        outcomes = run_at_once(
            lambda reader=reader, old=old: card_reissue(reader=reader, reason="丢失", replacing=old),
            lambda reader=reader, old=old: card_reissue(reader=reader, reason="丢失", replacing=old),
        )
        cards = [outcome for outcome in outcomes if isinstance(outcome, LibraryCard)]
        refused = [outcome for outcome in outcomes if isinstance(outcome, CirculationError)]
        assert len(cards) == 1 and len(refused) == 1, outcomes
        assert isinstance(refused[0], CardAlreadyReissued) and cards[0].number in str(refused[0].message)
        assert LibraryCard.objects.filter(reader=reader, status="active").get() == cards[0]
