"""The activity calendar: the year's activities month by month against the plan (a month without
a themed activity flagged), an activity planned and moved through its states, and the results
published for the school (公示). Librarians run it; leaders read it; anyone signed in reads the
published results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError
from ..forms.calendar import ActivityForm, ActivityPlanForm, ResultsForm
from ..models import Activity
from ..selectors.calendar import calendar_year, current_school_year, plan_for, results_published
from ..services.calendar import activity_create, activity_move, activity_update, plan_set
from ..states import ACTIVITY_STATES

manage_activities = capability_required(Capability.MANAGE_ACTIVITIES)


def _may_read(user) -> bool:
    return user.has_perm(Capability.MANAGE_ACTIVITIES.permission) or user.has_perm(
        Capability.VIEW_STATISTICS.permission
    )


@login_required
def calendar(request, year: int | None = None):
    if not _may_read(request.user):
        raise PermissionDenied()
    year = year or current_school_year()
    context = calendar_year(year)
    context["may_manage"] = request.user.has_perm(Capability.MANAGE_ACTIVITIES.permission)
    return render(request, "activities/calendar.html", context)


@manage_activities
def plan_edit(request, year: int):
    plan = plan_for(year)
    form = ActivityPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan_set(
                school_year=year,
                reader_activities=form.cleaned_data["reader_activities"],
                themed_months=form.cleaned_data["themed_months"],
                by=request.user,
            )
        except ActivitiesError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The year's plan is saved."))
            return redirect("activities:calendar-year", year)
    return render(request, "activities/plan_form.html", {"form": form, "year": year})


@manage_activities
def activity_new(request):
    form = ActivityForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = activity_create(
                kind=data["kind"],
                title=data["title"],
                theme=data["theme"],
                description=data["description"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                grades=data["grades"],
                classes=data["classes"],
                organisers=data["organisers"],
                by=request.user,
            )
        except ActivitiesError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The activity is on the calendar."))
            return redirect("activities:activity", activity.pk)
    return render(request, "activities/activity_form.html", {"form": form})


@login_required
def activity_detail(request, pk: int):
    if not _may_read(request.user):
        raise PermissionDenied()
    activity = get_object_or_404(
        Activity.objects.select_related("published_by").prefetch_related("organisers", "classes"), pk=pk
    )
    may_manage = request.user.has_perm(Capability.MANAGE_ACTIVITIES.permission)
    form = ActivityForm(request.POST or None, instance=activity) if may_manage else None
    if request.method == "POST" and may_manage and form.is_valid():
        data = form.cleaned_data
        try:
            activity_update(
                activity=activity,
                by=request.user,
                **{name: data[name] for name in form.Meta.fields if name != "kind"},
            )
        except ActivitiesError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("activities:activity", activity.pk)
    moves = [move for move in ACTIVITY_STATES if move.source == activity.state]
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "form": form,
            "may_manage": may_manage,
            "moves": moves,
            "state_label": ACTIVITY_STATES.label,
            "results_form": ResultsForm(initial={"results": activity.results}),
        },
    )


@manage_activities
@require_POST
def activity_move_view(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    form = ResultsForm(request.POST)
    results = form.cleaned_data["results"] if form.is_valid() else None
    try:
        activity_move(activity=activity, to=request.POST.get("to", ""), by=request.user, results=results)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The activity is now “%(state)s”.") % {"state": ACTIVITY_STATES.label(request.POST["to"])},
        )
    return redirect("activities:activity", activity.pk)


@login_required
def results_board(request):
    """The school's results (公示): every activity whose results are published."""
    year = request.GET.get("year", "")
    activities = results_published(year=int(year) if year.isdigit() else None)
    return render(request, "activities/results_board.html", {"activities": activities})
