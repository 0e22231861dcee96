"""Checks that views use: signed in, and holding a capability.

An anonymous visitor is sent to the login page; a signed-in person without the capability
gets the 403 page, never a 500 and never a silent redirect.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import Capability


def capability_required(capability: Capability):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(capability.permission):
                raise PermissionDenied(capability.label)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
