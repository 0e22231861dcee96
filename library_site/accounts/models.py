from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .roles import Capability, Role


class User(AbstractUser):
    """Everyone who signs in: staff, teachers, students and volunteers.

    Chinese names are not split into given and family names, so a single ``full_name``
    replaces Django's first and last name. What makes somebody a reader (class, student
    number, library card) lives in ``circulation.Reader``.
    """

    first_name = None
    last_name = None
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # A first password (printed on a slip, or set by a librarian) must be replaced at the first
    # sign-in: until then every page leads to the password change (middleware.py).
    password_change_required = models.BooleanField(_("must change the password"), default=False)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        permissions = [(capability.value, capability.label) for capability in Capability]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def role_names(self) -> set[str]:
        """The user's roles, read once per request object."""
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = set(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    @property
    def primary_role(self) -> Role | None:
        """The role that decides the home page: the first held, in ``Role`` order."""
        for role in Role:
            if role.value in self.role_names:
                return role
        return None


class RoleRightChange(models.Model):
    """A right given to a role or taken from it on the roles page (for example the desk for the
    service team's volunteers): who changed it and when. Nothing here is ever deleted."""

    role = models.CharField(pgettext_lazy("user role", "role"), max_length=30, choices=Role.choices)
    capability = models.CharField(_("right"), max_length=40, choices=Capability.choices)
    granted = models.BooleanField(_("granted"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        User, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("change of a role's rights")
        verbose_name_plural = _("changes of roles' rights")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.role} {'+' if self.granted else '-'}{self.capability}"
