"""What the desk keeps between scans to be quick must never make it answer with old rules or
lose a session: the cached lending rules follow every change, and sessions survive a cache
that is down."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache

from circulation import exceptions as errors
from circulation.models import CirculationSettings, ClosedPeriod, LoanPolicy, Term
from circulation.policies import RULES_CACHE_KEY, Calendar, lending_rules
from circulation.services.loans import loan_checkout
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


def test_a_changed_policy_applies_to_the_next_lend(librarian):
    pupil = ReaderFactory(school_class=SchoolClassFactory(grade=3, number=1))
    first, second, third = copies_of(count=3)
    loan_checkout(reader=pupil, copy=first, user=librarian, today=WEDNESDAY)
    assert cache.get(RULES_CACHE_KEY) is not None  # the rules are cached now
    for rule in LoanPolicy.objects.filter(is_active=True, reader_group="student"):
        rule.max_loans = 1
        rule.save()
    with pytest.raises(errors.LimitReached):
        loan_checkout(reader=pupil, copy=second, user=librarian, today=WEDNESDAY)
    for rule in LoanPolicy.objects.filter(reader_group="student"):
        rule.is_active = False
        rule.save()
    with pytest.raises(errors.NoPolicy):
        loan_checkout(reader=ReaderFactory(), copy=third, user=librarian, today=WEDNESDAY)


def test_closed_days_terms_and_settings_apply_at_once():
    before = Calendar.load(WEDNESDAY)
    assert not before.is_closed(WEDNESDAY + timedelta(days=1))
    ClosedPeriod.objects.create(
        name="运动会", starts_on=WEDNESDAY + timedelta(days=1), ends_on=WEDNESDAY + timedelta(days=2)
    )
    assert Calendar.load(WEDNESDAY).is_closed(WEDNESDAY + timedelta(days=1))
    Term.objects.create(
        name="T", starts_on=date(2026, 2, 16), ends_on=date(2026, 7, 10), hard_due_on=date(2026, 7, 1)
    )
    assert Calendar.load(WEDNESDAY).term is not None
    settings = CirculationSettings.current()
    settings.closed_weekdays = "2"  # Wednesdays
    settings.save()
    assert Calendar.load(WEDNESDAY).is_closed(WEDNESDAY)
    ClosedPeriod.objects.all().delete()
    assert not Calendar.load(WEDNESDAY).is_closed(WEDNESDAY + timedelta(days=1))


def test_the_desk_still_lends_and_signs_in_when_the_cache_is_down(client, librarian, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert lending_rules().policies
    client.force_login(librarian)
    response = client.get("/circulation/desk/")
    assert response.status_code == 200
