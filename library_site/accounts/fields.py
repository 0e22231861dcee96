"""Model fields about people, for every app."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def actor_field(verbose_name, *, related_name: str = "+") -> models.ForeignKey:
    """Who did something the library accounts for (added, submitted, approved, received …):
    an optional user, kept as long as what they did is kept (PROTECT)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )
