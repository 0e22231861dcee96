"""The administrator's pages for reading activities: the notes rules and the settings (capability
MANAGE_POLICIES, like the loan policies), and the teachers named to review each class
(MANAGE_ACTIVITIES: librarians run the activities)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError
from ..forms.rules import ActivitiesSettingsForm, ClassReviewerForm, NotesRuleForm
from ..models import ActivitiesSettings, ClassReviewer, NotesRule
from ..services.rules import (
    activities_settings_save,
    class_reviewer_name,
    class_reviewer_remove,
    notes_rule_save,
)

manage_policies = capability_required(Capability.MANAGE_POLICIES)
manage_activities = capability_required(Capability.MANAGE_ACTIVITIES)


@manage_policies
def rules(request):
    settings = ActivitiesSettings.current()
    form = ActivitiesSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        activities_settings_save(settings=form.save(commit=False), user=request.user)
        messages.success(request, _("The reading activities settings are saved."))
        return redirect("activities:rules")
    return render(
        request,
        "activities/rules.html",
        {"rules": NotesRule.objects.select_related("term").all(), "settings_form": form},
    )


def _rule_edit(request, rule, title):
    form = NotesRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        notes_rule_save(rule=form.save(commit=False), user=request.user)
        messages.success(request, _("The reading notes rule is saved."))
        return redirect("activities:rules")
    return render(request, "activities/rule_form.html", {"form": form, "title": title})


@manage_policies
def rule_create(request):
    return _rule_edit(request, NotesRule(), _("New reading notes rule"))


@manage_policies
def rule_edit(request, pk: int):
    return _rule_edit(request, get_object_or_404(NotesRule, pk=pk), _("Reading notes rule"))


@manage_activities
def reviewers(request):
    form = ClassReviewerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            class_reviewer_name(
                school_class=form.cleaned_data["school_class"],
                teacher=form.cleaned_data["teacher"],
                user=request.user,
            )
        except ActivitiesError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The teacher now reviews the class."))
            return redirect("activities:reviewers")
    named = ClassReviewer.objects.select_related("school_class", "teacher", "named_by").order_by(
        "school_class__grade", "school_class__number", "teacher__full_name"
    )
    return render(request, "activities/reviewers.html", {"form": form, "reviewers": named})


@manage_activities
@require_POST
def reviewer_remove(request, pk: int):
    class_reviewer_remove(reviewer=get_object_or_404(ClassReviewer, pk=pk))
    messages.success(request, _("The teacher no longer reviews the class."))
    return redirect("activities:reviewers")
