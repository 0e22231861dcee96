"""Faults of the broker and the worker, with real processes (issue 13, points 12 and 17): a
redis-server of the test's own on a free loopback port (never the shared one), a real Celery
worker, and for "run now" a real gunicorn. Nothing is mocked.

- Redis stopped and started again: "run now" with Redis down fails at once with the page's
  message and frees the button; once Redis is back the same web server and the same worker run
  the job, neither restarted.
- The whole worker SIGKILLed in the middle of a job (no process left to hand the task back):
  the run's lease is not renewed, it runs out within JOB_LEASE_SECONDS of the kill, the sweep
  marks the run failed naming the worker, and the job can be started again at once.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.system.jobs import job_runs_expire
from library_site.system.models import JobRun
from library_site.testing import database_url, free_port, subprocess_env, wait_for

REDIS_SERVER = shutil.which("redis-server")
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="no redis-server (.ci/run installs and starts one)"),
]


class RedisServer:
    """redis-server on a free loopback port, stopped and started again on the same port."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            done = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True, check=False
            )
            if done.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    if server.process.poll() is None:
        server.stop()


def environment(tmp_path: Path, redis_url: str, **extra) -> dict[str, str]:
    return subprocess_env(
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        LIBRARY_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="test-broker-faults",
        ALLOWED_HOSTS="127.0.0.1",
        DEBUG="true",  # static files from the source folders: no collectstatic here
        **extra,
    )


def worker_start(env: dict, log: Path, *, pool: str = "prefork") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "library_site", "worker", f"--pool={pool}", "--concurrency=1",
         "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", f"faults-{os.getpid()}@%h"],
        env=env, cwd=django_settings.BASE_DIR, stdout=log.open("a"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def until(condition, *, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}.\n{log.read_text()[-4000:]}")


class Operator:
    """The administrator's browser on the operations page."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def sign_in(self, username: str) -> None:
        page = self.opener.open(f"{self.base}/accounts/login/", timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        ).encode()
        self.opener.open(urllib.request.Request(f"{self.base}/accounts/login/", data=data), timeout=60)  # noqa: S310 - the test's loopback gunicorn

    def run_now(self, key: str) -> tuple[float, str]:
        """Press "run now"; the seconds until the page came back, and the page."""
        page = self.opener.open(f"{self.base}/system/jobs/", timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        started = time.monotonic()
        request = urllib.request.Request(  # noqa: S310 - the test's loopback gunicorn
            f"{self.base}/system/jobs/{key}/start/",
            data=urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
            headers={"Referer": f"{self.base}/system/jobs/"},
        )
        # The web server's own wait for the broker is BROKER_GIVE_UP_SECONDS; this only keeps a
        # hung request from hanging the test.
        with self.opener.open(request, timeout=60) as response:
            return time.monotonic() - started, response.read().decode()


def test_redis_stopped_and_started_again_run_now_fails_at_once_then_jobs_resume_without_restarts(
    settings, tmp_path, redis_server, data_from_migrations
):
    # Hashed as gunicorn's settings check them (the tests' own hasher is a fast one).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    UserFactory(roles=[Role.ADMINISTRATOR], username="opsadmin")
    env = environment(tmp_path, redis_server.url)
    log = tmp_path / "processes.log"
    port = free_port()
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "library_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env, cwd=django_settings.BASE_DIR, stdout=log.open("a"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = worker_start(env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", [gunicorn, worker], seconds=90)
        admin = Operator(base)
        admin.sign_in("opsadmin")

        def succeeded() -> int:
            return JobRun.objects.filter(key="purge_imports", state=JobRun.State.SUCCEEDED).count()

        _seconds, page = admin.run_now("purge_imports")
        assert "已发送给后台进程" in page, page
        until(lambda: succeeded() == 1, seconds=120, what="the first run", log=log)

        redis_server.stop()
        seconds_down, page = admin.run_now("purge_imports")
        # The page says the queue could not be reached; the run is recorded failed, not queued.
        assert "无法发送到任务队列" in page and "Connection refused" in page, page
        down = JobRun.objects.filter(key="purge_imports").order_by("-pk").first()
        assert down.state == JobRun.State.FAILED and "Connection refused" in down.error
        print(f"run now with Redis down answered in {seconds_down:.1f} s")

        redis_server.start()  # the same port, an empty Redis: neither gunicorn nor the worker restarted
        _seconds, page = admin.run_now("purge_imports")
        assert "已发送给后台进程" in page, page
        until(lambda: succeeded() == 2, seconds=180, what="the worker to reconnect and run the job", log=log)
        assert gunicorn.poll() is None and worker.poll() is None
    finally:
        stop(worker)
        stop(gunicorn)
    assert "Connection to broker lost" in log.read_text() or "Cannot connect to redis" in log.read_text()


def test_a_worker_killed_with_sigkill_mid_job_is_failed_by_its_lease_and_the_job_starts_again(
    tmp_path, redis_server, data_from_migrations
):
    from catalog.models import Copy
    from circulation.models import Loan
    from circulation.tests.factories import ReaderFactory, SchoolClassFactory, copies_of

    # A notice job slow enough to be killed in the middle: 6 overdue pupils, batches of 2, a
    # pause of 2 s after each batch.
    school_class = SchoolClassFactory(grade=5, number=2)
    for index, copy in enumerate(copies_of("草房子", count=6)):
        reader = ReaderFactory(
            number=f"20268{index:05d}", email=f"p{index}@home.example", school_class=school_class
        )
        Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN)
        Loan.objects.create(
            copy=copy, reader=reader, due_on=timezone.localdate() - datetime.timedelta(days=9)
        )
    env = environment(
        tmp_path,
        redis_server.url,
        NOTICE_BATCH_SIZE="2",
        NOTICE_BATCH_PAUSE_SECONDS="2",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
    )
    log = tmp_path / "worker.log"
    worker = worker_start(env, log)
    try:
        code = (
            "import django; django.setup(); from library_site.celery import app; "
            "app.send_task('circulation.tasks.send_notices_task')"
        )
        subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, check=True, timeout=60
        )
        running = until(
            lambda: JobRun.objects.filter(key="send_notices", state=JobRun.State.RUNNING).first(),
            seconds=120,
            what="the job to start",
            log=log,
        )
        until(
            lambda: (tmp_path / "var" / "mail").exists() and any((tmp_path / "var" / "mail").iterdir()),
            seconds=60,
            what="the job's first e-mails",
            log=log,
        )
        # The whole worker, main process and pool, at once: nobody is left to renew the lease
        # or to hand the task back to the broker.
        pool = [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and f"PPid:\t{worker.pid}\n" in _status(entry)
        ]
        for pid in [worker.pid, *pool]:
            os.kill(pid, signal.SIGKILL)
        killed_at = timezone.now()
        worker.wait(timeout=10)
    finally:
        stop(worker)
    running.refresh_from_db()
    assert running.state == JobRun.State.RUNNING, log.read_text()  # nobody has noticed yet
    # The lease, renewed every JOB_LEASE_RENEW_SECONDS, runs out JOB_LEASE_SECONDS after the kill
    # at the latest: the sweep (beat's, every 20 s, or any look at the jobs) fails it then.
    assert running.lease_until <= killed_at + datetime.timedelta(seconds=django_settings.JOB_LEASE_SECONDS)
    assert django_settings.JOB_LEASE_SECONDS + django_settings.JOB_LEASE_SWEEP_SECONDS <= 60
    assert job_runs_expire(now=running.lease_until - datetime.timedelta(seconds=1)) == []
    until(lambda: running.pk in job_runs_expire(), seconds=90, what="the lease to run out", log=log)
    running.refresh_from_db()
    assert running.state == JobRun.State.FAILED and running.worker in running.error

    # Started again at once ("run now", from a process configured as the web server is), on a
    # new worker: it finishes, each notice once.
    worker = worker_start(env, log)
    try:
        code = (
            "import django; django.setup(); from library_site.system.jobs import job_get, job_send_now; "
            "run = job_send_now(job=job_get('send_notices'), param='', user=None); print(run.pk, run.state)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        run_id, state = done.stdout.split()[-2:]
        assert state == JobRun.State.QUEUED, done.stderr
        until(
            lambda: JobRun.objects.filter(pk=int(run_id), state=JobRun.State.SUCCEEDED).exists(),
            seconds=180,
            what="the job started again to finish",
            log=log,
        )
    finally:
        stop(worker)
    from circulation.models import Notice

    assert Notice.objects.filter(kind="overdue").count() == 6
    mail = "".join(path.read_text() for path in (tmp_path / "var" / "mail").glob("*.log"))
    ids = re.findall(r"^Message-ID: (.+)$", mail, re.MULTILINE)
    assert len(ids) == len(set(ids))


def _status(entry: Path) -> str:
    try:
        return (entry / "status").read_text()
    except OSError:
        return ""
