from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


def normalise_identifier(value: str) -> str:
    """What a person typed or scanned into the login box, as stored: full-width digits and
    letters (common with Chinese input methods) become ASCII, spaces around are dropped."""
    return unicodedata.normalize("NFKC", value or "").strip()


class LoginForm(AuthenticationForm):
    """Sign in with a user name, a library card number or a student/staff number."""

    username = forms.CharField(
        label=_("User name, card number or student number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "The user name (or card or student number) and password do not match. "
            "Passwords are case-sensitive."
        ),
        "inactive": _("This account is disabled. Please ask the library."),
    }

    def clean_username(self):
        return normalise_identifier(self.cleaned_data.get("username", ""))

    def get_invalid_login_error(self):
        # The reader backend leaves a plainer reason on the request when it knows one
        # (a card that was replaced or reported lost).
        refusal = getattr(self.request, "login_refusal", None)
        if refusal:
            return forms.ValidationError(refusal, code="invalid_login")
        return super().get_invalid_login_error()
