"""Contests (征文, 朗诵, 百科知识竞赛 …): registration by pupils or by a teacher for the class, a
submission where the contest needs one, several judges scoring each entry on the organiser's
rubric, the average, a flag when the judges disagree too much (it stops publication until it is
resolved), and the ranking with prizes."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field


class Contest(models.Model):
    class Submission(models.TextChoices):
        NONE = "none", _("None: judged live")
        TEXT = "text", _("Typed text")
        FILE = "file", _("Typed text or an uploaded file")

    activity = models.OneToOneField(
        "activities.Activity", verbose_name=_("activity"), on_delete=models.PROTECT, related_name="contest"
    )
    submission = models.CharField(
        _("submission"), max_length=4, choices=Submission.choices, default=Submission.TEXT
    )
    # The largest spread between two judges' totals for one entry before it is flagged.
    disagreement_points = models.DecimalField(
        _("largest difference between judges"), max_digits=5, decimal_places=1, default=10
    )
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("judges"), related_name="judged_contests"
    )

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.activity.title if self.activity_id else str(self.pk)


class Criterion(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    max_points = models.DecimalField(
        _("full marks"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["contest", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    class Prize(models.TextChoices):
        FIRST = "first", _("First prize")
        SECOND = "second", _("Second prize")
        THIRD = "third", _("Third prize")
        MERIT = "merit", _("Merit award")

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="entries")
    reader = models.ForeignKey(
        "circulation.Reader",
        verbose_name=_("pupil"),
        on_delete=models.PROTECT,
        related_name="contest_entries",
    )
    registered_at = models.DateTimeField(
        pgettext_lazy("contest entry", "registered at"), default=timezone.now
    )
    registered_by = actor_field(_("registered by"))
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    file = models.BinaryField(_("file"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_type = models.CharField(_("file type"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    average = models.DecimalField(_("average score"), max_digits=6, decimal_places=2, null=True, blank=True)
    spread = models.DecimalField(
        _("difference between judges"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    flagged = models.BooleanField(_("judges disagree"), default=False)
    resolved_at = models.DateTimeField(_("disagreement resolved at"), null=True, blank=True)
    resolved_by = actor_field(_("disagreement resolved by"))
    resolution = models.CharField(_("how it was resolved"), max_length=500, blank=True)
    rank = models.PositiveSmallIntegerField(pgettext_lazy("contest", "rank"), null=True, blank=True)
    prize = models.CharField(_("prize"), max_length=6, choices=Prize.choices, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        ordering = ["contest", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["contest", "reader"], name="entry_one_per_pupil")]

    def __str__(self) -> str:
        return f"{self.contest_id}/{self.reader_id}"

    @property
    def blocks_publication(self) -> bool:
        return self.flagged and self.resolved_at is None


class Score(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    scored_at = models.DateTimeField(_("scored at"), default=timezone.now)

    class Meta:
        verbose_name = _("judge's score")
        verbose_name_plural = _("judges' scores")
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge", "criterion"], name="score_once_per_judge"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.judge_id}/{self.criterion_id}"
