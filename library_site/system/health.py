"""The checks behind /healthz and the administrator's status page."""

from __future__ import annotations

import time
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

HEARTBEAT_KEY = "system:worker-heartbeat"
# The beat sends a heartbeat every minute; a worker silent for longer than this is reported.
HEARTBEAT_STALE_AFTER_SECONDS = 180


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


def worker_heartbeat_get() -> dict:
    """When a Celery worker last ran the heartbeat job (sent by beat every minute)."""
    try:
        seen = cache.get(HEARTBEAT_KEY)
    except Exception as error:
        return {"ok": False, "last_seen": None, "age_seconds": None, "error": type(error).__name__}
    if not seen:
        return {"ok": False, "last_seen": None, "age_seconds": None}
    last_seen = datetime.fromisoformat(seen["at"])
    age = (timezone.now() - last_seen).total_seconds()
    return {
        "ok": age <= HEARTBEAT_STALE_AFTER_SECONDS,
        "last_seen": seen["at"],
        "age_seconds": round(age),
        "hostname": seen.get("hostname", ""),
    }


def heartbeat_record(*, hostname: str) -> None:
    cache.set(HEARTBEAT_KEY, {"at": timezone.now().isoformat(), "hostname": hostname}, timeout=None)


def health_get() -> dict:
    """The web server's view of its dependencies. ``ok`` needs the database and the broker; a
    silent worker is reported but does not make the web server unhealthy."""
    database = database_check()
    broker = broker_check()
    return {
        "ok": database["ok"] and broker["ok"],
        "database": database,
        "broker": broker,
        "worker": worker_heartbeat_get(),
        "embedded": not settings.REDIS_URL,
        "time": timezone.now().isoformat(),
    }
