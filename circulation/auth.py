"""Sign-in with a library card number or a student/staff number.

Django's ModelBackend (before this one) takes the user name. This backend takes what is
printed on a card or a pupil's student number, so that a primary pupil can sign in with the
card they hold. A card that was replaced or reported lost no longer signs anybody in.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext

from library_site.accounts.forms import normalise_identifier
from library_site.accounts.models import User

from .models import LibraryCard, Reader


class ReaderIdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        identifier = normalise_identifier(username)
        card = LibraryCard.objects.select_related("reader__user").filter(number__iexact=identifier).first()
        if card is not None:
            user = card.reader.user
        else:
            reader = Reader.objects.select_related("user").filter(number__iexact=identifier).first()
            if reader is None:
                # As ModelBackend does: spend the time of one password check, so that the
                # answer's timing does not tell which numbers exist.
                User().set_password(password)
                return None
            user = reader.user
        if not (user.check_password(password) and self.user_can_authenticate(user)):
            return None
        if card is not None and not card.is_active:
            # Only the card's owner, who knows the password, learns why.
            if request is not None:
                request.login_refusal = gettext(
                    "Library card %(number)s is no longer valid (%(reason)s). "
                    "Sign in with your student or staff number, or with your new card."
                ) % {"number": card.number, "reason": card.block_reason or gettext("blocked")}
            return None
        return user


def account_for_identifier(identifier: str) -> str | None:
    """The user name of the reader a card number or a student/staff number names (in any
    case), for counting failed sign-ins per account (library_site/accounts/signin.py)."""
    card = LibraryCard.objects.filter(number__iexact=identifier).values_list("reader__user__username").first()
    if card is not None:
        return card[0]
    reader = Reader.objects.filter(number__iexact=identifier).values_list("user__username").first()
    return reader[0] if reader is not None else None
