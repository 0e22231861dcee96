"""Questionnaires: a reader answers the open ones that are for them; the librarian makes them,
reads the results (charts with tables) and exports them to .xlsx."""

from __future__ import annotations

import io
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability

from ..exceptions import ActivitiesError
from ..exports import survey_results_write
from ..models import Survey, SurveyQuestion
from ..selectors.notes import reader_of_user
from ..selectors.surveys import survey_results, surveys_open_for
from ..services.surveys import survey_create, survey_has_answered, survey_in_audience, survey_respond

KIND_WORDS = {
    "single": SurveyQuestion.Kind.SINGLE, "单选": SurveyQuestion.Kind.SINGLE,
    "multiple": SurveyQuestion.Kind.MULTIPLE, "多选": SurveyQuestion.Kind.MULTIPLE,
    "rating": SurveyQuestion.Kind.RATING, "评分": SurveyQuestion.Kind.RATING,
    "text": SurveyQuestion.Kind.TEXT, "文字": SurveyQuestion.Kind.TEXT,
}  # fmt: skip


class SurveyForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("heading", "Title"), max_length=200)
    description = forms.CharField(
        label=pgettext_lazy("heading", "Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    audience = forms.ChoiceField(label=gettext_lazy("Audience"), choices=Survey.Audience.choices)
    grades = forms.CharField(
        label=gettext_lazy("Grades"),
        required=False,
        help_text=gettext_lazy("For pupils of some grades: for example 3,4,5."),
    )
    anonymous = forms.BooleanField(label=gettext_lazy("Anonymous"), required=False, initial=True)
    opens_at = forms.DateTimeField(
        label=pgettext_lazy("questionnaire", "Opens at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=pgettext_lazy("questionnaire", "Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    questions = forms.CharField(
        label=gettext_lazy("Questions"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "One question a line: kind | question | choices separated by semicolons. Kinds: single, "
            "multiple, rating, text (or 单选, 多选, 评分, 文字)."
        ),
    )

    def clean_questions(self) -> list[dict]:
        parsed = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.replace("｜", "|").split("|")]
            kind = KIND_WORDS.get(parts[0].lower())
            if kind is None or len(parts) < 2:
                raise forms.ValidationError(
                    _("Line %(number)s: begin with a kind, then | and the question.") % {"number": number}
                )
            choices = parts[2].replace("；", ";").split(";") if len(parts) > 2 else []
            parsed.append(
                {
                    "kind": kind,
                    "text": parts[1],
                    "choices": choices,
                    "required": kind != SurveyQuestion.Kind.TEXT,
                }
            )
        return parsed


@login_required
def my_surveys(request):
    reader = reader_of_user(request.user)
    return render(
        request, "activities/promotion/surveys_mine.html", {"surveys": surveys_open_for(reader, request.user)}
    )


@login_required
def survey_answer(request, survey_id: int):
    survey = get_object_or_404(Survey.objects.prefetch_related("questions", "classes"), pk=survey_id)
    reader = reader_of_user(request.user)
    if not survey_in_audience(survey, reader):
        raise Http404
    error = None
    if request.method == "POST":
        answers = {
            question.pk: request.POST.getlist(f"q{question.pk}") for question in survey.questions.all()
        }
        try:
            survey_respond(survey=survey, user=request.user, reader=reader, answers=answers)
        except ActivitiesError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("Thank you: your answers are in."))
            return redirect("activities:surveys-mine")
    now = timezone.now()
    return render(
        request,
        "activities/promotion/survey_answer.html",
        {
            "survey": survey,
            "error": error,
            "answered": survey_has_answered(survey, request.user),
            "is_open": survey.opens_at <= now < survey.closes_at,
            "sent": request.POST if error else {},
        },
    )


@capability_required(Capability.MANAGE_ACTIVITIES)
def surveys_manage(request):
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = survey_create(user=request.user, **data)
        except ActivitiesError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The questionnaire is saved."))
            return redirect("activities:survey-results", survey.pk)
    surveys = Survey.objects.order_by("-opens_at", "-pk")[:100]
    return render(request, "activities/promotion/surveys_manage.html", {"form": form, "surveys": surveys})


@capability_required(Capability.MANAGE_ACTIVITIES)
def survey_results_view(request, survey_id: int):
    survey = get_object_or_404(Survey, pk=survey_id)
    results = survey_results(survey, texts_page=request.GET.get("page") or 1)
    charts = {f"q{row['question'].pk}": row["chart"] for row in results["rows"] if row["bars"]}
    return render(request, "activities/promotion/survey_results.html", {**results, "charts": charts})


@capability_required(Capability.MANAGE_ACTIVITIES)
def survey_export(request, survey_id: int):
    survey = get_object_or_404(Survey, pk=survey_id)
    buffer = io.BytesIO()
    survey_results_write(buffer, survey=survey)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{survey.pk}-{datetime.now():%Y%m%d}.xlsx"'
    )
    return response
