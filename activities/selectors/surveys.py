"""Questionnaires as readers and the librarian see them: the open ones for a reader, and the
results (counts per choice, the ratings' spread and average, the free-text answers a page at a
time), counted by the database in a few queries whatever the number of responses."""

from __future__ import annotations

from collections import Counter

from django.core.paginator import Paginator
from django.db.models import Count
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


TEXTS_PER_PAGE = 50


def survey_results(survey: Survey, *, texts_page=1, texts_per_page: int | None = TEXTS_PER_PAGE) -> dict:
    """The results, counted in the database: one GROUP BY over the answers per question and set of
    choices (or rating), so the rows read are a few per question whatever the number of responses,
    and the free-text answers a page at a time (``texts_per_page`` None: all of them, for the
    export), in the order of the responses' random keys."""
    questions = list(survey.questions.all())
    groups: dict[int, list] = {question.pk: [] for question in questions}
    for question_id, choices, rating, answers in (
        SurveyAnswer.objects.filter(question__survey=survey)
        .order_by()
        .values("question_id", "choices", "rating")
        .annotate(answers=Count("pk"))
        .values_list("question_id", "choices", "rating", "answers")
    ):
        groups[question_id].append((choices or [], rating, answers))
    responses = survey.responses.count()
    rows = []
    for question in questions:
        answered = sum(answers for _choices, _rating, answers in groups[question.pk])
        row = {"question": question, "answered": answered, "bars": [], "texts": [], "average": None}
        counts: Counter = Counter()
        if question.kind in {Kind.SINGLE, Kind.MULTIPLE}:
            for choices, _rating, answers in groups[question.pk]:
                for index in choices:
                    counts[index] += answers
            labels = list(question.choices)
        elif question.kind == Kind.RATING:
            rated = [(rating, answers) for _choices, rating, answers in groups[question.pk] if rating]
            for rating, answers in rated:
                counts[rating - 1] += answers
            labels = [str(value) for value in range(1, 6)]
            total = sum(answers for _rating, answers in rated)
            row["average"] = (
                round(sum(rating * answers for rating, answers in rated) / total, 2) if total else None
            )
        else:
            labels = []
            texts = (
                SurveyAnswer.objects.filter(question=question)
                .exclude(text="")
                .order_by("response_id", "pk")
                .values_list("text", flat=True)
            )
            if texts_per_page is None:
                row["texts"] = list(texts)
            else:
                page = Paginator(texts, texts_per_page).get_page(texts_page)
                row["texts"], row["texts_page"] = list(page.object_list), page
        top = max(counts.values(), default=0) or 1
        row["bars"] = [
            {
                "label": label,
                "count": counts.get(index, 0),
                "share": round(100 * counts.get(index, 0) / answered, 1) if answered else 0,
                "width": round(100 * counts.get(index, 0) / top),
            }
            for index, label in enumerate(labels)
        ]
        row["chart"] = {"labels": labels, "values": [bar["count"] for bar in row["bars"]]}
        rows.append(row)
    return {"survey": survey, "responses": responses, "rows": rows}
