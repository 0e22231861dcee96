"""Readers and their library cards: registering a reader (with an account and an active
card), many at once for the roster, changing their details, issuing and reissuing (补证) cards,
and joining the service team. Each change of a reader's or a card's status goes through its
table in circulation/states.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Copy
from library_site.accounts.models import User
from library_site.accounts.roles import Role
from library_site.accounts.services import user_create, user_set_roles

from ..exceptions import CardAlreadyReissued, DuplicateIdentifier, ReasonRequired
from ..models import CirculationSettings, LibraryCard, Reader, SchoolClass
from ..policies import card_eligible
from ..states import CARD_STATES, READER_STATES

ROLE_FOR_KIND = {
    Reader.Kind.STUDENT: Role.STUDENT,
    Reader.Kind.TEACHER: Role.TEACHER,
    # Staff other than teachers borrow like teachers do (register A counts them together).
    Reader.Kind.STAFF: Role.TEACHER,
}


def identifier_in_use(value: str, *, except_user: User | None = None) -> bool:
    """Whether a user name, reader number or card number already names somebody else.

    One box on the login page takes all three, so one value must not name two people."""
    users = User.objects.filter(username__iexact=value)
    readers = Reader.objects.filter(number__iexact=value)
    cards = LibraryCard.objects.filter(number__iexact=value)
    if except_user is not None:
        users = users.exclude(pk=except_user.pk)
        readers = readers.exclude(user=except_user)
        cards = cards.exclude(reader__user=except_user)
    return users.exists() or readers.exists() or cards.exists()


@transaction.atomic
def reader_create(
    *,
    kind: Reader.Kind,
    number: str,
    full_name: str,
    password: str | None = None,
    school_class: SchoolClass | None = None,
    gender: str = "",
    department: str = "",
    guardian_contact: str = "",
    email: str = "",
    extra_roles: tuple[Role, ...] = (),
    card_number: str | None = None,
    issued_by: User | None = None,
    password_change_required: bool | None = None,
) -> Reader:
    """A reader with an account (signing in with the student or staff number) and an active
    library card. Without a password the account waits for its first password's slip
    (services/first_passwords.py) and must replace it at the first sign-in; a password given
    here (the demo's staff, the tests) is the reader's own unless ``password_change_required``."""
    number = number.strip()
    if identifier_in_use(number):
        raise DuplicateIdentifier()
    user = user_create(
        username=number,
        password=password,
        full_name=full_name,
        email=email,
        roles=(ROLE_FOR_KIND[Reader.Kind(kind)], *extra_roles),
        password_change_required=password is None
        if password_change_required is None
        else password_change_required,
    )
    reader = Reader(
        user=user,
        kind=kind,
        number=number,
        school_class=school_class,
        gender=gender,
        department=department,
        guardian_contact=guardian_contact,
    )
    reader.full_clean(exclude=["user"])
    reader.save()
    if card_eligible(reader):
        if not card_number:
            card_numbers_lock()
        card_issue(reader=reader, number=card_number or card_number_next(), issued_by=issued_by)
    return reader


BULK_BATCH = 2_000


@dataclass
class NewReader:
    kind: str
    number: str
    full_name: str
    school_class: SchoolClass | None = None
    gender: str = ""
    department: str = ""
    guardian_contact: str = ""


@transaction.atomic
def readers_create_bulk(
    *, rows: list[NewReader], password_hash: str | None = None, issued_by: User | None = None
) -> list[Reader]:
    """Many readers at once, as ``reader_create`` makes one: an account signing in with the
    number (its role by kind), the reader and an active card with the next numbers. A few
    queries per two thousand readers. The caller has checked the rows (the roster import's
    resource does, in bulk); the database's unique constraints stay the last guard."""
    if not rows:
        return []
    password_hash = password_hash or make_password(None)
    # Each account gets its first password of its own later (services/first_passwords.py) and
    # replaces it at its first sign-in.
    users = [
        User(
            username=row.number,
            full_name=row.full_name,
            password=password_hash,
            password_change_required=True,
        )
        for row in rows
    ]
    User.objects.bulk_create(users, batch_size=BULK_BATCH)
    user_ids = {}
    numbers = [row.number for row in rows]
    for start in range(0, len(numbers), BULK_BATCH):
        user_ids.update(
            User.objects.filter(username__in=numbers[start : start + BULK_BATCH]).values_list(
                "username", "pk"
            )
        )
    groups = dict(Group.objects.values_list("name", "pk"))
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=user_ids[row.number], group_id=groups[ROLE_FOR_KIND[row.kind].value])
            for row in rows
        ],
        batch_size=BULK_BATCH,
    )
    readers = [
        Reader(
            user_id=user_ids[row.number],
            kind=row.kind,
            number=row.number,
            gender=row.gender,
            school_class=row.school_class if row.kind == Reader.Kind.STUDENT else None,
            department=row.department,
            guardian_contact=row.guardian_contact,
        )
        for row in rows
    ]
    Reader.objects.bulk_create(readers, batch_size=BULK_BATCH)
    reader_ids = {}
    for start in range(0, len(numbers), BULK_BATCH):
        reader_ids.update(
            Reader.objects.filter(number__in=numbers[start : start + BULK_BATCH]).values_list("number", "pk")
        )
    for reader in readers:
        reader.pk = reader_ids[reader.number]
    card_numbers_lock()
    first = int(card_number_next()[1:])
    settings = CirculationSettings.current()
    LibraryCard.objects.bulk_create(
        [
            LibraryCard(reader_id=reader.pk, number=f"R{first + index:07d}", issued_by=issued_by)
            for index, reader in enumerate(reader for reader in readers if card_eligible(reader, settings))
        ],
        batch_size=BULK_BATCH,
    )
    return readers


def card_numbers_lock() -> None:
    """Hold, until the transaction ends, the right to draw card numbers: the circulation
    settings' one row, locked. Two reissues (or registrations) at the same moment then draw one
    after the other and get two numbers, where without it both read the same last number and
    the second hit the unique constraint (a server error). Taken after the reader's lock."""
    settings = CirculationSettings.current()
    CirculationSettings.objects.select_for_update().filter(pk=settings.pk).values_list("pk").first()


def card_number_next() -> str:
    """The next card number: the prefix R and a seven-digit sequence (R0000001). A caller that
    saves the number holds ``card_numbers_lock()`` first."""
    last = (
        LibraryCard.objects.filter(number__regex=r"^R[0-9]{7}$")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[1:]) + 1 if last else 1
    # Skip a number a copy's label already carries (labels typed in by hand may use R…).
    while Copy.objects.filter(barcode__iexact=f"R{sequence:07d}").exists():
        sequence += 1
    return f"R{sequence:07d}"


@transaction.atomic
def card_issue(
    *, reader: Reader, number: str, issued_by: User | None = None, reason: str = ""
) -> LibraryCard:
    """Give the reader a new active card. Any card they held is blocked at once, with the
    reason given (补证: lost, damaged …) beside the number of the card that replaces it."""
    number = number.strip()
    reason = " ".join(reason.split())
    taken_by_other = identifier_in_use(number, except_user=reader.user)
    if taken_by_other or LibraryCard.objects.filter(number__iexact=number).exists():
        raise DuplicateIdentifier()
    # The desk tells a card from a copy by looking the barcode up, so one barcode must not be
    # both. Catalog cannot look at cards (it imports nothing above it): this side checks.
    if Copy.objects.filter(barcode__iexact=number).exists():
        raise DuplicateIdentifier(
            gettext("This number is already the barcode of a copy: choose another card number.")
        )
    Reader.objects.select_for_update().get(pk=reader.pk)
    return _card_replace(reader=reader, number=number, issued_by=issued_by, reason=reason)


def _card_replace(*, reader: Reader, number: str, issued_by: User | None, reason: str) -> LibraryCard:
    """Block the reader's active card (locked by the caller) and create the new one; the
    unique number is the last guard, answered as a DuplicateIdentifier, never a server error."""
    # Only the reader's active card moves (the filter says so): active → blocked.
    CARD_STATES.check(LibraryCard.Status.ACTIVE, LibraryCard.Status.BLOCKED)
    LibraryCard.objects.filter(reader=reader, status=LibraryCard.Status.ACTIVE).update(
        status=LibraryCard.Status.BLOCKED,
        blocked_at=timezone.now(),
        block_reason=(
            gettext("%(reason)s; replaced by card %(number)s") % {"reason": reason, "number": number}
            if reason
            else gettext("Replaced by card %(number)s") % {"number": number}
        )[:200],
    )
    try:
        with transaction.atomic():
            return LibraryCard.objects.create(reader=reader, number=number, issued_by=issued_by)
    except IntegrityError as error:
        raise DuplicateIdentifier() from error


@transaction.atomic
def card_reissue(
    *, reader: Reader, reason: str, issued_by: User | None = None, replacing: str | None = None
) -> LibraryCard:
    """补证: a new card with the next number; the old one stops working at once and keeps the
    reason. A reason is required.

    ``replacing`` is the number of the card the librarian saw as active when asking (the form
    sends it): if another reissue replaced it meanwhile (two clicks, two tabs, two librarians),
    this one is refused with the card now active, instead of blocking that card too. Card
    numbers are drawn under ``card_numbers_lock()``, so two reissues at once for two readers
    get two numbers."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReasonRequired()
    Reader.objects.select_for_update().get(pk=reader.pk)
    active = (
        LibraryCard.objects.filter(reader=reader, status=LibraryCard.Status.ACTIVE)
        .values_list("number", flat=True)
        .first()
    )
    if replacing is not None and (active or "") != replacing:
        raise CardAlreadyReissued(
            gettext("The card was reissued a moment ago: %(number)s is now the active card.")
            % {"number": active or "—"}
        )
    card_numbers_lock()
    return _card_replace(reader=reader, number=card_number_next(), issued_by=issued_by, reason=reason)


def reader_grant_volunteer(*, reader: Reader) -> None:
    """A student joins the service team (图书服务队)."""
    roles = {Role(name) for name in reader.user.role_names} | {Role.VOLUNTEER}
    user_set_roles(user=reader.user, roles=roles)


@transaction.atomic
def reader_update(
    *,
    reader: Reader,
    full_name: str,
    school_class: SchoolClass | None = None,
    gender: str = "",
    department: str = "",
    guardian_contact: str = "",
    status: str | None = None,
    password: str = "",
) -> Reader:
    """Change a reader's details; a new password when one is given (a first password, which the
    reader replaces at the next sign-in)."""
    reader = Reader.objects.select_for_update().select_related("user").get(pk=reader.pk)
    reader.school_class = school_class if reader.kind == Reader.Kind.STUDENT else None
    reader.gender = gender
    reader.department = department
    reader.guardian_contact = guardian_contact
    if status is not None:
        if status != reader.status:
            READER_STATES.check(reader.status, status)
            # The day they left starts the period after which their loans are anonymised.
            reader.left_on = None if status == Reader.Status.ACTIVE else timezone.localdate()
        reader.status = status
    reader.full_clean(exclude=["user"])
    reader.save()
    user = reader.user
    user.full_name = " ".join(full_name.split())
    fields = ["full_name"]
    if password:
        user.set_password(password)
        user.password_change_required = True
        fields += ["password", "password_change_required"]
    user.save(update_fields=fields)
    return reader
