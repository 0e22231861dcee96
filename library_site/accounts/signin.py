"""Who is signing in, and from where: what django-axes counts failures against.

Behind nginx (``TRUSTED_PROXY_COUNT`` proxies of our own), ``REMOTE_ADDR`` is the nearest
proxy's and the client's address is in ``X-Forwarded-For``. Each trusted proxy appends the
address it received the request from, so the client is the entry ``TRUSTED_PROXY_COUNT`` places
from the right: the rightmost one that no trusted proxy vouches for. Anything to its left was
written by the client and is ignored (a client cannot choose the address it is counted under).

Failures are counted per account, whatever identifier was typed: a user name, a card number or
a student number in any case all resolve to the same account (apps register how their
identifiers resolve, as they register menus), so three spellings do not give three counters.
Failures are also counted per address, with a higher limit (a whole school may share one
public address), by ``SignInThrottleBackend``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from .forms import normalise_identifier
from .models import User

# Each resolver takes a normalised identifier and returns the account's user name, or None.
_identifier_resolvers: list[Callable[[str], str | None]] = []


def identifier_resolver_register(resolver: Callable[[str], str | None]) -> None:
    if resolver not in _identifier_resolvers:
        _identifier_resolvers.append(resolver)


def account_key_for_identifier(identifier: str) -> str:
    """The user name of the account an identifier names; for an identifier that names no
    account, the identifier itself in one case (so its spellings share one counter too)."""
    typed = normalise_identifier(identifier)
    if not typed:
        return ""
    user = User.objects.filter(username=typed).only("username").first()
    if user is None:
        # Several accounts may differ only in case: count under the exact one if any, else
        # under the one a case-blind look-up finds when it is the only one.
        matches = list(User.objects.filter(username__iexact=typed).values_list("username", flat=True)[:2])
        if len(matches) == 1:
            return matches[0]
    else:
        return user.username
    for resolver in _identifier_resolvers:
        username = resolver(typed)
        if username:
            return username
    return typed.casefold()


def login_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the account the typed identifier names."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    return account_key_for_identifier(typed or "")


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_address(request) -> str:
    """AXES_CLIENT_IP_CALLABLE: the client's address, taken only from trusted hops."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    if not trusted:
        return remote
    forwarded = [
        entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()
    ]
    if len(forwarded) < trusted:
        # Fewer hops than the trusted proxies append: the request did not come through them
        # all (a misconfiguration, or the application server reached directly).
        return remote
    candidate = forwarded[-trusted]
    return candidate if _is_address(candidate) else remote


def address_failures(address: str) -> int:
    """Failed sign-ins from one address within the cool-off, over every account."""
    if not address:
        return 0
    total = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def address_is_throttled(address: str) -> bool:
    return address_failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes's check (per account) and the limit per address, before any password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and address_is_throttled(client_address(request)):
            request.axes_locked_out = True
            request.axes_credentials = {"username": username}
            raise AxesBackendPermissionDenied("Too many failed sign-ins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)
