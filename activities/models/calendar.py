"""The activity calendar (活动安排): every reading activity of the school year with its kind, theme,
dates, target grades or classes, organisers and state, and the year's plan it is measured against
(at least two reader activities a year, a themed activity 特色小型活动 in every school month).

An activity moves planned → open → judging → results published → closed
(``activities/states.py``, ``ACTIVITY_STATES``); its results are published for the school (公示)
as soon as they are decided."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field

DEFAULT_SCHOOL_MONTHS = "9,10,11,12,1,3,4,5,6"


def grades_parse(text: str) -> list[int]:
    """ "3,4,5,6" (or 3，4、5) as [3, 4, 5, 6]: the grades 1 to 12 named, in order, once each."""
    parts = text.replace("，", ",").replace("、", ",").split(",")
    return sorted({int(part) for part in parts if part.strip().isdigit() and 1 <= int(part) <= 12})


class Activity(models.Model):
    class Kind(models.TextChoices):
        THEMED = "themed", _("Monthly themed activity")
        READER = "reader", _("Reader activity")
        QUIZ = "quiz", _("Knowledge quiz")
        ESSAY = "essay", _("Essay contest")
        RECITATION = "recitation", _("Recitation contest")
        ENCYCLOPEDIA = "encyclopedia", _("Encyclopedia quiz and exhibition")
        EXHIBITION = "exhibition", _("Exhibition")
        BOOK_CLUB = "book_club", _("Book club")
        LECTURE = "lecture", _("Reading lecture")

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("activity", "Planned")
        OPEN = "open", pgettext_lazy("activity", "Open")
        JUDGING = "judging", pgettext_lazy("activity", "Judging")
        PUBLISHED = "published", pgettext_lazy("activity", "Results published")
        CLOSED = "closed", pgettext_lazy("activity", "Closed")

    # The kinds that count as a reader activity (读者活动) towards the year's target: every kind
    # but the monthly themed one.
    CONTEST_KINDS = (Kind.ESSAY, Kind.RECITATION, Kind.ENCYCLOPEDIA)
    HELD = (State.OPEN, State.JUDGING, State.PUBLISHED, State.CLOSED)

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("activity", "title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    grades = models.CharField(
        _("grades"),
        max_length=40,
        blank=True,
        help_text=_("Separated by commas, e.g. 3,4,5,6; empty: every grade."),
    )
    classes = models.ManyToManyField(
        "circulation.SchoolClass", verbose_name=_("classes"), blank=True, related_name="activities"
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="organised_activities",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    results = models.TextField(_("results"), blank=True)
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    published_by = actor_field(_("results published by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = actor_field(_("created by"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = actor_field(_("changed by"))

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_on", "pk"]
        indexes = [models.Index(fields=["starts_on", "kind"], name="activity_start_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="activity_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def grade_list(self) -> list[int]:
        return grades_parse(self.grades)

    @property
    def is_reader_activity(self) -> bool:
        return self.kind != self.Kind.THEMED


class ActivityPlan(models.Model):
    """The year's plan (年度计划) the calendar is measured against."""

    school_year = models.PositiveSmallIntegerField(_("school year"), unique=True)
    reader_activities = models.PositiveSmallIntegerField(
        _("reader activities a year"), default=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    themed_months = models.CharField(
        _("months with a themed activity"),
        max_length=40,
        default=DEFAULT_SCHOOL_MONTHS,
        help_text=_(
            "The school months, separated by commas (9,10,11,12,1,3,4,5,6): each needs a themed activity."
        ),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = actor_field(_("changed by"))

    class Meta:
        verbose_name = _("activity plan")
        verbose_name_plural = _("activity plans")
        ordering = ["-school_year"]

    def __str__(self) -> str:
        return str(self.school_year)

    @property
    def month_numbers(self) -> list[int]:
        parts = self.themed_months.replace("，", ",").split(",")
        return [int(part) for part in parts if part.strip().isdigit() and 1 <= int(part) <= 12]
