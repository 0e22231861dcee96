"""Excerpt cards: written in the reading room's session or at home, handed in once, printed as
cards in a PDF with the embedded Chinese font; another pupil's card answers 404."""

import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Location
from circulation.models import ClassSession

from ..exceptions import NotYours, TextRefused, WorkRefused
from ..models import ExcerptCard, PupilWork
from ..printing import cards_pdf, text_wrap
from ..selectors.cards import cards_for_printing
from ..services.cards import card_save_draft, card_start, card_submit
from .factories import CardFactory, book, pupil

pytestmark = pytest.mark.django_db
State = PupilWork.State
POPPLER = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed"
)
PASSAGE = "天空蓝得像一块透明的宝石，白云像羊群一样在上面慢慢地走。"
THOUGHTS = "这句话把天空比作宝石，把白云比作羊群，写得又美又生动。"


def write(card, **fields):
    values = {"page": "12", "passage": PASSAGE, "thoughts": THOUGHTS, **fields}
    return card_save_draft(card=card, reader=card.reader, revision=card.revision, **values)


def test_a_card_started_on_the_day_of_the_class_session_is_tied_to_it():
    reader = pupil()
    room = Location.objects.filter(kind=Location.Kind.READING_ROOM).first() or Location.objects.create(
        name="阅览室", kind=Location.Kind.READING_ROOM
    )
    session = ClassSession.objects.create(
        room=room, school_class=reader.school_class, date=date(2026, 3, 4), period=3
    )

    in_session = card_start(reader=reader, today=date(2026, 3, 4))
    at_home = card_start(reader=reader, today=date(2026, 3, 5))

    assert (in_session.session, at_home.session) == (session, None)


def test_a_card_is_written_handed_in_once_and_no_longer_changes():
    reader = pupil()
    record, _copies = book("繁星·春水")
    card = card_start(reader=reader, record=record)
    write(card)

    card_submit(card=card, reader=reader)
    card.refresh_from_db()
    with pytest.raises(WorkRefused):
        card_submit(card=card, reader=reader)

    assert (card.state, card.page, card.month) == (State.SUBMITTED, "12", timezone.localdate().replace(day=1))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"passage": ""}, "摘抄句段为空。"),
        ({"thoughts": "好好好好好好好好好好好好"}, "感想只是在重复同样的字：请用自己的话写。"),
        ({"thoughts": PASSAGE}, "感想只是重复了摘抄的句段：请写出你自己的想法。"),
    ],
    ids=["no-passage", "repeated", "thoughts-copy-the-passage"],
)
def test_an_incomplete_card_is_refused_and_stays_a_draft(fields, message):
    reader = pupil()
    card = card_start(reader=reader, record=book()[0])
    write(card, **fields)

    with pytest.raises(TextRefused) as error:
        card_submit(card=card, reader=reader)

    card.refresh_from_db()
    assert error.value.message == message
    assert card.state == State.DRAFT


def test_another_pupils_card_cannot_be_saved_through_the_service_nor_reached_by_its_id(client):
    reader, other = pupil(), pupil()
    theirs = card_start(reader=other, record=book()[0])
    client.force_login(reader.user)

    with pytest.raises(NotYours):
        card_save_draft(card=theirs, reader=reader, page="1", passage="x", thoughts="y", revision=0)
    answers = [
        client.get(reverse("activities:card-edit", args=[theirs.pk])).status_code,
        client.post(
            reverse("activities:card-autosave", args=[theirs.pk]),
            {"page": "1", "passage": "偷改", "thoughts": "", "revision": 0},
        ).status_code,
    ]

    theirs.refresh_from_db()
    assert answers == [404, 404]
    assert (theirs.passage, theirs.revision) == ("", 0)


def test_the_pupil_writes_a_card_on_their_page_with_the_autosave(client):
    reader = pupil()
    record, _copies = book("城南旧事")
    client.force_login(reader.user)

    client.post(reverse("activities:card-new"), {"record": record.pk})
    card = ExcerptCard.objects.get()
    saved = client.post(
        reverse("activities:card-autosave", args=[card.pk]),
        {"page": "8", "passage": PASSAGE, "thoughts": THOUGHTS, "revision": 0, "book": ""},
    )
    handed = client.post(
        reverse("activities:card-edit", args=[card.pk]),
        {"page": "8", "passage": PASSAGE, "thoughts": THOUGHTS, "revision": 1, "book": "", "submit": "1"},
        follow=True,
    )

    card.refresh_from_db()
    assert saved.json()["revision"] == 1
    assert "你的文摘卡已提交" in handed.content.decode()
    assert (card.state, card.record, card.page) == (State.SUBMITTED, record, "8")


def test_text_wrap_breaks_chinese_between_characters():
    from library_site.documents.pdf import label_font

    font = label_font()

    lines = text_wrap("春眠不觉晓处处闻啼鸟\n夜来风雨声", font, 10, 30)

    assert "".join(lines) == "春眠不觉晓处处闻啼鸟夜来风雨声"
    assert lines[-1] == "声" or lines[-1].endswith("声")
    assert len(lines) >= 5


@POPPLER
def test_the_pupils_cards_print_six_to_a_sheet_with_the_text_as_typed(tmp_path, client):
    reader = pupil(full_name="林小雨")
    for index in range(7):
        CardFactory(reader=reader, passage=f"第{index}段<script>美句</script>", page=str(index + 1))
    CardFactory(reader=reader, state=State.DRAFT, passage="草稿不印")
    cards = cards_for_printing(reader)
    client.force_login(reader.user)

    data = cards_pdf(cards)
    response = client.get(reverse("activities:cards-mine-pdf"))
    path = tmp_path / "cards.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(cards) == 7
    assert "Pages:           2" in info
    assert "林小雨" in text and "第0段<script>美句</script>" in text and "草稿不印" not in text
