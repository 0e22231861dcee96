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


# --- The library's management (issue 20): plans and targets, compliance, equipment, safety,
# staff, the term summary. Equipment and safety live here, beside the targets and the summary
# that read them, with foreign keys to the rooms (catalog's locations) that circulation opens.

from library_site.accounts.fields import actor_field  # noqa: E402


class WorkPlan(models.Model):
    """The library's work plan for a school year (年度工作计划) or a term (学期计划): its aims,
    measures and typed targets, written by the librarian and approved by a school leader
    (``reports.states.WORK_PLAN_STATES``). An approved plan is kept as approved: a new plan is
    drafted for the next year, never an approved one rewritten."""

    class Kind(models.TextChoices):
        YEAR = "year", pgettext_lazy("work plan", "School year")
        TERM = "term", pgettext_lazy("work plan", "Term")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("work plan", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("work plan", "Submitted for approval")
        APPROVED = "approved", pgettext_lazy("work plan", "Approved")
        RETURNED = "returned", pgettext_lazy("work plan", "Returned for changes")

    kind = models.CharField(_("kind of plan"), max_length=4, choices=Kind.choices, default=Kind.YEAR)
    school_year = models.PositiveSmallIntegerField(
        _("school year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The year the school year begins: 2026 for 2026–2027."),
    )
    term = models.ForeignKey(
        "circulation.Term",
        verbose_name=_("term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    aims = models.TextField(_("aims"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    created_by = actor_field(_("drafted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = actor_field(_("submitted by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = actor_field(_("decided by"))
    decision_comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["-school_year", "kind", "-pk"]
        permissions = [("approve_work_plan", "Approve the library's work plans")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="year", term__isnull=True) | Q(kind="term", term__isnull=False),
                name="work_plan_term_for_term_plans",
            ),
            models.UniqueConstraint(
                fields=["school_year"], condition=Q(kind="year"), name="work_plan_one_per_school_year"
            ),
            models.UniqueConstraint(fields=["term"], condition=Q(kind="term"), name="work_plan_one_per_term"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="work_plan_approved_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class PlanTarget(models.Model):
    """A typed target of a plan: what is measured (a code of ``reports.measures.MEASURES``),
    how it compares (at least, at most) and the figure to reach."""

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("at least")
        AT_MOST = "lte", _("at most")

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="targets"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("target"), max_length=200)
    measure = models.CharField(_("measured by"), max_length=40)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices)
    threshold = models.DecimalField(_("figure to reach"), max_digits=9, decimal_places=2)
    from_seed = models.BooleanField(_("from the annual plan's standard targets"), default=False)

    class Meta:
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(measure=""), name="plan_target_has_measure"),
        ]

    def __str__(self) -> str:
        return self.name


class ComplianceSettings(models.Model):
    """The standards the collection is held against (《中小学图书馆（室）规程》, 2018): the
    school's type, the figures per school type, and the CLC proportion table. One row, edited
    by the administrator; ``reports.policies`` holds the defaults and says which are verified."""

    class SchoolType(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior secondary school")
        SENIOR = "senior", _("Senior secondary school")
        NINE_YEAR = "nine_year", _("Nine-year school")
        COMPLETE = "complete", _("Complete secondary school")
        TWELVE_YEAR = "twelve_year", _("Twelve-year school")
        VOCATIONAL = "vocational", _("Vocational school")

    school_type = models.CharField(
        _("type of school"), max_length=12, choices=SchoolType.choices, default=SchoolType.PRIMARY
    )
    # {school type: {"books_per_pupil": n, "periodicals": n, "reference_titles": n}}; a missing
    # figure is not judged ("not set"), never guessed.
    standards = models.JSONField(_("standards per type of school"), default=dict, blank=True)
    # [{"code": "A", "letters": "A", "share": "2"}]: the shares add up to 100.
    clc_shares = models.JSONField(_("CLC proportion table"), default=list, blank=True)
    clc_tolerance = models.DecimalField(
        _("tolerance of a CLC share (percentage points)"), max_digits=5, decimal_places=2, default=5
    )
    updated_by = actor_field(_("changed by"))
    updated_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("compliance settings")
        verbose_name_plural = _("compliance settings")

    def __str__(self) -> str:
        return str(_("Compliance settings"))

    @classmethod
    def current(cls) -> ComplianceSettings:
        return cls.objects.order_by("pk").first() or cls()


class EquipmentItem(models.Model):
    """An item of a room's equipment (seats, shelves, computers, scanners, lighting, air
    conditioning …). Retired, never deleted."""

    class Kind(models.TextChoices):
        SEATS = "seats", _("Seats and tables")
        SHELVES = "shelves", _("Shelves")
        COMPUTER = "computer", _("Computers")
        SCANNER = "scanner", _("Barcode scanners")
        LIGHTING = "lighting", _("Lighting")
        AIR = "air", _("Air conditioning and ventilation")
        FIRE = "fire", _("Fire safety equipment")
        OTHER = "other", _("Other equipment")

    room = models.ForeignKey(
        "catalog.Location", verbose_name=_("room"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    asset_number = models.CharField(_("asset number"), max_length=60, blank=True)
    added_on = models.DateField(_("in service since"))
    added_by = actor_field(_("added by"))
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    retired_by = actor_field(_("retired by"))
    retire_reason = models.CharField(_("reason for retiring"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment register")
        ordering = ["room", "kind", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.room} · {self.name}"


class EquipmentCheck(models.Model):
    """A condition check of an item: up to standard or not, and what was found."""

    class Condition(models.TextChoices):
        GOOD = "good", pgettext_lazy("equipment condition", "Up to standard")
        REPAIR = "repair", pgettext_lazy("equipment condition", "Needs repair")
        BROKEN = "broken", pgettext_lazy("equipment condition", "Out of order")

    item = models.ForeignKey(
        EquipmentItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="checks"
    )
    checked_on = models.DateField(_("checked on"))
    condition = models.CharField(_("condition"), max_length=6, choices=Condition.choices)
    notes = models.CharField(_("what was found"), max_length=500, blank=True)
    checked_by = actor_field(_("checked by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("equipment check")
        verbose_name_plural = _("equipment checks")
        ordering = ["item", "-checked_on", "-pk"]
        indexes = [models.Index(fields=["item", "checked_on"], name="equipment_check_item_day")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.checked_on}"

    @property
    def up_to_standard(self) -> bool:
        return self.condition == self.Condition.GOOD


class SafetyInspection(models.Model):
    """A safety and hygiene inspection of a room: the checklist with each point passed or not,
    the result, who inspected."""

    room = models.ForeignKey(
        "catalog.Location", verbose_name=_("room"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("inspected on"))
    # [{"point": "…", "ok": true}]: the checklist as it was that day.
    checklist = models.JSONField(_("checklist"), default=list)
    passed = models.BooleanField(_("passed"))
    notes = models.TextField(_("notes"), blank=True)
    inspected_by = actor_field(_("inspected by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.room} {self.inspected_on}"


class SafetyIncident(models.Model):
    """An incident (fire, flood, injury, theft …): what happened, when, the measures taken."""

    room = models.ForeignKey(
        "catalog.Location",
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_on = models.DateField(_("happened on"), db_index=True)
    what = models.TextField(_("what happened"))
    measures = models.TextField(_("measures taken"))
    recorded_by = actor_field(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("safety incident")
        verbose_name_plural = _("safety incidents")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.what[:30]}"


class StaffMember(models.Model):
    """A member of the library's staff: their post and its duties (岗位职责). Leaving is an end
    date, never a deletion: their papers and evaluations stay."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="library_staff",
    )
    post = models.CharField(_("post"), max_length=100)
    duties = models.TextField(_("job duties"), blank=True)
    joined_on = models.DateField(pgettext_lazy("staff", "joined on"))
    left_on = models.DateField(pgettext_lazy("staff", "left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["post", "user__full_name", "pk"]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.post})"


class TargetAssignment(models.Model):
    """A plan's target broken down to a post (目标任务分解): who carries it and what their part is."""

    target = models.ForeignKey(
        PlanTarget, verbose_name=_("target"), on_delete=models.CASCADE, related_name="assignments"
    )
    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="assignments"
    )
    task = models.CharField(_("their part"), max_length=300)

    class Meta:
        verbose_name = _("target assignment")
        verbose_name_plural = _("target assignments")
        ordering = ["target", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["target", "staff"], name="target_assignment_one_per_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.staff_id}"


class StudySession(models.Model):
    """A staff study session (业务学习): by default every other Friday afternoon."""

    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField(
        StaffMember, verbose_name=_("attended"), related_name="study_sessions", blank=True
    )
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class Training(models.Model):
    """Training a staff member took (new staff on the library system, courses …)."""

    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="trainings"
    )
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("training")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class StaffPaper(models.Model):
    """A paper or summary article (论文, 总结文章) a staff member wrote, with its file."""

    class Kind(models.TextChoices):
        PAPER = "paper", pgettext_lazy("staff paper", "Paper")
        SUMMARY = "summary", _("Summary article")

    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="papers"
    )
    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices, default=Kind.PAPER)
    title = models.CharField(pgettext_lazy("paper", "title"), max_length=300)
    written_on = models.DateField(_("date"), db_index=True)
    published_in = models.CharField(_("where published"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="staff-papers/%Y/")
    recorded_by = actor_field(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper or summary article")
        verbose_name_plural = _("papers and summary articles")
        ordering = ["-written_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class EvaluationCriterion(models.Model):
    """A criterion of the per-term performance evaluation (绩效考核), set by the administrator,
    with the evidence the system shows beside it (``reports.selectors.staff.EVIDENCE``)."""

    name = models.CharField(_("criterion"), max_length=200)
    max_points = models.PositiveSmallIntegerField(
        pgettext_lazy("question", "points"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    evidence = models.CharField(_("evidence shown"), max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """A staff member's performance evaluation for a term: one per member and term."""

    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="evaluations"
    )
    term = models.ForeignKey(
        "circulation.Term", verbose_name=_("term"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    evaluated_by = actor_field(_("evaluated by"))
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        verbose_name = _("performance evaluation")
        verbose_name_plural = _("performance evaluations")
        ordering = ["-term__starts_on", "staff"]
        constraints = [models.UniqueConstraint(fields=["staff", "term"], name="evaluation_one_per_term")]

    def __str__(self) -> str:
        return f"{self.staff} {self.term}"


class EvaluationScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        EvaluationCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        ordering = ["evaluation", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="evaluation_score_one_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.criterion_id} {self.points}"


class TermSummaryText(models.Model):
    """The librarian's own text of a term's summary (期末总结), beside the measured figures."""

    term = models.OneToOneField(
        "circulation.Term", verbose_name=_("term"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    written_by = actor_field(_("written by"))
    written_at = models.DateTimeField(_("written at"), null=True, blank=True)

    class Meta:
        verbose_name = _("term summary text")
        verbose_name_plural = _("term summary texts")

    def __str__(self) -> str:
        return str(self.term_id)
