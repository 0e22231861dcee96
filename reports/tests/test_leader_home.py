"""The school leader's home page: what waits for their decision and last month's figures."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.services.acquisitions import purchase_plan_create, purchase_plan_submit
from catalog.services.care import write_off_add, write_off_create, write_off_submit
from catalog.tests.factories import RecordFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import user_with_role
from reports.periods import month_previous
from reports.selectors.leaders import leader_home

from .conftest import snapshot

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 4, 10)


@pytest.fixture
def waiting():
    librarian = user_with_role(Role.LIBRARIAN)
    plan = purchase_plan_create(
        name="春季采购",
        year=2026,
        term="spring",
        budget="1000",
        lines=[
            {"title": "草房子", "quantity": 3, "unit_price": "20", "clc_code": "I287.45", "subject": "语文"}
        ],
        user=librarian,
    )
    purchase_plan_submit(plan=plan, user=librarian)
    draft = purchase_plan_create(
        name="秋季采购", year=2026, term="autumn", budget="1000", lines=[], user=librarian
    )
    batch = write_off_create(reason="damaged", user=librarian)
    write_off_add(batch=batch, copies=list(RecordFactory(copies=2).copies.all()), user=librarian)
    write_off_submit(batch=batch, user=librarian)
    return plan, draft, batch


def test_the_leader_sees_the_plans_waiting_for_them_and_last_month_s_figures(client, waiting):
    plan, draft, _batch = waiting
    last_month = month_previous(timezone.localdate().replace(day=1))
    snapshot(last_month, loans=321, returns=300, active_readers=45, visits=67, new_copies=8)
    client.force_login(user_with_role(Role.LEADER))

    html = client.get(reverse("home")).content.decode()

    assert f'data-plan-waiting="{plan.pk}"' in html
    assert f'data-plan-waiting="{draft.pk}"' not in html  # a draft is not theirs to decide yet
    assert "data-write-off-waiting" not in html  # leaders do not approve write-offs
    assert 'data-figure="loans">321<' in html and 'data-figure="visits">67<' in html
    assert 'data-figure="active-readers">45<' in html
    assert f"{last_month:%Y-%m}" in html  # the month as the day writes it (library_site/formats)
    assert "data-leaders-report-link" in html


def test_write_offs_wait_for_who_approves_them_and_an_uncounted_month_says_so(waiting):
    _plan, _draft, batch = waiting

    home = leader_home(user_with_role(Role.ADMINISTRATOR), today=TODAY)

    assert home.plans_waiting == []  # the department leader approves plans, not the administrator
    assert [item.pk for item in home.write_offs_waiting] == [batch.pk]
    assert home.waiting_count == 1
    assert home.month == datetime.date(2026, 3, 1) and not home.statistics.has_data


def test_the_leader_home_page_s_queries_do_not_grow_with_what_waits(client, django_assert_max_num_queries):
    librarian = user_with_role(Role.LIBRARIAN)
    for number in range(6):
        plan = purchase_plan_create(
            name=f"计划{number}",
            year=2026,
            term="spring",
            budget="100",
            lines=[
                {
                    "title": f"书{number}",
                    "quantity": 1,
                    "unit_price": "10",
                    "clc_code": "I247.5",
                    "subject": "语文",
                }
            ],
            user=librarian,
        )
        purchase_plan_submit(plan=plan, user=librarian)
    client.force_login(user_with_role(Role.LEADER))
    with django_assert_max_num_queries(25):
        assert client.get(reverse("home")).content.decode().count("data-plan-waiting=") == 6
