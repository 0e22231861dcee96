"""The month's selection (评选): reviewers nominate the best of their classes' reviewed notes and
cards; the librarian chooses the winners per grade within the quota per class and publishes the
results (公示). ``work_select`` is the one service that records a winner: the honours of the
next activities issue (小作家 and others) read the selected works."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from ..exceptions import NotReviewer, SelectionRefused
from ..models import ActivitiesSettings, ExcerptCard, MonthSelection, PupilWork, ReadingNote
from ..selectors.review import class_is_reviewable
from ..states import states_for

State = PupilWork.State


def _published(month: date | None) -> bool:
    return (
        month is not None and MonthSelection.objects.filter(month=month, published_at__isnull=False).exists()
    )


def _lock(work: PupilWork) -> PupilWork:
    return (
        type(work)
        .objects.select_for_update(of=("self",))
        .select_related("reader__school_class")
        .get(pk=work.pk)
    )


def _check_librarian(user: User) -> None:
    if not user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        raise NotReviewer(_("Only a librarian chooses the month's winners."))


@transaction.atomic
def work_nominate(
    *, work: PupilWork, reviewer: User, nominated: bool = True, now: datetime | None = None
) -> PupilWork:
    """A reviewer puts a reviewed note or card forward for the month's selection (or takes it back)."""
    work = _lock(work)
    if not class_is_reviewable(reviewer, work.reader.school_class_id):
        raise NotReviewer()
    if work.state not in (State.REVIEWED, State.SELECTED):
        raise SelectionRefused(_("Only a reviewed note or card can be nominated."))
    if _published(work.month):
        raise SelectionRefused(_("The month's results are published: the selection is closed."))
    work.nominated_at = (now or timezone.now()) if nominated else None
    work.nominated_by = reviewer if nominated else None
    work.save(update_fields=["nominated_at", "nominated_by"])
    return work


@transaction.atomic
def work_select(*, work: PupilWork, user: User, now: datetime | None = None) -> PupilWork:
    """Record a winner of the month: a reviewed note or card, within the quota of winners per
    class (notes and cards counted apart), before the results are published."""
    _check_librarian(user)
    work = _lock(work)
    states_for(work).check(work.state, State.SELECTED)
    if _published(work.month):
        raise SelectionRefused(_("The month's results are published: the selection is closed."))
    quota = ActivitiesSettings.current().winners_per_class
    winners = (
        type(work)
        .objects.filter(
            state=State.SELECTED, month=work.month, reader__school_class_id=work.reader.school_class_id
        )
        .count()
    )
    if winners >= quota:
        raise SelectionRefused(
            _("%(class)s already has %(count)s winner(s) this month, the most allowed.")
            % {
                "class": work.reader.school_class.name if work.reader.school_class_id else "—",
                "count": winners,
            }
        )
    work.state = State.SELECTED
    work.selected_at = now or timezone.now()
    work.selected_by = user
    work.save(update_fields=["state", "selected_at", "selected_by"])
    return work


@transaction.atomic
def work_unselect(*, work: PupilWork, user: User) -> PupilWork:
    """Take a winner off the month's list, before the results are published."""
    _check_librarian(user)
    work = _lock(work)
    states_for(work).check(work.state, State.REVIEWED)
    if _published(work.month):
        raise SelectionRefused(_("The month's results are published: the selection is closed."))
    work.state = State.REVIEWED
    work.selected_at = None
    work.selected_by = None
    work.save(update_fields=["state", "selected_at", "selected_by"])
    return work


@transaction.atomic
def selection_publish(*, month: date, user: User, now: datetime | None = None) -> MonthSelection:
    """Publish the month's results (公示). From now on, a note handed in counts for the next
    month; the winners' grades are released to them."""
    _check_librarian(user)
    now = now or timezone.now()
    month = month.replace(day=1)
    selection, _created = MonthSelection.objects.select_for_update().get_or_create(month=month)
    if selection.published_at is not None:
        raise SelectionRefused(_("The results of this month are already published."))
    selection.published_at = now
    selection.published_by = user
    selection.save(update_fields=["published_at", "published_by"])
    for model in (ReadingNote, ExcerptCard):
        model.objects.filter(month=month, state=State.SELECTED, released_at__isnull=True).update(
            released_at=now
        )
    return selection
