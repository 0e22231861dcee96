"""The suggestion box (评议箱): any reader files a suggestion or a complaint, anonymous if they
wish (then nothing names them: no reader, no account, only the day); the librarian gives it an
owner, a corrective measure and a deadline, answers it and closes it, each move checked by
``SUGGESTION_STATES`` and recorded; the answer is published to the school (公示) when the
librarian chooses."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circulation.models import Reader
from library_site.accounts.models import User

from ..exceptions import SuggestionRefused
from ..models import Suggestion, SuggestionEvent
from ..states import SUGGESTION_STATES

SUGGESTION_MAX_CHARS = 2000
State = Suggestion.State


@transaction.atomic
def suggestion_file(
    *, reader: Reader | None, kind: str, category: str, text: str, anonymous: bool
) -> Suggestion:
    if reader is None:
        raise SuggestionRefused(_("Only the school's readers may use the suggestion box."))
    text = (text or "").strip()
    if not text:
        raise SuggestionRefused(_("Write what you would like to tell the library."))
    if len(text) > SUGGESTION_MAX_CHARS:
        raise SuggestionRefused(_("A suggestion is at most 2000 characters long."))
    if kind not in Suggestion.Kind.values or category not in Suggestion.Category.values:
        raise SuggestionRefused(_("Choose a kind and a category from the lists."))
    return Suggestion.objects.create(
        kind=kind,
        category=category,
        text=text,
        anonymous=anonymous,
        reader=None if anonymous else reader,
        received_on=timezone.localdate(),
    )


def _move(suggestion: Suggestion, target: str, user: User, note: str = "") -> None:
    move = SUGGESTION_STATES.check(suggestion.state, target)
    if move.right and not user.has_perm(move.right):
        raise SuggestionRefused(_("Only the library's staff handle suggestions."))
    SuggestionEvent.objects.create(
        suggestion=suggestion, from_state=suggestion.state, to_state=target, note=note[:300], by=user
    )
    suggestion.state = target


def _lock(suggestion: Suggestion) -> Suggestion:
    return Suggestion.objects.select_for_update().get(pk=suggestion.pk)


@transaction.atomic
def suggestion_take_in_hand(
    *, suggestion: Suggestion, user: User, owner: User, measure: str, deadline: date | None
) -> Suggestion:
    """Give the point an owner, a corrective measure and a deadline (again, to change them)."""
    suggestion = _lock(suggestion)
    if deadline is None:
        raise SuggestionRefused(_("Set a deadline for the measure."))
    if not owner.has_perm("accounts.manage_activities"):
        raise SuggestionRefused(_("The owner must be one of the library's staff."))
    _move(suggestion, State.IN_HAND, user, measure)
    suggestion.owner, suggestion.measure, suggestion.deadline = owner, (measure or "").strip(), deadline
    suggestion.save(update_fields=["state", "owner", "measure", "deadline"])
    return suggestion


@transaction.atomic
def suggestion_answer(*, suggestion: Suggestion, user: User, answer: str, measure: str = "") -> Suggestion:
    suggestion = _lock(suggestion)
    answer = (answer or "").strip()
    if not answer:
        raise SuggestionRefused(_("Write the answer to the reader."))
    _move(suggestion, State.ANSWERED, user, answer)
    suggestion.answer = answer
    if measure.strip():
        suggestion.measure = measure.strip()
    if suggestion.owner_id is None:
        suggestion.owner = user
    suggestion.answered_at = timezone.now()
    suggestion.save(update_fields=["state", "answer", "measure", "owner", "answered_at"])
    return suggestion


@transaction.atomic
def suggestion_close(*, suggestion: Suggestion, user: User, note: str = "") -> Suggestion:
    suggestion = _lock(suggestion)
    _move(suggestion, State.CLOSED, user, note)
    suggestion.save(update_fields=["state"])
    return suggestion


@transaction.atomic
def suggestion_publish(*, suggestion: Suggestion, user: User, publish: bool = True) -> Suggestion:
    """Publish the answer to the school (公示), or take it back. Only an answered one."""
    suggestion = _lock(suggestion)
    if not user.has_perm("accounts.manage_activities"):
        raise SuggestionRefused(_("Only the library's staff handle suggestions."))
    if suggestion.state not in {State.ANSWERED, State.CLOSED}:
        raise SuggestionRefused(_("Answer the suggestion before publishing it."))
    suggestion.published_at = timezone.now() if publish else None
    suggestion.published_by = user if publish else None
    suggestion.save(update_fields=["published_at", "published_by"])
    return suggestion
