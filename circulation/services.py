"""Every write to readers, classes and cards goes through here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Copy
from library_site.accounts.models import User
from library_site.accounts.roles import Role
from library_site.accounts.services import user_create, user_set_roles

from .exceptions import DuplicateIdentifier
from .models import LibraryCard, Reader, SchoolClass

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
def school_class_create(*, grade: int, number: int, head_teacher: User | None = None) -> SchoolClass:
    school_class = SchoolClass(grade=grade, number=number, head_teacher=head_teacher)
    school_class.full_clean()
    school_class.save()
    return school_class


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
    email: str = "",
    extra_roles: tuple[Role, ...] = (),
    card_number: str | None = None,
    issued_by: User | None = None,
) -> Reader:
    """A reader with an account (signing in with the student or staff number) and an active
    library card."""
    number = number.strip()
    if identifier_in_use(number):
        raise DuplicateIdentifier()
    user = user_create(
        username=number,
        password=password,
        full_name=full_name,
        email=email,
        roles=(ROLE_FOR_KIND[Reader.Kind(kind)], *extra_roles),
    )
    reader = Reader(
        user=user,
        kind=kind,
        number=number,
        school_class=school_class,
        gender=gender,
        department=department,
    )
    reader.full_clean(exclude=["user"])
    reader.save()
    card_issue(reader=reader, number=card_number or card_number_next(), issued_by=issued_by)
    return reader


def card_number_next() -> str:
    """The next card number: the prefix R and a seven-digit sequence (R0000001)."""
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
def card_issue(*, reader: Reader, number: str, issued_by: User | None = None) -> LibraryCard:
    """Give the reader a new active card. Any card they held is blocked at once."""
    number = number.strip()
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
    LibraryCard.objects.filter(reader=reader, status=LibraryCard.Status.ACTIVE).update(
        status=LibraryCard.Status.BLOCKED,
        blocked_at=timezone.now(),
        block_reason=gettext("Replaced by card %(number)s") % {"number": number},
    )
    return LibraryCard.objects.create(reader=reader, number=number, issued_by=issued_by)


def reader_grant_volunteer(*, reader: Reader) -> None:
    """A student joins the service team (图书服务队)."""
    roles = {Role(name) for name in reader.user.role_names} | {Role.VOLUNTEER}
    user_set_roles(user=reader.user, roles=roles)
