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
        "from django.core.cache import cache; from library_site.system.health import HEARTBEAT_KEY; "
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
                    "import json; from library_site.system.health import worker_heartbeat_get; "
                    "print(json.dumps(worker_heartbeat_get()))",
                    env,
                )
            )
            if worker_state["ok"] or worker.poll() is not None:
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
