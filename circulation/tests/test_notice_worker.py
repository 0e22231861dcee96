"""The notice job on a real Celery worker, through the configured broker (Redis in CI's
PostgreSQL run, the embedded filesystem queue otherwise), against this test's database.

- A worker process killed (SIGKILL) in the middle of the job: the task, acknowledged late, is
  delivered again and finishes; no reader gets a stage twice (in the inbox or by e-mail) and
  none is skipped.
- A worker process killed between handing an e-mail to the mail system and marking it sent
  (the window where a batch-wise mark sent the whole batch again): that notice is not sent
  again, every other goes once, and each message has its notice's own Message-ID.
- Two runs of the job at once on one worker: one notice per stage.

The job is slowed down between batches by NOTICE_BATCH_PAUSE_SECONDS (or after each hand-over
by NOTICE_EMAIL_HANDOVER_PAUSE_SECONDS), set in the worker's environment, so that the kill
lands half-way. E-mail goes through Django's file backend, one file per connection. Nothing is mocked."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from catalog.models import Copy
from circulation.models import Loan, Notice
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.system.models import JobRun
from library_site.testing import subprocess_env

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PUPILS = 15
BATCH = 4


def database_url() -> str:
    """This test's database, for the worker process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    user = quote(database.get("USER") or "")
    password = f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{database.get('PORT') or 5432}/{database['NAME']}"


class Worker:
    """A Celery worker process (prefork) on a queue of its own, with its own var/ directory."""

    def __init__(self, tmp_path: Path, *, concurrency: int = 1, pause: float = 0.0, handover: float = 0.0):
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.env = subprocess_env(
            LIBRARY_VAR_DIR=str(tmp_path),
            # Given, so that the worker and the sender, started together, do not both write one.
            SECRET_KEY=f"test-worker-{uuid.uuid4().hex}",
            DATABASE_URL=database_url(),
            NOTICE_BATCH_SIZE=str(BATCH),
            NOTICE_BATCH_PAUSE_SECONDS=str(pause),
            NOTICE_EMAIL_HANDOVER_PAUSE_SECONDS=str(handover),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        )
        self.mail_dir = tmp_path / "mail"
        self.log_path = tmp_path / "worker.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "library_site",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "-Q",
                self.queue,
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
                "-n",
                f"{self.queue}@%h",
            ],
            env=self.env,
            cwd=settings.BASE_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def send(self, task: str, times: int = 1) -> None:
        """Send the task through the broker from a process of its own, as beat does."""
        code = (
            "import django; django.setup(); from library_site.celery import app; "
            f"[app.send_task({task!r}, queue={self.queue!r}) for _ in range({times})]"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=self.env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr

    def children(self) -> list[int]:
        """The pool's processes (those that run the tasks)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    status = (entry / "status").read_text()
                except OSError:
                    continue
                if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.MULTILINE):
                    found.append(int(entry.name))
        return found

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()
        return self.log_path.read_text()

    def message_ids(self) -> Counter:
        """How many times each Message-ID was handed over, from the files the worker wrote."""
        counts = Counter()
        for path in self.mail_dir.glob("*.log") if self.mail_dir.exists() else []:
            counts.update(re.findall(r"^Message-ID: (.+)$", path.read_text(), re.MULTILINE))
        return counts

    def mails_to(self) -> Counter:
        """How many messages each address received, from the files the worker wrote."""
        counts = Counter()
        for path in self.mail_dir.glob("*.log") if self.mail_dir.exists() else []:
            for address in re.findall(r"^To: (.+)$", path.read_text(), re.MULTILINE):
                counts[address.strip()] += 1
        return counts


def wait_for(condition, *, seconds: float, worker: Worker, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}.\n{worker.stop()}")


@pytest.fixture
def overdue_class(data_from_migrations):
    """PUPILS pupils of one class, each with an overdue book at stage 1, 7 or 21 and an e-mail
    address; the class's head teacher has one too."""
    head_teacher = UserFactory(roles=[Role.TEACHER], email="head@school.example")
    school_class = SchoolClassFactory(grade=6, number=1, head_teacher=head_teacher)
    for index, copy in enumerate(copies_of("草房子", count=PUPILS)):
        reader = ReaderFactory(
            number=f"20267{index:05d}", email=f"pupil{index}@home.example", school_class=school_class
        )
        Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN)
        Loan.objects.create(
            copy=copy, reader=reader, due_on=timezone.localdate() - timedelta(days=(1, 7, 21)[index % 3])
        )
    return school_class


def assert_each_stage_once_and_every_mail_once(worker: Worker) -> None:
    per_stage = Counter(Notice.objects.filter(kind="overdue").values_list("loan_id", "stage"))
    assert len(per_stage) == PUPILS and set(per_stage.values()) == {1}
    assert Notice.objects.filter(kind="overdue", emailed_at__isnull=True).count() == 0
    mails = worker.mails_to()
    pupils = {address: count for address, count in mails.items() if address.startswith("pupil")}
    assert len(pupils) == PUPILS and set(pupils.values()) == {1}, mails
    listed = Counter(
        line
        for notice in Notice.objects.filter(kind="class_overdue")
        for line in notice.body.splitlines()
        if "《" in line
    )
    assert sum(listed.values()) == PUPILS and set(listed.values()) == {1}


def test_a_worker_killed_in_the_middle_of_the_notice_job_sends_each_stage_once_and_skips_none(
    overdue_class, tmp_path
):
    worker = Worker(tmp_path, pause=1.0)
    try:
        worker.send("circulation.tasks.send_notices_task")
        # Half-way: some pupils' e-mails are out, not all.
        wait_for(
            lambda: 0 < Notice.objects.filter(kind="overdue", emailed_at__isnull=False).count() < PUPILS,
            seconds=90,
            worker=worker,
            what="the job to be half-way through its e-mails",
        )
        (child,) = worker.children()
        os.kill(child, signal.SIGKILL)
        killed_at = Notice.objects.filter(kind="overdue", emailed_at__isnull=False).count()
        # The task is delivered again to a new pool process and finishes.
        wait_for(
            lambda: JobRun.objects.filter(key="send_notices", state=JobRun.State.SUCCEEDED).exists(),
            seconds=120,
            worker=worker,
            what="the job to be run again and finish",
        )
    finally:
        log = worker.stop()
    assert 0 < killed_at < PUPILS
    assert re.search(r"WorkerLostError|SIGKILL|signal 9", log), log
    assert_each_stage_once_and_every_mail_once(worker)


def test_two_runs_at_once_on_a_worker_make_one_notice_per_stage(overdue_class, tmp_path):
    worker = Worker(tmp_path, concurrency=2, pause=0.2)
    try:
        worker.send("circulation.tasks.send_notices_task", times=2)
        wait_for(
            lambda: JobRun.objects.filter(key="send_notices", state=JobRun.State.SUCCEEDED).count() == 2,
            seconds=120,
            worker=worker,
            what="both runs to finish",
        )
    finally:
        log = worker.stop()
    runs = list(JobRun.objects.filter(key="send_notices"))
    assert sum(run.result["overdue"] for run in runs) == PUPILS, log
    assert min(run.finished_at for run in runs) > max(run.started_at for run in runs)  # they overlapped
    assert_each_stage_once_and_every_mail_once(worker)


def test_a_worker_killed_between_handing_over_an_email_and_marking_it_sends_no_notice_twice(
    overdue_class, tmp_path
):
    from circulation.services.notices import notice_message_id

    worker = Worker(tmp_path, handover=1.0)
    try:
        worker.send("circulation.tasks.send_notices_task")
        # A few pupils' messages are out; the last of them is handed over and not yet marked.
        wait_for(
            lambda: sum(worker.message_ids().values()) >= 3,
            seconds=90,
            worker=worker,
            what="the job to hand over its first e-mails",
        )
        (child,) = worker.children()
        os.kill(child, signal.SIGKILL)
        handed_over_before_the_kill = sum(worker.message_ids().values())
        in_doubt = list(
            Notice.objects.filter(email_claimed_at__isnull=False, emailed_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        # The task is delivered again to a new pool process and finishes.
        wait_for(
            lambda: JobRun.objects.filter(key="send_notices", state=JobRun.State.SUCCEEDED).exists(),
            seconds=180,
            worker=worker,
            what="the job to be run again and finish",
        )
    finally:
        log = worker.stop()
    assert re.search(r"WorkerLostError|SIGKILL|signal 9", log), log
    assert 3 <= handed_over_before_the_kill < PUPILS + 1
    # Killed in the window: one notice handed over and not marked, and it was not sent again.
    assert len(in_doubt) == 1, in_doubt
    (doubtful,) = Notice.objects.filter(pk__in=in_doubt)
    assert doubtful.emailed_at is None
    ids = worker.message_ids()
    assert set(ids.values()) == {1}, ids  # no message handed over twice
    notices = list(Notice.objects.exclude(email_to=""))
    assert set(ids) == {notice_message_id(notice) for notice in notices}
    # Every other notice (the pupils' and the head teacher's list) was sent once and marked.
    assert all(notice.emailed_at for notice in notices if notice.pk != doubtful.pk)
    mails = worker.mails_to()
    pupils = {address: count for address, count in mails.items() if address.startswith("pupil")}
    assert len(pupils) == PUPILS and set(pupils.values()) == {1}, mails
