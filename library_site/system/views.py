from __future__ import annotations

import platform

import celery
import django
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from .backups import backup_status
from .exceptions import JobAlreadyWaiting
from .health import health_get
from .jobs import job_get, job_param_clean, job_send_now, jobs_overview
from .models import JobRun


@never_cache
@require_GET
def healthz(request):
    """For monitoring: 200 when the database and the broker answer, 503 otherwise.

    Open to anyone, so a stranger learns only the overall answer; each component, its latency
    and its error are shown to those who may see the system's status (signed in)."""
    report = health_get()
    if not request.user.has_perm(Capability.VIEW_SYSTEM_STATUS.permission):
        return JsonResponse({"ok": report["ok"]}, status=200 if report["ok"] else 503)
    return JsonResponse(report, status=200 if report["ok"] else 503)


@capability_required(Capability.VIEW_SYSTEM_STATUS)
def status(request):
    return render(
        request,
        "system/status.html",
        {
            "health": health_get(),
            "versions": {
                "Python": platform.python_version(),
                "Django": django.get_version(),
                "Celery": celery.__version__,
            },
        },
    )


@capability_required(Capability.VIEW_SYSTEM_STATUS)
def status_panel(request):
    """The status card of the administrator's desk, loaded after the page so that a slow broker
    never delays the desk itself."""
    return render(request, "system/_status_panel.html", {"health": health_get()})


@capability_required(Capability.VIEW_SYSTEM_STATUS)
def jobs(request):
    """The operations page: every background job, when it runs, its latest runs with their
    results and errors, and a button to start one now."""
    return render(
        request,
        "system/jobs.html",
        {"overview": jobs_overview(), "health": health_get(), "backup": backup_status()},
    )


@require_POST
@capability_required(Capability.VIEW_SYSTEM_STATUS)
def job_start(request, key: str):
    job = job_get(key)
    if job is None:
        raise Http404
    try:
        param = job_param_clean(job, request.POST.get("param", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("system:jobs")
    try:
        run = job_send_now(job=job, param=param, user=request.user)
    except JobAlreadyWaiting:
        messages.warning(
            request,
            _("“%(job)s” is already queued or running; it was not started a second time.")
            % {"job": job.label},
        )
        return redirect("system:jobs")
    if run.state == JobRun.State.FAILED:
        messages.error(
            request,
            _("“%(job)s” could not be sent to the task queue: %(error)s")
            % {"job": job.label, "error": run.error},
        )
    else:
        messages.success(
            request,
            _("“%(job)s” was sent to the worker. Reload this page to see its result.") % {"job": job.label},
        )
    return redirect("system:jobs")
