"""Two desks scanning the same copy at the same moment make one loan, not two. Row locks need a
real database server: these tests run on PostgreSQL (CI) and are skipped on SQLite, which
serialises every write anyway."""

import threading

import pytest
from django.db import connection

from catalog.models import Copy
from circulation.exceptions import CirculationError
from circulation.models import DeskAction, Loan
from circulation.services.loans import loan_checkout, loan_return
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, copies_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def run_at_once(*calls):
    """Run each call in its own thread (its own database connection), released together."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except CirculationError as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_desks_lending_the_same_copy_at_once_make_exactly_one_loan(data_from_migrations):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    (copy,) = copies_of()
    for _round in range(5):
        first, second = ReaderFactory(), ReaderFactory()
        outcomes = run_at_once(
            lambda reader=first: loan_checkout(reader=reader, copy=copy, user=librarian, desk="一号台"),
            lambda reader=second: loan_checkout(reader=reader, copy=copy, user=librarian, desk="二号台"),
        )
        refused = [outcome for outcome in outcomes if isinstance(outcome, CirculationError)]
        assert len(refused) == 1, outcomes
        assert Loan.objects.filter(copy=copy, state=Loan.State.OPEN).count() == 1
        assert Copy.objects.get(pk=copy.pk).status == Copy.Status.ON_LOAN
        loan_return(copy=copy, user=librarian)


def test_two_desks_returning_the_same_copy_at_once_return_it_once(data_from_migrations):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    (copy,) = copies_of()
    loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian)
    outcomes = run_at_once(
        lambda: loan_return(copy=copy, user=librarian, desk="一号台"),
        lambda: loan_return(copy=copy, user=librarian, desk="二号台"),
    )
    assert sorted(outcome.changed for outcome in outcomes) == [False, True]
    assert DeskAction.objects.filter(action="return").count() == 1
    assert Copy.objects.get(pk=copy.pk).status == Copy.Status.AVAILABLE
