"""First passwords: random, readable, one per person, printed once on a slip and replaced at
the first sign-in (``User.password_change_required``, enforced by
``middleware.PasswordChangeRequiredMiddleware``).

Lower case only (no Shift to find), and the alphabet leaves out the characters a pupil
misreads on paper or types for another: 0 and o, 1 and l i j, z (2), s (5), b (6), g q (9),
u v. Eight characters of the 23 left give about 2^36 passwords; with the
sign-in throttle (five failures per account and per address) and the change forced at the
first sign-in, that is far beyond what can be tried.

Hashing is slow on purpose (PBKDF2 with Django's million iterations takes about half a second
here): a roster of 3,000 pupils would take 25 minutes. A first password lives only until its
first use, so it is hashed with PBKDF2 at ``FIRST_PASSWORD_ITERATIONS`` (100,000, ten times
faster); Django's own check re-hashes it with the full count at the sign-in, and the password
the pupil then chooses gets the full count too. Large batches are hashed in the worker anyway
(circulation/services/first_passwords.py).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password

LETTERS = "acdefhkmnprtwxy"
DIGITS = "23456789"
FIRST_PASSWORD_ALPHABET = LETTERS + DIGITS
FIRST_PASSWORD_LENGTH = 8
AMBIGUOUS_LEFT_OUT = set("01olijzsbgquv")


def first_password_make() -> str:
    """A random first password: letters and at least two digits, nothing ambiguous."""
    while True:
        candidate = "".join(secrets.choice(FIRST_PASSWORD_ALPHABET) for _ in range(FIRST_PASSWORD_LENGTH))
        digits = sum(character in DIGITS for character in candidate)
        if 2 <= digits <= FIRST_PASSWORD_LENGTH - 3:
            return candidate


def first_password_hash(password: str) -> str:
    """The stored form of a first password: PBKDF2 with fewer iterations when PBKDF2 is the
    site's hasher (see above), else the site's hasher (the tests' fast one)."""
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher) and type(hasher) is PBKDF2PasswordHasher:
        iterations = min(settings.FIRST_PASSWORD_ITERATIONS, hasher.iterations)
        return hasher.encode(password, hasher.salt(), iterations=iterations)
    return make_password(password)
