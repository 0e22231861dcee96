"""Reading activities: reading notes owed from loans (读书笔记), excerpt cards (文摘卡), their review
and the month's selection.

A note or a card is a pupil's piece of work (``PupilWork``): written as a draft on the pupil's
own pages, handed in, reviewed by the class's teachers or a librarian (graded, or returned for
revision), released to the pupil, and perhaps selected as one of the month's best. The states
and the moves between them are in ``activities/states.py``; the rule of how many notes a pupil
owes is ``NotesRule`` (read by ``activities/policies.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field

DEFAULT_GRADE_SCALE = "优,良,合格,需修改"


class ActivitiesSettings(models.Model):
    """The administrator's choices for reading activities that are not per reader group. One row."""

    grade_scale = models.CharField(
        _("grade scale"),
        max_length=200,
        default=DEFAULT_GRADE_SCALE,
        help_text=_("The grades a reviewer gives, best first, separated by commas, e.g. 优,良,合格,需修改."),
    )
    release_at_month_end = models.BooleanField(
        _("release grades at month end"),
        default=True,
        help_text=_(
            "Grades and comments not released by the reviewer are shown to the pupils from the first "
            "day of the next month."
        ),
    )
    winners_per_class = models.PositiveSmallIntegerField(
        _("winners per class and month"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    names_published = models.BooleanField(
        _("publish the winners' names"),
        default=False,
        help_text=_("Without it, the published results name the class only."),
    )
    wall_public = models.BooleanField(
        _("show the exhibition wall to everyone"),
        default=False,
        help_text=_("The selected notes and cards on a public page, without signing in."),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = actor_field(_("changed by"))

    class Meta:
        verbose_name = _("reading activities settings")
        verbose_name_plural = _("reading activities settings")

    def __str__(self) -> str:
        return str(_("Reading activities settings"))

    @classmethod
    def current(cls) -> ActivitiesSettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()

    @property
    def grades(self) -> list[str]:
        """The scale, best first: 优, 良, 合格, 需修改."""
        text = self.grade_scale.replace("，", ",").replace("、", ",")
        grades = [part.strip() for part in text.split(",") if part.strip()]
        return list(dict.fromkeys(grades)) or DEFAULT_GRADE_SCALE.split(",")


class NotesRule(models.Model):
    """How many loans call for one reading note (one for every two books by default), and how
    long a note's reflection must be, for a group of readers and a grade range, in one term or
    in every term. The most specific active rule applies: one for the term beats one for every
    term, a grade range beats none, and a narrower range beats a wider one."""

    class Group(models.TextChoices):
        STUDENT = "student", _("Students")
        TEACHER = "teacher", _("Teachers")
        STAFF = "staff", _("Staff")

    name = models.CharField(_("name"), max_length=100)
    reader_group = models.CharField(
        _("reader group"), max_length=10, choices=Group.choices, default=Group.STUDENT
    )
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
    term = models.ForeignKey(
        "circulation.Term",
        verbose_name=_("term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for every term."),
    )
    loans_per_note = models.PositiveSmallIntegerField(
        _("loans per note"),
        default=2,
        validators=[MaxValueValidator(50)],
        help_text=_("One reading note is owed for every this many books borrowed; 0 asks for none."),
    )
    min_reflection_chars = models.PositiveSmallIntegerField(
        _("shortest reflection (Chinese characters)"),
        default=100,
        validators=[MaxValueValidator(5000)],
    )
    is_active = models.BooleanField(_("in use"), default=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = actor_field(_("changed by"))

    class Meta:
        verbose_name = _("reading notes rule")
        verbose_name_plural = _("reading notes rules")
        ordering = ["reader_group", "grade_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_from__isnull=True)
                | Q(grade_to__isnull=True)
                | Q(grade_from__lte=models.F("grade_to")),
                name="notes_rule_grades_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.reader_group != self.Group.STUDENT and (self.grade_from or self.grade_to):
            errors["grade_from"] = _("Grades apply to students only.")
        if self.grade_from and self.grade_to and self.grade_from > self.grade_to:
            errors["grade_to"] = _("The last grade comes after the first.")
        if errors:
            raise ValidationError(errors)


class ClassReviewer(models.Model):
    """A teacher the administrator names to review a class's notes and cards, beside its head
    teacher (a Chinese teacher, a reading teacher)."""

    school_class = models.ForeignKey(
        "circulation.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="activity_reviewers",
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="activity_classes",
    )
    named_at = models.DateTimeField(_("named at"), default=timezone.now)
    named_by = actor_field(_("named by"))

    class Meta:
        verbose_name = _("class reviewer")
        verbose_name_plural = _("class reviewers")
        ordering = ["school_class", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "teacher"], name="class_reviewer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} ← {self.teacher_id}"


class PupilWork(models.Model):
    """What a reading note and an excerpt card share: whose it is, its book, its state, and its
    review (grade, comment, or the reason it was returned; released to the pupil or not yet)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Handed in")
        RETURNED = "returned", _("Returned for revision")
        RESUBMITTED = "resubmitted", _("Handed in again")
        REVIEWED = "reviewed", _("Reviewed")
        SELECTED = "selected", pgettext_lazy("reading note", "Selected")

    # A note in these states has been handed in and counts against the notes owed.
    HANDED_IN = (State.SUBMITTED, State.RESUBMITTED, State.REVIEWED, State.SELECTED)
    # What waits in a reviewer's queue.
    WAITING = (State.SUBMITTED, State.RESUBMITTED)
    # What the pupil may still change.
    EDITABLE = (State.DRAFT, State.RETURNED)

    reader = models.ForeignKey(
        "circulation.Reader", verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="%(class)ss"
    )
    record = models.ForeignKey(
        "catalog.Record",
        verbose_name=_("book"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    # Raised by every save of the text, so that an older tab cannot overwrite a newer draft.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    saved_at = models.DateTimeField(_("last saved at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    # The first day of the month whose selection the work takes part in.
    month = models.DateField(_("month"), null=True, blank=True)
    grade = models.CharField(pgettext_lazy("mark", "grade"), max_length=20, blank=True)
    comment = models.TextField(pgettext_lazy("grading", "comment"), blank=True)
    return_reason = models.CharField(_("reason for revision"), max_length=500, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = actor_field(_("reviewed by"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    nominated_at = models.DateTimeField(_("nominated at"), null=True, blank=True)
    nominated_by = actor_field(_("nominated by"))
    selected_at = models.DateTimeField(_("selected at"), null=True, blank=True)
    selected_by = actor_field(_("selected by"))
    # Set by the copy check when the text is nearly that of another pupil's work or of the
    # record's summary: what it resembles and how closely (0 to 1).
    similar_text = models.TextField(_("similar text"), blank=True)
    similar_source = models.CharField(_("similar to"), max_length=200, blank=True)
    similarity = models.FloatField(_("similarity"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE

    @property
    def is_returned(self) -> bool:
        return self.state == self.State.RETURNED


class ReadingNote(PupilWork):
    """A reading note (读书笔记): the book, a title, what the book is about and the pupil's
    reflection (读后感). Typed on the pupil's pages, or written on paper and recorded as received
    by a teacher (with a photo of the page, perhaps); both count the same."""

    class Medium(models.TextChoices):
        TYPED = "typed", _("Typed")
        PAPER = "paper", _("On paper")

    loan = models.ForeignKey(
        "circulation.Loan",
        verbose_name=_("loan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reading_notes",
    )
    medium = models.CharField(_("written"), max_length=10, choices=Medium.choices, default=Medium.TYPED)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200, blank=True)
    summary = models.TextField(_("what the book is about"), blank=True)
    reflection = models.TextField(_("reflection"), blank=True)
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("reading note")
        verbose_name_plural = _("reading notes")
        ordering = ["-saved_at", "-pk"]
        indexes = [
            models.Index(fields=["reader", "state"], name="note_reader_state"),
            models.Index(fields=["state", "submitted_at"], name="note_state_submitted"),
            models.Index(fields=["month", "state"], name="note_month_state"),
        ]
        constraints = [
            # One note per loan: a second draft, a double click or a paper note recorded twice
            # for the same book is refused by the database as well as by the services.
            models.UniqueConstraint(
                fields=["loan"], condition=Q(loan__isnull=False), name="reading_note_one_per_loan"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.reader_id}/{self.pk}"


class NotePhoto(models.Model):
    """The photo of a paper note's page, resized and stripped of its metadata (kept in the
    database: it is small, and it is backed up with the note)."""

    note = models.OneToOneField(ReadingNote, on_delete=models.CASCADE, related_name="photo")
    image = models.BinaryField(_("image"))
    content_type = models.CharField(_("type"), max_length=30, default="image/jpeg")
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("photo of a paper note")
        verbose_name_plural = _("photos of paper notes")

    def __str__(self) -> str:
        return f"{self.note_id} {self.width}×{self.height}"


class ExcerptCard(PupilWork):
    """An excerpt card (文摘卡): a fine passage (优美句段) from a book, its page, and the pupil's
    thoughts. Written in the reading room during the class's session (tied to it) or at home."""

    page = models.CharField(_("page"), max_length=20, blank=True)
    passage = models.TextField(_("passage"), blank=True)
    thoughts = models.TextField(_("thoughts"), blank=True)
    session = models.ForeignKey(
        "circulation.ClassSession",
        verbose_name=_("reading-room session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="excerpt_cards",
    )

    class Meta:
        verbose_name = _("excerpt card")
        verbose_name_plural = _("excerpt cards")
        ordering = ["-saved_at", "-pk"]
        indexes = [
            models.Index(fields=["reader", "state"], name="card_reader_state"),
            models.Index(fields=["month", "state"], name="card_month_state"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id}/{self.pk}"


class MonthSelection(models.Model):
    """The month's selection (评选): when the librarian published its results (公示). A note
    handed in after that counts for the next month."""

    month = models.DateField(_("month"), unique=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = actor_field(_("published by"))

    class Meta:
        verbose_name = _("month's selection")
        verbose_name_plural = _("months' selections")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class WorkFingerprint(models.Model):
    """One band of the MinHash signature of a pupil's text (a note's reflection, a card's
    thoughts), for finding nearly identical texts among many with one indexed query. Written by
    ``activities.services.similarity``; never edited."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Reading note")
        CARD = "card", _("Excerpt card")

    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    work_id = models.PositiveIntegerField(_("work"))
    reader_id = models.PositiveIntegerField(_("pupil"))
    band = models.BigIntegerField(_("band"))

    class Meta:
        verbose_name = _("text fingerprint")
        verbose_name_plural = _("text fingerprints")
        indexes = [
            models.Index(fields=["band"], name="fingerprint_band"),
            models.Index(fields=["kind", "work_id"], name="fingerprint_work"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.work_id}"
