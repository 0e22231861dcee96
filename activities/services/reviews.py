"""Reviews and ratings: a pupil or teacher who has borrowed a title may review it once (1–5 and a
short text, kept as plain text); a teacher or a librarian approves it, singly or in bulk;
readers may report one, and a reported review can be hidden."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Record
from circulation.models import Loan, Reader
from library_site.accounts.models import User

from ..exceptions import ReviewRefused
from ..models import Review, ReviewReport
from ..states import REVIEW_STATES

REVIEW_MAX_CHARS = 500
REVIEWER_KINDS = {Reader.Kind.STUDENT, Reader.Kind.TEACHER}


def review_refusal(reader: Reader | None, record: Record) -> str | None:
    """Why this reader may not review this title, or None."""
    if reader is None or reader.kind not in REVIEWER_KINDS or reader.status != Reader.Status.ACTIVE:
        return str(_("Only the school's pupils and teachers may review books."))
    if not Loan.objects.filter(reader=reader, copy__record=record).exclude(state=Loan.State.UNDONE).exists():
        return str(_("You can review a book once you have borrowed it."))
    return None


def _check(source: str, target: str, user: User) -> None:
    move = REVIEW_STATES.check(source, target)
    if move.right and not user.has_perm(move.right):
        raise ReviewRefused(_("Only teachers and librarians approve reviews."))


@transaction.atomic
def review_write(*, reader: Reader | None, record: Record, rating, text: str = "") -> Review:
    refusal = review_refusal(reader, record)
    if refusal:
        raise ReviewRefused(refusal)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ReviewRefused(_("Give the book from 1 to 5 stars."))
    text = (text or "").strip()
    if len(text) > REVIEW_MAX_CHARS:
        raise ReviewRefused(_("A review is at most 500 characters long."))
    school_class = reader.school_class
    try:
        with transaction.atomic():
            return Review.objects.create(
                record=record,
                reader=reader,
                rating=rating,
                text=text,
                grade=school_class.grade if school_class else None,
                class_number=school_class.number if school_class else None,
            )
    except IntegrityError as error:
        raise ReviewRefused(_("You have reviewed this book already.")) from error


@transaction.atomic
def reviews_decide(*, review_ids: list[int], approve: bool, user: User) -> int:
    """Approve (or turn down) the pending reviews among ``review_ids``; the others are left."""
    target = Review.State.APPROVED if approve else Review.State.REJECTED
    reviews = list(Review.objects.select_for_update().filter(pk__in=review_ids).order_by("pk"))
    for review in reviews:
        _check(review.state, target, user)
    now = timezone.now()
    for review in reviews:
        review.state, review.decided_at, review.decided_by = target, now, user
        review.save(update_fields=["state", "decided_at", "decided_by"])
    return len(reviews)


@transaction.atomic
def review_set_hidden(*, review: Review, hidden: bool, user: User) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    target = Review.State.HIDDEN if hidden else Review.State.APPROVED
    _check(review.state, target, user)
    review.state, review.decided_at, review.decided_by = target, timezone.now(), user
    review.save(update_fields=["state", "decided_at", "decided_by"])
    return review


@transaction.atomic
def review_report(*, review: Review, reader: Reader | None, reason: str = "") -> Review:
    if reader is None:
        raise ReviewRefused(_("Only readers may report a review."))
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state != Review.State.APPROVED:
        raise ReviewRefused(_("This review is not shown."))
    try:
        with transaction.atomic():
            ReviewReport.objects.create(review=review, reader=reader, reason=(reason or "").strip()[:200])
    except IntegrityError as error:
        raise ReviewRefused(_("You have reported this review already.")) from error
    Review.objects.filter(pk=review.pk).update(reports=F("reports") + 1)
    review.refresh_from_db(fields=["reports"])
    return review
