"""An uploaded file (a MARC file, a spreadsheet of records, a roster) waiting between its preview
and the librarian's confirmation, what the preview found, and, for a large import saved by the
worker, that job's progress and result.

Everything lives in ``var/imports/<token>/``: a folder named by a random token that only the
server (the session, the task's arguments) knows; nothing a browser sends is ever used as a
path. Confirming takes the folder by renaming it to ``<token>.saving`` (atomic: a second click
or a second worker finds nothing to take). Folders left behind (a preview never confirmed nor
cancelled) are removed after a day.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from . import folders
from .sheets import EXTENSIONS

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
UPLOAD_NAME = "upload.marc"
EXPECTED_NAME = "expected.json"
SAVING = ".saving"
STALE_AFTER_SECONDS = 24 * 60 * 60


def imports_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def folder_for(token: str, *, claimed: bool = False) -> Path | None:
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    return imports_dir() / (token + (SAVING if claimed else ""))


def upload_store(data: bytes | Iterable[bytes], *, name: str = UPLOAD_NAME) -> str:
    """Keep an uploaded file (its bytes, or the chunks of a Django upload) under ``name`` in a
    new folder; its token."""
    uploads_remove_stale()
    token = secrets.token_urlsafe(24)
    folder = imports_dir() / token
    folder.mkdir(mode=0o700, parents=True)
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in [data] if isinstance(data, bytes) else data:
            handle.write(chunk)
    return token


def upload_path(token: str, name: str = UPLOAD_NAME, *, claimed: bool = False) -> Path | None:
    """Where the file of a sound token is (or would be), before or after it is claimed."""
    folder = folder_for(token, claimed=claimed)
    return None if folder is None else folder / name


def upload_load(token: str, *, claimed: bool = False) -> bytes | None:
    path = upload_path(token, claimed=claimed)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def upload_discard(token: str) -> None:
    for claimed in (False, True):
        folder = folder_for(token, claimed=claimed)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def upload_claim(token: str) -> bool:
    """Take the file for saving; False when it is gone or already taken."""
    folder = folder_for(token)
    if folder is None:
        return False
    try:
        folder.rename(folder_for(token, claimed=True))
    except OSError:
        return False
    return True


def upload_release(token: str) -> None:
    """Give a claimed file back to its preview (the import was refused), without its job files."""
    claimed = folder_for(token, claimed=True)
    if claimed is None or not claimed.is_dir():
        return
    for name in (folders.JOB_PROGRESS, folders.JOB_RESULT):
        (claimed / name).unlink(missing_ok=True)
    claimed.rename(folder_for(token))


def upload_is_claimed(token: str) -> bool:
    claimed = folder_for(token, claimed=True)
    return claimed is not None and claimed.is_dir()


def _folder_present(token: str) -> Path | None:
    """The token's folder as it is now, claimed or not."""
    for claimed in (True, False):
        folder = folder_for(token, claimed=claimed)
        if folder is not None and folder.is_dir():
            return folder
    return None


def json_write(token: str, name: str, value) -> None:
    """Keep a small JSON file beside the upload (atomically: a reader never sees half of it)."""
    folder = _folder_present(token)
    if folder is not None:
        folders.json_write(folder, name, value)


def json_read(token: str, name: str):
    folder = _folder_present(token)
    return None if folder is None else folders.json_read(folder / name)


def expected_write(token: str, numbers: list[int]) -> None:
    """The numbers of the records the preview showed as valid: what the librarian confirms. Kept
    beside the file, not in the session (a large file has tens of thousands)."""
    json_write(token, EXPECTED_NAME, numbers)


def expected_read(token: str, *, claimed: bool = False) -> list[int] | None:
    folder = folder_for(token, claimed=claimed)
    numbers = json_read(token, EXPECTED_NAME) if folder is not None and folder.is_dir() else None
    return numbers if isinstance(numbers, list) and all(isinstance(n, int) for n in numbers) else None


def job_progress_write(token: str, *, done: int, total: int) -> None:
    folder = _folder_present(token)
    if folder is not None:
        folders.job_progress_write(folder, done=done, total=total)


def job_progress_read(token: str) -> dict | None:
    folder = _folder_present(token)
    return None if folder is None else folders.job_progress_read(folder)


def job_result_write(token: str, result: dict) -> None:
    folder = _folder_present(token)
    if folder is not None:
        folders.job_result_write(folder, result)


def job_result_read(token: str) -> dict | None:
    folder = _folder_present(token)
    return None if folder is None else folders.job_result_read(folder)


def uploads_remove_stale() -> int:
    """Remove the folders of uploads that were previewed and abandoned, a day after their
    upload; returns how many."""
    return folders.folders_remove_stale(imports_dir(), older_than_seconds=STALE_AFTER_SECONDS)


# --- a spreadsheet waiting between its preview and the confirmation -----------------------------

REPORT_NAME = "report.json"


def import_file_path(token: str, extension: str, *, claimed: bool = False) -> Path:
    path = upload_path(token, f"upload{extension}", claimed=claimed) if extension in EXTENSIONS else None
    if path is None:
        raise ValueError("not an import token")
    return path


def import_file_store(chunks: Iterable[bytes], extension: str) -> str:
    """Keep an uploaded file under a new random token; returns the token."""
    return upload_store(chunks, name=f"upload{extension}")


def import_report_store(token: str, report: dict) -> None:
    json_write(token, REPORT_NAME, report)


def import_report_load(token: str) -> dict | None:
    return json_read(token, REPORT_NAME)


def import_file_claim(token: str, extension: str) -> Path | None:
    """Take the file for saving, so that a second confirmation (a double click, another tab)
    finds nothing to save. The rename is atomic: only one request gets the file."""
    return import_file_path(token, extension, claimed=True) if upload_claim(token) else None


def import_file_release(token: str) -> None:
    """Give a claimed file back (the save was refused), so that the preview can be confirmed
    again once the reason is gone; a job's progress and result go."""
    upload_release(token)


def import_files_delete(token: str) -> None:
    upload_discard(token)


def import_files_purge() -> int:
    """Delete the files of imports that were never confirmed, after a day."""
    return uploads_remove_stale()


# --- the session of the page that previews it ------------------------------------------------------


def upload_pending(request, session_key: str) -> dict | None:
    """The spreadsheet waiting for confirmation in this session under ``session_key`` (a dict
    with its ``token``, ``extension`` and ``name``), if its token is sound; a session whose
    token is not is forgotten."""
    pending = request.session.get(session_key)
    if not isinstance(pending, dict):
        return None
    try:
        import_file_path(pending.get("token", ""), pending.get("extension", ""))
    except ValueError:
        request.session.pop(session_key, None)
        return None
    return pending


def upload_pending_discard(request, session_key: str) -> None:
    """Forget the spreadsheet waiting in this session, and delete its files."""
    pending = upload_pending(request, session_key)
    if pending:
        import_files_delete(pending["token"])
    request.session.pop(session_key, None)
