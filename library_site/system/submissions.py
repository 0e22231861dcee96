"""One double-submit guard for every form, backed by a unique row in the database.

A form carries a one-time token (``submission_token``, a hidden field). The view's write and
``submission_spend`` run in one transaction: the token's row is inserted beside what the form
made. A second sending of the same form finds the token (``submission_find``) before doing
anything, or, sent at the same moment, blocks on the unique index until the first commits and is
then refused, rolling back all it wrote. Either way it learns what the first one made.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from .exceptions import AlreadySubmitted
from .models import FormSubmission


def submission_token() -> str:
    """A fresh token for a form's hidden field."""
    return secrets.token_urlsafe(16)


def submission_find(*, token: str, form: str, user) -> FormSubmission | None:
    """The spent token of this form by this person, if it was spent."""
    if not token:
        return None
    return FormSubmission.objects.filter(token=token, form=form, user=user).first()


def submission_spend(*, token: str, form: str, user, object_id) -> None:
    """Spend the token inside the caller's transaction; ``AlreadySubmitted`` (with what the first
    sending made) when it was spent already, and the caller's transaction must then roll back.
    A form without a token (an old page) is not guarded."""
    if not token:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("submission_spend runs inside the transaction of the form's write")
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token[:64], form=form, user=user, object_id=str(object_id))
    except IntegrityError:
        raise AlreadySubmitted() from None


def submission_already(error: AlreadySubmitted, *, token: str, form: str, user) -> AlreadySubmitted:
    """The refusal with what the first sending made, read after the caller's rollback."""
    first = submission_find(token=token, form=form, user=user)
    error.object_id = first.object_id if first else ""
    return error
