"""The faults the notice job survives, in this process (the worker tests kill a real worker):
two runs at once make one notice per stage and one e-mail each; a broker that is down does not
stop the desk, and the next run of the job sends what the desk could not queue."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from catalog.models import Copy
from circulation.models import Hold, Loan, Notice
from circulation.services.holds import hold_place
from circulation.services.loans import loan_checkout
from circulation.services.notices import notices_send
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.celery import app

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db(transaction=True)
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there


def overdue_loans(count: int, *, school_class) -> list[Loan]:
    record_copies = copies_of("草房子", count=count)
    loans = []
    for index, copy in enumerate(record_copies):
        reader = ReaderFactory(
            number=f"20269{index:05d}", email=f"pupil{index}@home.example", school_class=school_class
        )
        Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN)
        due_on = timezone.localdate() - timedelta(days=(1, 7, 21)[index % 3])
        loans.append(Loan.objects.create(copy=copy, reader=reader, due_on=due_on))
    return loans


def test_two_runs_at_once_make_one_notice_per_stage_and_one_e_mail_each(data_from_migrations, settings):
    settings.NOTICE_BATCH_SIZE = 4  # many small batches, so that the two runs interleave
    settings.NOTICE_BATCH_PAUSE_SECONDS = 0.02
    head_teacher = UserFactory(roles=[Role.TEACHER], email="head@school.example")
    loans = overdue_loans(24, school_class=SchoolClassFactory(grade=5, number=3, head_teacher=head_teacher))
    barrier = threading.Barrier(2)
    runs, errors = [], []

    def run():
        try:
            barrier.wait()
            runs.append(notices_send())
        except Exception as error:  # reported below with the test's failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    per_stage = Counter(Notice.objects.filter(kind="overdue").values_list("loan_id", "stage"))
    assert len(per_stage) == 24 and set(per_stage.values()) == {1}
    assert sum(run.overdue for run in runs) == 24  # each notice counted by the run that made it
    assert set(Notice.objects.filter(kind="overdue").values_list("stage", flat=True)) == {1, 7, 21}
    pupils = Counter(
        address for message in mail.outbox for address in message.to if address.startswith("pupil")
    )
    assert len(pupils) == 24 and set(pupils.values()) == {1}
    assert Notice.objects.filter(emailed_at__isnull=True).count() == 0
    # Every pupil is on exactly one of the head teacher's lists.
    lists = Notice.objects.filter(kind="class_overdue")
    listed = Counter(line for notice in lists for line in notice.body.splitlines() if "《草房子》" in line)
    assert sum(listed.values()) == 24 and set(listed.values()) == {1}
    assert {loan.pk for loan in loans} == {loan_id for loan_id, _stage in per_stage}


@pytest.fixture
def broker_down(settings):
    """The broker (and the cache) point at a port where nothing listens, as when Redis is down."""
    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = CLOSED_PORT
    app.conf.broker_transport_options = {"socket_connect_timeout": 1}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    yield
    app.conf.broker_url, app.conf.broker_transport_options = saved


def test_the_desk_lends_and_returns_while_the_broker_is_down_and_the_job_catches_up(
    data_from_migrations, client, settings, broker_down, caplog
):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    pupil = ReaderFactory(full_name="张三", card_number="R0000301")
    waiting = ReaderFactory(full_name="李四", email="lisi@home.example")
    (copy,) = copies_of("城南旧事")
    (other,) = copies_of("呼兰河传")
    loan_checkout(reader=pupil, copy=copy, user=librarian)
    hold = hold_place(reader=waiting, record=copy.record, user=None)
    client.force_login(librarian)
    scan = reverse("circulation:desk-scan")
    htmx = {"HTTP_HX_REQUEST": "true"}

    returned = client.post(scan, {"code": copy.barcode, "mode": "return"}, **htmx)
    card = client.post(scan, {"code": "R0000301", "mode": "lend"}, **htmx)
    lent = client.post(scan, {"code": other.barcode, "mode": "lend"}, **htmx)

    assert [response.status_code for response in (returned, card, lent)] == [200, 200, 200]
    assert 'data-outcome="done"' in returned.content.decode()
    assert 'data-outcome="done"' in lent.content.decode()
    hold.refresh_from_db()
    assert hold.state == Hold.State.READY and Copy.objects.get(pk=copy.pk).status == Copy.Status.ON_HOLD_SHELF
    assert Loan.objects.filter(copy=other, reader=pupil, state="open").exists()
    assert not Notice.objects.exists()  # the notice could not be queued…
    assert "Could not queue circulation.tasks.hold_ready_notice_task" in caplog.text  # …and said so

    # Redis is back: the daily job sends what is due by the database's state.
    app.conf.broker_url, app.conf.broker_transport_options = "memory://", {}
    run = notices_send()
    notice = Notice.objects.get(kind="hold_ready")
    assert (run.hold_ready, notice.hold, notice.emailed_at is not None) == (1, hold, True)
    assert [message.to for message in mail.outbox] == [["lisi@home.example"]]
