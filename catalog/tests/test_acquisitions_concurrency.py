"""Two requests that send the same delivery at the same moment (a double click reaching two
server processes) make one delivery: the plan's row lock and the unique token see to it.
PostgreSQL only: SQLite serialises writers by locking the whole file."""

import threading

import pytest
from django.db import connection, connections

from catalog.models import Copy, Delivery
from catalog.services.acquisitions import (
    delivery_receive,
    purchase_plan_approve,
    purchase_plan_create,
    purchase_plan_submit,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import location_default

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def test_the_same_delivery_sent_twice_at_once_is_received_once(data_from_migrations):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    plan = purchase_plan_create(
        name="并发",
        year=2026,
        term="autumn",
        budget="1000",
        lines=[{"title": "草房子", "quantity": 5, "unit_price": "10"}],
        user=librarian,
    )
    purchase_plan_submit(plan=plan, user=librarian)
    purchase_plan_approve(plan=plan, user=UserFactory(roles=[Role.LEADER]))
    line = plan.lines.get()
    location = location_default()
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def receive():
        try:
            barrier.wait()
            delivery = delivery_receive(
                plan=plan,
                lines=[{"plan_line": line.pk, "quantity": 3}],
                location=location,
                supplier="新华书店",
                token="same-form",
                user=librarian,
            )
            answers.append(delivery.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(answers)) == 1
    assert Delivery.objects.count() == 1
    assert Copy.objects.count() == 3
