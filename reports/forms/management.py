"""Forms of the library's management: plans and targets, compliance settings, equipment, safety,
staff and the term summary. They check the shape of what is typed; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.roles import STAFF_ROLES
from library_site.system.templatetags.punctuation import colon
from library_site.widgets import DayInput

from ..measures import measure_choices
from ..models import (
    ComplianceSettings,
    EquipmentCheck,
    EquipmentItem,
    EvaluationCriterion,
    PlanTarget,
    StaffMember,
    StaffPaper,
    WorkPlan,
)
from ..policies import CLC_GROUPS, SAFETY_CHECKLIST, STANDARD_FIGURES
from ..services.summary import SUMMARY_MAX_LENGTH


def _rooms():
    from catalog.models import Location

    return (
        Location.objects.filter(is_active=True)
        .exclude(kind=Location.Kind.CLASS_CORNER)
        .order_by("position", "name")
    )


class WorkPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of plan"), choices=WorkPlan.Kind.choices)
    school_year = forms.IntegerField(label=_("School year"), min_value=2000, max_value=2100)
    term = forms.ModelChoiceField(label=pgettext_lazy("school term", "Term"), queryset=None, required=False)
    title = forms.CharField(label=pgettext_lazy("heading", "Title"), max_length=200)
    aims = forms.CharField(label=_("Aims"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from circulation.models import Term

        self.fields["term"].queryset = Term.objects.order_by("-starts_on")
        if editing:
            for name in ("kind", "school_year", "term"):
                del self.fields[name]


class PlanTargetForm(forms.Form):
    name = forms.CharField(label=_("Target"), max_length=200)
    # Not required here: the service refuses a target without a measure, with its own message.
    measure = forms.ChoiceField(label=_("Measured by"), choices=(), required=False)
    comparison = forms.ChoiceField(label=_("Comparison"), choices=PlanTarget.Comparison.choices)
    threshold = forms.CharField(label=_("Figure to reach"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "—"), *measure_choices()]


class PlanDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ComplianceSettingsForm(forms.Form):
    """The school's type, a standard per type and figure (blank: not set), the proportion table."""

    school_type = forms.ChoiceField(label=_("Type of school"), choices=ComplianceSettings.SchoolType.choices)
    clc_tolerance = forms.DecimalField(
        label=_("Tolerance of a CLC share (percentage points)"), min_value=0, max_value=50
    )

    def __init__(self, *args, settings: ComplianceSettings, **kwargs):
        from ..selectors.compliance import clc_shares, standards_for

        super().__init__(*args, **kwargs)
        self.initial.setdefault("school_type", settings.school_type)
        self.initial.setdefault("clc_tolerance", settings.clc_tolerance)
        for kind, kind_label in ComplianceSettings.SchoolType.choices:
            figures = standards_for(settings, kind)
            for name, label in STANDARD_FIGURES:
                field_name = f"standard_{kind}_{name}"
                self.fields[field_name] = forms.CharField(
                    label=f"{kind_label}{colon()}{label}", required=False, max_length=12
                )
                self.initial.setdefault(field_name, figures.get(name, ""))
        for code, _letters, label in CLC_GROUPS:
            field_name = f"share_{code}"
            self.fields[field_name] = forms.CharField(
                label=f"{code} {label} (%)", max_length=8, required=False
            )
        shares = clc_shares(settings)
        for code, _letters, _label in CLC_GROUPS:
            self.initial.setdefault(f"share_{code}", f"{shares[code]:g}")

    def standards(self) -> dict:
        return {
            kind: {
                name: self.cleaned_data.get(f"standard_{kind}_{name}", "")
                for name, _label in STANDARD_FIGURES
            }
            for kind in ComplianceSettings.SchoolType.values
        }

    def shares(self) -> dict:
        return {code: self.cleaned_data.get(f"share_{code}", "") for code, _letters, _label in CLC_GROUPS}


class EquipmentItemForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=EquipmentItem.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10000, initial=1)
    asset_number = forms.CharField(label=_("Asset number"), max_length=60, required=False)
    added_on = forms.DateField(label=_("In service since"), widget=DayInput, initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = _rooms()


class EquipmentCheckForm(forms.Form):
    checked_on = forms.DateField(label=_("Checked on"), widget=DayInput, initial=timezone.localdate)
    condition = forms.ChoiceField(label=_("Condition"), choices=EquipmentCheck.Condition.choices)
    notes = forms.CharField(label=_("What was found"), max_length=500, required=False)


class EquipmentRetireForm(forms.Form):
    retired_on = forms.DateField(label=_("Retired on"), widget=DayInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SafetyInspectionForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=None)
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DayInput, initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = _rooms()
        for index, point in enumerate(SAFETY_CHECKLIST):
            self.fields[f"point_{index}"] = forms.BooleanField(label=point, required=False)

    def checklist(self) -> list[dict]:
        return [
            {"point": str(point), "ok": bool(self.cleaned_data.get(f"point_{index}"))}
            for index, point in enumerate(SAFETY_CHECKLIST)
        ]


class SafetyIncidentForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=None, required=False)
    occurred_on = forms.DateField(label=_("Happened on"), widget=DayInput, initial=timezone.localdate)
    what = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("Measures taken"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = _rooms()


class StaffMemberForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Account"), queryset=None)
    post = forms.CharField(label=_("Post"), max_length=100)
    duties = forms.CharField(label=_("Job duties"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    joined_on = forms.DateField(
        label=pgettext_lazy("staff", "Joined on"), widget=DayInput, initial=timezone.localdate
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["account"]
        else:
            self.fields["account"].queryset = (
                get_user_model()
                .objects.filter(
                    groups__name__in=[role.value for role in STAFF_ROLES],
                    is_active=True,
                    library_staff__isnull=True,
                )
                .distinct()
                .order_by("full_name", "username")
            )


class TargetAssignmentForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Target"), queryset=None)
    task = forms.CharField(label=_("Their part"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = PlanTarget.objects.filter(
            plan__status__in=[WorkPlan.Status.DRAFT, WorkPlan.Status.RETURNED]
        ).select_related("plan")


class StudySessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DayInput)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attended"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = StaffMember.objects.filter(left_on__isnull=True).select_related(
            "user"
        )


class TrainingForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=None)
    held_on = forms.DateField(label=_("Held on"), widget=DayInput, initial=timezone.localdate)
    topic = forms.CharField(label=_("Topic"), max_length=200, initial=_("The library system for new staff"))
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=500, decimal_places=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = StaffMember.objects.select_related("user")


class StaffPaperForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=StaffPaper.Kind.choices)
    title = forms.CharField(label=pgettext_lazy("paper", "Title"), max_length=300)
    written_on = forms.DateField(label=_("Date"), widget=DayInput, initial=timezone.localdate)
    published_in = forms.CharField(label=_("Where published"), max_length=200, required=False)
    file = forms.FileField(label=_("File (PDF or Word)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = StaffMember.objects.select_related("user")


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=200)
    max_points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100)
    evidence = forms.ChoiceField(label=_("Evidence shown"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        from ..selectors.management import evidence_choices

        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = evidence_choices()


class EvaluationForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria: list[EvaluationCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} (0–{criterion.max_points})",
                min_value=0,
                max_value=criterion.max_points,
            )

    def points(self) -> dict[int, int]:
        return {
            int(name.removeprefix("criterion_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("criterion_") and value is not None
        }


class TermSummaryTextForm(forms.Form):
    text = forms.CharField(
        label=_("The librarian's summary"),
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
