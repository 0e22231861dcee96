"""The administrator's pages for loan policies, lending settings and the library calendar
(capability MANAGE_POLICIES). Policies are switched off, never deleted, because loans name
them; closed days and terms are calendar entries and may be corrected or removed."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..forms.policies import CirculationSettingsForm, ClosedPeriodForm, LoanPolicyForm, TermForm
from ..models import CirculationSettings, ClosedPeriod, LoanPolicy, Term
from ..selectors.policies import policies_page
from ..services.policies import closed_period_withdraw

manage_policies = capability_required(Capability.MANAGE_POLICIES)


@manage_policies
def policy_list(request):
    return render(request, "circulation/policies.html", policies_page())


def _edit(request, *, form_class, instance, title, saved):
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, saved)
        return redirect("circulation:policies")
    return render(
        request, "circulation/policy_form.html", {"form": form, "title": title, "instance": instance}
    )


@manage_policies
def policy_create(request):
    return _edit(
        request,
        form_class=LoanPolicyForm,
        instance=None,
        title=_("New loan policy"),
        saved=_("The loan policy is saved."),
    )


@manage_policies
def policy_edit(request, pk: int):
    policy = get_object_or_404(LoanPolicy, pk=pk)
    return _edit(
        request,
        form_class=LoanPolicyForm,
        instance=policy,
        title=policy.name,
        saved=_("The loan policy is saved."),
    )


@manage_policies
def settings_edit(request):
    return _edit(
        request,
        form_class=CirculationSettingsForm,
        instance=CirculationSettings.current(),
        title=_("Lending settings"),
        saved=_("The lending settings are saved."),
    )


@manage_policies
def closed_create(request):
    return _edit(
        request,
        form_class=ClosedPeriodForm,
        instance=None,
        title=_("New closed days"),
        saved=_("The closed days are saved."),
    )


@manage_policies
def closed_edit(request, pk: int):
    period = get_object_or_404(ClosedPeriod.objects.current(), pk=pk)
    return _edit(
        request,
        form_class=ClosedPeriodForm,
        instance=period,
        title=period.name,
        saved=_("The closed days are saved."),
    )


@manage_policies
@require_POST
def closed_delete(request, pk: int):
    period = get_object_or_404(ClosedPeriod, pk=pk)
    closed_period_withdraw(period=period, withdrawn_by=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The closed days are taken off the calendar; they stay in its history."))
    return redirect("circulation:policies")


@manage_policies
def term_create(request):
    return _edit(
        request, form_class=TermForm, instance=None, title=_("New term"), saved=_("The term is saved.")
    )


@manage_policies
def term_edit(request, pk: int):
    term = get_object_or_404(Term, pk=pk)
    return _edit(request, form_class=TermForm, instance=term, title=term.name, saved=_("The term is saved."))
