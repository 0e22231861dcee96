"""Pages of the public page for the school's screens: the page itself needs no sign-in and is a
404 until it is switched on; its settings need MANAGE_POLICIES, the administrator's right to set
how the library runs."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..forms.public import TransparencySettingsForm
from ..models import TransparencySettings
from ..selectors.public import public_board
from ..services.public import transparency_settings_save


@require_GET
def public_page(request):
    """The figures for the school's screens; a 404 while the administrator has it switched off
    (an administrator may preview it with ``?preview=1``)."""
    settings = TransparencySettings.current()
    preview = request.GET.get("preview") == "1" and request.user.has_perm(
        Capability.MANAGE_POLICIES.permission
    )
    if not settings.enabled and not preview:
        raise Http404("The public page is switched off.")
    board = public_board(settings)
    return render(request, "reports/public_page.html", {"board": board, "preview": preview})


@capability_required(Capability.MANAGE_POLICIES)
def public_page_settings(request):
    settings = TransparencySettings.current()
    form = TransparencySettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        transparency_settings_save(form=form, user=request.user)
        messages.success(request, _("The public page's settings are saved."))
        return redirect("reports:public-page-settings")
    return render(
        request,
        "reports/public_page_settings.html",
        {
            "form": form,
            "settings": settings,
            "public_url": request.build_absolute_uri(reverse("reports:public-page")),
        },
    )
