import pytest
from django.contrib.auth.models import Group, Permission

from library_site.accounts.roles import ROLE_CAPABILITIES, Capability, Role
from library_site.accounts.services import user_set_roles

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_data_migration_created_every_role_with_exactly_its_capabilities():
    for role, capabilities in ROLE_CAPABILITIES.items():
        group = Group.objects.get(name=role.value)
        held = set(
            group.permissions.filter(content_type__app_label="accounts").values_list("codename", flat=True)
        )
        assert held == {capability.value for capability in capabilities}, role


def test_every_capability_is_a_permission_of_the_accounts_app():
    codenames = set(
        Permission.objects.filter(content_type__app_label="accounts").values_list("codename", flat=True)
    )
    assert {capability.value for capability in Capability} <= codenames


def test_a_librarian_may_use_the_desk_but_not_export_registers():
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    assert librarian.has_perm(Capability.USE_DESK.permission)
    assert not librarian.has_perm(Capability.EXPORT_REGISTERS.permission)


def test_staff_roles_open_the_back_office_and_losing_them_closes_it():
    user = UserFactory(roles=[Role.LIBRARIAN])
    assert user.is_staff
    user_set_roles(user=user, roles=[Role.TEACHER])
    user.refresh_from_db()
    assert not user.is_staff
    assert user.role_names == {"teacher"}


def test_the_home_role_is_the_highest_role_held():
    volunteer = UserFactory(roles=[Role.STUDENT, Role.VOLUNTEER])
    assert volunteer.primary_role == Role.VOLUNTEER
    assert UserFactory().primary_role is None


def test_an_unknown_role_is_refused_and_changes_nothing():
    user = UserFactory(roles=[Role.TEACHER])
    Group.objects.filter(name="leader").delete()
    with pytest.raises(LookupError):
        user_set_roles(user=user, roles=[Role.LEADER])
    assert set(user.groups.values_list("name", flat=True)) == {"teacher"}
