"""The register files' jobs and the registers page's menu, as the pages show them: which
register is chosen, how far a job has got, and the person's files of the last day. (The rows of
each register are read by reports/selectors/registers.py; the files are written by
reports/documents/registers.py.)"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .. import register_files
from ..documents.registers import REGISTERS, register_get

# A job that has said nothing for this long is shown as failed: its worker stopped.
JOB_SILENT_SECONDS = 10 * 60


@dataclass(frozen=True)
class RegisterChoice:
    """A register the page lists, and whether it is the one chosen."""

    register: object  # a Register
    current: bool

    @property
    def letter(self) -> str:
        return self.register.letter

    @property
    def name(self) -> str:
        return self.register.name


def registers_menu(current) -> list[RegisterChoice]:
    """Every register the page offers, ``current`` (a Register) marked."""
    return [RegisterChoice(register, register.letter == current.letter) for register in REGISTERS.values()]


@dataclass
class RegisterJob:
    """A register file's job as its page shows it. Its state is kept in the job's folder: no
    result yet (being made), a result that says ok (ready), or one that does not (failed).
    A job that has said nothing for JOB_SILENT_SECONDS is shown as failed: its worker stopped."""

    class State(models.TextChoices):
        MAKING = "making", gettext_lazy("being made")
        MADE = "made", pgettext_lazy("register file", "ready")
        FAILED = "failed", gettext_lazy("failed")

    id: str
    register: object  # a Register
    filename: str
    state: str  # a RegisterJob.State
    done: int
    total: int
    result: dict | None
    stopped: bool = False
    message: str = ""

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state == RegisterJob.State.MADE

    @property
    def failed(self) -> bool:
        return self.state == RegisterJob.State.FAILED or self.stopped

    @property
    def making(self) -> bool:
        return not self.finished and not self.failed


def register_job_state(job_id: str) -> str:
    """The job's state as its folder keeps it (a RegisterJob.State)."""
    return _state_of(register_files.job_result(job_id))


def _state_of(result: dict | None) -> str:
    if result is None:
        return RegisterJob.State.MAKING
    return RegisterJob.State.MADE if result.get("ok") else RegisterJob.State.FAILED


def register_job_get(job_id: str, meta: dict) -> RegisterJob:
    """The job ``job_id`` (whose meta is ``meta``) as its page shows it: how far it has got, and
    whether it is ready, failed or stopped."""
    result = register_files.job_result(job_id)
    progress = register_files.job_progress(job_id) or {}
    total = meta.get("total") or 0
    done = min(progress.get("done", 0), total) if total else progress.get("done", 0)
    last = progress.get("at") or meta.get("created") or 0
    return RegisterJob(
        id=job_id,
        register=register_get(meta["query"]["letter"]),
        filename=meta.get("filename", ""),
        state=_state_of(result),
        done=done,
        total=total,
        result=result,
        stopped=result is None and time.time() - last > JOB_SILENT_SECONDS,
        message=(result or {}).get("message")
        or _("The register was not finished: the background worker stopped. Make it again."),
    )


def registers_recent(user_id: int) -> list[dict]:
    """The person's register files of the last day, newest first, each with its state."""
    recent = []
    for meta in register_files.jobs_of_user(user_id):
        register = REGISTERS.get(meta["query"]["letter"])
        if register is None:
            continue
        result = meta["result"] or {}
        state = _state_of(meta["result"])
        recent.append(
            {
                "id": meta["id"],
                "filename": meta.get("filename", ""),
                "register": register,
                "ok": result.get("ok"),
                "state": state,
                "made": state == RegisterJob.State.MADE,
                "making": state == RegisterJob.State.MAKING,
                "rows": result.get("rows"),
                "made_at": datetime.fromtimestamp(meta.get("created", 0), tz=UTC),
                "url": reverse(
                    "reports:register-download" if result.get("ok") else "reports:register-job",
                    args=[meta["id"]],
                ),
            }
        )
    return recent


# --- the rows of registers A, H and I ---------------------------------------------------------
