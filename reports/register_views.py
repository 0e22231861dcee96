"""The registers page (S1): an administrator picks a register, a period and its filters, and
downloads the file. A small register is made while the page waits and comes back at once; a
large one (more than ``inline_rows()`` rows, counted first) is made by the background worker
while a progress bar shows how far it has got, then offered for download. Either way the file is
kept for a day under its job, so a second press of the button gets the same file."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from . import register_files
from .exports import register_filename
from .forms import RegisterForm
from .registers import REGISTERS, RegisterQuery, register_get
from .tasks import register_export_run, register_export_task

EXPORT = Capability.EXPORT_REGISTERS
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# A job that has written no progress for this long is taken as stopped (the worker died).
JOB_SILENT_SECONDS = 10 * 60


def inline_rows() -> int:
    """Registers up to this many rows are made while the page waits."""
    return getattr(settings, "REPORTS_REGISTER_INLINE_ROWS", 3000)


@capability_required(EXPORT)
def registers(request):
    letter = request.POST.get("register") or request.GET.get("register") or "A"
    register = REGISTERS.get(letter.upper()) or REGISTERS["A"]
    form = RegisterForm(request.POST or None, register=register)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        query = RegisterQuery(
            letter=register.letter,
            date_from=data["date_from"],
            date_to=data["date_to"],
            room=data.get("room"),
            grade=data.get("grade"),
            school_class=data.get("school_class"),
            reader_kind=data.get("reader_kind") or "",
        )
        return _export(request, query, fmt=data["format"], token=data["token"])
    return render(
        request,
        "reports/registers.html",
        {
            "registers": REGISTERS.values(),
            "register": register,
            "form": form,
            "recent": _recent(request.user.pk),
            "inline_rows": inline_rows(),
        },
    )


def _export(request, query: RegisterQuery, *, fmt: str, token: str):
    asked = {"query": query.to_json(), "format": fmt, "language": get_language()}
    job_id = register_files.job_id_for(user_id=request.user.pk, token=token, request=asked)
    if register_files.job_meta(job_id) is None:
        total = register_get(query.letter).count(query)
        inline = total <= inline_rows()
        created = register_files.job_create(
            job_id,
            {
                **asked,
                "user_id": request.user.pk,
                "total": total,
                "inline": inline,
                "filename": register_filename(query, fmt),
            },
        )
        if created:
            if inline:
                # A failure is kept in the job's result and the log; the job's page says so.
                with contextlib.suppress(Exception):
                    register_export_run(job_id)
            else:
                # Nothing was written to the database: the worker may start at once.
                register_export_task.delay(job_id)
    # Made already (a second press), made just now, or on its way.
    result = register_files.job_result(job_id)
    if result is not None and result.get("ok"):
        return _file_response(job_id)
    return redirect("reports:register-job", job_id)


def _own_job(request, job_id: str) -> dict:
    """The job, if it is this person's; 404 otherwise (another person's file is never shown)."""
    meta = register_files.job_meta(job_id)
    if meta is None or meta.get("user_id") != request.user.pk:
        raise Http404
    return meta


def _job_state(job_id: str, meta: dict) -> dict:
    result = register_files.job_result(job_id)
    progress = register_files.job_progress(job_id) or {}
    total = meta.get("total") or 0
    done = min(progress.get("done", 0), total) if total else progress.get("done", 0)
    last = progress.get("at") or meta.get("created") or 0
    stopped = result is None and time.time() - last > JOB_SILENT_SECONDS
    register = register_get(meta["query"]["letter"])
    return {
        "id": job_id,
        "register": register,
        "filename": meta.get("filename", ""),
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 0,
        "result": result,
        "finished": result is not None and result.get("ok"),
        "failed": (result is not None and not result.get("ok")) or stopped,
        "message": (result or {}).get("message")
        or _("The register was not finished: the background worker stopped. Make it again."),
    }


@capability_required(EXPORT)
def register_job(request, job_id: str):
    meta = _own_job(request, job_id)
    context = {"job": _job_state(job_id, meta)}
    template = "reports/_register_job.html" if request.htmx else "reports/register_job.html"
    return render(request, template, context)


@capability_required(EXPORT)
def register_download(request, job_id: str):
    _own_job(request, job_id)
    result = register_files.job_result(job_id)
    if result is None or not result.get("ok"):
        return redirect("reports:register-job", job_id)
    return _file_response(job_id)


def _file_response(job_id: str):
    meta = register_files.job_meta(job_id)
    path = register_files.job_file(job_id, meta["format"])
    try:
        handle = path.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=meta["filename"], content_type=CONTENT_TYPES[meta["format"]]
    )


def _recent(user_id: int) -> list[dict]:
    recent = []
    for meta in register_files.jobs_of_user(user_id):
        register = REGISTERS.get(meta["query"]["letter"])
        if register is None:
            continue
        result = meta["result"] or {}
        recent.append(
            {
                "id": meta["id"],
                "filename": meta.get("filename", ""),
                "register": register,
                "ok": result.get("ok"),
                "rows": result.get("rows"),
                "made_at": datetime.fromtimestamp(meta.get("created", 0), tz=UTC),
                "url": reverse(
                    "reports:register-download" if result.get("ok") else "reports:register-job",
                    args=[meta["id"]],
                ),
            }
        )
    return recent
