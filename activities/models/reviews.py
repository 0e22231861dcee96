"""Reviews and ratings of titles by pupils and teachers: pending until a teacher or a librarian
approves them, reportable by readers, and shown with the reader named by class only."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from library_site.accounts.fields import actor_field


class Review(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        HIDDEN = "hidden", _("Hidden after a report")

    record = models.ForeignKey(
        "catalog.Record", verbose_name=_("title"), on_delete=models.PROTECT, related_name="+"
    )
    reader = models.ForeignKey(
        "circulation.Reader", verbose_name=_("reader"), on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.CharField(_("review"), max_length=500, blank=True)
    # How the reader is named publicly, frozen when written ("三年级2班的同学").
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    class_number = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = actor_field(_("decided by"))
    reports = models.PositiveIntegerField(_("reports"), default=0)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "reader"],
                condition=~Q(state="rejected"),
                name="review_one_standing_per_reader",
            ),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["record", "state"], name="review_record_state")]

    def __str__(self) -> str:
        return f"{self.record_id} ★{self.rating}"


class ReviewReport(models.Model):
    """A reader's report that a review is wrong or unkind (once per reader and review)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="report_rows")
    reader = models.ForeignKey("circulation.Reader", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review report")
        verbose_name_plural = _("review reports")
        constraints = [models.UniqueConstraint(fields=["review", "reader"], name="review_report_once")]

    def __str__(self) -> str:
        return f"{self.review_id}"
