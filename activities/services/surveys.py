"""Questionnaires: making one (questions and audience), and answering it.

One response per person, even anonymously: the person's taking part is recorded as a keyed
hash (HMAC-SHA256 with the site's secret, salted per purpose) of the survey and the account,
unique per survey; the answers are stored apart with a random key and the day only (see
activities/models/surveys.py). A second response, a response outside the dates or from outside
the audience, or an answer that does not fit its question is refused and nothing is saved."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from circulation.models import Reader
from library_site.accounts.models import User

from ..exceptions import SurveyRefused
from ..models import Survey, SurveyAnswer, SurveyParticipation, SurveyQuestion, SurveyResponse

TEXT_ANSWER_MAX = 1000
Kind = SurveyQuestion.Kind


def participation_key(survey_id: int, user_id: int) -> str:
    """The keyed hash that stands for "this person took part in this survey"."""
    return salted_hmac(
        "activities.survey.participation", f"{survey_id}:{user_id}", algorithm="sha256"
    ).hexdigest()


def survey_in_audience(survey: Survey, reader: Reader | None) -> bool:
    if reader is None or reader.status != Reader.Status.ACTIVE:
        return False
    audience = survey.audience
    if audience == Survey.Audience.EVERYONE:
        return True
    if audience == Survey.Audience.TEACHERS:
        return reader.kind == Reader.Kind.TEACHER
    if reader.kind != Reader.Kind.STUDENT or reader.school_class_id is None:
        return False
    if audience == Survey.Audience.PUPILS:
        return reader.school_class.grade in survey.grade_list
    return survey.classes.filter(pk=reader.school_class_id).exists()


def survey_has_answered(survey: Survey, user: User) -> bool:
    return SurveyParticipation.objects.filter(
        survey=survey, key=participation_key(survey.pk, user.pk)
    ).exists()


@transaction.atomic
def survey_create(
    *,
    user: User,
    title: str,
    description: str = "",
    audience: str = Survey.Audience.EVERYONE,
    grades: str = "",
    classes=(),
    anonymous: bool = True,
    opens_at: datetime,
    closes_at: datetime,
    questions: list[dict],
) -> Survey:
    """``questions``: dicts of ``kind``, ``text``, ``choices`` (a list, for choice questions) and
    ``required``."""
    if not (title or "").strip():
        raise SurveyRefused(_("Give the questionnaire a title."))
    if closes_at <= opens_at:
        raise SurveyRefused(_("The questionnaire must close after it opens."))
    if not questions:
        raise SurveyRefused(_("Add at least one question."))
    survey = Survey.objects.create(
        title=title.strip(),
        description=description,
        audience=audience,
        grades=grades,
        anonymous=anonymous,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=user,
    )
    if classes:
        survey.classes.set(classes)
    for position, question in enumerate(questions, start=1):
        kind = question.get("kind")
        text = (question.get("text") or "").strip()
        choices = [str(item).strip() for item in question.get("choices") or [] if str(item).strip()]
        if kind not in Kind.values or not text:
            raise SurveyRefused(_("Question %(number)s needs a kind and a text.") % {"number": position})
        if kind in {Kind.SINGLE, Kind.MULTIPLE} and len(choices) < 2:
            raise SurveyRefused(_("Question %(number)s needs at least two choices.") % {"number": position})
        SurveyQuestion.objects.create(
            survey=survey,
            kind=kind,
            text=text,
            choices=choices if kind in {Kind.SINGLE, Kind.MULTIPLE} else [],
            required=bool(question.get("required", True)),
            position=position,
        )
    return survey


def _answer_for(question: SurveyQuestion, raw: list[str]) -> SurveyAnswer | None:
    """The answer to one question from the form's values, or None when left empty."""
    values = [value.strip() for value in raw if value and value.strip()]
    number = {"number": question.position, "question": question.text}
    if not values:
        if question.required:
            raise SurveyRefused(_("Answer question %(number)s: “%(question)s”.") % number)
        return None
    wrong = SurveyRefused(_("The answer to question %(number)s does not fit it.") % number)
    if question.kind == Kind.TEXT:
        text = values[0]
        if len(text) > TEXT_ANSWER_MAX:
            raise SurveyRefused(_("The answer to question %(number)s is too long.") % number)
        return SurveyAnswer(question=question, text=text)
    try:
        numbers = sorted({int(value) for value in values})
    except ValueError as error:
        raise wrong from error
    if question.kind == Kind.RATING:
        if len(numbers) != 1 or not 1 <= numbers[0] <= 5:
            raise wrong
        return SurveyAnswer(question=question, rating=numbers[0])
    if any(not 0 <= value < len(question.choices) for value in numbers):
        raise wrong
    if question.kind == Kind.SINGLE and len(numbers) != 1:
        raise wrong
    return SurveyAnswer(question=question, choices=numbers)


@transaction.atomic
def survey_respond(
    *, survey: Survey, user: User, reader: Reader | None, answers: dict[int, list[str]], now=None
) -> None:
    """Record one response: ``answers`` maps a question's id to the values sent for it."""
    now = now or timezone.now()
    if not survey_in_audience(survey, reader):
        raise SurveyRefused(_("This questionnaire is not for you."))
    if now < survey.opens_at:
        raise SurveyRefused(_("This questionnaire is not open yet."))
    if now >= survey.closes_at:
        raise SurveyRefused(_("This questionnaire has closed: answers are no longer taken."))
    prepared = [
        answer
        for question in survey.questions.all()
        if (answer := _answer_for(question, answers.get(question.pk, []))) is not None
    ]
    try:
        with transaction.atomic():
            SurveyParticipation.objects.create(survey=survey, key=participation_key(survey.pk, user.pk))
    except IntegrityError as error:
        raise SurveyRefused(_("You have answered this questionnaire already: one response each.")) from error
    response = SurveyResponse.objects.create(
        survey=survey, reader=None if survey.anonymous else reader, submitted_on=timezone.localdate(now)
    )
    for answer in prepared:
        answer.response = response
    SurveyAnswer.objects.bulk_create(prepared)
