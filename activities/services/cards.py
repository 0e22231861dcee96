"""Writing excerpt cards (文摘卡): a fine passage with its book and page, and the pupil's thoughts.
A card started on a day the pupil's class has its reading-room session is tied to that session;
otherwise it was written at home. Saved as the pupil types, like a note; handed in once."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Record
from circulation.models import ClassSession, Reader

from ..exceptions import BookRefused, DraftOutdated, NotEditable, NotYours, TextRefused
from ..models import ExcerptCard
from ..policies import (
    MIN_PASSAGE_CHARS,
    MIN_THOUGHTS_CHARS,
    PASSAGE_MAX,
    THOUGHTS_MAX,
    text_check_content,
    text_check_length,
)
from ..states import CARD_STATES
from .notes import KEEP, selection_month_for

State = ExcerptCard.State
PAGE_MAX = 20


def session_of_class_today(reader: Reader, *, today: date) -> ClassSession | None:
    """The reading-room session the pupil's class has today, if any (the timetable names the
    date and period, not the hours: a card started that day is taken as written in it)."""
    if not reader.school_class_id:
        return None
    return (
        ClassSession.objects.filter(school_class_id=reader.school_class_id, date=today)
        .order_by("period")
        .first()
    )


@transaction.atomic
def card_start(*, reader: Reader, record: Record | None = None, today: date | None = None) -> ExcerptCard:
    today = today or timezone.localdate()
    return ExcerptCard.objects.create(
        reader=reader, record=record, session=session_of_class_today(reader, today=today)
    )


def _lock_card(card_id: int, reader: Reader) -> ExcerptCard:
    card = (
        ExcerptCard.objects.select_for_update(of=("self",))
        .select_related("reader__school_class", "record")
        .get(pk=card_id)
    )
    if card.reader_id != reader.pk:
        raise NotYours(_("This card belongs to another pupil."))
    return card


@transaction.atomic
def card_save_draft(
    *,
    card: ExcerptCard,
    reader: Reader,
    page: str,
    passage: str,
    thoughts: str,
    revision: int,
    record=KEEP,
) -> ExcerptCard:
    """Save what the pupil has typed; the same rules as a note's draft (only a draft or a card
    returned for revision, the page's revision must be the latest, lengths checked)."""
    card = _lock_card(card.pk, reader)
    if not card.is_editable:
        raise NotEditable(
            _(
                "This card has been handed in and can no longer be changed, unless it is returned for revision."
            )
        )
    if revision != card.revision:
        raise DraftOutdated()
    text_check_length(page, label=_("The page"), maximum=PAGE_MAX)
    text_check_length(passage, label=_("The passage"), maximum=PASSAGE_MAX)
    text_check_length(thoughts, label=_("Your thoughts"), maximum=THOUGHTS_MAX)
    fields = ["page", "passage", "thoughts", "revision", "saved_at"]
    if record is not KEEP:
        if record is not None and not isinstance(record, Record):
            raise BookRefused()
        card.record = record
        fields.append("record")
    card.page, card.passage, card.thoughts = page.strip(), passage, thoughts
    card.revision += 1
    card.saved_at = timezone.now()
    card.save(update_fields=fields)
    return card


@transaction.atomic
def card_submit(*, card: ExcerptCard, reader: Reader, now: datetime | None = None) -> ExcerptCard:
    """Hand the card in (or in again after a revision): it needs a book, the passage and the
    pupil's own thoughts."""
    now = now or timezone.now()
    card = _lock_card(card.pk, reader)
    target = State.RESUBMITTED if card.state == State.RETURNED else State.SUBMITTED
    CARD_STATES.check(card.state, target)
    if card.record_id is None:
        raise BookRefused()
    text_check_content(card.passage, label=_("The passage"), minimum=MIN_PASSAGE_CHARS)
    text_check_content(card.thoughts, label=_("Your thoughts"), minimum=MIN_THOUGHTS_CHARS)
    if card.thoughts.strip() == card.passage.strip():
        raise TextRefused(_("Your thoughts repeat the passage: say what you think of it."))
    from .similarity import work_similarity_check

    card.state = target
    if card.submitted_at is None:
        card.submitted_at = now
    if card.month is None:
        card.month = selection_month_for(now)
    card.saved_at = now
    work_similarity_check(work=card)
    card.save()
    return card
