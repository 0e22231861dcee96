"""The administrator gives a right to a role or takes it away on the roles page (the service
team's volunteers at the desk, for example), and every change is recorded."""

import pytest
from django.urls import reverse

from circulation.tests.factories import ReaderFactory
from library_site.accounts.exceptions import RightChangeRefused
from library_site.accounts.models import RoleRightChange
from library_site.accounts.roles import Capability, Role
from library_site.accounts.services import role_right_set

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client, user


def test_taking_the_desk_from_volunteers_closes_it_to_them_and_is_recorded(administrator):
    client, admin = administrator
    volunteer = ReaderFactory(extra_roles=(Role.VOLUNTEER,)).user
    response = client.post(
        reverse("accounts:role-matrix"),
        {"role": "volunteer", "capability": "use_desk", "granted": "0"},
        follow=True,
    )
    assert (
        "Service-team volunteer may no longer: Lend and take back at the circulation desk."
        in response.content.decode()
    )
    change = RoleRightChange.objects.get()
    assert (change.role, change.capability, change.granted, change.changed_by) == (
        "volunteer",
        "use_desk",
        False,
        admin,
    )
    client.force_login(volunteer)
    assert client.get(reverse("circulation:desk")).status_code == 403
    # ... and given back
    client.force_login(admin)
    client.post(
        reverse("accounts:role-matrix"), {"role": "volunteer", "capability": "use_desk", "granted": "1"}
    )
    client.force_login(volunteer)
    assert client.get(reverse("circulation:desk")).status_code == 200
    assert RoleRightChange.objects.count() == 2


def test_setting_a_right_a_role_already_has_records_nothing():
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    assert (
        role_right_set(role=Role.VOLUNTEER, capability=Capability.USE_DESK, granted=True, user=admin) is False
    )
    assert not RoleRightChange.objects.exists()


def test_the_administrators_own_rights_are_fixed():
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    with pytest.raises(RightChangeRefused):
        role_right_set(
            role=Role.ADMINISTRATOR, capability=Capability.MANAGE_ACCOUNTS, granted=False, user=admin
        )
    assert admin.has_perm(Capability.MANAGE_ACCOUNTS.permission)
    assert not RoleRightChange.objects.exists()


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.VOLUNTEER, Role.TEACHER, Role.LEADER])
def test_only_the_administrator_changes_rights(client, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.post(
        reverse("accounts:role-matrix"), {"role": "volunteer", "capability": "manage_readers", "granted": "1"}
    )
    assert response.status_code == 403
    assert not RoleRightChange.objects.exists()


def test_a_made_up_role_or_right_changes_nothing(administrator):
    client, _admin = administrator
    response = client.post(
        reverse("accounts:role-matrix"),
        {"role": "janitor", "capability": "use_desk", "granted": "1"},
        follow=True,
    )
    assert "Choose a role and a right from the table." in response.content.decode()
    assert not RoleRightChange.objects.exists()
