"""The review: the reviewer's classes, a class's queue, and one note or card at a time (grade and
comment, or return for revision), driven from the keyboard by review.js. A teacher reaches only
the classes they review; another class's ids answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation.models import SchoolClass
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError
from ..selectors.review import WORK_KINDS, class_is_reviewable, review_item, review_overview, review_queue
from ..services.review import work_return, work_review, works_release

grade_activities = capability_required(Capability.GRADE_ACTIVITIES)


def _class_or_404(request, class_id: int) -> SchoolClass:
    school_class = get_object_or_404(SchoolClass.objects.select_related("head_teacher"), pk=class_id)
    if not class_is_reviewable(request.user, school_class.pk):
        raise Http404(_("You do not review this class."))
    return school_class


def _kind_or_404(kind: str) -> str:
    if kind not in WORK_KINDS:
        raise Http404()
    return kind


@grade_activities
def review_home(request):
    return render(request, "activities/review_home.html", {"classes": review_overview(request.user)})


@grade_activities
def review_class(request, class_id: int, kind: str):
    school_class = _class_or_404(request, class_id)
    queue = review_queue(kind=_kind_or_404(kind), school_class=school_class)
    return render(request, "activities/review_queue.html", queue)


@grade_activities
def review_work(request, class_id: int, kind: str, work_id: int):
    school_class = _class_or_404(request, class_id)
    item = review_item(kind=_kind_or_404(kind), school_class=school_class, work_id=work_id)
    if item is None:
        raise Http404()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "grade":
                work_review(
                    work=item["work"],
                    reviewer=request.user,
                    grade=request.POST.get("grade", ""),
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("Graded."))
            elif action == "return":
                work_return(work=item["work"], reviewer=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("Returned to the pupil for revision."))
            else:
                raise Http404()
        except ActivitiesError as error:
            item["error"] = error.message
            item["posted"] = request.POST
            return render(request, "activities/review_item.html", item, status=400)
        following = item["next_waiting_id"]
        if following:
            return redirect("activities:review-work", school_class.pk, kind, following)
        return redirect("activities:review-class", school_class.pk, kind)
    return render(request, "activities/review_item.html", item)


@grade_activities
@require_POST
def review_release(request, class_id: int):
    school_class = _class_or_404(request, class_id)
    try:
        count = works_release(school_class=school_class, reviewer=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(count)s grade(s) released to the pupils of %(class)s.")
            % {"count": count, "class": school_class.name},
        )
    kind = request.POST.get("kind", "note")
    return redirect("activities:review-class", school_class.pk, _kind_or_404(kind))
