"""The registers page (S1): an administrator picks a register, a period and its filters, and
downloads the file. A small register is made while the page waits and comes back at once; a
large one (more than ``inline_rows()`` rows, counted first) is made by the background worker
while a progress bar shows how far it has got, then offered for download. Either way the file is
kept for a day under its job, so a second press of the button gets the same file."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from .. import register_files
from ..documents.registers import REGISTERS, RegisterQuery
from ..forms.registers import RegisterForm
from ..selectors.register_jobs import (
    RegisterJob,
    register_job_get,
    register_job_state,
    registers_menu,
    registers_recent,
)
from ..services.registers import inline_rows, register_export_start

EXPORT = Capability.EXPORT_REGISTERS
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


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
        job_id = register_export_start(
            user=request.user, query=query, fmt=data["format"], token=data["token"]
        )
        # Made already (a second press), made just now, or on its way.
        if register_job_state(job_id) == RegisterJob.State.MADE:
            return _file_response(job_id)
        return redirect("reports:register-job", job_id)
    return render(
        request,
        "reports/registers.html",
        {
            "registers": registers_menu(register),
            "register": register,
            "form": form,
            "recent": registers_recent(request.user.pk),
            "inline_rows": inline_rows(),
        },
    )


def _own_job(request, job_id: str) -> dict:
    """The job, if it is this person's; 404 otherwise (another person's file is never shown)."""
    meta = register_files.job_meta(job_id)
    if meta is None or meta.get("user_id") != request.user.pk:
        raise Http404
    return meta


@capability_required(EXPORT)
def register_job(request, job_id: str):
    meta = _own_job(request, job_id)
    context = {"job": register_job_get(job_id, meta)}
    template = "reports/_register_job.html" if request.htmx else "reports/register_job.html"
    return render(request, template, context)


@capability_required(EXPORT)
def register_download(request, job_id: str):
    _own_job(request, job_id)
    if register_job_state(job_id) != RegisterJob.State.MADE:
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
