"""Roles are never deleted: not in the back office, and when one is lost all the same (a group
deleted in the database), ``manage.py roles_repair`` restores the standard roles and rights and
the roles page says to run it."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from library_site.accounts.exceptions import RightChangeRefused
from library_site.accounts.roles import ROLE_CAPABILITIES, Capability, Role
from library_site.accounts.services import role_right_set

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _rights(role: Role) -> set[str]:
    return set(
        Group.objects.get(name=role.value)
        .permissions.filter(content_type__app_label="accounts")
        .values_list("codename", flat=True)
    )


def _repair(*args) -> str:
    out = StringIO()
    call_command("roles_repair", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def superuser_client(client):
    user = UserFactory(roles=[Role.ADMINISTRATOR], is_superuser=True, is_staff=True)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_the_back_office_cannot_delete_a_role_one_by_one_or_in_bulk(superuser_client):
    group = Group.objects.get(name=Role.ADMINISTRATOR.value)
    assert superuser_client.get(reverse("admin:auth_group_delete", args=[group.pk])).status_code == 403
    assert (
        superuser_client.post(
            reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    page = superuser_client.get(reverse("admin:auth_group_changelist"))
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
    superuser_client.post(
        reverse("admin:auth_group_changelist"),
        {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"},
    )
    assert Group.objects.filter(name=Role.ADMINISTRATOR.value).exists()
    # Nor renamed: the code finds a role by its name.
    change = superuser_client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode()
    assert 'name="name"' not in change


def test_roles_repair_restores_a_deleted_administrators_group_and_its_rights():
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    Group.objects.filter(name=Role.ADMINISTRATOR.value).delete()
    assert not UserFactory._meta.model.objects.get(pk=admin.pk).has_perm(
        Capability.MANAGE_ACCOUNTS.permission
    )

    out = _repair()

    assert "role administrator: created" in out
    assert "role administrator: right manage_accounts given" in out
    assert _rights(Role.ADMINISTRATOR) == {c.value for c in ROLE_CAPABILITIES[Role.ADMINISTRATOR]}
    # Run again, it changes nothing.
    assert _repair().strip() == "The roles are as defined: nothing changed."


def test_roles_repair_keeps_the_rights_set_on_the_roles_page_unless_told_to_reset():
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    role_right_set(role=Role.VOLUNTEER, capability=Capability.USE_DESK, granted=False, user=admin)
    admin_group = Group.objects.get(name=Role.ADMINISTRATOR.value)
    admin_group.permissions.remove(Permission.objects.get(codename=Capability.VIEW_SYSTEM_STATUS.value))

    out = _repair()
    assert out.splitlines() == ["role administrator: right view_system_status given", "1 change(s)."]
    assert _rights(Role.VOLUNTEER) == {Capability.TAKE_PAYMENTS.value}

    assert "role volunteer: right use_desk given" in _repair("--reset-rights")
    assert _rights(Role.VOLUNTEER) == {Capability.USE_DESK.value, Capability.TAKE_PAYMENTS.value}


def test_the_roles_page_tells_the_administrator_to_run_roles_repair(client):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accounts:role-matrix")).content.decode()
    assert "roles_repair" not in page
    Group.objects.filter(name=Role.TEACHER.value).delete()
    page = client.get(reverse("accounts:role-matrix")).content.decode()
    assert "python manage.py roles_repair" in page
    with pytest.raises(RightChangeRefused, match="roles_repair"):
        role_right_set(role=Role.TEACHER, capability=Capability.RESERVE_ITEMS, granted=False, user=admin)
