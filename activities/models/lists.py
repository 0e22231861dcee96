"""Reading lists (书单) made by librarians and teachers, per grade or theme, and the
recommendations a pupil's page shows: the librarians' picks with a blurb, and the co-borrowing
counts ("pupils of your grade who borrowed this also borrowed") that the nightly job computes
from the loans."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field

GRADE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class ReadingList(models.Model):
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    grade = models.PositiveSmallIntegerField(
        _("for grade"), null=True, blank=True, validators=GRADE_VALIDATORS, help_text=_("Empty: any grade.")
    )
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    is_published = models.BooleanField(_("published to readers"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = actor_field(_("made by"))
    updated_at = models.DateTimeField(auto_now=True)
    # Retired, not deleted (a class may still have it printed).
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reading list")
        verbose_name_plural = _("reading lists")
        ordering = ["grade", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class ReadingListItem(models.Model):
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(
        "catalog.Record", verbose_name=_("title"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("why read it"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("reading list title")
        verbose_name_plural = _("reading list titles")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["reading_list", "record"], name="reading_list_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.reading_list_id}: {self.record_id}"


class LibrarianPick(models.Model):
    """A title a librarian recommends to some grades, with a short blurb."""

    record = models.ForeignKey(
        "catalog.Record", verbose_name=_("title"), on_delete=models.PROTECT, related_name="+"
    )
    blurb = models.CharField(_("blurb"), max_length=300)
    grade_from = models.PositiveSmallIntegerField(_("from grade"), validators=GRADE_VALIDATORS, default=1)
    grade_to = models.PositiveSmallIntegerField(_("to grade"), validators=GRADE_VALIDATORS, default=12)
    is_active = models.BooleanField(_("shown"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = actor_field(_("picked by"))

    class Meta:
        verbose_name = _("librarian's pick")
        verbose_name_plural = _("librarians' picks")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_from__lte=models.F("grade_to")), name="librarian_pick_grades_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.blurb


class CoBorrowing(models.Model):
    """How many pupils of a grade borrowed both ``record`` and ``other`` (the nightly job's
    output: the rows of a grade are replaced together; only each record's best are kept)."""

    grade = models.PositiveSmallIntegerField(_("grade"))
    record = models.ForeignKey("catalog.Record", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("catalog.Record", on_delete=models.CASCADE, related_name="+")
    pupils = models.PositiveIntegerField(_("pupils"))
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("co-borrowing")
        verbose_name_plural = _("co-borrowings")
        constraints = [models.UniqueConstraint(fields=["grade", "record", "other"], name="co_borrowing_once")]
        indexes = [models.Index(fields=["grade", "record", "-pupils"], name="co_borrowing_lookup")]

    def __str__(self) -> str:
        return f"{self.grade}: {self.record_id}→{self.other_id} ({self.pupils})"


class GradePopularity(models.Model):
    """The titles most borrowed by a grade in the last year (the cold start of a new pupil's
    recommendations), computed by the same nightly job."""

    grade = models.PositiveSmallIntegerField(_("grade"))
    record = models.ForeignKey("catalog.Record", on_delete=models.CASCADE, related_name="+")
    pupils = models.PositiveIntegerField(_("pupils"))
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("popular title of a grade")
        verbose_name_plural = _("popular titles of grades")
        constraints = [models.UniqueConstraint(fields=["grade", "record"], name="grade_popularity_once")]
        indexes = [models.Index(fields=["grade", "-pupils"], name="grade_popularity_lookup")]

    def __str__(self) -> str:
        return f"{self.grade}: {self.record_id} ({self.pupils})"
