"""First passwords (首次登录密码): each reader's own, random and readable
(``library_site.accounts.passwords``), printed once as slips per class and never shown again.

- ``password_slips_request`` asks for the slips of some readers (a roster's new readers, a
  class, one reader): their old password stops working at once, and any slips still open for
  them are replaced (a reprint makes new passwords, so the older slips would be wrong). A few
  readers (``FIRST_PASSWORDS_INLINE``) are made at once; more go to the worker
  (``circulation.tasks.password_slips_task``), whose progress the slips' page shows.
- ``password_slips_make`` makes them, a hundred at a time: the passwords are drawn, hashed and
  written to a private file (0600, under ``var/first_passwords/<token>/``) before the hashes are
  saved, so a worker killed half-way is resumed by the task's next delivery with the same
  passwords, and nothing is made twice. At the end the slips' PDF is written and the plain
  passwords file removed. A batch replaced meanwhile stops at its next hundred.
- ``password_slips_download`` gives the PDF once, to the librarian who asked, and removes it.
  Slips not downloaded within a day are removed too (``password_slips_purge``).

The passwords are never in the database; each account must choose its own at the first
sign-in (``User.password_change_required``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.models import User
from library_site.accounts.passwords import first_password_hash, first_password_make
from library_site.celery import app, task_send_on_commit

from ..exceptions import CirculationError, PasswordSlipsRefused
from ..models import PasswordSlipBatch, Reader, SchoolClass
from ..printing.first_passwords import Slip, password_slips_pdf
from ..states import PASSWORD_SLIP_STATES

State = PasswordSlipBatch.State
OPEN_STATES = (State.QUEUED, State.MAKING, State.READY)
CHUNK = 100
KEEP_READY = timedelta(days=1)
PASSWORDS_FILE = "passwords.jsonl"
SLIPS_FILE = "slips.pdf"
# Sent by name, as the hold notice is: the task module imports this one, not the other way round.
SLIPS_TASK = "circulation.tasks.password_slips_task"


def slips_dir() -> Path:
    return Path(settings.VAR_DIR) / "first_passwords"


def _folder(batch: PasswordSlipBatch) -> Path:
    return slips_dir() / batch.token


def _folder_remove(batch: PasswordSlipBatch) -> None:
    shutil.rmtree(_folder(batch), ignore_errors=True)


def _move(batch: PasswordSlipBatch, state: str, **fields) -> None:
    PASSWORD_SLIP_STATES.check(batch.state, state)
    batch.state = state
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.save(update_fields=["state", *fields])


@transaction.atomic
def password_slips_start(
    *,
    reader_ids: Iterable[int],
    kind: str,
    user: User | None,
    school_class: SchoolClass | None = None,
) -> PasswordSlipBatch:
    """Record the slips asked for these readers and stop their old passwords at once; the
    slips still open for any of them are replaced."""
    ids = sorted(set(reader_ids))
    if not ids:
        raise CirculationError(_("There are no readers to print first passwords for."))
    wanted = set(ids)
    for older in PasswordSlipBatch.objects.select_for_update().filter(state__in=OPEN_STATES).order_by("pk"):
        if wanted & set(older.reader_ids):
            _move(older, State.REPLACED)
            transaction.on_commit(lambda older=older: _folder_remove(older))
    # One unusable hash for them all: nobody signs in with a password until the slips say it.
    User.objects.filter(reader__pk__in=ids).update(
        password=make_password(None), password_change_required=True
    )
    return PasswordSlipBatch.objects.create(
        kind=kind,
        school_class=school_class,
        reader_ids=ids,
        total=len(ids),
        token=secrets.token_urlsafe(24),
        created_by=user,
    )


def password_slips_request(
    *, reader_ids: Iterable[int], kind: str, user: User | None, school_class: SchoolClass | None = None
) -> PasswordSlipBatch:
    """Ask for the slips and have them made: at once for a few readers, by the worker for more."""
    batch = password_slips_start(reader_ids=reader_ids, kind=kind, user=user, school_class=school_class)
    if batch.total <= settings.FIRST_PASSWORDS_INLINE:
        return password_slips_make(batch_id=batch.pk)
    with transaction.atomic():
        task_send_on_commit(app.signature(SLIPS_TASK), batch.pk)
    return batch


def password_slips_resend(*, batch: PasswordSlipBatch) -> None:
    """Send a batch that is still waiting to the worker again (the broker was down when it was
    asked for). Making is safe to run twice."""
    if batch.state in (State.QUEUED, State.MAKING):
        with transaction.atomic():
            task_send_on_commit(app.signature(SLIPS_TASK), batch.pk)


def _made_read(path: Path) -> dict[int, dict]:
    """The passwords already drawn (a resumed run), by reader; a line cut off by a kill is
    ignored (its readers are drawn again)."""
    made = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            made[entry["reader"]] = entry
    return made


def _hashes_save(batch_id: int, entries: list[dict], done: int) -> bool:
    """Save the entries' hashes and the progress, unless the batch was replaced meanwhile."""
    with transaction.atomic():
        batch = PasswordSlipBatch.objects.select_for_update().get(pk=batch_id)
        if batch.state != State.MAKING:
            return False
        users = [
            User(pk=entry["user"], password=entry["hash"], password_change_required=True) for entry in entries
        ]
        User.objects.bulk_update(users, ["password", "password_change_required"], batch_size=1000)
        batch.done = done
        batch.save(update_fields=["done"])
    return True


def password_slips_make(
    *, batch_id: int, progress: Callable[[int, int], None] | None = None
) -> PasswordSlipBatch:
    """Make a batch's passwords and slips (see the module's text). Safe to run twice: a batch
    that is no longer waiting or being made is left as it is."""
    with transaction.atomic():
        batch = PasswordSlipBatch.objects.select_for_update().get(pk=batch_id)
        if batch.state not in (State.QUEUED, State.MAKING):
            return batch
        _move(batch, State.MAKING)
    folder = _folder(batch)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    passwords_path = folder / PASSWORDS_FILE
    made = _made_read(passwords_path)
    try:
        if made and not _hashes_save(batch.pk, list(made.values()), len(made)):
            return PasswordSlipBatch.objects.get(pk=batch.pk)
        remaining = [pk for pk in batch.reader_ids if pk not in made]
        descriptor = os.open(passwords_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            for start in range(0, len(remaining), CHUNK):
                chunk = remaining[start : start + CHUNK]
                users = dict(Reader.objects.filter(pk__in=chunk).values_list("pk", "user_id"))
                entries = []
                for reader_id in chunk:
                    if reader_id not in users:
                        continue
                    password = first_password_make()
                    entries.append(
                        {
                            "reader": reader_id,
                            "user": users[reader_id],
                            "password": password,
                            "hash": first_password_hash(password),
                        }
                    )
                # Written (and on the disk) before the hashes are saved: a kill between the two
                # leaves the passwords in the file, and the next run saves them.
                handle.write("".join(json.dumps(entry) + "\n" for entry in entries))
                handle.flush()
                os.fsync(handle.fileno())
                made.update({entry["reader"]: entry for entry in entries})
                if not _hashes_save(batch.pk, entries, len(made)):
                    _folder_remove(batch)
                    return PasswordSlipBatch.objects.get(pk=batch.pk)
                if progress is not None:
                    progress(len(made), batch.total)
        pdf = password_slips_pdf(_slips(made), school=_school_name())
        temporary = folder / (SLIPS_FILE + ".part")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pdf)
        temporary.replace(folder / SLIPS_FILE)
        passwords_path.unlink(missing_ok=True)
    except CirculationError as error:
        with transaction.atomic():
            batch = PasswordSlipBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.state == State.MAKING:
                _move(batch, State.FAILED, error=str(error.message)[:300], finished_at=timezone.now())
        _folder_remove(batch)
        return batch
    with transaction.atomic():
        batch = PasswordSlipBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state != State.MAKING:
            _folder_remove(batch)
            return batch
        _move(batch, State.READY, done=len(made), finished_at=timezone.now())
    return batch


def _school_name() -> str:
    from catalog.labels import library_name_for_labels

    return settings.SCHOOL_NAME or library_name_for_labels()


def _slips(made: dict[int, dict]) -> list[Slip]:
    """The slips in print order: class by class (grade, number), then by number; teachers and
    staff after the classes, by department."""
    readers = Reader.objects.filter(pk__in=list(made)).select_related("user", "school_class")

    def order(reader: Reader):
        if reader.school_class_id:
            return (0, reader.school_class.grade, reader.school_class.number, "", reader.number)
        return (1, 0, 0, reader.department, reader.number)

    slips = []
    for reader in sorted(readers, key=order):
        group = (
            reader.school_class.name
            if reader.school_class_id
            else (reader.department or reader.get_kind_display())
        )
        slips.append(
            Slip(
                class_name=group,
                full_name=reader.user.display_name,
                username=reader.user.username,
                password=made[reader.pk]["password"],
            )
        )
    return slips


def password_slips_download(*, batch_id: int, user: User) -> tuple[bytes, str]:
    """The slips' PDF, once, for the librarian who asked for them; the file is removed, and
    the passwords are never shown again (a reprint makes new ones)."""
    with transaction.atomic():
        batch = PasswordSlipBatch.objects.select_for_update().filter(pk=batch_id, created_by=user).first()
        if batch is None:
            raise PasswordSlipsRefused()
        if batch.state != State.READY:
            raise PasswordSlipsRefused(
                _("These slips were downloaded already or are gone; print new first passwords instead.")
                if batch.state in (State.PRINTED, State.EXPIRED, State.REPLACED)
                else _("These slips are not ready yet.")
            )
        path = _folder(batch) / SLIPS_FILE
        try:
            pdf = path.read_bytes()
        except OSError:
            raise PasswordSlipsRefused(
                _("The slips' file is gone; print new first passwords instead.")
            ) from None
        _move(batch, State.PRINTED, printed_at=timezone.now())
    # Removed once the download is recorded: the passwords exist nowhere else any more.
    _folder_remove(batch)
    name = batch.school_class.name if batch.school_class_id else timezone.localdate().isoformat()
    return pdf, f"首次登录密码-{name}.pdf"


def password_slips_purge(*, now=None) -> int:
    """Remove slips not downloaded within a day, and the folders of batches that are over."""
    now = now or timezone.now()
    removed = 0
    with transaction.atomic():
        for batch in PasswordSlipBatch.objects.select_for_update().filter(
            state=State.READY, finished_at__lt=now - KEEP_READY
        ):
            _move(batch, State.EXPIRED)
            _folder_remove(batch)
            removed += 1
    root = slips_dir()
    if root.is_dir():
        open_tokens = set(
            PasswordSlipBatch.objects.filter(state__in=OPEN_STATES).values_list("token", flat=True)
        )
        for folder in root.iterdir():
            if folder.name not in open_tokens:
                shutil.rmtree(folder, ignore_errors=True)
    return removed
