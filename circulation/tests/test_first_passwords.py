"""First passwords (issue 13, point 10): every new reader gets a password of their own, printed
once on the class's slips and never shown again; the first sign-in forces a change; a big
roster is hashed in the worker with progress; a reprint makes new passwords."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from circulation.forms.school import RosterConfirmForm
from circulation.models import PasswordSlipBatch
from circulation.services import first_passwords
from circulation.services.first_passwords import (
    password_slips_download,
    password_slips_make,
    password_slips_purge,
    password_slips_request,
    password_slips_start,
)
from circulation.states import PASSWORD_SLIP_STATES
from library_site.accounts.models import User
from library_site.accounts.passwords import AMBIGUOUS_LEFT_OUT, FIRST_PASSWORD_ALPHABET, first_password_make
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory
from .roster_files import roster_xlsx

pytestmark = pytest.mark.django_db
State = PasswordSlipBatch.State
SCHOOL = "实验小学"
PASSWORD = re.compile(rf"\b([{FIRST_PASSWORD_ALPHABET}]{{8}})\b")


@pytest.fixture(autouse=True)
def _school(settings):
    settings.SCHOOL_NAME = SCHOOL


@pytest.fixture
def librarian(client):
    user = UserFactory(roles=[Role.LIBRARIAN])
    client.force_login(user)
    client.user = user
    return client


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def slip_passwords(text: str, numbers: list[str]) -> dict[str, str]:
    """Each sign-in name's password, as printed beside it."""
    found = {}
    for number in numbers:
        after = text[text.index(number) :]
        found[number] = PASSWORD.search(after[len(number) :]).group(1)
    return found


def test_a_first_password_is_readable_and_random():
    made = {first_password_make() for _ in range(200)}
    assert len(made) == 200
    for password in made:
        assert len(password) == 8 and password == password.lower()
        assert not set(password) & AMBIGUOUS_LEFT_OUT
        assert sum(character.isdigit() for character in password) >= 2


def test_the_shared_first_password_is_gone():
    assert "initial_password" not in RosterConfirmForm().fields
    with pytest.raises(CommandError, match="unrecognized arguments: --password"):
        call_command("import_roster", "x.xlsx", "--password", "start-2026")


def test_a_roster_gives_each_new_pupil_a_first_password_of_their_own_printed_once(
    librarian, client, tmp_path
):
    path = roster_xlsx(
        tmp_path / "名册.xlsx",
        [("S1", "张一", "男", "三年级(2)班", ""), ("S2", "张二", "女", "三年级(2)班", "")],
    )
    with path.open("rb") as handle:
        librarian.post(reverse("circulation:roster-upload"), {"file": handle})
    token = librarian.session["circulation-roster"]["token"]
    # An old page's shared password is ignored
    response = librarian.post(
        reverse("circulation:roster-confirm"), {"token": token, "initial_password": "abc12345"}
    )
    batch = PasswordSlipBatch.objects.get()
    assert response["Location"] == reverse("circulation:password-slips", args=[batch.pk])
    assert (batch.kind, batch.state, batch.total, batch.done) == ("roster", State.READY, 2, 2)
    page = librarian.get(response["Location"]).content.decode()
    assert "data-slips-download" in page
    # Downloaded once: school, class, name, sign-in name and each pupil's own password
    response = librarian.post(reverse("circulation:password-slips-pdf", args=[batch.pk]))
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    text = pdf_text(response.content, tmp_path)
    assert SCHOOL in text and "三年级(2)班" in text and "张一" in text and "张二" in text
    passwords = slip_passwords(text, ["S1", "S2"])
    assert passwords["S1"] != passwords["S2"]
    for number, password in passwords.items():
        user = User.objects.get(username=number)
        assert user.check_password(password) and user.password_change_required
        assert not user.check_password("abc12345")
    # Never shown again: the file is gone, the page has no button, a second download is refused
    batch.refresh_from_db()
    assert batch.state == State.PRINTED and batch.printed_at is not None
    assert not (first_passwords.slips_dir() / batch.token).exists()
    assert (
        "data-slips-download"
        not in librarian.get(reverse("circulation:password-slips", args=[batch.pk])).content.decode()
    )
    again = librarian.post(reverse("circulation:password-slips-pdf", args=[batch.pk]))
    assert again.status_code == 302 and again["Content-Type"] != "application/pdf"


def test_only_the_librarian_who_asked_sees_and_downloads_the_slips(librarian, client, tmp_path):
    reader = ReaderFactory(number="S9")
    batch = password_slips_request(reader_ids=[reader.pk], kind="reader", user=librarian.user)
    other = UserFactory(roles=[Role.LIBRARIAN])
    client.force_login(other)
    assert client.get(reverse("circulation:password-slips", args=[batch.pk])).status_code == 404
    assert client.post(reverse("circulation:password-slips-pdf", args=[batch.pk])).status_code == 404
    client.force_login(ReaderFactory().user)
    assert client.post(reverse("circulation:password-slips-pdf", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.state == State.READY and (first_passwords.slips_dir() / batch.token / "slips.pdf").exists()


def test_the_first_sign_in_forces_the_password_change_on_every_page(client, tmp_path):
    pupil = ReaderFactory(number="S5", password=None)
    batch = password_slips_request(reader_ids=[pupil.pk], kind="reader", user=None)
    pdf, _name = password_slips_download(batch_id=batch.pk, user=None)
    password = slip_passwords(pdf_text(pdf, tmp_path), ["S5"])["S5"]
    assert client.post(reverse("accounts:login"), {"username": "S5", "password": password}).status_code == 302
    change = reverse("accounts:password-change")
    for url in (
        reverse("home"),
        reverse("circulation:my-library"),
        reverse("circulation:my-notices"),
        "/opac/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == change, url
    response = client.post(reverse("circulation:my-notices-read"))
    assert response.status_code == 302 and response["Location"] == change
    response = client.get(reverse("circulation:my-library"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == change
    assert "data-first-password" in client.get(change).content.decode()
    response = client.post(
        change, {"old_password": password, "new_password1": "my own 2026!", "new_password2": "my own 2026!"}
    )
    assert response.status_code == 302
    user = User.objects.get(pk=pupil.user_id)
    assert not user.password_change_required and user.check_password("my own 2026!")
    assert client.get(reverse("circulation:my-library")).status_code == 200


def test_a_big_roster_is_hashed_by_the_worker_with_progress(librarian, settings, monkeypatch):
    settings.FIRST_PASSWORDS_INLINE = 3
    monkeypatch.setattr(first_passwords, "CHUNK", 2)
    sent = []
    monkeypatch.setattr(
        first_passwords, "task_send_on_commit", lambda task, *args: sent.append((task.name, args))
    )
    school_class = SchoolClassFactory(grade=4, number=1)
    readers = [ReaderFactory(number=f"B{index}", school_class=school_class) for index in range(7)]
    batch = password_slips_request(
        reader_ids=[reader.pk for reader in readers], kind="roster", user=librarian.user
    )
    # Not hashed in the request: queued for the worker, every old password stopped
    assert sent == [("circulation.tasks.password_slips_task", (batch.pk,))]
    assert (batch.state, batch.done) == (State.QUEUED, 0)
    assert not any(user.has_usable_password() for user in User.objects.filter(reader__in=readers))
    page = librarian.get(reverse("circulation:password-slips", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert (
        'data-slips-progress="0/7"' in page.content.decode()
        and 'hx-trigger="every 2s"' in page.content.decode()
    )
    progress = []
    from circulation.tasks import password_slips_task

    password_slips_make(batch_id=batch.pk, progress=lambda done, total: progress.append((done, total)))
    assert progress == [(2, 7), (4, 7), (6, 7), (7, 7)]
    batch.refresh_from_db()
    assert (batch.state, batch.done) == (State.READY, 7)
    # The task run again (a redelivery) changes nothing
    password_slips_task(batch.pk)
    batch.refresh_from_db()
    assert batch.state == State.READY
    assert (
        "data-slips-download"
        in librarian.get(reverse("circulation:password-slips", args=[batch.pk])).content.decode()
    )


class Killed(BaseException):
    """Stands for the worker's process killed between two hundreds."""


def test_a_making_cut_off_half_way_resumes_with_the_same_passwords(monkeypatch, tmp_path):
    monkeypatch.setattr(first_passwords, "CHUNK", 2)
    readers = [ReaderFactory(number=f"K{index}") for index in range(5)]
    batch = password_slips_start(reader_ids=[reader.pk for reader in readers], kind="roster", user=None)

    def kill(done, total):
        raise Killed

    with pytest.raises(Killed):
        password_slips_make(batch_id=batch.pk, progress=kill)
    batch.refresh_from_db()
    assert (batch.state, batch.done) == (State.MAKING, 2)
    password_slips_make(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.done) == (State.READY, 5)
    pdf, _name = password_slips_download(batch_id=batch.pk, user=None)
    passwords = slip_passwords(pdf_text(pdf, tmp_path), [f"K{index}" for index in range(5)])
    assert len(set(passwords.values())) == 5
    for number, password in passwords.items():
        assert User.objects.get(username=number).check_password(password), number


def test_a_class_reprint_makes_new_passwords_and_the_old_slips_stop(
    librarian, tmp_path, django_capture_on_commit_callbacks
):
    school_class = SchoolClassFactory(grade=5, number=2)
    waiting = ReaderFactory(number="R1", school_class=school_class, password=None)
    signed_in = ReaderFactory(number="R2", school_class=school_class)  # chose their own password
    first = password_slips_request(reader_ids=[waiting.pk], kind="reader", user=librarian.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = librarian.post(
            reverse("circulation:class-password-slips", args=[school_class.pk]), {"scope": "waiting"}
        )
    second = PasswordSlipBatch.objects.exclude(pk=first.pk).get()
    assert response["Location"] == reverse("circulation:password-slips", args=[second.pk])
    assert second.reader_ids == [waiting.pk] and second.school_class == school_class
    first.refresh_from_db()
    assert first.state == State.REPLACED and not (first_passwords.slips_dir() / first.token).exists()
    assert first_passwords.password_slips_purge() == 0
    refused = librarian.post(reverse("circulation:password-slips-pdf", args=[first.pk]))
    assert refused.status_code == 302
    signed_in.user.refresh_from_db()
    assert signed_in.user.has_usable_password() and not signed_in.user.password_change_required
    # The whole class
    librarian.post(reverse("circulation:class-password-slips", args=[school_class.pk]), {"scope": "all"})
    third = PasswordSlipBatch.objects.order_by("-pk").first()
    assert sorted(third.reader_ids) == sorted([waiting.pk, signed_in.pk])
    text = pdf_text(
        librarian.post(reverse("circulation:password-slips-pdf", args=[third.pk])).content, tmp_path
    )
    assert "五年级(2)班" in text and "R1" in text and "R2" in text


def test_a_card_reissue_may_give_a_new_first_password(librarian):
    reader = ReaderFactory(number="C1")
    response = librarian.post(
        reverse("circulation:card-reissue", args=[reader.pk]), {"reason": "丢失", "new_password": "on"}
    )
    batch = PasswordSlipBatch.objects.get()
    assert response["Location"] == reverse("circulation:password-slips", args=[batch.pk])
    assert batch.reader_ids == [reader.pk]
    reader.user.refresh_from_db()
    assert reader.user.password_change_required
    # Without the box, no new password
    librarian.post(reverse("circulation:card-reissue", args=[reader.pk]), {"reason": "又丢失"})
    assert PasswordSlipBatch.objects.count() == 1


def test_a_password_a_librarian_sets_must_be_changed_at_the_next_sign_in(librarian):
    reader = ReaderFactory(number="E1")
    librarian.post(
        reverse("circulation:reader-edit", args=[reader.pk]),
        {"full_name": reader.name, "school_class": reader.school_class_id, "password": "desk-set-77"},
    )
    reader.user.refresh_from_db()
    assert reader.user.check_password("desk-set-77") and reader.user.password_change_required


def test_every_move_of_the_slips_is_made_by_a_service(monkeypatch, tmp_path):
    made = set()

    def record(batch_id):
        return PasswordSlipBatch.objects.get(pk=batch_id).state

    readers = [ReaderFactory(number=f"M{index}") for index in range(3)]
    ids = [reader.pk for reader in readers]
    queued = password_slips_start(reader_ids=ids[:1], kind="reader", user=None)
    replacing = password_slips_start(reader_ids=ids[:1], kind="reader", user=None)
    assert record(queued.pk) == State.REPLACED
    made.add((State.QUEUED, State.REPLACED))
    monkeypatch.setattr(first_passwords, "CHUNK", 1)
    with pytest.raises(Killed):
        password_slips_make(batch_id=replacing.pk, progress=lambda done, total: (_ for _ in ()).throw(Killed))
    made.add((State.QUEUED, State.MAKING))
    password_slips_make(batch_id=replacing.pk)
    made |= {(State.MAKING, State.MAKING), (State.MAKING, State.READY)}
    password_slips_start(reader_ids=ids[:1], kind="reader", user=None)
    assert record(replacing.pk) == State.REPLACED
    made.add((State.READY, State.REPLACED))
    # Replaced while being made: the making stops at its next hundred
    cut = password_slips_start(reader_ids=ids[1:], kind="reader", user=None)

    def replace(done, total):
        password_slips_start(reader_ids=ids[1:2], kind="reader", user=None)

    password_slips_make(batch_id=cut.pk, progress=replace)
    assert record(cut.pk) == State.REPLACED
    made.add((State.MAKING, State.REPLACED))
    ready = password_slips_make(
        batch_id=password_slips_start(reader_ids=ids[2:], kind="reader", user=None).pk
    )
    password_slips_download(batch_id=ready.pk, user=None)
    made.add((State.READY, State.PRINTED))
    old = password_slips_make(batch_id=password_slips_start(reader_ids=ids[:1], kind="reader", user=None).pk)
    PasswordSlipBatch.objects.filter(pk=old.pk).update(
        finished_at=old.finished_at - first_passwords.KEEP_READY * 2
    )
    assert password_slips_purge() == 1 and record(old.pk) == State.EXPIRED
    made.add((State.READY, State.EXPIRED))
    from circulation.exceptions import CirculationError

    def refuse(*args, **kwargs):
        raise CirculationError("no font")

    monkeypatch.setattr(first_passwords, "password_slips_pdf", refuse)
    failed = password_slips_make(
        batch_id=password_slips_start(reader_ids=ids[:1], kind="reader", user=None).pk
    )
    assert failed.state == State.FAILED and failed.error == "no font"
    made.add((State.MAKING, State.FAILED))
    assert made == {(move.source, move.target) for move in PASSWORD_SLIP_STATES}
