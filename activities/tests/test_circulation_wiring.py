"""The reading notes as circulation shows them, through the registries activities fills in its
AppConfig.ready(): the desk's lend refused while notes are owed (with the policy's switch on) and
let through once a note is handed in, the desk's panel line, and the pupil's own page."""

import pytest
from django.urls import reverse

from circulation.exceptions import BorrowingBlocked
from circulation.models import Loan, LoanPolicy
from circulation.policies import lending_rules_forget
from circulation.services.loans import loan_checkout

from ..models import PupilWork
from .factories import NoteFactory, book, librarian, loan, pupil, teacher

pytestmark = pytest.mark.django_db


def block_on_owed_notes(on: bool) -> None:
    LoanPolicy.objects.update(block_on_owed_notes=on)
    lending_rules_forget()


def test_the_desk_refuses_a_pupil_who_owes_a_note_and_lends_once_it_is_handed_in():
    block_on_owed_notes(True)
    reader, desk = pupil(), librarian()
    first = loan(reader, "草房子")
    loan(reader, "青铜葵花")
    _record, (copy,) = book("城南旧事")

    with pytest.raises(BorrowingBlocked) as refusal:
        loan_checkout(reader=reader, copy=copy, user=desk)
    assert refusal.value.message == "欠交 1 篇读书笔记，暂停借书：请先交读书笔记。"
    assert not Loan.objects.filter(copy=copy).exists()

    NoteFactory(reader=reader, loan=first, state=PupilWork.State.SUBMITTED)
    loan_checkout(reader=reader, copy=copy, user=desk)
    assert Loan.objects.get(copy=copy, state=Loan.State.OPEN).reader_id == reader.pk


def test_with_the_switch_off_the_desk_lends_and_only_the_panel_says_what_is_owed(client):
    block_on_owed_notes(False)
    reader = pupil(card_number="R0000301")
    loan(reader, "草房子")
    loan(reader, "青铜葵花")
    _record, (copy,) = book("城南旧事")

    loan_checkout(reader=reader, copy=copy, user=librarian())
    client.force_login(librarian())
    panel = client.post(
        reverse("circulation:desk-scan"), {"code": "R0000301", "mode": "lend"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert Loan.objects.get(copy=copy).reader_id == reader.pk
    assert "还需交 1 篇读书笔记" in panel


def test_the_pupils_own_page_says_how_many_notes_they_owe_and_links_to_them(client):
    reader = pupil()
    loan(reader, "草房子")
    loan(reader, "青铜葵花")
    client.force_login(reader.user)

    page = client.get(reverse("home")).content.decode()

    assert "您还需交 1 篇读书笔记。" in page
    assert reverse("activities:notes-mine") in page


def test_a_pupil_who_owes_nothing_is_told_so_and_a_teacher_sees_no_notes_section(client):
    reader = pupil()
    client.force_login(reader.user)
    assert "您没有需要交的读书笔记。" in client.get(reverse("home")).content.decode()

    staff = teacher()
    client.force_login(staff.user)
    assert (
        reverse("activities:notes-mine") not in client.get(reverse("circulation:my-library")).content.decode()
    )
