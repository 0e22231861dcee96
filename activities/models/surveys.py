"""Questionnaires (问卷调查): questions of four kinds, an audience, named or anonymous, open and
close dates, and the responses.

One response per person, even when anonymous, without keeping who answered what: a person's
taking part is a ``SurveyParticipation`` row holding only a keyed hash (HMAC with the site's
secret) of the survey and the person, unique per survey; the answers are a ``SurveyResponse``
with a random key, the day only, and no link to the participation or to the person. A named
survey's response also names its reader."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field


class Survey(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        PUPILS = "pupils", _("Pupils of some grades")
        CLASSES = "classes", _("Some classes")
        TEACHERS = "teachers", _("Teachers")

    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    grades = models.CharField(
        _("grades"), max_length=50, blank=True, help_text=_("For pupils of some grades: for example 3,4,5.")
    )
    classes = models.ManyToManyField(
        "circulation.SchoolClass", verbose_name=_("classes"), blank=True, related_name="+"
    )
    anonymous = models.BooleanField(_("anonymous"), default=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = actor_field(_("made by"))

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_open"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def grade_list(self) -> list[int]:
        return [int(item) for item in self.grades.replace("，", ",").split(",") if item.strip().isdigit()]


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        RATING = "rating", _("Rating scale 1–5")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyParticipation(models.Model):
    """That someone took part: a keyed hash of the survey and the person, never the person."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="survey_participation_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}"


class SurveyResponse(models.Model):
    """A response's answers. Its key is random and it keeps only the day it came in, so that its
    order cannot be matched to the participations'."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Named surveys only; always empty for an anonymous one.
    reader = models.ForeignKey(
        "circulation.Reader", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField(_("day"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["survey"], name="survey_response_survey")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.submitted_on}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    # The choices' numbers (single and multiple choice), the rating, or the text.
    choices = models.JSONField(default=list, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = pgettext_lazy("questionnaire", "answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question"], name="survey_answer_question")]

    def __str__(self) -> str:
        return f"{self.question_id}"
