import pytest
from django.urls import reverse

from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.celery import app
from library_site.system.heartbeats import beat_tick_record, heartbeat_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _worker_and_beat_well():
    """A worker and a beat that answered a moment ago: /healthz's 200 needs them (issue 13)."""
    heartbeat_record(hostname="worker-1")
    beat_tick_record(hostname="beat-1")


@pytest.fixture
def client(client):
    """The details of /healthz are for administrators (test_healthz_privacy.py)."""
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    return client


def test_healthz_reports_database_and_broker_as_json(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    report = response.json()
    assert report["ok"] is True
    assert report["database"]["ok"] is True
    assert report["broker"]["ok"] is True
    assert report["broker"]["transport"] in {"redis", "filesystem"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_says_503_when_the_broker_is_down(client, monkeypatch):
    # Nothing listens on port 1 of this machine: the broker cannot be reached.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    report = response.json()
    assert report["ok"] is False
    assert report["broker"]["ok"] is False
    assert report["broker"]["error"]
    assert report["database"]["ok"] is True


def test_healthz_says_503_with_the_reason_when_no_worker_ever_answered(client):
    from django.core.cache import cache

    from library_site.system.heartbeats import HEARTBEAT_KEY

    cache.delete(HEARTBEAT_KEY)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    report = response.json()
    assert report["worker"] == {"ok": False, "last_seen": None, "age_seconds": None}
    assert len(report["reasons"]) == 1 and report["beat"]["ok"] is True


def test_healthz_reports_a_recent_heartbeat(client):
    heartbeat_record(hostname="worker-1")
    worker = client.get(reverse("healthz")).json()["worker"]
    assert worker["ok"] is True
    assert worker["age_seconds"] <= 5
    assert worker["hostname"] == "worker-1"


def test_healthz_refuses_other_methods(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_every_scheduled_job_names_a_registered_task(settings):
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
