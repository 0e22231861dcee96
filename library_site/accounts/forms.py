from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
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


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with wrong current passwords counted as failed sign-ins of
    the account (the same counter as the login's), so a session left open cannot be used to
    guess the password either."""

    def clean_old_password(self):
        from axes.handlers.proxy import AxesProxyHandler

        credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(self.request, credentials):
            raise forms.ValidationError(
                _("Too many wrong passwords: password changes for this account are paused. Try again later."),
                code="throttled",
            )
        old_password = self.cleaned_data["old_password"]
        if not self.user.check_password(old_password):
            user_login_failed.send(sender=type(self), credentials=credentials, request=self.request)
        return super().clean_old_password()

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)
