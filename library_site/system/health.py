"""The checks behind /healthz and the administrator's status page."""

from __future__ import annotations

import contextlib
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .heartbeats import beat_tick_get, worker_heartbeat_get


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check() or {}
        result = {"ok": True, **detail}
    except Exception as error:  # a health check reports every failure instead of raising
        result = {"ok": False, "error": type(error).__name__, "detail": str(error)[:300]}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def database_check() -> dict:
    def check():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"vendor": connection.vendor}

    return _timed(check)


def broker_check() -> dict:
    from library_site.celery import app

    def check():
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
            transport = broker.transport_cls
        return {"transport": transport if isinstance(transport, str) else transport.__name__}

    return _timed(check)


def _reasons(database: dict, broker: dict, worker: dict, beat: dict) -> list[str]:
    from django.utils.translation import gettext as _

    reasons = []
    if not database["ok"]:
        reasons.append(_("The database does not answer."))
    if not broker["ok"]:
        reasons.append(_("The task queue (the broker) does not answer."))
    if not beat["ok"]:
        reasons.append(
            _("The scheduler (celery beat) has not sent its jobs for %(age)s seconds.")
            % {"age": beat["age_seconds"]}
            if beat["age_seconds"] is not None
            else _("The scheduler (celery beat) has never sent its jobs.")
        )
    if not worker["ok"]:
        reasons.append(
            _("No background worker has answered for %(age)s seconds.") % {"age": worker["age_seconds"]}
            if worker["age_seconds"] is not None
            else _("No background worker has ever answered.")
        )
    return reasons


def health_get() -> dict:
    """The web server's view of the system. ``ok`` needs the database, the broker, a worker
    whose heartbeat is recent and a beat that sends its schedule on time: a site whose jobs
    silently stopped is not well. Runs whose worker was lost are marked failed first."""
    from .jobs import job_runs_expire

    database = database_check()
    if database["ok"]:
        # The report must answer whatever happens: a failed sweep waits for the next look.
        with contextlib.suppress(Exception):
            job_runs_expire()
    broker = broker_check()
    worker = worker_heartbeat_get()
    beat = beat_tick_get()
    reasons = _reasons(database, broker, worker, beat)
    return {
        "ok": not reasons,
        "reasons": reasons,
        "database": database,
        "broker": broker,
        "worker": worker,
        "beat": beat,
        "embedded": not settings.REDIS_URL,
        "time": timezone.now().isoformat(),
    }
