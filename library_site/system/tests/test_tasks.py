import pytest
from celery import shared_task
from django.db import OperationalError

from library_site.accounts.tasks import clear_expired_sessions_task
from library_site.celery import LibraryTask

calls = {"count": 0}


@shared_task(name="library_site.system.tests.flaky_task")
def flaky_task(failures: int) -> str:
    calls["count"] += 1
    if calls["count"] <= failures:
        raise OperationalError("the database went away")
    return "done"


def test_every_task_retries_a_passing_database_fault():
    calls["count"] = 0
    assert isinstance(flaky_task, LibraryTask)
    result = flaky_task.apply(args=[2])
    assert result.get() == "done"
    assert calls["count"] == 3


def test_a_lasting_fault_stops_after_the_retry_limit():
    calls["count"] = 0
    result = flaky_task.apply(args=[99])
    with pytest.raises(OperationalError):
        result.get()
    assert calls["count"] == LibraryTask.max_retries + 1


def test_tasks_are_sent_as_json_and_acknowledged_late(settings):
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert clear_expired_sessions_task.acks_late is True


@pytest.mark.django_db
def test_expired_sessions_are_cleared_and_live_ones_kept(client, django_user_model):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(django_user_model.objects.create_user(username="reader1", password="x-long-pass-1"))
    Session.objects.create(session_key="old", session_data="", expire_date=timezone.now() - timedelta(days=1))
    clear_expired_sessions_task.apply().get()
    assert list(Session.objects.values_list("session_key", flat=True)) == [client.session.session_key]
