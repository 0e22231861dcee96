"""Jobs survive a crashed worker (issue 13, points 4 and 12), in this process: a running run
holds a lease its worker renews; a lease that ran out marks the run failed with the reason, and
the job may be started again at once; /healthz answers 503 when the worker's heartbeat is stale
or beat is late, with the reasons. (circulation/tests/test_notice_worker.py kills a real worker.)"""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.celery import _beat_tick
from library_site.system.health import health_get
from library_site.system.heartbeats import (
    BEAT_KEY,
    HEARTBEAT_KEY,
    beat_tick_get,
    beat_tick_record,
    heartbeat_record,
)
from library_site.system.jobs import Job, job_run, job_runs_expire, job_send_now, jobs_register
from library_site.system.models import JobRun

pytestmark = pytest.mark.django_db
State = JobRun.State
JOB = Job(key="lease_test", task="library_site.system.tests.lease_test_task", label="lease test")


def running(**fields) -> JobRun:
    now = timezone.now()
    return JobRun.objects.create(
        key=JOB.key, trigger="beat", state=State.RUNNING, started_at=now, attempts=1, worker="w1:42", **fields
    )


def test_a_run_whose_lease_ran_out_is_failed_with_the_reason():
    now = timezone.now()
    lost = running(lease_until=now - datetime.timedelta(seconds=1))
    alive = running(lease_until=now + datetime.timedelta(seconds=20))
    assert job_runs_expire(now=now) == [lost.pk]
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.state == State.FAILED and lost.finished_at == now
    assert (
        "w1:42" in lost.error
        and lost.lease_until.astimezone(timezone.get_current_timezone()).strftime("%H:%M:%S") in lost.error
    )
    assert alive.state == State.RUNNING and alive.error == ""
    assert job_runs_expire(now=now) == []  # once


def test_run_now_starts_a_job_whose_run_was_cut_off_at_once(settings, monkeypatch):
    jobs_register(JOB)
    sent = []
    monkeypatch.setattr(
        "library_site.celery.app.send_task",
        lambda *args, **kwargs: sent.append(args) or type("R", (), {"id": "t"})(),
    )
    running(lease_until=timezone.now() + datetime.timedelta(seconds=20))
    from library_site.system.exceptions import JobAlreadyWaiting

    with pytest.raises(JobAlreadyWaiting):  # a run whose worker renews its lease holds the button
        job_send_now(job=JOB, param="", user=None)
    JobRun.objects.filter(state=State.RUNNING).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    run = job_send_now(job=JOB, param="", user=None)  # the lost run no longer holds it
    assert run.state == State.QUEUED and sent
    assert JobRun.objects.filter(state=State.FAILED, key=JOB.key).count() == 1


def test_a_run_thought_lost_that_finishes_after_all_succeeds():
    with job_run(JOB.key, task_id="t-lease") as run:
        JobRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
        job_runs_expire()
        assert JobRun.objects.get(pk=run.pk).state == State.FAILED
        run.result = {"done": 1}
    run.refresh_from_db()
    assert (run.state, run.error, run.result) == (State.SUCCEEDED, "", {"done": 1})


@pytest.mark.django_db(transaction=True)
def test_the_lease_is_renewed_while_the_job_runs(settings):
    settings.JOB_LEASE_SECONDS = 1
    settings.JOB_LEASE_RENEW_SECONDS = 0.2
    with job_run(JOB.key, task_id="t-renew") as run:
        first = JobRun.objects.get(pk=run.pk).lease_until
        time.sleep(2.5)  # longer than the lease: only renewals keep it
        renewed = JobRun.objects.get(pk=run.pk)
        assert renewed.lease_until > first and renewed.lease_until > timezone.now()
        assert job_runs_expire() == []
    assert JobRun.objects.get(pk=run.pk).state == State.SUCCEEDED


# --- /healthz: the worker and the beat -----------------------------------------------------------


@pytest.fixture
def admin(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    return client


def aged(key: str, seconds: int) -> None:
    cache.set(
        key, {"at": (timezone.now() - datetime.timedelta(seconds=seconds)).isoformat(), "hostname": "h"}
    )


def test_healthz_is_200_when_the_worker_and_beat_answered_lately(admin):
    aged(HEARTBEAT_KEY, 60)
    aged(BEAT_KEY, 60)
    response = admin.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["reasons"] == []


@pytest.mark.parametrize(("key", "check"), [(HEARTBEAT_KEY, "worker"), (BEAT_KEY, "beat")])
def test_healthz_is_503_with_the_reason_when_the_worker_or_beat_is_late(admin, client, key, check, settings):
    heartbeat_record(hostname="w")
    beat_tick_record(hostname="b")
    aged(key, settings.WORKER_HEARTBEAT_STALE_SECONDS + 30)
    admin.cookies["django_language"] = "en"
    response = admin.get(reverse("healthz"))
    report = response.json()
    assert response.status_code == 503 and report[check]["ok"] is False
    assert report[check]["age_seconds"] >= settings.WORKER_HEARTBEAT_STALE_SECONDS + 30
    expected = "background worker" if check == "worker" else "scheduler (celery beat)"
    assert len(report["reasons"]) == 1 and expected in report["reasons"][0]
    client.logout()
    assert client.get(reverse("healthz")).json() == {"ok": False}  # a stranger learns no reason


def test_healthz_marks_lost_runs_failed(admin):
    heartbeat_record(hostname="w")
    beat_tick_record(hostname="b")
    lost = running(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    admin.get(reverse("healthz"))
    lost.refresh_from_db()
    assert lost.state == State.FAILED


def test_beat_records_its_tick_only_in_the_beat_process(monkeypatch):
    cache.delete(BEAT_KEY)
    _beat_tick(sender="library_site.system.tasks.heartbeat_task")
    assert beat_tick_get()["last_seen"] is None  # a web server or a test sending a task is not beat
    monkeypatch.setattr("library_site.celery._in_beat", True)
    _beat_tick(sender="library_site.system.tasks.heartbeat_task")
    assert beat_tick_get()["ok"] is True
    assert health_get()["beat"]["ok"] is True
