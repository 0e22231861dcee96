"""The desk-mode registry (circulation/registries.py ``desk_mode_register``), from circulation's
side: a mode another app registers shows on the desk, gets the card a scan names (or None), and
its answer is shown and recorded in the desk's audit; without it the mode is refused."""

import pytest
from django.urls import reverse

from circulation.models import DeskAction
from circulation.registries import DeskMode, DeskModeAnswer, desk_mode_register, desk_modes
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
SCAN = reverse("circulation:desk-scan")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


def _mode(seen):
    def handle(card, user, desk):
        seen.append((card.reader.name if card else None, user.pk, desk))
        if card is None:
            return DeskModeAnswer(False, "不是队员的卡")
        return DeskModeAnswer(True, f"{card.reader.name} 已签到")

    return DeskMode("roll", "点名", "person-badge", handle)


def test_a_registered_mode_shows_on_the_desk_and_goes_when_unregistered(desk):
    with desk_mode_register(_mode([])):
        assert 'value="roll"' in desk.get(reverse("circulation:desk")).content.decode()
    assert 'value="roll"' not in desk.get(reverse("circulation:desk")).content.decode()
    assert desk_modes() == []


def test_a_card_scanned_in_the_mode_is_handed_to_it_and_its_answer_recorded(desk):
    ReaderFactory(full_name="李四", card_number="R0000202", school_class=SchoolClassFactory())
    (copy,) = copies_of()
    seen = []
    with desk_mode_register(_mode(seen)):
        done = desk.post(SCAN, {"code": " r0000202 ", "mode": "roll"}, **HTMX).content.decode()
        refused = desk.post(SCAN, {"code": copy.barcode, "mode": "roll"}, **HTMX).content.decode()

    assert 'data-outcome="done"' in done and "李四 已签到" in done
    assert 'data-outcome="refused"' in refused and "不是队员的卡" in refused
    assert [name for name, _user, _desk in seen] == ["李四", None]
    actions = list(DeskAction.objects.order_by("pk").values_list("action", "outcome", "message"))
    assert actions == [
        (DeskAction.Action.SCAN, DeskAction.Outcome.DONE, "李四 已签到"),
        (DeskAction.Action.SCAN, DeskAction.Outcome.REFUSED, "不是队员的卡"),
    ]


def test_an_unregistered_mode_is_refused_and_the_desks_own_modes_cannot_be_taken(desk):
    assert desk.post(SCAN, {"code": "R0000202", "mode": "roll"}, **HTMX).status_code == 400
    with pytest.raises(ValueError):
        desk_mode_register(DeskMode("lend", "借", "x", lambda card, user, desk: None))
