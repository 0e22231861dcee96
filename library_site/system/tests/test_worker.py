"""A real Celery worker runs a job sent through the configured broker.

Without REDIS_URL that is the embedded default, kombu's filesystem transport under var/ (here a
temporary one); with REDIS_URL set (CI's PostgreSQL run) it is Redis. Nothing is mocked: the
sender, the worker and the reader of the result are separate processes, as in production."""

import json
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from library_site.testing import subprocess_env

pytestmark = pytest.mark.worker

SETUP = "import django; django.setup(); "


def python(code, env):
    result = subprocess.run(
        [sys.executable, "-c", SETUP + code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def test_a_real_worker_runs_the_heartbeat_job(tmp_path):
    env = subprocess_env(LIBRARY_VAR_DIR=str(tmp_path))
    queue = f"test-{uuid.uuid4().hex[:8]}"
    python(
        "from django.core.cache import cache; from library_site.system.heartbeats import HEARTBEAT_KEY; "
        "cache.delete(HEARTBEAT_KEY)",
        env,
    )
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "library_site",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            "-n",
            f"{queue}@%h",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        python(
            "from library_site.system.tasks import heartbeat_task; "
            f"heartbeat_task.apply_async(queue={queue!r})",
            env,
        )
        deadline = time.monotonic() + 60
        worker_state = {}
        while time.monotonic() < deadline:
            worker_state = json.loads(
                python(
                    "import json; from library_site.system.heartbeats import worker_heartbeat_get; "
                    "print(json.dumps(worker_heartbeat_get()))",
                    env,
                )
            )
            # Ready, the worker records a heartbeat of its own: wait for the job's as well.
            task_done = "succeeded" in (tmp_path / "worker.log").read_text()
            if (worker_state["ok"] and task_done) or worker.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    worker_log = (tmp_path / "worker.log").read_text()
    assert worker_state.get("ok") is True, worker_log
    assert worker_state["age_seconds"] < 60
    assert "heartbeat_task" in worker_log and "succeeded" in worker_log


def celery(*args, env, log):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "library_site", *args],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_fresh_start_is_healthy_once_the_worker_and_beat_are_up(tmp_path):
    """`make run` used to answer 503 for its first minute: the heartbeat came only with beat's
    first heartbeat job. Now a ready worker records one at once and beat its first tick as it
    starts. The worker listens on a queue of its own, so no scheduled heartbeat reaches it: the
    health it reports is its start's."""
    env = subprocess_env(LIBRARY_VAR_DIR=str(tmp_path))
    queue = f"test-{uuid.uuid4().hex[:8]}"
    read_health = (
        "import json; from library_site.system.heartbeats import worker_heartbeat_get, beat_tick_get; "
        "print(json.dumps({'worker': worker_heartbeat_get(), 'beat': beat_tick_get()}))"
    )
    python(
        "from django.core.cache import cache; from library_site.system.heartbeats import HEARTBEAT_KEY, BEAT_KEY; "
        "cache.delete_many([HEARTBEAT_KEY, BEAT_KEY])",
        env,
    )
    before = json.loads(python(read_health, env))
    assert (before["worker"]["ok"], before["beat"]["ok"]) == (False, False)
    log = open(tmp_path / "celery.log", "w")  # noqa: SIM115 - closed below
    worker = celery(
        "worker", "--pool=solo", "-Q", queue, "--without-mingle", "--without-gossip",
        "--loglevel=INFO", "-n", f"{queue}@%h", env=env, log=log,
    )  # fmt: skip
    beat = celery("beat", "-s", str(tmp_path / "beat-schedule"), "--loglevel=INFO", env=env, log=log)
    try:
        # Generous: two processes start on a machine that may be busy.
        deadline = time.monotonic() + 150
        health = before
        while time.monotonic() < deadline:
            health = json.loads(python(read_health, env))
            if (
                (health["worker"]["ok"] and health["beat"]["ok"])
                or worker.poll() is not None
                or beat.poll() is not None
            ):
                break
            time.sleep(0.5)
    finally:
        for process in (beat, worker):
            process.terminate()
        for process in (beat, worker):
            process.wait(timeout=30)
        log.close()
    output = (tmp_path / "celery.log").read_text()
    assert health["worker"]["ok"] and health["beat"]["ok"], (health, output)
    # No heartbeat job was received by this worker: the heartbeat is the one it recorded ready.
    assert "Received task: library_site.system.tasks.heartbeat_task" not in output, output
