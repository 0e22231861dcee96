"""Questionnaires as readers and the librarian see them: the open ones for a reader, and the
results (counts per choice, the ratings' spread and average, the free-text answers), computed in
three queries whatever the number of responses."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from circulation.models import Reader

from ..models import Survey, SurveyAnswer, SurveyParticipation, SurveyQuestion
from ..services.surveys import participation_key, survey_in_audience

Kind = SurveyQuestion.Kind


def surveys_open_for(reader: Reader | None, user, *, now=None) -> list[Survey]:
    """The questionnaires open now that are for this reader, each with ``answered``."""
    now = now or timezone.now()
    if reader is None:
        return []
    surveys = [
        survey
        for survey in Survey.objects.filter(opens_at__lte=now, closes_at__gt=now).prefetch_related("classes")
        if survey_in_audience(survey, reader)
    ]
    keys = {participation_key(survey.pk, user.pk): survey for survey in surveys}
    answered = set(SurveyParticipation.objects.filter(key__in=list(keys)).values_list("key", flat=True))
    for key, survey in keys.items():
        survey.answered = key in answered
    return surveys


def survey_results(survey: Survey) -> dict:
    questions = list(survey.questions.all())
    by_question: dict[int, list] = {question.pk: [] for question in questions}
    for question_id, choices, rating, text in SurveyAnswer.objects.filter(
        question__survey=survey
    ).values_list("question_id", "choices", "rating", "text"):
        by_question[question_id].append((choices, rating, text))
    responses = survey.responses.count()
    rows = []
    for question in questions:
        answers = by_question[question.pk]
        row = {"question": question, "answered": len(answers), "bars": [], "texts": [], "average": None}
        if question.kind in {Kind.SINGLE, Kind.MULTIPLE}:
            counts = Counter(index for choices, _rating, _text in answers for index in choices)
            labels = list(question.choices)
        elif question.kind == Kind.RATING:
            counts = Counter(rating for _choices, rating, _text in answers if rating)
            labels = [str(value) for value in range(1, 6)]
            counts = Counter({value - 1: counts.get(value, 0) for value in range(1, 6)})
            ratings = [rating for _choices, rating, _text in answers if rating]
            row["average"] = round(sum(ratings) / len(ratings), 2) if ratings else None
        else:
            counts, labels = Counter(), []
            row["texts"] = [text for _choices, _rating, text in answers if text]
        top = max(counts.values(), default=0) or 1
        row["bars"] = [
            {
                "label": label,
                "count": counts.get(index, 0),
                "share": round(100 * counts.get(index, 0) / len(answers), 1) if answers else 0,
                "width": round(100 * counts.get(index, 0) / top),
            }
            for index, label in enumerate(labels)
        ]
        row["chart"] = {"labels": labels, "values": [bar["count"] for bar in row["bars"]]}
        rows.append(row)
    return {"survey": survey, "responses": responses, "rows": rows}
