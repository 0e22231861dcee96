"""The state tables of the reports app, built on ``library_site.states``.

The reports app's models hold figures and settings, none of them a state. What moves through
states is a register file's job (a folder under var/registers/, ``reports.register_files``): it
is being made until the worker or the page writes its result, ready or failed, once. The
services of ``reports.services.registers`` end a job only through this table's guard.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from library_site.states import Move, StateTable

from .exceptions import RegisterJobRefused
from .selectors.register_jobs import RegisterJob

Job = RegisterJob.State

REGISTER_JOB_STATES = StateTable(
    "register job",
    [
        Move(Job.MAKING, Job.MADE, _("the file is written")),
        Move(Job.MAKING, Job.FAILED, _("an error stopped the file")),
    ],
    choices=RegisterJob.State,
    refused=RegisterJobRefused,
    message=_("This register file is “%(current)s” and cannot become “%(wanted)s”: make it again."),
)


# --- The library's management (issue 20): a work plan's approval ---------------------------------
# Drafted and submitted by the librarian (MANAGE_COLLECTION); approved or returned by a school
# leader, who holds reports.approve_work_plan (granted to the leader role by the migration).
from .exceptions import PlanRefused  # noqa: E402
from .models import WorkPlan  # noqa: E402

Plan = WorkPlan.Status
APPROVE_WORK_PLAN = "reports.approve_work_plan"

WORK_PLAN_STATES = StateTable(
    "work plan",
    [
        Move(Plan.DRAFT, Plan.SUBMITTED, _("the librarian submits it to the leaders")),
        Move(Plan.RETURNED, Plan.SUBMITTED, _("the librarian submits it again after changes")),
        Move(Plan.SUBMITTED, Plan.APPROVED, _("a school leader approves it"), right=APPROVE_WORK_PLAN),
        Move(
            Plan.SUBMITTED,
            Plan.RETURNED,
            _("a school leader returns it for changes"),
            right=APPROVE_WORK_PLAN,
        ),
    ],
    choices=WorkPlan.Status,
    refused=PlanRefused,
    message=_("This plan is “%(current)s” and cannot become “%(wanted)s”."),
)
