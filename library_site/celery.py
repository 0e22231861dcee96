"""The Celery application: configured from Django's settings (the CELERY_* names), tasks
discovered in every installed app, the beat schedule in settings.CELERY_BEAT_SCHEDULE."""

import logging
import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")

logger = logging.getLogger(__name__)


class LibraryTask(Task):
    """Every task of the project: a passing fault of the database or the network is retried
    with a growing, jittered delay instead of losing the job. Tasks must be safe to run twice."""

    autoretry_for = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
    max_retries = 5
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True


app = Celery("library_site", task_cls=LibraryTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_send_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` once the current transaction commits, without ever failing the request
    that asked for it: a broker that cannot be reached (Redis down) is logged and the message
    dropped. Only for work that a scheduled job also finds by the database's state and does
    later (a hold's notice: the daily notice job sends every ready hold's notice still missing)."""
    from django.db import transaction

    def send() -> None:
        try:
            # One attempt to connect, no retries: a desk must not wait for a broker that is down.
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=0)
                task.apply_async(args=args, kwargs=kwargs, retry=False, connection=connection)
        except Exception:  # the broker's faults have many types (kombu, redis, OSError)
            logger.warning(
                "Could not queue %s%r: the broker is unreachable; a scheduled job catches up.",
                task.name,
                args,
                exc_info=True,
            )

    transaction.on_commit(send)


# --- Beat's tick (issue 13): /healthz says when the schedule is late ---------------------------
from celery.signals import beat_init, before_task_publish, worker_ready  # noqa: E402

_in_beat = False


@beat_init.connect
def _beat_started(sender=None, **kwargs) -> None:
    """Beat has started and will send its schedule: its first tick now, not a minute later when
    the heartbeat entry first falls due (a fresh ``make run`` is healthy once it is up)."""
    global _in_beat
    _in_beat = True
    _record("beat_tick_record")


@worker_ready.connect
def _worker_started(sender=None, **kwargs) -> None:
    """A worker ready to take tasks records its heartbeat at once; beat's heartbeat job keeps
    it fresh every minute after that."""
    _record("heartbeat_record")


def _record(name: str) -> None:
    import socket

    try:
        from library_site.system import heartbeats

        getattr(heartbeats, name)(hostname=socket.gethostname())
    except Exception:  # starting must go on whatever the cache does
        logger.warning("Could not record %s", name, exc_info=True)


@before_task_publish.connect
def _beat_tick(sender=None, **kwargs) -> None:
    """In the beat process only: every task it sends records when beat last ran on time (the
    heartbeat goes every minute), for library_site.system.heartbeats.beat_tick_get."""
    if _in_beat:
        _record("beat_tick_record")
