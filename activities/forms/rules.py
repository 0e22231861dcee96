"""The administrator's forms: a notes rule, the activities' settings, a class's reviewer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from circulation.models import SchoolClass
from library_site.accounts.models import User
from library_site.accounts.roles import Role

from ..models import ActivitiesSettings, NotesRule


class NotesRuleForm(forms.ModelForm):
    class Meta:
        model = NotesRule
        fields = [
            "name",
            "reader_group",
            "grade_from",
            "grade_to",
            "term",
            "loans_per_note",
            "min_reflection_chars",
            "is_active",
        ]


class ActivitiesSettingsForm(forms.ModelForm):
    class Meta:
        model = ActivitiesSettings
        fields = [
            "grade_scale",
            "release_at_month_end",
            "winners_per_class",
            "names_published",
            "wall_public",
        ]

    def clean_grade_scale(self):
        value = self.cleaned_data["grade_scale"]
        grades = [
            part.strip() for part in value.replace("，", ",").replace("、", ",").split(",") if part.strip()
        ]
        if len(grades) < 2:
            raise forms.ValidationError(_("Give at least two grades, separated by commas."))
        if len(grades) > 9:
            raise forms.ValidationError(_("Give at most nine grades (the keys 1 to 9 choose them)."))
        if any(len(grade) > 20 for grade in grades):
            raise forms.ValidationError(_("A grade is at most 20 characters long."))
        return ",".join(dict.fromkeys(grades))


class ClassReviewerForm(forms.Form):
    school_class = forms.ModelChoiceField(
        label=pgettext_lazy("school class", "Class"),
        queryset=SchoolClass.objects.filter(is_active=True).order_by("grade", "number"),
    )
    teacher = forms.ModelChoiceField(
        label=_("Teacher"),
        queryset=User.objects.filter(groups__name=Role.TEACHER.value, is_active=True).order_by(
            "full_name", "username"
        ),
    )
