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


def test_the_permissions_query_finds_what_djangos_own_backend_finds(django_assert_num_queries):
    """The backend's one SQL query against Django's: own permissions, every role's, none for an
    inactive account, every permission for a superuser, and a change seen on the next request."""
    from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

    from library_site.accounts.backends import ModelBackend
    from library_site.accounts.models import User

    def both(user):
        user = User.objects.get(pk=user.pk)  # a new request: nothing cached on the object
        with django_assert_num_queries(1):
            ours = ModelBackend().get_all_permissions(user)
        return ours, DjangoModelBackend().get_all_permissions(User.objects.get(pk=user.pk))

    extra = Permission.objects.get(codename="view_group")
    several = UserFactory(roles=[Role.LIBRARIAN, Role.TEACHER])
    several.user_permissions.add(extra)
    ours, djangos = both(several)
    assert ours == djangos and "auth.view_group" in ours and Capability.USE_DESK.permission in ours
    assert both(UserFactory())[0] == set()
    alone = UserFactory()
    alone.user_permissions.add(extra)
    assert both(alone) == ({"auth.view_group"}, {"auth.view_group"})
    user_set_roles(user=several, roles=[Role.TEACHER])
    ours, djangos = both(several)
    assert ours == djangos and Capability.USE_DESK.permission not in ours
    several.is_active = False
    several.save()
    assert ModelBackend().get_all_permissions(User.objects.get(pk=several.pk)) == set()
    boss = UserFactory(is_superuser=True)
    assert both(boss)[0] == {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()}
