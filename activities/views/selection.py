"""The month's selection: a reviewer nominates from the review page; the librarian chooses the
winners and publishes the results; the results page for the school (signed in) and the
exhibition wall (public when the administrator switches it on), with a printable poster."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability
from library_site.dates import month_text
from library_site.documents.exceptions import DocumentError

from ..exceptions import ActivitiesError, NotReviewer
from ..printing import poster_pdf
from ..selectors.review import WORK_KINDS
from ..selectors.selection import (
    month_start,
    selection_candidates,
    selection_results,
    wall_is_open,
    wall_works,
)
from ..services.selection import selection_publish, work_nominate, work_select, work_unselect

manage_activities = capability_required(Capability.MANAGE_ACTIVITIES)
grade_activities = capability_required(Capability.GRADE_ACTIVITIES)


def _month(text: str | None) -> datetime.date:
    if text:
        try:
            return datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError as error:
            raise Http404() from error
    return month_start(timezone.localdate())


def _work_or_404(kind: str, work_id: int):
    model = WORK_KINDS.get(kind)
    if model is None:
        raise Http404()
    return get_object_or_404(model.objects.select_related("reader__school_class"), pk=work_id)


@grade_activities
@require_POST
def work_nominate_view(request, kind: str, work_id: int):
    work = _work_or_404(kind, work_id)
    try:
        work_nominate(work=work, reviewer=request.user, nominated=request.POST.get("nominated") != "0")
    except NotReviewer as error:
        raise Http404() from error
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Nomination saved."))
    return redirect("activities:review-work", work.reader.school_class_id, kind, work.pk)


@manage_activities
def selection(request, month: str | None = None):
    return render(request, "activities/selection.html", selection_candidates(_month(month)))


@manage_activities
@require_POST
def selection_choose(request, kind: str, work_id: int):
    work = _work_or_404(kind, work_id)
    try:
        if request.POST.get("selected") == "0":
            work_unselect(work=work, user=request.user)
        else:
            work_select(work=work, user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    return redirect("activities:selection-month", f"{work.month:%Y-%m}" if work.month else "")


@manage_activities
@require_POST
def selection_publish_view(request, month: str):
    day = _month(month)
    try:
        selection_publish(month=day, user=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The results of %(month)s are published.") % {"month": month_text(day)})
    return redirect("activities:selection-month", f"{day:%Y-%m}")


@login_required
def results(request, month: str):
    """The month's published results, for everyone at school (nothing before publication)."""
    data = selection_results(_month(month))
    if not data["state"].published:
        raise Http404()
    return render(request, "activities/results.html", data)


def wall(request, month: str | None = None):
    """The exhibition wall: the month's best notes and cards."""
    if not wall_is_open(request.user):
        raise Http404()
    return render(request, "activities/wall.html", wall_works(month=_month(month) if month else None))


def wall_poster(request, month: str):
    if not wall_is_open(request.user):
        raise Http404()
    works = wall_works(month=_month(month))
    try:
        data = poster_pdf(works)
    except DocumentError as error:
        return HttpResponse(str(error.message), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reading-wall-{month}.pdf"'
    return response
