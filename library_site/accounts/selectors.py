from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.utils import timezone

from .models import RoleRightChange, User
from .roles import ROLE_CAPABILITIES, ROLES_REPAIR_ADVICE, Capability, Role


def role_matrix_get() -> dict:
    """Each role as stored in the database: its capabilities and how many active people hold it.

    Read from the groups themselves, not from ``roles.py``, so that the page shows what an
    administrator may have changed in the back office. Two queries whatever the size.
    """
    groups = (
        Group.objects.filter(name__in=[role.value for role in Role])
        .annotate(people=Count("user", filter=Q(user__is_active=True)))
        .prefetch_related(
            Prefetch(
                "permissions",
                queryset=Permission.objects.filter(content_type__app_label="accounts"),
                to_attr="capability_permissions",
            )
        )
    )
    by_name = {group.name: group for group in groups}
    held_by_role = {
        role: {permission.codename for permission in by_name[role.value].capability_permissions}
        if role.value in by_name
        else set()
        for role in Role
    }
    administrator = {capability.value for capability in ROLE_CAPABILITIES[Role.ADMINISTRATOR]}
    return {
        # A role missing or the administrator's fixed rights changed: the page says to run
        # ``manage.py roles_repair``.
        "repair_advice": ROLES_REPAIR_ADVICE
        if len(by_name) < len(Role)
        or held_by_role[Role.ADMINISTRATOR] & {capability.value for capability in Capability} != administrator
        else "",
        "roles": [
            {"role": role, "people": by_name[role.value].people if role.value in by_name else 0}
            for role in Role
        ],
        "rows": [
            {
                "capability": capability,
                "cells": [{"role": role, "held": capability.value in held_by_role[role]} for role in Role],
            }
            for capability in Capability
        ],
    }


def role_right_changes_latest(limit: int = 20):
    """The latest changes of roles' rights made on the roles page, newest first."""
    return RoleRightChange.objects.select_related("changed_by")[:limit]


def login_lockouts_current() -> dict:
    """The accounts and addresses whose sign-in is paused now, with their failures and when
    the pause ends by itself; two queries whatever the number of attempts."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    accounts = (
        recent.exclude(username__isnull=True)
        .exclude(username="")
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    addresses = (
        recent.exclude(ip_address__isnull=True)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        .order_by("-last")
    )
    names = {
        user.username: user
        for user in User.objects.filter(username__in=[row["username"] for row in accounts])
    }
    return {
        "accounts": [
            {**row, "user": names.get(row["username"]), "until": row["last"] + settings.AXES_COOLOFF_TIME}
            for row in accounts
        ],
        "addresses": [{**row, "until": row["last"] + settings.AXES_COOLOFF_TIME} for row in addresses],
        "account_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
