from __future__ import annotations

import platform

import celery
import django
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from .health import health_get


@never_cache
@require_GET
def healthz(request):
    """For monitoring: 200 when the database and the broker answer, 503 otherwise.

    Open to anyone, so it says nothing a stranger could use: no addresses, no passwords."""
    report = health_get()
    for section in ("database", "broker", "worker"):
        report[section].pop("detail", None)
        report[section].pop("hostname", None)
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
