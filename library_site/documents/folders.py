"""Small files the workers and the web server share under var/: a folder per job or upload,
JSON written so that a reader never sees half of it, and folders removed after a while."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from pathlib import Path


def json_write(folder: Path, name: str, value) -> None:
    """Write ``folder/name`` atomically: to a temporary name, then renamed over it."""
    temporary = folder / f".{name}.{secrets.token_hex(4)}"
    temporary.write_text(json.dumps(value, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(temporary, folder / name)


def json_read(path: Path):
    """The JSON in ``path``, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# A background job's folder (an import's upload, a register file) says how far the job has got
# and how it ended in two files the page reads: the same names and shapes for every job.
JOB_PROGRESS = "progress.json"
JOB_RESULT = "result.json"


def job_progress_write(folder: Path, *, done: int, total: int) -> None:
    """The job's progress, stamped with the time (a page takes a long silence for a stopped worker)."""
    json_write(folder, JOB_PROGRESS, {"done": done, "total": total, "at": time.time()})


def job_progress_read(folder: Path) -> dict | None:
    return json_read(folder / JOB_PROGRESS)


def job_result_write(folder: Path, result: dict) -> None:
    """How the job ended, stamped with the time it ended."""
    json_write(folder, JOB_RESULT, {**result, "at": time.time()})


def job_result_read(folder: Path) -> dict | None:
    return json_read(folder / JOB_RESULT)


def folders_remove_stale(root: Path, *, older_than_seconds: float, now: float | None = None) -> int:
    """Remove the folders under ``root`` last changed more than ``older_than_seconds`` ago;
    returns how many."""
    if not root.is_dir():
        return 0
    limit = (now or time.time()) - older_than_seconds
    removed = 0
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed
