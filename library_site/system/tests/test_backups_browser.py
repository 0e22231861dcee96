"""The administrator at a browser: the operations page's backup card (the last good backup, the
warning when it is older than two days), and the roles page telling them to run roles_repair."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.system.models import JobRun
from library_site.testing import ARTIFACTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _backup_run(*, days_ago: float, state=JobRun.State.SUCCEEDED, error=""):
    finished = timezone.now() - datetime.timedelta(days=days_ago)
    return JobRun.objects.create(
        key="backup",
        trigger=JobRun.Trigger.BEAT,
        state=state,
        started_at=finished - datetime.timedelta(seconds=42),
        finished_at=finished,
        error=error,
        result={}
        if error
        else {
            "file": "library-20261204-023000.tar",
            "size": 48_300_000,
            "tables": 71,
            "rows": 1_752_311,
            "verified": True,
        },
    )


def test_the_operations_page_shows_the_last_backup_and_warns_when_it_is_old(page):
    UserFactory(username="admin1", full_name="赵管理员", roles=[Role.ADMINISTRATOR])
    _backup_run(days_ago=0.2)
    browser_login(page, "admin1", PASSWORD)
    page.goto("/system/jobs/")
    card = page.locator("[data-backup-status]")
    assert "最近一次成功的备份" in card.inner_text()
    assert "library-20261204-023000.tar" in card.inner_text()
    assert "已校验：71 张表" in card.inner_text()
    assert page.locator("[data-backup-warning]").count() == 0
    assert page.locator("[data-job=backup]").is_visible()
    card.screenshot(path=str(ARTIFACTS / "backup-status.png"))

    JobRun.objects.filter(key="backup").update(finished_at=timezone.now() - datetime.timedelta(days=3))
    _backup_run(
        days_ago=0.1,
        state=JobRun.State.FAILED,
        error="BackupRefused: pg_dump failed: No space left on device",
    )
    page.reload()
    assert "已超过两天" in page.locator("[data-backup-warning]").inner_text()
    assert "No space left on device" in page.locator("[data-backup-last]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "backup-status-stale.png"), full_page=False)
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert "more than two days ago" in page.locator("[data-backup-warning]").inner_text()
    page.locator("[data-backup-status]").screenshot(path=str(ARTIFACTS / "backup-status-stale-en.png"))


def test_the_roles_page_tells_the_administrator_to_run_roles_repair(page):
    UserFactory(username="admin1", full_name="赵管理员", roles=[Role.ADMINISTRATOR])
    Group.objects.filter(name=Role.TEACHER.value).delete()
    browser_login(page, "admin1", PASSWORD)
    page.goto("/accounts/roles/")
    assert "python manage.py roles_repair" in page.locator("[data-roles-repair]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "roles-repair-advice.png"), full_page=False)
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert "The standard roles are damaged" in page.locator("[data-roles-repair]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "roles-repair-advice-en.png"), full_page=False)
