"""The transparency page for teachers and pupils (X4); public when the administrator says so."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from activities.services.bulletin import promotion_settings

from ..selectors.transparency import transparency_page


def transparency(request):
    if not request.user.is_authenticated and not promotion_settings().public_transparency:
        return redirect_to_login(request.get_full_path())
    return render(request, "reports/transparency.html", transparency_page())
