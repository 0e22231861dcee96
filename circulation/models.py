from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from library_site.accounts.fields import actor_field
from library_site.school import class_name, grade_name

from .querysets import (
    ClassSessionQuerySet,
    ClosedPeriodQuerySet,
    LibraryCardQuerySet,
    OpeningHoursQuerySet,
    ReaderQuerySet,
)


class SchoolClass(models.Model):
    """A class of the school (班级), for example 三年级(2)班. Classes of the same grade are
    parallel classes (同轨班). At year end every class moves up a grade; the top grade graduates
    and its class stays, inactive, so that its history is kept."""

    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    number = models.PositiveSmallIntegerField(_("class number"), validators=[MinValueValidator(1)])
    head_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="head_teacher_of",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["grade", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["grade", "number"],
                condition=Q(is_active=True),
                name="school_class_unique_active_grade_number",
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=12, number__gte=1),
                name="school_class_grade_and_number_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def grade_name(self) -> str:
        return grade_name(self.grade)

    @property
    def name(self) -> str:
        return class_name(self.grade, self.number)


class Reader(models.Model):
    """Somebody who borrows: a student, a teacher or a member of staff. Every reader has an
    account of their own to see their loans."""

    class Kind(models.TextChoices):
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")
        STAFF = "staff", _("Staff")

    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        GRADUATED = "graduated", _("Graduated")
        LEFT = "left", _("Left the school")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="reader",
    )
    kind = models.CharField(_("reader type"), max_length=10, choices=Kind.choices)
    number = models.CharField(
        _("student or staff number"),
        max_length=32,
        unique=True,
        help_text=_("学号 for students, 工号 for teachers and staff."),
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="students",
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    guardian_contact = models.CharField(_("guardian contact"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    left_on = models.DateField(
        _("left on"),
        null=True,
        blank=True,
        help_text=_("The day the reader graduated or left; their loan history is anonymised from it."),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = ReaderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reader")
        verbose_name_plural = _("readers")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="student") | Q(school_class__isnull=False),
                name="reader_student_has_class",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.number})"

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def is_active(self) -> bool:
        """Still at school (not graduated, not left)."""
        return self.status == self.Status.ACTIVE

    @property
    def is_student(self) -> bool:
        return self.kind == self.Kind.STUDENT

    @property
    def is_teacher(self) -> bool:
        return self.kind == self.Kind.TEACHER


class LibraryCard(models.Model):
    """A computer library card (电脑借书证). A reader has at most one active card; a reissued
    card (补证) blocks the old one at once, and the old one is kept with the reason."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        BLOCKED = "blocked", _("Blocked")

    number = models.CharField(_("card number"), max_length=32, unique=True)
    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="cards"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = actor_field(_("issued by"))
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    block_reason = models.CharField(_("reason for blocking"), max_length=200, blank=True)

    objects = LibraryCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("library card")
        verbose_name_plural = _("library cards")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader"],
                condition=Q(status="active"),
                name="library_card_one_active_per_reader",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


# --- loan policies and the library calendar ---------------------------------------------------


def _material_type_choices():
    from catalog.models import Record

    return Record.MaterialType.choices


class CirculationSettings(models.Model):
    """The library's lending choices that are not per reader group. One row."""

    closed_weekdays = models.CharField(
        _("closed weekdays"),
        max_length=7,
        blank=True,
        default="56",
        help_text=_("Days of the week the library is closed: 0 is Monday, 6 is Sunday."),
    )
    suspension_days_per_late_day = models.PositiveSmallIntegerField(
        _("days of suspension per day late"),
        default=1,
        validators=[MaxValueValidator(10)],
        help_text=_(
            "A book returned late suspends borrowing for this many days per day late; 0 turns it off."
        ),
    )
    fines_enabled = models.BooleanField(_("charge money fines"), default=False)
    fine_per_day = models.DecimalField(
        _("fine per day late (yuan)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    lost_multiplier = models.DecimalField(
        _("compensation for a lost book (× price)"),
        max_digits=4,
        decimal_places=2,
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    # Money (issue 14 point 10): a damaged book's charge, a fine's ceiling.
    damage_percent = models.PositiveSmallIntegerField(
        _("compensation for a damaged book (percent of the price)"),
        default=50,
        validators=[MaxValueValidator(300)],
        help_text=_(
            "What the desk proposes for a damaged book, as a share of its price; the desk may change it."
        ),
    )
    fine_max = models.DecimalField(
        _("most fine per book (yuan)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("A late book's fine stops growing at this amount; 0: no ceiling."),
    )
    hold_pickup_days = models.PositiveSmallIntegerField(
        _("days to collect a hold"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    graduating_grades = models.CharField(
        _("graduating grades"),
        max_length=20,
        default="6,9,12",
        help_text=_("Grades whose pupils leave the school this year, separated by commas, e.g. 6,9,12."),
    )
    card_grades = models.CharField(
        _("grades whose pupils get a library card"),
        max_length=40,
        blank=True,
        default="",
        help_text=_(
            "Separated by commas, e.g. 3,4,5,6 for grades 3–6 of a primary school; empty: every grade. "
            "Teachers and staff always get a card."
        ),
    )
    anonymise_after_years = models.PositiveSmallIntegerField(
        _("anonymise a leaver's loans after (years)"),
        default=1,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "Years after a reader graduated or left before their returned loans are detached from "
            "them, kept only for the statistics; 0 never anonymises."
        ),
    )

    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder before the due date (days)"),
        default=2,
        validators=[MaxValueValidator(30)],
        help_text=_("A reminder goes to the reader this many days before a book is due; 0 sends none."),
    )
    overdue_notice_days = models.CharField(
        _("overdue notices on day"),
        max_length=60,
        blank=True,
        default="1,7,21",
        help_text=_(
            "The days overdue on which a notice goes out, separated by commas, e.g. 1,7,21; empty sends none."
        ),
    )

    class Meta:
        verbose_name = _("circulation settings")
        verbose_name_plural = _("circulation settings")

    def __str__(self) -> str:
        return str(_("Circulation settings"))

    @classmethod
    def current(cls) -> CirculationSettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()

    @property
    def closed_weekday_set(self) -> frozenset[int]:
        return frozenset(int(day) for day in self.closed_weekdays if day.isdigit() and int(day) <= 6)

    @property
    def overdue_stages(self) -> tuple[int, ...]:
        """The overdue notice stages, in days overdue, smallest first (1, 7, 21)."""
        return tuple(
            sorted(
                {int(part) for part in self.overdue_notice_days.split(",") if part.strip().isdigit()} - {0}
            )
        )

    @property
    def card_grade_set(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.card_grades.split(",") if part.strip().isdigit())

    @property
    def graduating_grade_set(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.graduating_grades.split(",") if part.strip().isdigit())


class LoanPolicy(models.Model):
    """What a group of readers may borrow of one material type: for how long, how many at
    once, how often renewed, whether they may place holds and what blocks them."""

    class Group(models.TextChoices):
        STUDENT = "student", _("Students")
        TEACHER = "teacher", _("Teachers")
        STAFF = "staff", _("Staff")

    name = models.CharField(_("name"), max_length=100)
    reader_group = models.CharField(_("reader group"), max_length=10, choices=Group.choices)
    grade_from = models.PositiveSmallIntegerField(
        _("from grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Students only; leave empty for every grade."),
    )
    grade_to = models.PositiveSmallIntegerField(
        _("to grade"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    material_type = models.CharField(
        _("material type"),
        max_length=20,
        blank=True,
        choices=_material_type_choices,
        help_text=_("Leave empty for every material type without a policy of its own."),
    )
    loan_days = models.IntegerField(_("loan period (days)"), default=14)
    max_loans = models.IntegerField(_("maximum loans at once"), default=2)
    renewals = models.IntegerField(_("renewals allowed"), default=1)
    renewal_days = models.IntegerField(_("renewal period (days)"), default=14)
    holds_allowed = models.BooleanField(_("holds allowed"), default=True)
    reference_only = models.BooleanField(
        _("reference only"),
        default=False,
        help_text=_("Read in the library only, never lent (参考书, sets)."),
    )
    borrow_over_vacation = models.BooleanField(
        _("may borrow over the vacation"),
        default=False,
        help_text=_("Due dates may pass the term's last due date (teachers over the summer)."),
    )
    block_on_overdue = models.BooleanField(_("an overdue book blocks borrowing"), default=True)
    block_on_owed_notes = models.BooleanField(_("owed reading notes block borrowing"), default=False)
    block_on_money_owed = models.BooleanField(
        _("money owed blocks borrowing"),
        default=False,
        help_text=_("A compensation or fine not yet paid (nor waived) stops this group borrowing."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("loan policy")
        verbose_name_plural = _("loan policies")
        ordering = ["reader_group", "grade_from", "material_type", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(loan_days__gte=1, max_loans__gte=1, renewals__gte=0, renewal_days__gte=1),
                name="loan_policy_periods_positive",
            ),
            models.CheckConstraint(
                condition=Q(grade_from__isnull=True)
                | Q(grade_to__isnull=True)
                | Q(grade_from__lte=models.F("grade_to")),
                name="loan_policy_grades_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        for field, label in (
            ("loan_days", _("The loan period must be at least one day.")),
            ("renewal_days", _("The renewal period must be at least one day.")),
            (
                "max_loans",
                _("The maximum must be at least one book; mark the type reference only to lend none."),
            ),
        ):
            value = getattr(self, field)
            if value is None or value < 1:
                errors[field] = label
        if self.renewals is None or self.renewals < 0:
            errors["renewals"] = _("Renewals cannot be negative.")
        if self.reader_group != self.Group.STUDENT and (self.grade_from or self.grade_to):
            errors["grade_from"] = _("Grades apply to students only.")
        if self.grade_from and self.grade_to and self.grade_from > self.grade_to:
            errors["grade_to"] = _("The last grade comes after the first.")
        if errors:
            raise ValidationError(errors)


class ClosedPeriod(models.Model):
    """Days the library is closed: a holiday, or a vacation (寒假, 暑假). Due dates never fall
    on one."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WINTER = "winter", _("Winter vacation")
        SUMMER = "summer", _("Summer vacation")
        OTHER = "other", _("Other closure")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    starts_on = models.DateField(_("first closed day"))
    ends_on = models.DateField(_("last closed day"))
    # A period taken off the calendar is kept, with who took it off and why: due dates set while
    # it stood were set by it.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = actor_field(_("withdrawn by"))
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=200, blank=True)

    objects = ClosedPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="closed_period_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last closed day cannot come before the first.")})


class Term(models.Model):
    """A school term (学期). Loans made in it are due at the latest on its last due date, unless
    the reader's policy lets them borrow over the vacation."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    hard_due_on = models.DateField(
        _("last due date"), help_text=_("Every book lent this term is due back by this day.")
    )
    exams_on = models.DateField(
        _("graduation exams begin"),
        null=True,
        blank=True,
        help_text=_("中考 or 高考, for the graduating grades."),
    )
    freeze_days_before_exams = models.PositiveSmallIntegerField(
        _("lending stops this many days before the exams"), default=14, validators=[MaxValueValidator(120)]
    )

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on"))
                & Q(hard_due_on__gte=models.F("starts_on"))
                & Q(hard_due_on__lte=models.F("ends_on")),
                name="term_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The term must end after it begins.")})
        if (
            self.starts_on
            and self.ends_on
            and self.hard_due_on
            and not (self.starts_on <= self.hard_due_on <= self.ends_on)
        ):
            raise ValidationError({"hard_due_on": _("The last due date must fall within the term.")})
        if self.starts_on and self.ends_on:
            overlapping = Term.objects.exclude(pk=self.pk).filter(
                starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            )
            if overlapping.exists():
                raise ValidationError(_("This term overlaps another term."))

    @property
    def freeze_starts_on(self):
        if self.exams_on is None:
            return None
        return self.exams_on - timezone.timedelta(days=self.freeze_days_before_exams)


# --- loans, holds and the desk ----------------------------------------------------------------


class Loan(models.Model):
    """A copy lent to a reader. Never deleted: returned, lost or undone loans are closed."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("loan state", "On loan")
        RETURNED = "returned", _("Returned")
        LOST = "lost", _("Lost")
        UNDONE = "undone", _("Undone")

    copy = models.ForeignKey(
        "catalog.Copy", verbose_name=_("copy"), on_delete=models.PROTECT, related_name="loans"
    )
    # Empty only once the loan is anonymised (a leaver's closed loan, after the configured
    # years); the snapshot below keeps it countable by reader type, grade and class.
    reader = models.ForeignKey(
        Reader,
        verbose_name=_("reader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    reader_kind = models.CharField(_("reader type then"), max_length=10, blank=True)
    reader_grade = models.PositiveSmallIntegerField(_("grade then"), null=True, blank=True)
    reader_class_number = models.PositiveSmallIntegerField(_("class number then"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    policy = models.ForeignKey(
        LoanPolicy,
        verbose_name=_("loan policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    lent_at = models.DateTimeField(_("lent at"), default=timezone.now)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lent by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    desk = models.CharField(_("desk"), max_length=50, blank=True)
    due_on = models.DateField(_("due on"))
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = actor_field(_("returned by"))
    return_desk = models.CharField(_("return desk"), max_length=50, blank=True)
    booking = models.ForeignKey(
        "ClassSetBooking",
        verbose_name=_("class-set booking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    overdue_days = models.PositiveIntegerField(_("days overdue at return"), default=0)
    fine = models.DecimalField(_("fine"), max_digits=8, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-lent_at", "-pk"]
        indexes = [
            models.Index(fields=["reader", "state"], name="loan_reader_state"),
            models.Index(fields=["state", "due_on"], name="loan_state_due"),
            # The monthly statistics count a month's loans and returns by these dates.
            models.Index(fields=["lent_at"], name="loan_lent_at"),
            models.Index(fields=["returned_at"], name="loan_returned_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["copy"], condition=Q(state="open"), name="loan_one_open_per_copy"
            ),
            models.CheckConstraint(
                condition=Q(reader__isnull=False) | (Q(anonymised_at__isnull=False) & ~Q(state="open")),
                name="loan_reader_kept_unless_anonymised_and_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.copy_id} → {self.reader_id or '—'} ({self.state})"

    def save(self, *args, **kwargs):
        if self.reader_id and not self.reader_kind:
            self.snapshot_reader(self.reader)
        super().save(*args, **kwargs)

    def snapshot_reader(self, reader: Reader) -> None:
        """Keep who borrowed as the statistics need it (type, grade, class number at the time),
        so that the loan still counts once the reader is detached. The lending services load
        the reader with their class, so this costs no query."""
        self.reader_kind = reader.kind
        school_class = reader.school_class if reader.school_class_id else None
        self.reader_grade = school_class.grade if school_class else None
        self.reader_class_number = school_class.number if school_class else None

    def overdue_days_on(self, day) -> int:
        return max(0, (day - self.due_on).days)

    @property
    def is_lost(self) -> bool:
        return self.state == self.State.LOST


class Hold(models.Model):
    """A reader waiting for a title (预约), first come, first served. A returned copy is
    trapped for the first in line, who has a few days to collect it."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        READY = "ready", _("Ready to collect")
        COLLECTED = "collected", _("Collected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    record = models.ForeignKey(
        "catalog.Record", verbose_name=_("record"), on_delete=models.PROTECT, related_name="holds"
    )
    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="holds"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    copy = models.ForeignKey(
        "catalog.Copy",
        verbose_name=_("copy kept"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holds",
    )
    ready_at = models.DateTimeField(_("ready since"), null=True, blank=True)
    collect_by = models.DateField(_("collect by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["placed_at", "pk"]
        indexes = [models.Index(fields=["record", "state", "placed_at"], name="hold_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "record"],
                condition=Q(state__in=["waiting", "ready"]),
                name="hold_one_active_per_reader_and_record",
            ),
            models.UniqueConstraint(
                fields=["copy"], condition=Q(state="ready"), name="hold_one_ready_per_copy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} ← {self.reader_id} ({self.state})"

    @property
    def is_ready(self) -> bool:
        """Kept on the hold shelf for the reader to collect."""
        return self.state == self.State.READY


class Suspension(models.Model):
    """Borrowing suspended until a day, for a book returned late (the schools' usual penalty
    instead of a fine)."""

    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="suspensions"
    )
    loan = models.ForeignKey(
        Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="suspensions"
    )
    ends_on = models.DateField(_("suspended until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # A librarian's lifting (cancelled_at) or shortening (ends_on moved, ends_on_before kept):
    # who, when and why; the suspension itself stays, for the reader's history.
    ends_on_before = models.DateField(_("suspended until, before the change"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_reason = models.CharField(_("reason for the change"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["-ends_on"]
        indexes = [models.Index(fields=["reader", "ends_on"], name="suspension_reader_ends")]

    def __str__(self) -> str:
        return f"{self.reader_id} ≤ {self.ends_on}"


class Compensation(models.Model):
    """What a reader owes for a lost book, with the price and multiplier used: recorded with a
    printable receipt, never charged silently."""

    loan = models.OneToOneField(
        Loan, verbose_name=_("loan"), on_delete=models.PROTECT, related_name="compensation"
    )
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    price_source = models.CharField(_("price from"), max_length=100, blank=True)
    multiplier = models.DecimalField(_("multiplier"), max_digits=4, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = actor_field(_("payment taken by"))

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.amount}"


class DeskAction(models.Model):
    """One thing done at a desk: who, when, where, what and how it ended."""

    class Action(models.TextChoices):
        CHECKOUT = "checkout", _("Lend")
        RETURN = "return", _("Return")
        RENEW = "renew", _("Renew")
        LOST = "lost", _("Mark lost")
        UNDO = "undo", _("Undo")
        HOLD = "hold", _("Hold")
        SCAN = "scan", _("Scan")
        SUSPENSION = "suspension", pgettext_lazy("desk action", "Suspension changed")
        CHARGE = "charge", pgettext_lazy("desk action", "Charge recorded")
        PAYMENT = "payment", pgettext_lazy("desk action", "Payment taken")
        WAIVE = "waive", pgettext_lazy("desk action", "Charge waived")
        CANCEL = "cancel", pgettext_lazy("desk action", "Charge cancelled")

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    desk = models.CharField(_("desk"), max_length=50, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.DONE)
    scanned = models.CharField(_("scanned"), max_length=100, blank=True)
    reader = models.ForeignKey(Reader, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    copy = models.ForeignKey(
        "catalog.Copy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loan = models.ForeignKey(
        Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="desk_actions"
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    # What an undo puts back: the due date before a renewal, the hold a return trapped.
    previous_due_on = models.DateField(null=True, blank=True)
    hold = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    # A lend despite a block: the librarian's reason (the blocks themselves are in the message).
    override_reason = models.CharField(_("override reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("desk action")
        verbose_name_plural = _("desk actions")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.outcome}"


class ClassSetBooking(models.Model):
    """A teacher's booking of N copies of a title for a class and a date range, for a lesson
    (班级借阅). Checked against other bookings and waiting holds; lent in one step."""

    class State(models.TextChoices):
        BOOKED = "booked", _("Booked")
        LENT = "lent", _("Lent")
        CANCELLED = "cancelled", _("Cancelled")

    record = models.ForeignKey(
        "catalog.Record",
        verbose_name=_("record"),
        on_delete=models.PROTECT,
        related_name="class_set_bookings",
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="class_set_bookings"
    )
    teacher = models.ForeignKey(
        Reader, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="class_set_bookings"
    )
    copies = models.PositiveSmallIntegerField(
        pgettext_lazy("number of copies", "copies"), validators=[MinValueValidator(1), MaxValueValidator(80)]
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.BOOKED)
    created_at = models.DateTimeField(default=timezone.now)
    lent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("class-set booking")
        verbose_name_plural = _("class-set bookings")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")) & Q(copies__gte=1),
                name="class_set_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} × {self.copies} → {self.school_class_id}"


class RosterChange(models.Model):
    """Who imported a roster or promoted the grades, when, and what it changed (the figures of
    the preview that was confirmed)."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Roster import")
        PROMOTION = "promotion", _("Promotion to the next grade")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    summary = models.JSONField(pgettext_lazy("roster import", "summary"), default=dict)
    done_by = actor_field(_("done by"))
    done_at = models.DateTimeField(_("done at"), default=timezone.now)

    class Meta:
        verbose_name = _("roster change")
        verbose_name_plural = _("roster changes")
        ordering = ["-done_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.done_at:%Y-%m-%d %H:%M}"


def reading_rooms():
    """The catalogue's locations that are reading rooms (circulation builds on catalog): the
    reading rooms and the periodicals reading room, which keeps opening hours and visits too,
    opens on Sundays where the school says so (MISSION R7), and counts toward the weekly hours."""
    from catalog.models import Location

    return Location.objects.filter(kind__in=[Location.Kind.READING_ROOM, Location.Kind.PERIODICALS_ROOM])


class OpeningHours(models.Model):
    """A reading room's opening hours on one day of the week (several spans a day are fine),
    so that the weekly hours can be added up against the target of 40 hours."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 7, _("Sunday")

    room = models.ForeignKey(
        "catalog.Location",
        verbose_name=_("reading room"),
        on_delete=models.PROTECT,
        related_name="opening_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    opens_at = models.TimeField(pgettext_lazy("room", "opens at"))
    closes_at = models.TimeField(pgettext_lazy("room", "closes at"))
    # Hours no longer kept are ended, not deleted, with who ended them and why: the weeks before
    # were open by them.
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = actor_field(_("ended by"))
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    objects = OpeningHoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["room", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="opening_hours_close_after_open"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="opening_hours_weekday_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    @property
    def hours(self) -> float:
        opens = self.opens_at.hour * 60 + self.opens_at.minute
        closes = self.closes_at.hour * 60 + self.closes_at.minute
        return (closes - opens) / 60


class ClassSession(models.Model):
    """A class's period in a reading room (阅览编排), booked in the room's timetable. A cancelled
    session stays as a cancelled row with who cancelled it, when and why; the monthly statistics
    count a session unless it was cancelled before its day (``ClassSession.objects.held()``), so
    a recount after a late cancellation gives the figure already reported."""

    class Status(models.TextChoices):
        BOOKED = "booked", pgettext_lazy("class session", "Booked")
        CANCELLED = "cancelled", pgettext_lazy("class session", "Cancelled")

    room = models.ForeignKey(
        "catalog.Location",
        verbose_name=_("reading room"),
        on_delete=models.PROTECT,
        related_name="class_sessions",
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="reading_sessions"
    )
    date = models.DateField(_("date"))
    period = models.PositiveSmallIntegerField(
        _("period"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    booked_by = actor_field(_("booked by"))
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = actor_field(_("cancelled by"))
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    objects = ClassSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        ordering = ["date", "period", "room"]
        constraints = [
            # A cancelled session frees its period for another booking.
            models.UniqueConstraint(
                fields=["room", "date", "period"],
                condition=Q(status="booked"),
                name="class_session_one_per_room_period",
            ),
            models.UniqueConstraint(
                fields=["school_class", "date", "period"],
                condition=Q(status="booked"),
                name="class_session_one_room_per_class_period",
            ),
            models.CheckConstraint(
                condition=Q(status="booked", cancelled_at__isnull=True)
                | Q(status="cancelled", cancelled_at__isnull=False),
                name="class_session_cancelled_when",
            ),
            models.CheckConstraint(
                condition=Q(period__gte=1, period__lte=12), name="class_session_period_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.date} {self.period} {self.school_class}"


class Visit(models.Model):
    """A reader who came into a reading room, recorded by the scan of their card at the door."""

    room = models.ForeignKey(
        "catalog.Location", verbose_name=_("reading room"), on_delete=models.PROTECT, related_name="visits"
    )
    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="visits"
    )
    card = models.ForeignKey(
        LibraryCard, verbose_name=_("card"), on_delete=models.PROTECT, related_name="visits"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now, db_index=True)
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("reading-room visit")
        verbose_name_plural = _("reading-room visits")
        ordering = ["-entered_at"]
        indexes = [models.Index(fields=["room", "entered_at"], name="visit_room_entered")]

    def __str__(self) -> str:
        return f"{self.reader_id} {self.room} {self.entered_at:%Y-%m-%d %H:%M}"


class ClearanceCertificate(models.Model):
    """A clearance certificate (离校证明) issued to a reader: who issued it and when. Its number
    is printed on the certificate, so a printed one can be checked against this register."""

    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="clearance_certificates"
    )
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("clearance certificate")
        verbose_name_plural = _("clearance certificates")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"LX{self.issued_on:%Y}-{self.pk:05d}"


# --- notices ----------------------------------------------------------------------------------


class NoticeTemplate(models.Model):
    """The wording of one kind of notice, as the administrator set it. A kind without a row
    uses the default wording (``circulation.policies.DEFAULT_TEMPLATES``)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Due-date reminder")
        OVERDUE = "overdue", _("Overdue notice")
        HOLD_READY = "hold_ready", _("Hold ready to collect")
        CLASS_OVERDUE = "class_overdue", _("Class overdue list for the head teacher")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, unique=True)
    subject = models.CharField(pgettext_lazy("message", "subject"), max_length=200)
    body = models.TextField(pgettext_lazy("notice", "message"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = actor_field(_("changed by"))

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Notice(models.Model):
    """One message to one person: a due-date reminder, an overdue notice, a hold ready to
    collect, or a class's overdue list for its head teacher. The row is the message in the
    recipient's inbox; the other channels record when they were delivered (``emailed_at``,
    ``class_listed_at``), so a job that stops half-way delivers the rest next time and
    nothing twice. A stage of a loan (for one due date) or a hold's notice exists once: a
    unique constraint, whatever the number of jobs that run at once."""

    Kind = NoticeTemplate.Kind
    MAX_EMAIL_ATTEMPTS = 5

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Reminders: days before the due date; overdue notices: the stage's days overdue.
    stage = models.PositiveSmallIntegerField(_("stage"), default=0)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.PROTECT, related_name="notices"
    )
    reader = models.ForeignKey(
        Reader,
        verbose_name=_("reader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    loan = models.ForeignKey(
        Loan, verbose_name=_("loan"), null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    days_overdue = models.PositiveIntegerField(_("days overdue"), default=0)
    hold = models.ForeignKey(
        Hold, verbose_name=_("hold"), null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    # An overdue pupil's class, when it has a head teacher: the notice goes onto their list.
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    subject = models.CharField(pgettext_lazy("message", "subject"), max_length=200)
    body = models.TextField(pgettext_lazy("notice", "message"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_to = models.CharField(_("e-mail to"), max_length=254, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_error = models.CharField(_("e-mail error"), max_length=300, blank=True)
    # Set (and committed) just before the message is handed to the mail server, ``emailed_at``
    # just after: a notice claimed and never marked was perhaps delivered, and is not sent again.
    email_claimed_at = models.DateTimeField(_("e-mail handed over at"), null=True, blank=True)
    class_listed_at = models.DateTimeField(_("on the class list since"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_inbox"),
            models.Index(
                fields=["id"],
                condition=Q(emailed_at__isnull=True, email_claimed_at__isnull=True)
                & ~Q(email_to="")
                & Q(email_attempts__lt=5),
                name="notice_email_pending",
            ),
            models.Index(
                fields=["school_class", "id"],
                condition=Q(class_listed_at__isnull=True, school_class__isnull=False, kind="overdue"),
                name="notice_class_list_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "kind", "stage", "due_on"],
                condition=Q(loan__isnull=False),
                name="notice_once_per_loan_stage",
            ),
            models.UniqueConstraint(
                fields=["hold", "kind"], condition=Q(hold__isnull=False), name="notice_once_per_hold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.stage} → {self.recipient_id}"


# --- reservations of periodical issues (issue 14 point 11, register H) -----------------------
# A teacher reserves an issue of a newspaper or periodical (the current one, or the next one
# expected): the reservation waits until the issue is checked in or a copy of it comes back,
# then it is kept at the desk of the room for the teacher, who takes it for a few days and
# brings it back (which may fill the next teacher's reservation). Nothing is deleted: a
# reservation is closed (returned, cancelled, expired) with who closed it and when.


class IssueReservation(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("issue reservation", "Waiting")
        READY = "ready", pgettext_lazy("issue reservation", "Ready to collect")
        COLLECTED = "collected", pgettext_lazy("issue reservation", "Taken out")
        RETURNED = "returned", pgettext_lazy("issue reservation", "Returned")
        CANCELLED = "cancelled", pgettext_lazy("issue reservation", "Cancelled")
        EXPIRED = "expired", pgettext_lazy("issue reservation", "Expired")

    ACTIVE_STATES = ("waiting", "ready", "collected")
    # A copy of the issue is taken from the room's pile while a reservation is ready or out.
    HOLDING_STATES = ("ready", "collected")

    issue = models.ForeignKey(
        "catalog.SerialIssue",
        verbose_name=_("issue"),
        on_delete=models.PROTECT,
        related_name="reservations",
    )
    reader = models.ForeignKey(
        Reader, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="issue_reservations"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    placed_by = actor_field(_("placed by"))
    ready_at = models.DateTimeField(_("ready since"), null=True, blank=True)
    collect_by = models.DateField(_("collect by"), null=True, blank=True)
    collected_at = models.DateTimeField(_("taken out at"), null=True, blank=True)
    due_on = models.DateField(_("due back on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = actor_field(_("closed by"))

    class Meta:
        verbose_name = _("reservation of a periodical issue")
        verbose_name_plural = _("reservations of periodical issues")
        ordering = ["placed_at", "pk"]
        indexes = [models.Index(fields=["issue", "state", "placed_at"], name="issue_reservation_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "issue"],
                condition=Q(state__in=["waiting", "ready", "collected"]),
                name="issue_reservation_one_active_per_reader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} ← {self.reader_id} ({self.state})"


# --- the reading room's class timetable (阅览编排顺序, issue 14 point 13) -----------------------
# A term's weekly timetable of one reading room: its opening hours cut into periods, each class
# given one period a week (or one a fortnight, in week A or week B), generated fairly by grade,
# looked at as a draft and changed by hand, then published: the head teachers see their class's
# period on their page and the room's timetable books the term's class sessions.


class RoomTimetable(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("timetable", "Draft")
        PUBLISHED = "published", pgettext_lazy("timetable", "Published")

    class Every(models.IntegerChoices):
        WEEK = 1, _("Once a week")
        FORTNIGHT = 2, _("Once a fortnight")

    room = models.ForeignKey(
        "catalog.Location",
        verbose_name=_("reading room"),
        on_delete=models.PROTECT,
        related_name="timetables",
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="timetables"
    )
    every = models.PositiveSmallIntegerField(_("each class comes"), choices=Every.choices, default=Every.WEEK)
    period_minutes = models.PositiveSmallIntegerField(
        _("minutes a period"), default=40, validators=[MinValueValidator(20), MaxValueValidator(120)]
    )
    break_minutes = models.PositiveSmallIntegerField(
        _("minutes between periods"), default=10, validators=[MaxValueValidator(60)]
    )
    seats = models.PositiveSmallIntegerField(
        _("seats in the room"),
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("A class with more pupils than seats is not given a period in this room."),
    )
    grades = models.CharField(
        _("grades"), max_length=40, blank=True, help_text=_("For example 3,4,5,6; empty: every grade.")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    created_by = actor_field(_("made by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = actor_field(_("published by"))

    class Meta:
        verbose_name = _("reading-room timetable")
        verbose_name_plural = _("reading-room timetables")
        ordering = ["-term__starts_on", "room__position", "room__name"]
        constraints = [
            models.UniqueConstraint(fields=["room", "term"], name="room_timetable_one_per_room_and_term"),
        ]

    def __str__(self) -> str:
        return f"{self.room} · {self.term}"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class TimetableSlot(models.Model):
    """One period of a timetable's week: the day, the period of that day with its times, the
    week (every week, or week A or B of a fortnight) and the class given it (none: free)."""

    class Week(models.IntegerChoices):
        EVERY = 0, _("Every week")
        A = 1, _("Week A")
        B = 2, _("Week B")

    timetable = models.ForeignKey(
        RoomTimetable, verbose_name=_("timetable"), on_delete=models.PROTECT, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=OpeningHours.Weekday.choices)
    period = models.PositiveSmallIntegerField(
        _("period"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    week = models.PositiveSmallIntegerField(_("week"), choices=Week.choices, default=Week.EVERY)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timetable_slots",
    )
    adjusted_at = models.DateTimeField(_("changed by hand at"), null=True, blank=True)
    adjusted_by = actor_field(_("changed by hand by"))

    class Meta:
        verbose_name = _("timetable period")
        verbose_name_plural = _("timetable periods")
        ordering = ["timetable", "weekday", "period", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["timetable", "weekday", "period", "week"], name="timetable_slot_unique_place"
            ),
            models.UniqueConstraint(
                fields=["timetable", "school_class"],
                condition=Q(school_class__isnull=False),
                name="timetable_slot_one_per_class",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.timetable_id} {self.weekday}/{self.period}/{self.week} {self.school_class_id}"


# --- money: charges, payments and their receipts (issue 14 point 10) ---------------------------


class ReceiptCounter(models.Model):
    """The last receipt number given in a year. Taken under a row lock in the payment's own
    transaction, so a payment that rolls back gives its number back: the numbers have no gaps."""

    year = models.PositiveSmallIntegerField(pgettext_lazy("calendar year", "year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Payment(models.Model):
    """Money taken at the desk for one or more charges of a reader, with its printed receipt's
    number (year and a sequence without gaps). Never deleted."""

    class Method(models.TextChoices):
        CASH = "cash", pgettext_lazy("payment method", "Cash")

    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(pgettext_lazy("calendar year", "year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    method = models.CharField(
        pgettext_lazy("payment method", "paid by"), max_length=10, choices=Method.choices, default=Method.CASH
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now, db_index=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+"
    )
    desk = models.CharField(_("desk"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-taken_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="payment_receipt_sequence"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.amount}"

    @property
    def method_in_sentence(self) -> str:
        """The method as it reads inside a sentence ("Paid in cash, …"): the choice's label is
        a column's word ("Cash"), and the English interface writes sentences in sentence case."""
        return {self.Method.CASH: pgettext("payment method, in a sentence", "cash")}.get(
            self.method, self.get_method_display()
        )


class Charge(models.Model):
    """Money a reader owes the library: a lost or damaged book's compensation or a late book's
    fine, with how it was computed. Owed until paid (with a receipt), waived or cancelled (each
    with who, when and, for the last two, why); never deleted."""

    class Kind(models.TextChoices):
        LOST = "lost", pgettext_lazy("charge", "Lost book")
        DAMAGED = "damaged", pgettext_lazy("charge", "Damaged book")
        LATE = "late", pgettext_lazy("charge", "Late fine")

    class State(models.TextChoices):
        OWED = "owed", pgettext_lazy("charge", "Owed")
        PAID = "paid", pgettext_lazy("charge", "Paid")
        WAIVED = "waived", pgettext_lazy("charge", "Waived")
        CANCELLED = "cancelled", pgettext_lazy("charge", "Cancelled")

    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="charges"
    )
    loan = models.ForeignKey(
        Loan, verbose_name=_("loan"), null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    copy = models.ForeignKey(
        "catalog.Copy",
        verbose_name=_("copy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    compensation = models.OneToOneField(
        Compensation,
        verbose_name=_("compensation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charge",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OWED)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    rule = models.CharField(_("computed as"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("charged at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("charged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charges",
    )
    closed_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["reader", "state"], name="charge_reader_state")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_amount_positive"),
            # Paid exactly when a payment (its receipt) says so.
            models.CheckConstraint(
                condition=Q(state="paid", payment__isnull=False)
                | (~Q(state="paid") & Q(payment__isnull=True)),
                name="charge_paid_with_payment",
            ),
            # A loan is charged once per kind (a second submit, two desks at once); a cancelled
            # charge does not count, so a wrong one can be cancelled and charged again.
            models.UniqueConstraint(
                fields=["loan", "kind"],
                condition=Q(loan__isnull=False) & ~Q(state="cancelled"),
                name="charge_one_per_loan_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} {self.kind} {self.amount} ({self.state})"

    @property
    def is_owed(self) -> bool:
        return self.state == self.State.OWED


# --- First passwords (issue 13): each new reader's own password, printed once on a slip -------


class PasswordSlipBatch(models.Model):
    """The first passwords of some readers (a roster's new readers, a class reprinted, one
    reader): made and hashed (in the worker when there are many), printed once as slips per
    class, and never shown again. The passwords themselves are never in the database: only their
    hashes on the accounts, and, until the slips are downloaded, the slips' PDF in a private
    folder under var/ (``circulation.services.first_passwords``)."""

    class Kind(models.TextChoices):
        ROSTER = "roster", _("new readers of a roster")
        CLASS = "class", _("a class reprinted")
        READER = "reader", _("one reader")

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("first passwords", "waiting")
        MAKING = "making", pgettext_lazy("first passwords", "being made")
        READY = "ready", pgettext_lazy("first passwords", "ready to print")
        PRINTED = "printed", pgettext_lazy("first passwords", "downloaded")
        REPLACED = "replaced", pgettext_lazy("first passwords", "replaced by newer slips")
        EXPIRED = "expired", pgettext_lazy("first passwords", "not downloaded in time")
        FAILED = "failed", pgettext_lazy("first passwords", "failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reader_ids = models.JSONField(_("readers"), default=list)
    total = models.PositiveIntegerField(_("readers"), default=0)
    done = models.PositiveIntegerField(_("passwords made"), default=0)
    token = models.CharField(_("folder"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    created_by = actor_field(_("asked by"))
    finished_at = models.DateTimeField(_("made at"), null=True, blank=True)
    printed_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("first password slips")
        verbose_name_plural = _("first password slips")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state}, {self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
