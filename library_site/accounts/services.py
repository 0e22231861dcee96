"""Every write to accounts goes through here."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .exceptions import RightChangeRefused
from .models import User
from .roles import ROLE_CAPABILITIES, ROLES_REPAIR_ADVICE, STAFF_ROLES, Capability, Role

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
    password_change_required: bool = False,
) -> User:
    """A new account. Without a password the account cannot sign in until one is set; with
    ``password_change_required`` its first sign-in asks for a password of its own."""
    user = User(
        username=username, full_name=full_name, email=email, password_change_required=password_change_required
    )
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
    group = Group.objects.select_for_update().filter(name=role.value).first()
    if group is None:
        raise RightChangeRefused(ROLES_REPAIR_ADVICE)
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


@transaction.atomic
def roles_repair(*, reset_rights: bool = False) -> list[str]:
    """Restore the standard roles of ``roles.py``: every right's permission, every role's group
    (made with its standard rights when it was missing) and the library administrator's rights,
    which are fixed. With ``reset_rights`` every role's rights go back to ``ROLE_CAPABILITIES``,
    undoing the changes made on the roles page. Returns one line per change, in English (this is
    the command line's answer); run again, it changes nothing."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    changes: list[str] = []
    content_type, _created = ContentType.objects.get_or_create(app_label="accounts", model="user")
    permissions = {}
    for capability in Capability:
        permission, created = Permission.objects.get_or_create(
            content_type=content_type,
            codename=capability.value,
            defaults={"name": str(capability.label)[:255]},
        )
        permissions[capability] = permission
        if created:
            changes.append(f"right {capability.value}: created")
    for role in Role:
        group, created = Group.objects.select_for_update().get_or_create(name=role.value)
        if created:
            changes.append(f"role {role.value}: created")
        if not (created or reset_rights or role == Role.ADMINISTRATOR):
            continue
        wanted = {permissions[capability].pk for capability in ROLE_CAPABILITIES[role]}
        held = set(
            group.permissions.filter(
                pk__in=[permission.pk for permission in permissions.values()]
            ).values_list("pk", flat=True)
        )
        by_pk = {permission.pk: capability for capability, permission in permissions.items()}
        for pk in sorted(wanted - held):
            changes.append(f"role {role.value}: right {by_pk[pk].value} given")
        for pk in sorted(held - wanted):
            changes.append(f"role {role.value}: right {by_pk[pk].value} taken away")
        group.permissions.add(*(wanted - held))
        group.permissions.remove(*(held - wanted))
    return changes
