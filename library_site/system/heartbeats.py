"""When a Celery worker and beat were last seen: written by the worker's heartbeat job and by
the beat process's own signals (library_site/celery.py), read by /healthz (health.py). The cache
only: this module imports neither Celery nor the checks, so the Celery app can write here."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "system:worker-heartbeat"
# When beat last sent a task of its schedule (recorded in the beat process as it publishes).
BEAT_KEY = "system:beat-tick"


def _age(key: str, limit: int) -> dict:
    try:
        seen = cache.get(key)
    except Exception as error:
        return {"ok": False, "last_seen": None, "age_seconds": None, "error": type(error).__name__}
    if not seen:
        return {"ok": False, "last_seen": None, "age_seconds": None}
    last_seen = datetime.fromisoformat(seen["at"])
    age = (timezone.now() - last_seen).total_seconds()
    return {
        "ok": age <= limit,
        "last_seen": seen["at"],
        "age_seconds": round(age),
        "hostname": seen.get("hostname", ""),
    }


def worker_heartbeat_get() -> dict:
    """When a Celery worker last ran the heartbeat job (sent by beat every minute); stale after
    WORKER_HEARTBEAT_STALE_SECONDS."""
    return _age(HEARTBEAT_KEY, settings.WORKER_HEARTBEAT_STALE_SECONDS)


def beat_tick_get() -> dict:
    """When beat last sent a task of its schedule (every minute at least: the heartbeat); late
    after BEAT_LATE_SECONDS."""
    return _age(BEAT_KEY, settings.BEAT_LATE_SECONDS)


def heartbeat_record(*, hostname: str) -> None:
    cache.set(HEARTBEAT_KEY, {"at": timezone.now().isoformat(), "hostname": hostname}, timeout=None)


def beat_tick_record(*, hostname: str) -> None:
    cache.set(BEAT_KEY, {"at": timezone.now().isoformat(), "hostname": hostname}, timeout=None)
