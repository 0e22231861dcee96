"""Reviews and ratings: written on the record's page by readers who borrowed the title, approved
by teachers and librarians (one or many at once), reported by readers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Record
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError
from ..models import Review
from ..selectors.notes import reader_of_user
from ..selectors.reviews import reviews_queue
from ..services.reviews import review_report, review_set_hidden, review_write, reviews_decide


@login_required
@require_POST
def review_write_view(request, record_id: int):
    record = get_object_or_404(Record, pk=record_id)
    try:
        review_write(
            reader=reader_of_user(request.user), record=record,
            rating=request.POST.get("rating"), text=request.POST.get("text", ""),
        )  # fmt: skip
    except ActivitiesError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("Thank you: your review is shown once a teacher or a librarian approves it.")
        )
    return redirect("catalog:opac-record", record.pk)


@login_required
@require_POST
def review_report_view(request, review_id: int):
    review = get_object_or_404(Review, pk=review_id, state=Review.State.APPROVED)
    try:
        review_report(
            review=review, reader=reader_of_user(request.user), reason=request.POST.get("reason", "")
        )
    except ActivitiesError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Thank you: the library will look at this review."))
    return redirect("catalog:opac-record", review.record_id)


@capability_required(Capability.GRADE_ACTIVITIES)
def reviews_moderate(request):
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("review") if value.isdigit()]
        try:
            if request.POST.get("hide") or request.POST.get("show"):
                review = get_object_or_404(Review, pk=request.POST.get("hide") or request.POST.get("show"))
                review_set_hidden(review=review, hidden=bool(request.POST.get("hide")), user=request.user)
                messages.success(request, _("The review is changed."))
            elif ids:
                count = reviews_decide(
                    review_ids=ids, approve=request.POST.get("decision") == "approve", user=request.user
                )
                messages.success(request, _("%(count)s review(s) decided.") % {"count": count})
            else:
                messages.error(request, _("Tick the reviews first."))
        except ActivitiesError as refusal:
            messages.error(request, refusal.message)
        return redirect("activities:reviews")
    return render(request, "activities/promotion/reviews_queue.html", reviews_queue())
