"""Reviewing notes and cards: a grade on the administrator's scale with a comment, or a return
for revision with a reason; and the release of a class's grades to its pupils. A reviewer is a
teacher of the class (head teacher or named) or a librarian."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circulation.models import SchoolClass
from library_site.accounts.models import User

from ..exceptions import GradeRefused, NotReviewer, TextRefused
from ..models import ActivitiesSettings, ExcerptCard, PupilWork, ReadingNote
from ..policies import THOUGHTS_MAX, text_check_length
from ..selectors.review import class_is_reviewable
from ..states import states_for

State = PupilWork.State
COMMENT_MAX = THOUGHTS_MAX
REASON_MAX = 500


def _lock_work(work: PupilWork) -> PupilWork:
    return (
        type(work)
        .objects.select_for_update(of=("self",))
        .select_related("reader__school_class")
        .get(pk=work.pk)
    )


def _check_reviewer(work: PupilWork, reviewer: User) -> None:
    if not class_is_reviewable(reviewer, work.reader.school_class_id):
        raise NotReviewer()


@transaction.atomic
def work_review(
    *, work: PupilWork, reviewer: User, grade: str, comment: str = "", now: datetime | None = None
) -> PupilWork:
    """Grade a note or card that was handed in (or change the grade of one reviewed, until it is
    released). The pupil sees the grade and comment once they are released."""
    now = now or timezone.now()
    work = _lock_work(work)
    _check_reviewer(work, reviewer)
    if work.state == State.REVIEWED and work.released_at is not None:
        raise GradeRefused(_("The grade has been released to the pupil and can no longer change."))
    states_for(work).check(work.state, State.REVIEWED)
    if grade not in ActivitiesSettings.current().grades:
        raise GradeRefused()
    comment = comment.strip()
    text_check_length(comment, label=_("The comment"), maximum=COMMENT_MAX)
    work.state = State.REVIEWED
    work.grade = grade
    work.comment = comment
    work.return_reason = ""
    work.reviewed_at = now
    work.reviewed_by = reviewer
    work.save(update_fields=["state", "grade", "comment", "return_reason", "reviewed_at", "reviewed_by"])
    return work


@transaction.atomic
def work_return(*, work: PupilWork, reviewer: User, reason: str, now: datetime | None = None) -> PupilWork:
    """Return a note or card to the pupil for revision, with the reason they read at once. It no
    longer counts as handed in until they hand it in again."""
    now = now or timezone.now()
    work = _lock_work(work)
    _check_reviewer(work, reviewer)
    states_for(work).check(work.state, State.RETURNED)
    reason = reason.strip()
    if not reason:
        raise TextRefused(_("Say what the pupil should revise."))
    text_check_length(reason, label=_("The reason"), maximum=REASON_MAX)
    work.state = State.RETURNED
    work.return_reason = reason
    work.reviewed_at = now
    work.reviewed_by = reviewer
    work.save(update_fields=["state", "return_reason", "reviewed_at", "reviewed_by"])
    return work


@transaction.atomic
def works_release(*, school_class: SchoolClass, reviewer: User, now: datetime | None = None) -> int:
    """Release the class's grades and comments given so far (notes and cards) to its pupils;
    returns how many were released."""
    now = now or timezone.now()
    if not class_is_reviewable(reviewer, school_class.pk):
        raise NotReviewer()
    released = 0
    for model in (ReadingNote, ExcerptCard):
        released += model.objects.filter(
            reader__school_class=school_class,
            state__in=[State.REVIEWED, State.SELECTED],
            released_at__isnull=True,
        ).update(released_at=now)
    return released
