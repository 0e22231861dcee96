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
