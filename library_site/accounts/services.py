"""Every write to accounts goes through here."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .exceptions import RightChangeRefused
from .models import User
from .roles import STAFF_ROLES, Capability, Role

logger = logging.getLogger(__name__)


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


@transaction.atomic
def role_right_set(*, role: Role, capability: Capability, granted: bool, user: User) -> bool:
    """Give a right to a role or take it away (the roles page), and record who did it. The
    administrator's own rights are fixed, so that nobody can lock the library out of its
    settings. Returns whether anything changed (setting a right a role already has changes
    nothing and records nothing)."""
    from django.contrib.auth.models import Permission
    from django.utils.translation import gettext as _

    from .models import RoleRightChange

    role, capability = Role(role), Capability(capability)
    if role == Role.ADMINISTRATOR:
        raise RightChangeRefused(_("The library administrator's rights cannot be changed here."))
    group = Group.objects.select_for_update().get(name=role.value)
    permission = Permission.objects.get(content_type__app_label="accounts", codename=capability.value)
    held = group.permissions.filter(pk=permission.pk).exists()
    if held == granted:
        return False
    if granted:
        group.permissions.add(permission)
    else:
        group.permissions.remove(permission)
    RoleRightChange.objects.create(role=role, capability=capability, granted=granted, changed_by=user)
    return True


def login_lockout_lift(*, account: str = "", address: str = "", user: User) -> bool:
    """End the pause of one account's sign-in (or one address's) now. The failed attempts
    behind it are cleared (django-axes keeps its own log of each failure); who lifted it is
    written to the log. False when nothing was paused."""
    from axes.handlers.proxy import AxesProxyHandler

    account, address = account.strip(), address.strip()
    if not account and not address:
        return False
    if account:
        lifted = AxesProxyHandler.reset_attempts(username=account)
    else:
        lifted = AxesProxyHandler.reset_attempts(ip_address=address)
    if lifted:
        logger.info("sign-in pause lifted for %s by %s", account or address, user.get_username())
    return bool(lifted)
