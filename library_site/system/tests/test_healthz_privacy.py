"""/healthz tells a stranger only whether the site is well; the components, their latency and
their errors are for those who may see the system's status (issue 13, point 9)."""

import pytest
from django.urls import reverse

from circulation.tests.factories import ReaderFactory
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


def test_an_anonymous_visitor_learns_only_the_overall_answer(client):
    heartbeat_record(hostname="worker-1")
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_an_anonymous_visitor_still_sees_the_503_but_no_reason(client, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"ok": False}


@pytest.mark.parametrize("role", ["student", "volunteer", Role.LIBRARIAN])
def test_people_without_the_status_right_see_no_details(client, role):
    if role == "student":
        user = ReaderFactory().user
    elif role == "volunteer":
        user = ReaderFactory(extra_roles=(Role.VOLUNTEER,)).user
    else:
        user = UserFactory(roles=[role])
    client.force_login(user)
    assert client.get(reverse("healthz")).json() == {"ok": True}


def test_the_administrator_sees_every_component(client, monkeypatch):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    heartbeat_record(hostname="worker-1")
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    report = client.get(reverse("healthz")).json()
    assert report["ok"] is False
    assert report["database"]["ok"] is True
    assert "latency_ms" in report["database"]
    assert report["broker"]["ok"] is False and report["broker"]["error"]
    assert report["worker"]["hostname"] == "worker-1"
