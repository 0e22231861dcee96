"""The state table of a background job's run (``JobRun.state``), built on ``library_site.states``.

A run the operations page queues waits as "queued" until a worker takes it; the beat and the
command line start theirs "running". A run ends "succeeded" or "failed". The same task delivered
again (a retry after a failure, a worker lost before it acknowledged) continues its own row, so
a run that is running, failed or succeeded may run again. ``library_site.system.jobs`` changes
a run's state only through this table's guard.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from library_site.states import Move, StateTable

from .exceptions import JobRunRefused
from .models import JobRun

State = JobRun.State

JOB_RUN_STATES = StateTable(
    "job run",
    [
        Move(State.QUEUED, State.RUNNING, _("a worker takes the run the operations page queued")),
        Move(
            State.QUEUED, State.FAILED, _("the task queue could not be reached, or no worker took it in time")
        ),
        Move(State.RUNNING, State.SUCCEEDED, _("the job finished")),
        Move(State.RUNNING, State.FAILED, _("the job stopped with an error")),
        Move(State.RUNNING, State.RUNNING, _("the same task delivered again after its worker was lost")),
        Move(State.FAILED, State.RUNNING, _("the task retried after a failure")),
        Move(State.SUCCEEDED, State.RUNNING, _("the same task delivered again after it had finished")),
        Move(
            State.FAILED,
            State.SUCCEEDED,
            _("a run whose lease ran out (its worker thought lost) finished after all"),
        ),
    ],
    choices=JobRun.State,
    refused=JobRunRefused,
    message=_("This run of the job is “%(current)s” and cannot become “%(wanted)s”."),
)
