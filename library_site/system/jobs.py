"""The background jobs an administrator can watch and start: a registry filled by the apps, and
``job_run``, which records every run of a job in ``JobRun``.

An app registers its jobs in ``AppConfig.ready()``::

    jobs_register(Job(key="send_notices", task="circulation.tasks.send_notices_task",
                      label=_("Due-date reminders and overdue notices"), param=Job.Param.DATE))

and its task records what it did::

    @shared_task(name="circulation.tasks.send_notices_task", bind=True)
    def send_notices_task(self, param=None, job_run_id=None):
        with job_run("send_notices", run_id=job_run_id, task_id=self.request.id, param=param) as run:
            run.result = {"sent": notices_send(...)}

A failure inside the block is recorded with its message and raised again, so that Celery's
retries still apply. A run the operations page queued (``job_send_now``) is the same row from
"queued" to its end; a run from the beat schedule or the command line gets a row of its own.
A run's state moves only through ``JOB_RUN_STATES`` (``library_site/system/states.py``).

A running run holds a **lease** (``JobRun.lease_until``, ``JOB_LEASE_SECONDS`` ahead), renewed
every ``JOB_LEASE_RENEW_SECONDS`` by a thread of the process that runs it. A worker killed
(SIGKILL, the machine lost) stops renewing; ``job_runs_expire`` then marks the run failed with
that reason, so that the operations page says so and "run now" starts the job again at once.
It runs every ``JOB_LEASE_SWEEP_SECONDS`` from beat and before every look at the jobs (the
operations page, "run now", /healthz): a killed run is failed within a minute. Should the
lost task be delivered again later, it continues its row (failed → running), and the jobs' work
is idempotent as before.
"""

from __future__ import annotations

import datetime
import enum
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .exceptions import JobAlreadyWaiting
from .models import JobRun
from .states import JOB_RUN_STATES

if TYPE_CHECKING:
    from library_site.accounts.models import User

logger = logging.getLogger(__name__)

ERROR_LIMIT = 2000
# How long "run now" tries to reach the broker before it records the run as failed.
BROKER_GIVE_UP_SECONDS = 2


@dataclass(frozen=True)
class Job:
    class Param(enum.Enum):
        NONE = ""
        DATE = "date"
        MONTH = "month"

    key: str
    task: str
    label: str
    param: Param = Param.NONE
    description: str = ""
    # How the page names the figures of ``JobRun.result``: {"sent": _("notices sent")}.
    result_labels: dict = field(default_factory=dict)

    @property
    def takes_date(self) -> bool:
        return self.param is Job.Param.DATE

    @property
    def takes_month(self) -> bool:
        return self.param is Job.Param.MONTH

    def result_items(self, run: JobRun) -> list[tuple[str, object]]:
        return [(self.result_labels.get(name, name), value) for name, value in (run.result or {}).items()]


_jobs: dict[str, Job] = {}


def jobs_register(job: Job) -> None:
    _jobs[job.key] = job


def jobs_all() -> list[Job]:
    return list(_jobs.values())


def job_get(key: str) -> Job | None:
    return _jobs.get(key)


def job_param_clean(job: Job, text: str, *, today: datetime.date | None = None) -> str:
    """The parameter of a run as the task takes it (``2026-11-24``, ``2026-10``, or ``""`` for
    the job's own default), or a ValidationError in the reader's language."""
    text = (text or "").strip()
    if job.param is Job.Param.NONE or not text:
        return ""
    today = today or timezone.localdate()
    if job.param is Job.Param.DATE:
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(
                _("“%(text)s” is not a date; write it as 2026-11-24."), params={"text": text}
            ) from None
    try:
        month = datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValidationError(
            _("“%(text)s” is not a month; write it as 2026-10."), params={"text": text}
        ) from None
    if month > today.replace(day=1):
        raise ValidationError(_("%(text)s has not begun yet."), params={"text": text})
    return month.strftime("%Y-%m")


def _run_fail(run: JobRun, error: BaseException) -> None:
    """Close ``run`` as failed with the error's type and message."""
    JOB_RUN_STATES.check(run.state, JobRun.State.FAILED)
    run.state = JobRun.State.FAILED
    run.error = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "error", "finished_at", "result"])


def _lease_end() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)


class _LeaseKeeper(threading.Thread):
    """Renews a running run's lease while the block runs, on a database connection of its own
    (closed when it stops). A renewal that fails (a passing database fault) is tried again at
    the next tick; only a process that is gone stops renewing for good."""

    def __init__(self, run_id: int):
        super().__init__(name=f"job-lease-{run_id}", daemon=True)
        self.run_id = run_id
        self.stopped = threading.Event()

    def run(self) -> None:
        from django.db import connections

        try:
            while not self.stopped.wait(settings.JOB_LEASE_RENEW_SECONDS):
                try:
                    JobRun.objects.filter(pk=self.run_id, state=JobRun.State.RUNNING).update(
                        lease_until=_lease_end()
                    )
                except Exception:
                    logger.warning("Could not renew the lease of job run %s", self.run_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=settings.JOB_LEASE_RENEW_SECONDS + 5)


def _lease_keeper_start(run: JobRun) -> _LeaseKeeper | None:
    # Inside a transaction nobody else would see the run (a test's): nothing to renew.
    if connection.in_atomic_block or settings.JOB_LEASE_RENEW_SECONDS <= 0:
        return None
    keeper = _LeaseKeeper(run.pk)
    keeper.start()
    return keeper


def job_runs_expire(*, now: datetime.datetime | None = None) -> list[int]:
    """Mark failed every running run whose lease ran out (its worker was lost), with the
    reason; returns their ids. The job may then be started again at once."""
    now = now or timezone.now()
    expired = []
    with transaction.atomic():
        runs = JobRun.objects.select_for_update().filter(state=JobRun.State.RUNNING, lease_until__lt=now)
        for run in runs.order_by("pk"):
            JOB_RUN_STATES.check(run.state, JobRun.State.FAILED)
            run.state = JobRun.State.FAILED
            run.error = gettext(
                "The worker running this job stopped (%(worker)s): its lease ran out at %(time)s without "
                "being renewed. The run was cut off; start it again."
            ) % {
                "worker": run.worker or "?",
                "time": timezone.localtime(run.lease_until).strftime("%Y-%m-%d %H:%M:%S"),
            }
            run.finished_at = now
            run.save(update_fields=["state", "error", "finished_at"])
            expired.append(run.pk)
    if expired:
        logger.warning("Job runs %s were cut off: their worker stopped renewing the lease.", expired)
    return expired


@contextmanager
def job_run(
    key: str,
    *,
    trigger: str = JobRun.Trigger.BEAT,
    run_id: int | None = None,
    task_id: str | None = "",
    param: str | None = "",
    user: User | None = None,
) -> Iterator[JobRun]:
    """Record one run of the job ``key`` around the block; set ``run.result`` inside it."""
    now = timezone.now()
    worker = f"{socket.gethostname()}:{os.getpid()}"[:100]
    if run_id:
        run = JobRun.objects.filter(pk=run_id, key=key).first()
    elif task_id:
        # The same task delivered again (a lost worker, a retry) continues its own row instead
        # of leaving the cut-off attempt "running" for ever.
        run = JobRun.objects.filter(key=key, task_id=task_id).first()
    else:
        run = None
    if run is None:
        run = JobRun.objects.create(
            key=key,
            trigger=trigger,
            state=JobRun.State.RUNNING,
            param=param or "",
            started_at=now,
            task_id=task_id or "",
            started_by=user,
            attempts=1,
            lease_until=_lease_end(),
            worker=worker,
        )
    else:
        # The run the operations page queued, or the same task delivered again after a retry
        # or a lost worker: the same row, one more attempt.
        JOB_RUN_STATES.check(run.state, JobRun.State.RUNNING)
        run.state = JobRun.State.RUNNING
        run.started_at = now
        run.finished_at = None
        run.error = ""
        run.task_id = task_id or run.task_id
        run.attempts += 1
        run.lease_until = _lease_end()
        run.worker = worker
        run.save(
            update_fields=[
                "state",
                "started_at",
                "finished_at",
                "error",
                "task_id",
                "attempts",
                "lease_until",
                "worker",
            ]
        )
    run.result = {}
    keeper = _lease_keeper_start(run)
    try:
        yield run
    except BaseException as error:
        if keeper is not None:
            keeper.stop()
        run.state = JobRun.objects.filter(pk=run.pk).values_list("state", flat=True).first() or run.state
        if run.state == JobRun.State.FAILED:  # the sweep closed it already: keep this error
            run.error = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
            run.finished_at = timezone.now()
            run.save(update_fields=["error", "finished_at", "result"])
        else:
            _run_fail(run, error)
        raise
    if keeper is not None:
        keeper.stop()
    # A lease that ran out while the worker lived (the database unreachable for a while): the
    # sweep marked it failed, and it finished after all.
    run.state = JobRun.objects.filter(pk=run.pk).values_list("state", flat=True).first() or run.state
    if run.state == JobRun.State.FAILED:
        run.error = ""
    JOB_RUN_STATES.check(run.state, JobRun.State.SUCCEEDED)
    run.state = JobRun.State.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at", "result", "error"])


def _stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def job_send_now(*, job: Job, param: str, user: User | None) -> JobRun:
    """Queue a run of ``job`` for the operations page's "run now". Refused with
    JobAlreadyWaiting while one is queued, or running and not yet past the time limit; when the
    broker cannot be reached the run is recorded as failed with that reason."""
    from library_site.celery import app

    job_runs_expire()
    since = timezone.now() - _stale_after()
    # A run queued so long ago that no worker took it (the worker was down) no longer holds
    # the button: it is closed as failed with that reason.
    JOB_RUN_STATES.check(JobRun.State.QUEUED, JobRun.State.FAILED)
    JobRun.objects.filter(key=job.key, state=JobRun.State.QUEUED, queued_at__lt=since).update(
        state=JobRun.State.FAILED,
        error=str(_("No worker took this run in time.")),
        finished_at=timezone.now(),
    )
    busy = JobRun.objects.filter(key=job.key).filter(state__in=[JobRun.State.QUEUED, JobRun.State.RUNNING])
    running = busy.filter(
        Q(lease_until__gte=timezone.now()) | Q(lease_until__isnull=True, started_at__gte=since),
        state=JobRun.State.RUNNING,
    )
    if busy.filter(state=JobRun.State.QUEUED).exists() or running.exists():
        raise JobAlreadyWaiting(job.key)
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                key=job.key,
                trigger=JobRun.Trigger.MANUAL,
                state=JobRun.State.QUEUED,
                param=param,
                queued_at=timezone.now(),
                started_by=user,
            )
    except IntegrityError:
        raise JobAlreadyWaiting(job.key) from None
    try:
        # One attempt to reach the broker, no publish retries: with Redis down the page says so
        # in about BROKER_GIVE_UP_SECONDS instead of holding the request through every retry.
        timeouts = {
            "socket_connect_timeout": BROKER_GIVE_UP_SECONDS,
            "socket_timeout": BROKER_GIVE_UP_SECONDS,
        }
        with app.connection_for_write(transport_options=timeouts) as connection:
            connection.ensure_connection(max_retries=0, timeout=BROKER_GIVE_UP_SECONDS)
            result = app.send_task(
                job.task,
                kwargs={"param": param or None, "job_run_id": run.pk},
                # None: Celery's default queue; a test names a queue of its own.
                queue=getattr(settings, "LIBRARY_JOBS_QUEUE", None),
                connection=connection,
                retry=False,
            )
    except Exception as error:  # the broker is down: say so on the page, keep the record
        logger.warning("Could not send %s: %s", job.task, error)
        _run_fail(run, error)
        return run
    JobRun.objects.filter(pk=run.pk, state=JobRun.State.QUEUED).update(task_id=result.id)
    run.task_id = result.id
    return run


@dataclass
class JobOverview:
    job: Job
    schedule: str
    runs: list[JobRun]

    @property
    def last(self) -> JobRun | None:
        return self.runs[0] if self.runs else None


def _two(value) -> str:
    return f"{int(value):02d}"


def schedule_describe(entry: dict) -> str:
    """A beat entry as the administrator reads it: "every day at 03:45", "on day 1 of every
    month at 02:30", or crontab's own fields for anything else."""
    from celery.schedules import crontab

    schedule = entry.get("schedule")
    if isinstance(schedule, datetime.timedelta):
        minutes = int(schedule.total_seconds() // 60)
        return str(_("every %(minutes)s minutes") % {"minutes": minutes})
    if isinstance(schedule, crontab):
        hours, minutes = schedule.hour, schedule.minute
        days_of_month, weekdays = schedule.day_of_month, schedule.day_of_week
        if len(hours) == 1 and len(minutes) == 1:
            time = f"{_two(next(iter(hours)))}:{_two(next(iter(minutes)))}"
            every_weekday = len(weekdays) == 7
            if len(days_of_month) == 31 and every_weekday:
                return str(_("every day at %(time)s") % {"time": time})
            if len(days_of_month) == 1 and every_weekday:
                day = next(iter(days_of_month))
                return str(_("on day %(day)s of every month at %(time)s") % {"day": day, "time": time})
        return f"{schedule._orig_minute} {schedule._orig_hour} {schedule._orig_day_of_month} * {schedule._orig_day_of_week}"
    return str(schedule)


def jobs_overview(*, runs_per_job: int = 5) -> list[JobOverview]:
    """Every registered job with when the beat runs it and its latest runs, each run with the
    state the page shows and its labelled figures: one query per job, however many runs the
    table holds. (The page's health report has marked the lost runs failed first.)"""
    now = timezone.now()
    schedules: dict[str, list[str]] = {}
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        schedules.setdefault(entry["task"], []).append(schedule_describe(entry))
    overview = []
    for job in sorted(_jobs.values(), key=lambda item: str(item.label)):
        runs = list(JobRun.objects.filter(key=job.key).select_related("started_by")[:runs_per_job])
        for run in runs:
            run.shown_state = job_run_state_shown(run, now=now)
            run.shown_label, run.shown_badge = _state_badge(run)
            run.retried = run.attempts > 1
            run.result_items = job.result_items(run)
        overview.append(
            JobOverview(
                job=job,
                schedule="; ".join(schedules.get(job.task, [])) or str(_("only when started")),
                runs=runs,
            )
        )
    return overview


INTERRUPTED = "interrupted"
# The colour of each state's badge on the operations page (Bootstrap's text-bg-*).
STATE_BADGES = {
    JobRun.State.SUCCEEDED: "success",
    JobRun.State.FAILED: "danger",
    INTERRUPTED: "warning",
}


def _state_badge(run: JobRun) -> tuple[str, str]:
    """What the page writes in a run's badge, and the badge's colour."""
    label = _("interrupted") if run.shown_state == INTERRUPTED else run.get_state_display()
    return str(label), STATE_BADGES.get(run.shown_state, "secondary")


def job_run_state_shown(run: JobRun, *, now: datetime.datetime | None = None) -> str:
    """The state as the page tells it: a run still "running" past the task time limit was cut
    off (a worker killed, a machine restarted) and is shown as interrupted."""
    now = now or timezone.now()
    if run.state == JobRun.State.RUNNING and run.lease_until is not None:
        return INTERRUPTED if run.lease_until < now else run.state
    if run.state == JobRun.State.RUNNING and run.started_at and run.started_at < now - _stale_after():
        return INTERRUPTED
    return run.state
