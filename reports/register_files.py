"""Register files being made or made: each one in ``var/registers/<job id>/`` with what was
asked (meta.json), the worker's progress (progress.json), its outcome (result.json) and the
file itself. A file is kept for a day, then purged (reports.tasks.register_exports_purge_task).

The job's id is derived from the person, the page's one-time token and what was asked, and the
folder is made with an atomic ``mkdir``: a second press of the button (the same token and the
same register) finds the job already there and computes nothing again; a new choice on the same
page is a new job. Ids are hexadecimal; nothing a browser sends is used as a path unchecked.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

from django.conf import settings

from library_site.documents import folders

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 60 * 60
META = "meta.json"


def jobs_dir() -> Path:
    return Path(settings.VAR_DIR) / "registers"


def job_id_for(*, user_id: int, token: str, request: dict) -> str:
    text = json.dumps([user_id, token, request], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def job_folder(job_id: str) -> Path | None:
    if not isinstance(job_id, str) or not JOB_ID.match(job_id):
        return None
    return jobs_dir() / job_id


def job_create(job_id: str, meta: dict) -> bool:
    """Make the job's folder and keep what was asked; False if the job exists already."""
    jobs_purge()
    folder = job_folder(job_id)
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        return False
    folders.json_write(folder, META, {**meta, "created": time.time()})
    return True


def _json_read(job_id: str, name: str):
    folder = job_folder(job_id)
    return None if folder is None else folders.json_read(folder / name)


def job_meta(job_id: str) -> dict | None:
    return _json_read(job_id, META)


def job_progress_write(job_id: str, *, done: int, total: int) -> None:
    folder = job_folder(job_id)
    if folder is not None and folder.is_dir():
        folders.job_progress_write(folder, done=done, total=total)


def job_progress(job_id: str) -> dict | None:
    folder = job_folder(job_id)
    return None if folder is None else folders.job_progress_read(folder)


def job_result_write(job_id: str, result: dict) -> None:
    folder = job_folder(job_id)
    if folder is not None and folder.is_dir():
        folders.job_result_write(folder, result)


def job_result(job_id: str) -> dict | None:
    folder = job_folder(job_id)
    return None if folder is None else folders.job_result_read(folder)


def job_file(job_id: str, fmt: str) -> Path | None:
    folder = job_folder(job_id)
    if folder is None or fmt not in ("xlsx", "csv"):
        return None
    return folder / f"register.{fmt}"


def jobs_of_user(user_id: int, *, limit: int = 10) -> list[dict]:
    """The person's register files of the last day, newest first (each meta with its id and
    result)."""
    root = jobs_dir()
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        meta = job_meta(folder.name)
        if meta and meta.get("user_id") == user_id:
            found.append({**meta, "id": folder.name, "result": job_result(folder.name)})
    found.sort(key=lambda job: job.get("created", 0), reverse=True)
    return found[:limit]


def jobs_purge(*, now: float | None = None) -> int:
    """Remove the jobs (and their files) made more than a day ago; returns how many."""
    return folders.folders_remove_stale(jobs_dir(), older_than_seconds=KEEP_SECONDS, now=now)
