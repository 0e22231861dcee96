"""The quiz's forms: a quiz built from the bank, the bank's import, a make-up time."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from circulation.models import SchoolClass

from ..models import Activity, Question, Quiz


class QuizForm(forms.ModelForm):
    questions = forms.ModelMultipleChoiceField(
        label=_("Questions (for the same questions for everyone)"), queryset=Question.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )  # fmt: skip

    class Meta:
        model = Quiz
        fields = [
            "activity",
            "grades",
            "opens_at",
            "closes_at",
            "minutes",
            "mode",
            "random_themes",
            "random_count",
            "shuffle_options",
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(kind=Activity.Kind.QUIZ, quiz__isnull=True)
        self.fields["questions"].queryset = Question.objects.filter(is_active=True).order_by("theme", "pk")


class BankImportForm(forms.Form):
    file = forms.FileField(label=_("Question bank (.xlsx)"))


class MakeUpForm(forms.Form):
    school_class = forms.ModelChoiceField(
        label=pgettext_lazy("school class", "Class"), queryset=SchoolClass.objects.none(), required=False
    )
    reader_number = forms.CharField(label=_("or the pupil's number"), max_length=32, required=False)
    opens_at = forms.DateTimeField(
        label=_("opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes if classes is not None else SchoolClass.objects.none()
