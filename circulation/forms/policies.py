"""Forms of the administrator's pages for loan policies, the lending settings and the
library calendar."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from library_site.widgets import DayInput

from ..models import CirculationSettings, ClosedPeriod, LoanPolicy, Term

WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class LoanPolicyForm(forms.ModelForm):
    class Meta:
        model = LoanPolicy
        fields = [
            "name",
            "reader_group",
            "grade_from",
            "grade_to",
            "material_type",
            "loan_days",
            "max_loans",
            "renewals",
            "renewal_days",
            "holds_allowed",
            "reference_only",
            "borrow_over_vacation",
            "block_on_overdue",
            "block_on_owed_notes",
            "block_on_money_owed",
            "is_active",
        ]


class CirculationSettingsForm(forms.ModelForm):
    closed_weekdays = forms.MultipleChoiceField(
        label=_("Closed weekdays"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CirculationSettings
        fields = [
            "closed_weekdays",
            "suspension_days_per_late_day",
            "fines_enabled",
            "fine_per_day",
            "lost_multiplier",
            "damage_percent",
            "fine_max",
            "hold_pickup_days",
            "card_grades",
            "graduating_grades",
            "anonymise_after_years",
            "reminder_days_before",
            "overdue_notice_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["closed_weekdays"] = list(self.instance.closed_weekdays)
        # Left empty (or missing from an older form), the period stays as it was.
        self.fields["anonymise_after_years"].required = False
        self.fields["reminder_days_before"].required = False
        self.fields["damage_percent"].required = False
        self.fields["fine_max"].required = False

    def clean_damage_percent(self):
        value = self.cleaned_data["damage_percent"]
        return self.instance.damage_percent if value is None else value

    def clean_fine_max(self):
        value = self.cleaned_data["fine_max"]
        return self.instance.fine_max if value is None else value

    def clean_reminder_days_before(self):
        value = self.cleaned_data["reminder_days_before"]
        return self.instance.reminder_days_before if value is None else value

    def clean_anonymise_after_years(self):
        value = self.cleaned_data["anonymise_after_years"]
        return self.instance.anonymise_after_years if value is None else value

    def clean_card_grades(self):
        if "card_grades" not in self.data:  # an older form: the grades stay as they were
            return self.instance.card_grades
        text = self.cleaned_data["card_grades"].replace("，", ",").replace("、", ",")
        parts = [part.strip() for part in text.split(",") if part.strip()]
        # 3-6 stands for 3,4,5,6.
        grades: set[int] = set()
        for part in parts:
            low, _dash, high = part.replace("–", "-").partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                raise forms.ValidationError(
                    _("Give grades from 1 to 12 separated by commas, e.g. 3,4,5,6 or 3-6.")
                )
            grades.update(range(int(low), int(high or low) + 1))
        if not all(1 <= grade <= 12 for grade in grades):
            raise forms.ValidationError(
                _("Give grades from 1 to 12 separated by commas, e.g. 3,4,5,6 or 3-6.")
            )
        return ",".join(str(grade) for grade in sorted(grades))

    def clean_overdue_notice_days(self):
        if "overdue_notice_days" not in self.data:  # an older form: the stages stay as they were
            return self.instance.overdue_notice_days
        parts = [
            part.strip()
            for part in self.cleaned_data["overdue_notice_days"].replace("，", ",").split(",")
            if part.strip()
        ]
        if not all(part.isdigit() and 1 <= int(part) <= 365 for part in parts):
            raise forms.ValidationError(
                _("Give days overdue from 1 to 365 separated by commas, e.g. 1,7,21.")
            )
        return ",".join(str(day) for day in sorted({int(part) for part in parts}))

    def clean_closed_weekdays(self):
        return "".join(sorted(self.cleaned_data["closed_weekdays"]))

    def clean_graduating_grades(self):
        parts = [
            part.strip()
            for part in self.cleaned_data["graduating_grades"].replace("，", ",").split(",")
            if part.strip()
        ]
        if not all(part.isdigit() and 1 <= int(part) <= 12 for part in parts):
            raise forms.ValidationError(_("Give grades from 1 to 12 separated by commas, e.g. 6,9,12."))
        return ",".join(str(int(part)) for part in parts)


class ClosedPeriodForm(forms.ModelForm):
    class Meta:
        model = ClosedPeriod
        fields = ["name", "kind", "starts_on", "ends_on"]
        widgets = {"starts_on": DayInput(), "ends_on": DayInput()}


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "starts_on", "ends_on", "hard_due_on", "exams_on", "freeze_days_before_exams"]
        widgets = {
            "starts_on": DayInput(),
            "ends_on": DayInput(),
            "hard_due_on": DayInput(),
            "exams_on": DayInput(),
        }
