"""The state table of a job's run: every move not in the table is refused by its guard, and
every move in it is made by the service that makes it (``job_run``, ``job_send_now``)."""

import datetime

import pytest
from django.utils import timezone

from library_site.celery import app
from library_site.system.exceptions import JobRunRefused
from library_site.system.jobs import Job, _run_fail, job_run, job_send_now
from library_site.system.models import JobRun
from library_site.system.states import JOB_RUN_STATES

pytestmark = pytest.mark.django_db
State = JobRun.State
# A job of this test's own: the table is the system app's, whatever jobs the apps register.
JOB = Job(key="state_test", task="library_site.system.tests.state_test_task", label="state test")


def a_run(state: str, **fields) -> JobRun:
    return JobRun.objects.create(key=JOB.key, trigger="manual", state=state, **fields)


def test_the_table_refuses_every_move_it_does_not_name():
    refused = JOB_RUN_STATES.refused_moves()
    assert set(refused) == {
        (State.QUEUED, State.SUCCEEDED),
        (State.RUNNING, State.QUEUED),
        (State.SUCCEEDED, State.QUEUED),
        (State.SUCCEEDED, State.FAILED),
        (State.FAILED, State.QUEUED),
    }
    for source, target in refused:
        with pytest.raises(JobRunRefused) as error:
            JOB_RUN_STATES.check(source, target)
        assert str(State(source).label) in error.value.message


def test_a_refused_move_changes_nothing():
    run = a_run(State.SUCCEEDED, task_id="t-1")
    with pytest.raises(JobRunRefused):
        _run_fail(run, RuntimeError("late"))
    run.refresh_from_db()
    assert (run.state, run.error) == (State.SUCCEEDED, "")


def test_a_queued_run_runs_then_succeeds():
    queued = a_run(State.QUEUED, queued_at=timezone.now())
    with job_run(JOB.key, run_id=queued.pk, task_id="t-1") as run:
        assert JobRun.objects.get(pk=queued.pk).state == State.RUNNING  # queued → running
        run.result = {"removed": 0}
    queued.refresh_from_db()
    assert queued.state == State.SUCCEEDED  # running → succeeded


def test_a_running_run_fails_with_its_error():
    with pytest.raises(OSError), job_run(JOB.key, task_id="t-2"):
        raise OSError("disk full")
    assert JobRun.objects.get().state == State.FAILED  # running → failed


def test_a_queued_run_fails_when_the_task_queue_cannot_be_reached(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(app, "send_task", refuse)
    run = job_send_now(job=JOB, param="", user=None)
    assert run.state == State.FAILED  # queued → failed


def test_a_queued_run_no_worker_took_in_time_fails(settings, monkeypatch):
    monkeypatch.setattr(app, "send_task", lambda *args, **kwargs: type("Sent", (), {"id": "t-9"})())
    stale = a_run(
        State.QUEUED,
        queued_at=timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60),
    )
    job_send_now(job=JOB, param="", user=None)
    stale.refresh_from_db()
    assert stale.state == State.FAILED  # queued → failed


@pytest.mark.parametrize("state", [State.RUNNING, State.FAILED, State.SUCCEEDED])
def test_the_same_task_delivered_again_runs_its_row_again(state):
    earlier = a_run(state, task_id="t-3", started_at=timezone.now(), attempts=1)
    with job_run(JOB.key, task_id="t-3") as run:
        assert JobRun.objects.get(pk=earlier.pk).state == State.RUNNING  # state → running
        run.result = {"removed": 0}
    earlier.refresh_from_db()
    assert (earlier.state, earlier.attempts) == (State.SUCCEEDED, 2)
