"""Every write to accounts goes through here."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .models import User
from .roles import STAFF_ROLES, Role


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role]) -> User:
    """Give the user exactly these roles. Staff roles also open the back office."""
    wanted = {Role(role) for role in roles}
    groups = list(Group.objects.filter(name__in=[role.value for role in wanted]))
    missing = {role.value for role in wanted} - {group.name for group in groups}
    if missing:
        raise LookupError(f"roles missing from the database: {sorted(missing)}")
    user.groups.set(groups)
    is_staff = bool(wanted & STAFF_ROLES) or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user._role_names = {role.value for role in wanted}
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    full_name: str = "",
    email: str = "",
    roles: Iterable[Role] = (),
) -> User:
    """A new account. Without a password the account cannot sign in until one is set."""
    user = User(username=username, full_name=full_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles)
    return user
