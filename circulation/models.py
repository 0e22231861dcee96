from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from library_site.school import class_name, grade_name

from .querysets import LibraryCardQuerySet, ReaderQuerySet


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
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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


class RosterChange(models.Model):
    """Who imported a roster or promoted the grades, when, and what it changed (the figures of
    the preview that was confirmed)."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Roster import")
        PROMOTION = "promotion", _("Promotion to the next grade")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    summary = models.JSONField(_("summary"), default=dict)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), default=timezone.now)

    class Meta:
        verbose_name = _("roster change")
        verbose_name_plural = _("roster changes")
        ordering = ["-done_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.done_at:%Y-%m-%d %H:%M}"


def reading_rooms():
    """The catalogue's locations that are reading rooms (circulation builds on catalog)."""
    from catalog.models import Location

    return Location.objects.filter(kind=Location.Kind.READING_ROOM)


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
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

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
    """A class's period in a reading room (阅览编排), booked in the room's timetable."""

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
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)

    class Meta:
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        ordering = ["date", "period", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "date", "period"], name="class_session_one_per_room_period"
            ),
            models.UniqueConstraint(
                fields=["school_class", "date", "period"], name="class_session_one_room_per_class_period"
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
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reading-room visit")
        verbose_name_plural = _("reading-room visits")
        ordering = ["-entered_at"]
        indexes = [models.Index(fields=["room", "entered_at"], name="visit_room_entered")]

    def __str__(self) -> str:
        return f"{self.reader_id} {self.room} {self.entered_at:%Y-%m-%d %H:%M}"
