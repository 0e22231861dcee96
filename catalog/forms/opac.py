"""The OPAC's search form: the words, the filters and the sort, read into SearchFilters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Location, Record
from catalog.selectors.opac import SORTS, SearchFilters


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    clc = forms.CharField(
        label=pgettext_lazy("library classification", "Class"), max_length=20, required=False
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.filter(is_active=True),
        required=False,
        empty_label=_("All locations"),
    )
    available = forms.BooleanField(label=_("Available now"), required=False)
    year_from = forms.IntegerField(label=_("Year from"), min_value=1000, max_value=2100, required=False)
    year_to = forms.IntegerField(label=_("Year to"), min_value=1000, max_value=2100, required=False)
    material_type = forms.ChoiceField(
        label=_("Material"),
        choices=[("", _("All materials")), *Record.MaterialType.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            ("relevance", _("Relevance")),
            ("title", _("Title (pinyin)")),
            ("year", _("Year, newest first")),
            ("new", _("Newly catalogued")),
        ],
        required=False,
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def filters(self) -> SearchFilters:
        """The valid parts of the request: a wrong field is dropped (and shown), never a 500."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else self._valid_parts()
        return SearchFilters(
            query=data.get("q") or "",
            clc=(data.get("clc") or "").strip().upper(),
            location=data["location"].pk if data.get("location") else None,
            available=bool(data.get("available")),
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            material_type=data.get("material_type") or "",
            sort=data.get("sort") if data.get("sort") in SORTS else "relevance",
            page=data.get("page") or 1,
        )

    def _valid_parts(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
