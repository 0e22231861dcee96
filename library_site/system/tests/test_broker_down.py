"""With the broker unreachable or silent, "run now" gives up after one attempt of about two
seconds (jobs.BROKER_GIVE_UP_SECONDS) and records the run as failed, instead of holding the
request through the publish retries, or for ever on a Redis that accepts and never answers."""

from __future__ import annotations

import socket
import threading

import pytest
from django.conf import settings

from library_site.celery import app
from library_site.system.jobs import job_get, job_send_now
from library_site.system.models import JobRun

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis transport's sockets"),
]


@pytest.fixture
def silent_redis():
    """A TCP server that accepts connections and never answers, counting them."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    accepted = []

    def serve():
        while True:
            try:
                connection, _address = server.accept()
            except OSError:
                return
            accepted.append(connection)

    threading.Thread(target=serve, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0", accepted
    server.close()
    for connection in accepted:
        connection.close()


def test_run_now_on_a_silent_broker_fails_after_one_attempt(monkeypatch, silent_redis):
    url, accepted = silent_redis
    monkeypatch.setattr(app.conf, "broker_url", url)
    run = job_send_now(job=job_get("purge_imports"), param="", user=None)
    assert run.state == JobRun.State.FAILED
    assert "Timeout" in run.error
    assert len(accepted) == 1


def test_run_now_on_a_stopped_broker_fails_and_the_button_is_free_again(monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    first = job_send_now(job=job_get("purge_imports"), param="", user=None)
    second = job_send_now(job=job_get("purge_imports"), param="", user=None)
    assert (first.state, second.state) == (JobRun.State.FAILED, JobRun.State.FAILED)
    assert "Connection refused" in first.error


def test_the_visibility_timeout_fits_the_longest_job():
    # A lost worker's task comes back just after the longest a job may run, not after an hour.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_TIME_LIMIT < visibility <= settings.CELERY_TASK_TIME_LIMIT + 10 * 60
