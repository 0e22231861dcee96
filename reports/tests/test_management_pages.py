"""Every page of the library's management (issue 20) answers, with data on it, in both languages:
the equipment register's template once failed to compile (a plural without ``count``) and no test
opened the page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from catalog.models import Location
from circulation.models import Term
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from reports.models import EvaluationCriterion, WorkPlan
from reports.services import management, plans

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_management_page_answers_with_its_records(client, language):
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    term = Term.objects.create(
        name="2026–2027 第一学期",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 1, 20),
        hard_due_on=datetime.date(2027, 1, 15),
    )
    room = Location.objects.create(name="学生阅览室", kind=Location.Kind.READING_ROOM, position=60)
    item = management.equipment_add(
        user=librarian,
        room=room,
        kind="seats",
        name="阅览座椅",
        quantity=40,
        added_on=datetime.date(2026, 9, 1),
    )
    management.equipment_check_record(
        user=librarian, item=item, checked_on=datetime.date(2026, 9, 15), condition="good"
    )
    management.safety_incident_record(
        user=librarian,
        room=room,
        occurred_on=datetime.date(2026, 10, 15),
        what="插座冒烟",
        measures="断电更换",
    )
    member = management.staff_member_save(
        user=librarian,
        account=librarian,
        post="图书管理员",
        duties="流通",
        joined_on=datetime.date(2020, 9, 1),
    )
    EvaluationCriterion.objects.create(name="论文", max_points=10, evidence="papers")
    plan = plans.work_plan_create(
        user=librarian, kind=WorkPlan.Kind.YEAR, school_year=2026, title="2026 年度计划"
    )
    client.cookies["django_language"] = language
    pages = {
        reverse("reports:plans"): "data-plans",
        reverse("reports:plan-detail", args=[plan.pk]): "data-plan-print",
        reverse("reports:targets-board") + "?year=2026": "data-targets-board",
        reverse("reports:compliance"): "《中小学图书馆（室）规程》",
        reverse("reports:equipment"): "data-hardware-compliance",
        reverse("reports:equipment-item", args=[item.pk]): "阅览座椅",
        reverse("reports:safety"): "插座冒烟",
        reverse("reports:staff"): "图书管理员",
        reverse("reports:staff-member", args=[member.pk]): "data-evaluations",
        reverse("reports:study-sessions"): "",
        reverse("reports:evaluation", args=[member.pk, term.pk]): "论文",
        reverse("reports:term-summary") + f"?term={term.pk}": "data-summary-figures",
    }
    client.force_login(librarian)
    for url, marker in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert marker in response.content.decode(), url
    client.force_login(admin)
    for url in (reverse("reports:compliance-settings"), reverse("reports:criteria")):
        assert client.get(url).status_code == 200, url
    settings_page = client.get(reverse("reports:compliance-settings")).content.decode()
    # a label and its part joined as the language writes it
    expected = "Primary school: books per pupil" if language == "en" else "小学："
    assert expected in settings_page
