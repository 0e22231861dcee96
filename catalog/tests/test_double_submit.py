"""One double-submit guard for the cataloguing forms, backed by a unique row in the database
(library_site.system.submissions): the same new-record form sent twice makes one record, in turn
or at the same moment from two server processes (two threads on PostgreSQL: the old guard in the
session let both through, since each request read the session before the other wrote it)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from catalog.models import Copy, Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.system.models import FormSubmission

from .test_views import record_post


def _librarian_client(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_same_form_twice_makes_one_record_and_the_second_finds_it():
    user = UserFactory(roles=[Role.LIBRARIAN])
    client = _librarian_client(user)
    first = client.post(reverse("catalog:record-create"), record_post(token="once"))
    record = Record.objects.get()
    second = client.post(reverse("catalog:record-create"), record_post(token="once"), follow=True)
    assert (
        first["Location"] == second.redirect_chain[0][0] == reverse("catalog:record-manage", args=[record.pk])
    )
    assert "was not saved twice" in second.content.decode()
    assert (Record.objects.count(), Copy.objects.count()) == (1, 5)
    assert FormSubmission.objects.get().object_id == str(record.pk)


@pytest.mark.django_db
def test_the_guard_does_not_live_in_the_session():
    # A second browser (another session of the same librarian) sending the same form is caught.
    user = UserFactory(roles=[Role.LIBRARIAN])
    _librarian_client(user).post(reverse("catalog:record-create"), record_post(token="same-page"))
    _librarian_client(user).post(reverse("catalog:record-create"), record_post(token="same-page"))
    assert (Record.objects.count(), Copy.objects.count()) == (1, 5)


@pytest.mark.django_db
def test_another_persons_token_saves_nothing_and_does_not_lead_to_their_record():
    owner, other = UserFactory(roles=[Role.LIBRARIAN]), UserFactory(roles=[Role.LIBRARIAN])
    _librarian_client(owner).post(reverse("catalog:record-create"), record_post(token="theirs"))
    record = Record.objects.get()
    response = _librarian_client(other).post(
        reverse("catalog:record-create"), record_post(token="theirs", confirm_duplicates="1")
    )
    assert response["Location"] == reverse("catalog:cataloguing")
    assert (Record.objects.count(), Copy.objects.count()) == (1, 5)
    assert str(record.pk) not in response["Location"]


@pytest.mark.django_db
def test_adding_copies_twice_with_one_form_adds_them_once():
    user = UserFactory(roles=[Role.LIBRARIAN])
    client = _librarian_client(user)
    client.post(reverse("catalog:record-create"), record_post(token="rec", **{"copies-count": "0"}))
    record = Record.objects.get()
    data = {
        "token": "copies-1",
        "count": "3",
        "location": record_post()["copies-location"],
        "source": "purchase",
    }
    client.post(reverse("catalog:copies-add", args=[record.pk]), data)
    client.post(reverse("catalog:copies-add", args=[record.pk]), data)
    assert record.copies.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once need PostgreSQL")
def test_the_same_form_sent_twice_at_the_same_moment_makes_one_record(data_from_migrations):
    user = UserFactory(roles=[Role.LIBRARIAN])
    # Past the likely-duplicates page, which the second request would otherwise show.
    data = record_post(token="at-once", confirm_duplicates="1")
    clients = [_librarian_client(user), _librarian_client(user)]
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def send(client):
        try:
            barrier.wait()
            answers.append(client.post(reverse("catalog:record-create"), data))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    record = Record.objects.get()
    assert [answer.status_code for answer in answers] == [302, 302]
    assert {answer["Location"] for answer in answers} == {reverse("catalog:record-manage", args=[record.pk])}
    assert Copy.objects.count() == 5
