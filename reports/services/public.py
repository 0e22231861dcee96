"""The one write of the public page for the school's screens: its settings."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from library_site.accounts.models import User

from ..models import TransparencySettings


@transaction.atomic
def transparency_settings_save(*, form, user: User) -> TransparencySettings:
    """Save the settings form (a ModelForm of ``TransparencySettings``), recording who changed them."""
    settings = form.save(commit=False)
    settings.updated_by = user
    settings.updated_at = timezone.now()
    settings.save()
    return settings
