"""Monthly statistics: one snapshot per month, computed in the database from the loans, visits
and copies (``reports.services.statistics.monthly_snapshot_compute``), so that a dashboard or a report over
a term or a year adds up a dozen snapshots instead of recounting years of loans.

A snapshot holds the month's totals; its breakdowns are rows (``MonthlyFigure``: one per reader
type, grade, class or CLC top class), so that a term or a year is one ``SUM … GROUP BY`` in SQL.
The month's most borrowed titles and most active readers are rows too, ranked.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.school import class_name, grade_name

# How many titles and readers each month keeps: more than the 20 a page shows, so that the
# ranking over a term or a year, added up from the months, rarely misses a title.
TOP_KEPT = 100


class MonthlySnapshot(models.Model):
    """The figures of one calendar month (in the school's time zone). Computing a month again
    updates its snapshot: there is never more than one per month."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    loans = models.PositiveIntegerField(_("loans"), default=0)
    returns = models.PositiveIntegerField(_("returns"), default=0)
    renewals = models.PositiveIntegerField(_("renewals"), default=0)
    active_readers = models.PositiveIntegerField(_("active readers"), default=0)
    visits = models.PositiveIntegerField(_("reading-room visits"), default=0)
    class_sessions = models.PositiveIntegerField(_("class sessions in reading rooms"), default=0)
    new_copies = models.PositiveIntegerField(_("new copies"), default=0)
    copies = models.PositiveIntegerField(_("copies held at the end of the month"), default=0)
    # The reading activities (activities.selectors.selection.notes_month_counts): empty for a
    # month counted before they were, so that a page shows "—" for it rather than a zero.
    notes_handed_in = models.PositiveIntegerField(_("reading notes handed in"), null=True, blank=True)
    notes_on_paper = models.PositiveIntegerField(_("reading notes on paper"), null=True, blank=True)
    notes_reviewed = models.PositiveIntegerField(_("reading notes reviewed"), null=True, blank=True)
    notes_selected = models.PositiveIntegerField(_("reading notes selected"), null=True, blank=True)
    cards_handed_in = models.PositiveIntegerField(_("excerpt cards handed in"), null=True, blank=True)
    cards_selected = models.PositiveIntegerField(_("excerpt cards selected"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    duration_ms = models.PositiveIntegerField(_("time to compute (ms)"), default=0)

    class Meta:
        verbose_name = _("monthly statistics")
        verbose_name_plural = _("monthly statistics")
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_snapshot_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthlyFigure(models.Model):
    """One line of a month's breakdown: the figures of a reader type, a grade, a class or a CLC
    top class. Loans, returns and renewals count by the reader as they were at the loan (a
    class is the class of that day; anonymised loans count too); visits and class sessions by
    the reader's or class's grade when the month was computed. A figure a dimension has no
    meaning for stays 0 (no copies per grade; no visits per CLC class)."""

    class Dimension(models.TextChoices):
        READER_KIND = "kind", _("Reader type")
        GRADE = "grade", _("Grade")
        CLASS = "class", pgettext_lazy("school class", "Class")
        CLC = "clc", _("CLC class")

    snapshot = models.ForeignKey(MonthlySnapshot, on_delete=models.CASCADE, related_name="figures")
    dimension = models.CharField(_("breakdown"), max_length=5, choices=Dimension.choices)
    # The group's stable key: "student", "3", "3-2", "I" ("" for copies without a CLC number).
    key = models.CharField(_("key"), max_length=20, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    class_number = models.PositiveSmallIntegerField(_("class number"), null=True, blank=True)
    loans = models.PositiveIntegerField(_("loans"), default=0)
    returns = models.PositiveIntegerField(_("returns"), default=0)
    renewals = models.PositiveIntegerField(_("renewals"), default=0)
    active_readers = models.PositiveIntegerField(_("active readers"), default=0)
    visits = models.PositiveIntegerField(_("reading-room visits"), default=0)
    class_sessions = models.PositiveIntegerField(_("class sessions"), default=0)
    new_copies = models.PositiveIntegerField(_("new copies"), default=0)
    copies = models.PositiveIntegerField(_("copies held"), default=0)

    class Meta:
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        ordering = ["snapshot", "dimension", "grade", "class_number", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "dimension", "key"], name="monthly_figure_one_per_group"
            ),
        ]
        indexes = [models.Index(fields=["dimension", "snapshot"], name="monthly_figure_dimension")]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.dimension} {self.key}"

    @property
    def label(self) -> str:
        return figure_label(self.dimension, self.key, self.grade, self.class_number)


def reader_kind_label(kind: str | None) -> str:
    """A reader type's name in the reader's language; empty for one the library no longer has."""
    from circulation.models import Reader

    try:
        return str(Reader.Kind(kind).label)
    except ValueError:
        return ""


def reader_class_label(grade: int | None, class_number: int | None) -> str:
    """The class a reader was in (三年级(2)班), their grade if the class is not known, else empty."""
    if grade and class_number:
        return class_name(grade, class_number)
    return grade_name(grade) if grade else ""


def figure_label(dimension: str, key: str, grade: int | None, class_number: int | None) -> str:
    """What a breakdown line is called on a page, in the reader's language."""
    if dimension == MonthlyFigure.Dimension.READER_KIND:
        return reader_kind_label(key) or str(_("Unknown"))
    if dimension == MonthlyFigure.Dimension.GRADE:
        return grade_name(grade) if grade else str(_("No grade"))
    if dimension == MonthlyFigure.Dimension.CLASS:
        return (
            class_name(grade, class_number)
            if grade and class_number
            else str(pgettext_lazy("school class", "No class"))
        )
    return key or str(_("Unclassified"))


class MonthlyTopTitle(models.Model):
    """A title among the month's most borrowed (its place, and its loans that month)."""

    snapshot = models.ForeignKey(MonthlySnapshot, on_delete=models.CASCADE, related_name="top_titles")
    rank = models.PositiveSmallIntegerField(_("place"))
    record = models.ForeignKey(
        "catalog.Record", verbose_name=_("record"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The title as it was, so that the ranking reads the same if the record is later merged away.
    title = models.CharField(_("title"), max_length=300)
    loans = models.PositiveIntegerField(_("loans"))

    class Meta:
        verbose_name = _("most borrowed title")
        verbose_name_plural = _("most borrowed titles")
        ordering = ["snapshot", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "rank"], name="monthly_top_title_one_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} #{self.rank} {self.title}"


class MonthlyTopReader(models.Model):
    """A reader among the month's most active (by loans). Anonymised loans have no reader and
    are not ranked here; the reader's type, grade and class are those of their loans."""

    snapshot = models.ForeignKey(MonthlySnapshot, on_delete=models.CASCADE, related_name="top_readers")
    rank = models.PositiveSmallIntegerField(_("place"))
    reader = models.ForeignKey(
        "circulation.Reader", verbose_name=_("reader"), on_delete=models.CASCADE, related_name="+"
    )
    reader_kind = models.CharField(_("reader type"), max_length=10, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    class_number = models.PositiveSmallIntegerField(_("class number"), null=True, blank=True)
    loans = models.PositiveIntegerField(_("loans"))

    class Meta:
        verbose_name = _("most active reader")
        verbose_name_plural = _("most active readers")
        ordering = ["snapshot", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "rank"], name="monthly_top_reader_one_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} #{self.rank} {self.reader_id}"


class LeadersReportNote(models.Model):
    """The librarian's short text for the report to school leaders of one period (a month, a
    term, a year or a run of months), shown in the report page, its PDF and its workbook. One
    row per period, found by ``period_key``; each save raises ``version`` (so that two people
    editing at once do not overwrite each other) and records who wrote it and when."""

    period_key = models.CharField(_("report period"), max_length=40, unique=True)
    period_kind = models.CharField(_("kind of period"), max_length=10)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    # The term's id, kept as a number: a term corrected or removed later leaves the note alone.
    term_id = models.PositiveIntegerField(_("term"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written at"), null=True)

    class Meta:
        verbose_name = _("note of the report to school leaders")
        verbose_name_plural = _("notes of the reports to school leaders")
        ordering = ["-first_month", "period_kind"]

    def __str__(self) -> str:
        return self.period_key


class TransparencySettings(models.Model):
    """The public page for the school's screens (X4): whether it is shown to visitors who have
    not signed in, and which figures it shows. One row, edited by the administrator; off until
    switched on. Readers' names are never shown unless ``show_reader_names`` is set."""

    enabled = models.BooleanField(_("show the public page"), default=False)
    show_month_loans = models.BooleanField(_("loans and readers of the month"), default=True)
    show_month_visits = models.BooleanField(_("reading-room visits of the month"), default=True)
    show_top_class = models.BooleanField(_("the month's most-read classes"), default=True)
    show_top_titles = models.BooleanField(_("the month's most borrowed books"), default=True)
    show_term_loans = models.BooleanField(_("loans so far this term"), default=True)
    show_top_readers = models.BooleanField(_("the month's most active readers"), default=False)
    show_reader_names = models.BooleanField(
        _("show the most active readers' names"),
        default=False,
        help_text=_(
            "Off: the most active readers are shown by their class only (“a pupil of Grade 5 Class 2”). "
            "Turn it on only when the pupils and their parents have agreed to names on the school's screens."
        ),
    )
    headline = models.CharField(_("headline"), max_length=100, blank=True)
    refresh_minutes = models.PositiveSmallIntegerField(
        _("refresh every (minutes)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), null=True)

    class Meta:
        verbose_name = _("public page settings")
        verbose_name_plural = _("public page settings")

    def __str__(self) -> str:
        return str(_("Public page settings"))

    @classmethod
    def current(cls) -> TransparencySettings:
        """The settings row, or the defaults (off) unsaved: reading never writes."""
        return cls.objects.order_by("pk").first() or cls()
