"""The question bank and the monthly knowledge quiz (知识竞赛).

A question has a theme, tags, a kind and its key. A quiz is built from the bank (fixed questions,
or drawn per pupil from themes), opens and closes at set times, and gives each attempt a time
limit kept by the server: ``Attempt.deadline`` is fixed when the attempt starts; an answer after
it is refused; an attempt whose time ran out is closed and graded at its deadline by the next
request or by the beat task (``close_overdue_attempts``). One attempt per pupil (a database
constraint), one answer per question of the attempt (another)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field

from .calendar import grades_parse


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        FILL = "fill", _("Fill in the blank")
        SHORT = "short", _("Short answer")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
    OBJECTIVE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUE_FALSE, Kind.FILL)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    theme = models.CharField(_("theme"), max_length=100)
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    text = models.TextField(_("question"))
    # Choices: the options' texts in order; the key is their indexes. True/false: the key is
    # [true] or [false]. Fill in the blank: the accepted answers. Short answer: a model answer
    # for the grader (never compared).
    options = models.JSONField(_("options"), default=list, blank=True)
    key = models.JSONField(_("answer key"), default=list, blank=True)
    points = models.DecimalField(
        pgettext_lazy("question", "points"), max_digits=5, decimal_places=1, default=5
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = actor_field(_("created by"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = actor_field(_("changed by"))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["theme", "pk"]
        indexes = [models.Index(fields=["theme", "is_active"], name="question_theme")]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_objective(self) -> bool:
        return self.kind in self.OBJECTIVE_KINDS


class Quiz(models.Model):
    class Mode(models.TextChoices):
        FIXED = "fixed", _("The same questions for everyone")
        RANDOM = "random", _("Drawn at random per pupil from themes")

    activity = models.OneToOneField(
        "activities.Activity", verbose_name=_("activity"), on_delete=models.PROTECT, related_name="quiz"
    )
    grades = models.CharField(_("grades"), max_length=40, default="3,4,5,6")
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    mode = models.CharField(_("questions"), max_length=6, choices=Mode.choices, default=Mode.FIXED)
    questions = models.ManyToManyField(Question, through="QuizQuestion", related_name="quizzes", blank=True)
    random_themes = models.CharField(_("themes to draw from"), max_length=300, blank=True)
    random_count = models.PositiveSmallIntegerField(
        _("questions drawn"), default=20, validators=[MaxValueValidator(200)]
    )
    shuffle_options = models.BooleanField(_("shuffle the options"), default=True)
    winners_published_at = models.DateTimeField(_("winners published at"), null=True, blank=True)
    winners_published_by = actor_field(_("winners published by"))

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="quiz_times_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.activity.title if self.activity_id else str(self.pk)

    @property
    def grade_list(self) -> list[int]:
        return grades_parse(self.grades)

    @property
    def theme_list(self) -> list[str]:
        text = self.random_themes.replace("，", ",").replace("、", ",")
        return [part.strip() for part in text.split(",") if part.strip()]


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question of a quiz")
        verbose_name_plural = _("questions of a quiz")
        ordering = ["quiz", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="quiz_question_once")]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.question_id}"


class MakeUp(models.Model):
    """A make-up time (补考) a teacher sets for absent pupils or a whole class: the quiz may be
    started between these times by them, even when it has closed for the others."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="make_ups")
    reader = models.ForeignKey(
        "circulation.Reader",
        verbose_name=_("pupil"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school_class = models.ForeignKey(
        "circulation.SchoolClass",
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    set_by = actor_field(_("set by"))

    class Meta:
        verbose_name = _("make-up time")
        verbose_name_plural = _("make-up times")
        ordering = ["opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reader__isnull=False) | Q(school_class__isnull=False), name="make_up_for_someone"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="make_up_times_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id} {self.opens_at:%Y-%m-%d %H:%M}"


class Attempt(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("attempt", "Under way")
        SUBMITTED = "submitted", pgettext_lazy("attempt", "Handed in")
        TIMED_OUT = "timed_out", pgettext_lazy("attempt", "Closed at the deadline")

    CLOSED = (State.SUBMITTED, State.TIMED_OUT)

    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="attempts")
    reader = models.ForeignKey(
        "circulation.Reader", verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The questions of this attempt in the order the pupil sees them, and each choice
    # question's options in the pupil's order: {"12": [2, 0, 1, 3]}.
    question_ids = models.JSONField(_("questions"), default=list)
    option_orders = models.JSONField(_("option orders"), default=dict)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1, null=True, blank=True)
    max_score = models.DecimalField(_("full marks"), max_digits=6, decimal_places=1, default=0)
    # Short answers still to be graded by a person.
    ungraded = models.PositiveSmallIntegerField(_("answers to grade"), default=0)
    on_paper = models.BooleanField(_("answered on paper"), default=False)
    entered_by = actor_field(_("entered by"))
    winner_rank = models.PositiveSmallIntegerField(_("winner's rank"), null=True, blank=True)
    chosen_by = actor_field(_("chosen by"))

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["quiz", "reader"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="attempt_state_deadline"),
        ]
        constraints = [models.UniqueConstraint(fields=["quiz", "reader"], name="attempt_one_per_pupil")]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.reader_id}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    def seconds_left(self, now=None) -> int:
        now = now or timezone.now()
        return max(0, int((self.deadline - now).total_seconds()))


class Answer(models.Model):
    """A pupil's answer to one question of their attempt, saved as it changes. Choices are kept
    as the options' indexes in the bank's order (the pupil's shuffled order is undone when it is
    saved), so that a regrade compares them with the key directly."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    response = models.JSONField(pgettext_lazy("quiz", "answer"), default=list, blank=True)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)
    saves = models.PositiveIntegerField(_("times saved"), default=1)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.CharField(pgettext_lazy("grading", "comment"), max_length=500, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    graded_by = actor_field(_("graded by"))

    class Meta:
        verbose_name = pgettext_lazy("quiz", "answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_one_per_question")
        ]
        indexes = [models.Index(fields=["question", "graded_at"], name="answer_question_graded")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"
