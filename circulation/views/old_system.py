"""The migration page at /circulation/old-system/: moving a school from its old library system
in three steps (services/old_system.py), each walked through the same way:

upload → preview (counts, and the refused rows by number; nothing saved) → run in the
background worker with its progress → the report of what was created, matched and refused.

A step is saved all or nothing and may be run again with the same file: what it saved the
first time is matched, not made twice. The file waits between the preview and the run in a
private folder (``library_site.documents.uploads``) named by a token only the session holds.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from catalog.old_system import COUNT_LABELS, ITEM_FIELDS, ITEM_LABELS, PROFILES
from catalog.policies import IMPORT_JOB_SILENT_SECONDS
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.documents import uploads

from ..forms.old_system import RecordsStepForm, StepFileForm
from ..services.old_system import STEPS, step_run
from ..tasks import old_system_step_task

SESSION_KEY = "circulation-old-system"
SHOWN_REFUSALS = 300
STEP_TITLES = {
    "records": gettext_lazy("1. Records and their copies"),
    "readers": gettext_lazy("2. Readers"),
    "loans": gettext_lazy("3. Open loans"),
}
STEP_HELP = {
    "records": gettext_lazy(
        "The old system's catalogue export (ISO 2709 or MARCXML, CNMARC or MARC21, GB18030 or UTF-8), "
        "with each copy in its holdings fields."
    ),
    "readers": gettext_lazy(
        "The readers' spreadsheet (.xlsx or .csv) with the roster's columns: 姓名, 学号 or 工号, 年级, 班级 …"
    ),
    "loans": gettext_lazy(
        "The books out on loan (.xlsx or .csv): 读者证号 (student, staff or card number), 条码, 借出日期, 应还日期."
    ),
}


def _figures(report: dict | None) -> dict | None:
    """A report with its counts labelled, for the template."""
    if not report:
        return None
    return {
        **report,
        "created_list": [(COUNT_LABELS[key], value) for key, value in report.get("created", {}).items()],
        "matched_list": [(COUNT_LABELS[key], value) for key, value in report.get("matched", {}).items()],
        "can_run": not report.get("refused_total") and not report.get("problems"),
    }


def _steps(request) -> dict:
    steps = request.session.get(SESSION_KEY)
    return steps if isinstance(steps, dict) else {}


def _save(request, steps: dict) -> None:
    request.session[SESSION_KEY] = steps


def _step_or_404(request) -> str:
    step = request.POST.get("step", "")
    if step not in STEPS:
        raise Http404
    return step


def _shown(report: dict) -> dict:
    """A report as the session keeps it: its first refused rows, and how many there are."""
    refused = report.get("refused", [])
    return {**report, "refused": refused[:SHOWN_REFUSALS], "refused_total": len(refused)}


@capability_required(Capability.MANAGE_POLICIES)
def old_system_page(request):
    if request.method == "POST":
        step = _step_or_404(request)
        action = request.POST.get("action", "preview")
        if action == "run":
            return _run(request, step)
        if action == "cancel":
            return _cancel(request, step)
        return _preview(request, step)
    steps = _steps(request)
    for step, state in list(steps.items()):
        if state.get("job"):
            _job_follow(request, steps, step)
    _save(request, steps)
    if request.htmx and request.GET.get("job"):
        state = steps.get(request.GET["job"], {})
        if not state.get("job"):
            return HttpResponseClientRedirect(
                reverse("circulation:old-system") + f"#step-{request.GET['job']}"
            )
        return render(
            request, "circulation/_old_system_job.html", {"step": request.GET["job"], "state": state}
        )
    return _page(request, steps)


def _page(request, steps: dict, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    context = {
        "steps": [
            {
                "key": key,
                "title": STEP_TITLES[key],
                "help": STEP_HELP[key],
                "state": steps.get(key, {}),
                "preview": _figures(steps.get(key, {}).get("preview")),
                "result": _figures(steps.get(key, {}).get("result")),
                "failure": _figures(steps.get(key, {}).get("failure")),
                "form": forms.get(key) or (RecordsStepForm() if key == "records" else StepFileForm()),
            }
            for key in STEPS
        ],
        "profiles": [
            {
                "label": profile.label,
                "mapping": [(ITEM_LABELS[name], getattr(profile, name)) for name in ITEM_FIELDS],
            }
            for profile in PROFILES.values()
        ],
    }
    return render(request, "circulation/old_system.html", context, status=status)


def _preview(request, step: str):
    steps = _steps(request)
    if steps.get(step, {}).get("job"):
        messages.warning(request, _("Wait until this step has finished."))
        return redirect("circulation:old-system")
    form_class = RecordsStepForm if step == "records" else StepFileForm
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, steps, forms={step: form}, status=400)
    upload = form.cleaned_data["file"]
    _discard(steps.get(step, {}))
    token = uploads.upload_store(upload.chunks())
    options = {"extension": form.extension, "name": (upload.name or "")[-120:]}
    run_options = {}
    if step == "records":
        options["profile"] = {"name": form.cleaned_data["profile"], "mapping": form.cleaned_data["changes"]}
        options["location_id"] = form.cleaned_data["location"].pk
        run_options = {
            "profile": form.cleaned_data["profile_object"],
            "location": form.cleaned_data["location"],
        }
    report = step_run(
        step=step,
        path=uploads.upload_path(token),
        extension=options["extension"],
        name=options["name"],
        dry_run=True,
        user=request.user,
        **run_options,
    )
    steps[step] = {"token": token, "options": options, "preview": _shown(report.as_dict())}
    _save(request, steps)
    return redirect(reverse("circulation:old-system") + f"#step-{step}")


def _run(request, step: str):
    steps = _steps(request)
    state = steps.get(step, {})
    token = state.get("token")
    if not token or state.get("job") or request.POST.get("token") != token or state.get("result"):
        messages.warning(request, _("This preview is no longer current; nothing was saved."))
        return redirect("circulation:old-system")
    preview = state.get("preview", {})
    if preview.get("refused_total") or preview.get("problems"):
        messages.error(request, _("This step has refused rows: correct the file and upload it again."))
        return redirect(reverse("circulation:old-system") + f"#step-{step}")
    if not uploads.upload_claim(token):  # atomic: a second click finds nothing to take
        messages.warning(request, _("This step is already being saved; it was not saved twice."))
        return redirect("circulation:old-system")
    state["job"] = {"started": time.time()}
    _save(request, steps)
    old_system_step_task.delay(
        token, step=step, **state["options"], user_id=request.user.pk, language=get_language()
    )
    return redirect(reverse("circulation:old-system") + f"#step-{step}")


def _job_follow(request, steps: dict, step: str) -> None:
    """A step being saved by the worker: its progress, then its report."""
    state = steps[step]
    token = state["token"]
    result = uploads.job_result_read(token)
    if result is None:
        progress = uploads.job_progress_read(token) or {}
        last_news = progress.get("at") or state["job"]["started"]
        if time.time() - last_news > IMPORT_JOB_SILENT_SECONDS:
            result = {
                "step": step,
                "problems": [
                    _(
                        "The step stopped without finishing (the background worker did not answer); nothing was saved."
                    )
                ],
                "saved": False,
            }
        else:
            total, done = progress.get("total") or 0, progress.get("done", 0)
            state["job"]["progress"] = {
                "done": done,
                "total": total,
                "percent": int(100 * done / total) if total else 0,
            }
            return
    state.pop("job", None)
    shown = _shown(result)
    if shown.get("saved"):
        state["result"] = shown
        uploads.upload_discard(token)
    else:
        uploads.upload_release(token)
        state["failure"] = shown


def _cancel(request, step: str):
    steps = _steps(request)
    state = steps.get(step, {})
    if state.get("job"):
        messages.warning(request, _("Wait until this step has finished."))
        return redirect("circulation:old-system")
    _discard(state)
    steps.pop(step, None)
    _save(request, steps)
    return redirect(reverse("circulation:old-system") + f"#step-{step}")


def _discard(state: dict) -> None:
    if state.get("token") and not state.get("job"):
        uploads.upload_discard(state["token"])
