"""Honorary titles (荣誉称号): 小作家, 小蜜蜂, 小博士, 服务之星 and the school's own (书香少年,
阅读之星, 书香班级 for a class). Each title's rule (``activities/services/honours.py``, a registry
keyed by the title's code) proposes candidates from the data; the librarian awards per term or
month. An award is never deleted, only revoked with a reason."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field


class HonourTitle(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    for_class = models.BooleanField(_("for a class"), default=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("honorary title")
        verbose_name_plural = _("honorary titles")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Honour(models.Model):
    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        TERM = "term", _("Term")

    title = models.ForeignKey(
        HonourTitle,
        verbose_name=pgettext_lazy("honour", "title"),
        on_delete=models.PROTECT,
        related_name="honours",
    )
    reader = models.ForeignKey(
        "circulation.Reader",
        verbose_name=_("pupil"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    school_class = models.ForeignKey(
        "circulation.SchoolClass",
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
    )
    period = models.CharField(
        pgettext_lazy("honour", "period"), max_length=5, choices=Period.choices, default=Period.TERM
    )
    # The first day of the month, or of the term.
    period_start = models.DateField(_("from"))
    period_label = models.CharField(pgettext_lazy("honour", "period"), max_length=60)
    basis = models.CharField(_("why"), max_length=300, blank=True)
    awarded_at = models.DateTimeField(_("awarded at"), default=timezone.now)
    awarded_by = actor_field(_("awarded by"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = actor_field(_("revoked by"))
    revoke_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-period_start", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reader__isnull=False) & Q(school_class__isnull=True))
                | (Q(reader__isnull=True) & Q(school_class__isnull=False)),
                name="honour_for_pupil_or_class",
            ),
            models.UniqueConstraint(
                fields=["title", "reader", "period_start"],
                condition=Q(revoked_at__isnull=True, reader__isnull=False),
                name="honour_once_per_pupil_and_period",
            ),
            models.UniqueConstraint(
                fields=["title", "school_class", "period_start"],
                condition=Q(revoked_at__isnull=True, school_class__isnull=False),
                name="honour_once_per_class_and_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title_id} {self.period_label}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
