"""The job registry, the record of every run, and the operations page."""

import datetime
import uuid

import pytest
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import user_with_role
from library_site.celery import app
from library_site.system.exceptions import JobAlreadyWaiting
from library_site.system.jobs import (
    Job,
    job_get,
    job_param_clean,
    job_run,
    job_run_state_shown,
    job_send_now,
    jobs_overview,
    schedule_describe,
)
from library_site.system.models import JobRun

pytestmark = pytest.mark.django_db


# --- the record of a run --------------------------------------------------------------------


def test_a_run_records_its_result_and_times():
    with job_run("purge_imports", trigger=JobRun.Trigger.COMMAND, param="x") as run:
        run.result = {"removed": 3}
    run = JobRun.objects.get()
    assert (run.key, run.trigger, run.state, run.param) == ("purge_imports", "command", "succeeded", "x")
    assert run.result == {"removed": 3}
    assert run.attempts == 1
    assert run.started_at <= run.finished_at
    assert run.error == ""


def test_a_failed_run_records_the_error_and_raises_it_again():
    with pytest.raises(ValueError, match="the file is gone"), job_run("purge_imports"):
        raise ValueError("the file is gone")
    run = JobRun.objects.get()
    assert run.state == "failed"
    assert run.error == "ValueError: the file is gone"
    assert run.finished_at is not None


def test_a_queued_run_is_the_same_row_from_queue_to_end_and_counts_its_attempts():
    queued = JobRun.objects.create(
        key="purge_imports", trigger="manual", state="queued", queued_at=timezone.now()
    )
    with pytest.raises(RuntimeError), job_run("purge_imports", run_id=queued.pk, task_id="t-1"):
        raise RuntimeError("worker lost")
    with job_run("purge_imports", run_id=queued.pk, task_id="t-1") as run:
        run.result = {"removed": 0}
    queued.refresh_from_db()
    assert JobRun.objects.count() == 1
    assert (queued.state, queued.attempts, queued.task_id, queued.error) == ("succeeded", 2, "t-1", "")


def test_a_task_delivered_again_continues_the_row_of_its_first_attempt():
    with pytest.raises(RuntimeError), job_run("purge_imports", task_id="beat-1"):
        raise RuntimeError("worker lost")
    with job_run("purge_imports", task_id="beat-1") as run:
        run.result = {"removed": 1}
    with job_run("purge_imports", task_id="beat-2") as run:
        run.result = {"removed": 0}
    runs = list(JobRun.objects.order_by("id").values_list("task_id", "state", "attempts"))
    assert runs == [("beat-1", "succeeded", 2), ("beat-2", "succeeded", 1)]


def test_a_real_task_records_its_run():
    from catalog.tasks import imports_purge_task

    imports_purge_task.apply().get()
    run = JobRun.objects.get()
    assert (run.key, run.trigger, run.state, run.result) == (
        "purge_imports",
        "beat",
        "succeeded",
        {"removed": 0},
    )


def test_a_run_past_the_time_limit_without_an_end_is_shown_as_interrupted(settings):
    now = timezone.now()
    old = JobRun(
        key="k",
        state="running",
        started_at=now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1),
    )
    recent = JobRun(key="k", state="running", started_at=now - datetime.timedelta(seconds=5))
    assert job_run_state_shown(old, now=now) == "interrupted"
    assert job_run_state_shown(recent, now=now) == "running"


# --- what "run now" takes -------------------------------------------------------------------


def test_parameters_are_checked_with_a_clear_message():
    day = Job(key="d", task="t", label="d", param=Job.Param.DATE)
    month = Job(key="m", task="t", label="m", param=Job.Param.MONTH)
    today = datetime.date(2026, 11, 24)
    assert job_param_clean(day, " 2026-11-03 ", today=today) == "2026-11-03"
    assert job_param_clean(day, "", today=today) == ""
    assert job_param_clean(month, "2026-10", today=today) == "2026-10"
    assert job_param_clean(month, "2026-11", today=today) == "2026-11"
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            job_param_clean(day, "2026-02-30", today=today)
        assert "不是日期" in refused.value.messages[0]
        with pytest.raises(ValidationError) as refused:
            job_param_clean(month, "2026-12", today=today)
        assert "尚未开始" in refused.value.messages[0]
        with pytest.raises(ValidationError):
            job_param_clean(month, "10/2026", today=today)


def test_the_schedule_is_told_in_words():
    with __import__("django.utils.translation", fromlist=["override"]).override("en"):
        assert schedule_describe({"schedule": crontab(hour=3, minute=45)}) == "every day at 03:45"
        assert (
            schedule_describe({"schedule": crontab(day_of_month=1, hour=2, minute=30)})
            == "on day 1 of every month at 02:30"
        )
        assert schedule_describe({"schedule": datetime.timedelta(minutes=1)}) == "every 1 minutes"
        assert schedule_describe({"schedule": crontab(hour="*/2", minute=0)}) == "0 */2 * * *"


def test_the_overview_lists_the_registered_jobs_with_their_schedule_and_latest_runs():
    for _ in range(7):
        with job_run("anonymise_leavers") as run:
            run.result = {"loans": 0, "readers": 0}
    overview = {item.job.key: item for item in jobs_overview()}
    assert {"anonymise_leavers", "purge_imports", "clear_sessions"} <= set(overview)
    leavers = overview["anonymise_leavers"]
    assert len(leavers.runs) == 5
    assert leavers.last == JobRun.objects.filter(key="anonymise_leavers").order_by("-id").first()
    assert overview["purge_imports"].runs == []


# --- the operations page ----------------------------------------------------------------------


@pytest.fixture
def test_queue(settings):
    """Run-now sends to a queue of this test's own on the configured broker (the filesystem
    transport, or Redis in CI's PostgreSQL run); the test reads the message back from it."""
    name = f"test-jobs-{uuid.uuid4().hex[:8]}"
    settings.LIBRARY_JOBS_QUEUE = name
    yield name
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue(name)
        queue.clear()
        queue.close()


def messages_in(queue_name):
    found = []
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(queue_name)
        try:
            while True:
                message = queue.get(block=True, timeout=1)
                found.append((message.headers["task"], message.payload[1]))
                message.ack()
        except queue.Empty:
            pass
        finally:
            queue.close()
    return found


def test_only_the_administrator_sees_the_operations_page(client):
    for role in (Role.LIBRARIAN, Role.LEADER, Role.VOLUNTEER, Role.TEACHER, Role.STUDENT):
        client.force_login(user_with_role(role))
        assert client.get(reverse("system:jobs")).status_code == 403
        assert client.post(reverse("system:job-start", args=["purge_imports"])).status_code == 403
    assert JobRun.objects.count() == 0
    client.logout()
    assert client.get(reverse("system:jobs")).status_code == 302


def test_the_page_shows_each_job_its_schedule_its_last_result_and_error(
    client, django_assert_max_num_queries
):
    with job_run("anonymise_leavers") as run:
        run.result = {"loans": 12, "readers": 3}
    with pytest.raises(OSError), job_run("purge_imports"):
        raise OSError("disk full")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("system:jobs")).content.decode()
    assert "Anonymise the loan history of leavers" in page
    assert "every day at 03:45" in page
    assert "loans anonymised: <strong>12</strong>" in page
    assert "OSError: disk full" in page
    assert "Not run yet." in page  # the sessions job
    client.cookies["django_language"] = "zh-hans"
    assert "每天 03:45" in client.get(reverse("system:jobs")).content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("system:jobs"))
    for _ in range(20):
        with job_run("anonymise_leavers") as run:
            run.result = {"loans": 0, "readers": 0}
    # the same queries however many runs there are (a fixed few per registered job)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("system:jobs"))


def test_run_now_sends_the_task_through_the_broker_once(client, test_queue):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post(reverse("system:job-start", args=["anonymise_leavers"]), follow=True)
    run = JobRun.objects.get()
    assert (run.state, run.trigger, run.started_by) == ("queued", "manual", admin)
    assert run.task_id
    assert "已发送" in response.content.decode()
    again = client.post(reverse("system:job-start", args=["anonymise_leavers"]), follow=True)
    assert "已在排队或运行" in again.content.decode()
    assert JobRun.objects.count() == 1
    assert messages_in(test_queue) == [
        ("circulation.tasks.anonymise_leavers_task", {"param": None, "job_run_id": run.pk})
    ]


def test_run_now_refuses_a_bad_parameter_and_an_unknown_job(client, test_queue, monkeypatch):
    from library_site.system import jobs

    monkeypatch.setitem(
        jobs._jobs,
        "by_month",
        Job(key="by_month", task="x.month_task", label="by month", param=Job.Param.MONTH),
    )
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    response = client.post(reverse("system:job-start", args=["by_month"]), {"param": "2026-13"}, follow=True)
    assert "不是月份" in response.content.decode()
    assert client.post(reverse("system:job-start", args=["no_such_job"])).status_code == 404
    assert JobRun.objects.count() == 0
    assert messages_in(test_queue) == []


def test_a_queue_no_worker_took_in_time_no_longer_blocks_the_button(settings, test_queue):
    job = job_get("purge_imports")
    admin = user_with_role(Role.ADMINISTRATOR)
    stale = JobRun.objects.create(
        key=job.key,
        trigger="manual",
        state="queued",
        queued_at=timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60),
    )
    fresh = job_send_now(job=job, param="", user=admin)
    stale.refresh_from_db()
    assert stale.state == "failed"
    assert fresh.state == "queued"
    with pytest.raises(JobAlreadyWaiting):
        job_send_now(job=job, param="", user=admin)
    assert len(messages_in(test_queue)) == 1


def test_a_broker_that_cannot_be_reached_is_told_and_recorded(client, settings, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    # The one stand-in of this file: a broker that refuses, without waiting for a real one's
    # publish retries to run out.
    monkeypatch.setattr(app, "send_task", refuse)
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    response = client.post(reverse("system:job-start", args=["purge_imports"]), follow=True)
    run = JobRun.objects.get()
    assert run.state == "failed"
    assert run.error == "ConnectionRefusedError: Connection refused"
    assert "无法发送到任务队列" in response.content.decode()
