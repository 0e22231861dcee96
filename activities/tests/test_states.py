"""The notes' and cards' state tables: every move the table does not allow is refused by the
guard, and every allowed move goes through the service that makes it."""

import pytest
from django.utils import timezone

from ..exceptions import WorkRefused
from ..models import ExcerptCard, PupilWork, ReadingNote
from ..services.cards import card_submit
from ..services.notes import note_submit
from ..services.review import work_return, work_review
from ..services.selection import work_select, work_unselect
from ..states import CARD_STATES, NOTE_STATES
from .factories import CardFactory, NoteFactory, librarian

pytestmark = pytest.mark.django_db
State = PupilWork.State


@pytest.mark.parametrize("table", [NOTE_STATES, CARD_STATES], ids=["note", "card"])
def test_every_move_not_in_the_table_is_refused_by_the_guard(table):
    refused = table.refused_moves()

    assert len(refused) == 6 * 5 - 8  # 30 pairs of distinct states, 8 allowed
    for source, target in refused:
        with pytest.raises(WorkRefused) as error:
            table.check(source, target)
        assert table.label(source) in error.value.message


def test_the_guards_message_names_both_states_in_chinese():
    with pytest.raises(WorkRefused) as error:
        NOTE_STATES.check(State.DRAFT, State.REVIEWED)

    assert error.value.message == "“草稿”状态的读书笔记不能变为“已评阅”。"


def _make(model, state, **fields):
    factory = NoteFactory if model is ReadingNote else CardFactory
    return factory(state=state, **fields)


def _submit(work, user):
    if isinstance(work, ExcerptCard):
        return card_submit(card=work, reader=work.reader)
    return note_submit(note=work, reader=work.reader)


MOVES = {
    (State.DRAFT, State.SUBMITTED): lambda work, user: _submit(work, user),
    (State.RETURNED, State.RESUBMITTED): lambda work, user: _submit(work, user),
    (State.SUBMITTED, State.RETURNED): lambda work, user: work_return(
        work=work, reviewer=user, reason="再写具体些"
    ),
    (State.RESUBMITTED, State.RETURNED): lambda work, user: work_return(
        work=work, reviewer=user, reason="再改"
    ),
    (State.SUBMITTED, State.REVIEWED): lambda work, user: work_review(work=work, reviewer=user, grade="优"),
    (State.RESUBMITTED, State.REVIEWED): lambda work, user: work_review(work=work, reviewer=user, grade="良"),
    (State.REVIEWED, State.REVIEWED): lambda work, user: work_review(work=work, reviewer=user, grade="合格"),
    (State.REVIEWED, State.SELECTED): lambda work, user: work_select(work=work, user=user),
    (State.SELECTED, State.REVIEWED): lambda work, user: work_unselect(work=work, user=user),
}


@pytest.mark.parametrize("model", [ReadingNote, ExcerptCard], ids=["note", "card"])
@pytest.mark.parametrize("move", sorted(MOVES), ids=lambda move: f"{move[0]}-{move[1]}")
def test_every_allowed_move_goes_through_its_service(model, move):
    source, target = move
    table = NOTE_STATES if model is ReadingNote else CARD_STATES
    user = librarian()
    extra = {"submitted_at": None, "month": None} if source == State.DRAFT else {}
    if source in (State.REVIEWED, State.SELECTED):
        extra.update(grade="优", reviewed_at=timezone.now(), nominated_at=timezone.now())
    work = _make(model, source, **extra)

    MOVES[move](work, user)

    work.refresh_from_db()
    assert table.allows(source, target)
    assert work.state == target
    assert set(MOVES) == set(table.moves)
