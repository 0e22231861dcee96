from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.selectors.opac import SORTS, SearchFilters
from library_site.widgets import DayInput

from .models import Location, PurchasePlan, Record


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    clc = forms.CharField(label=_("Class"), max_length=20, required=False)
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


def _isbn_field_clean(value: str) -> str:
    """An ISBN field: blank, or stored as ISBN-13; a wrong one refused with the reason."""
    from .exceptions import InvalidISBN
    from .isbn import isbn_normalise

    if not value:
        return ""
    try:
        return isbn_normalise(value)
    except InvalidISBN as error:
        raise forms.ValidationError(error.message, code="isbn") from error


def _clc_field_clean(value: str) -> str:
    """A CLC class number field: normalised, and refused when the classification lacks it."""
    from catalog.services.records import clc_normalise, clc_resolve

    from .exceptions import UnknownClass

    value = clc_normalise(value)
    try:
        clc_resolve(value)
    except UnknownClass as error:
        raise forms.ValidationError(error.message, code="clc") from error
    return value


class RecordForm(forms.ModelForm):
    """A record as the librarian types it. Contributors are one per line: a name, and after a
    space the role (著, 编, 主编, 译, 绘, 改编); 著 when none is given."""

    contributors = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "曹文轩 著\n任溶溶 译"}),
        help_text=_("One per line: the name, then 著, 编, 主编, 译, 绘 or 改编."),
    )
    link = forms.URLField(
        label=_("link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For e-resources: where to read it."),
    )
    author_number = forms.CharField(
        label=_("Author number"),
        max_length=20,
        required=False,
        help_text=_("Only when the library builds call numbers from author numbers (著者号, four-corner)."),
    )

    class Meta:
        model = Record
        fields = [
            "isbn",
            "title",
            "subtitle",
            "contributors",
            "publisher",
            "place",
            "year",
            "edition",
            "price",
            "pages",
            "size",
            "series",
            "subjects",
            "clc_code",
            "author_number",
            "call_number",
            "material_type",
            "language",
            "link",
            "reading_level_from",
            "reading_level_to",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    ROLE_WORDS = {
        "著": "author",
        "编": "editor",
        "编著": "editor",
        "主编": "chief_editor",
        "译": "translator",
        "绘": "illustrator",
        "图": "illustrator",
        "改编": "adapter",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["contributors"] = "\n".join(
                f"{item.name} {item.get_role_display()}" for item in self.instance.contributors.all()
            )
        self.fields["call_number"].help_text = _("Leave empty to have it made from the class number.")

    def clean_isbn(self):
        return _isbn_field_clean(self.cleaned_data.get("isbn", ""))

    def clean_clc_code(self):
        return _clc_field_clean(self.cleaned_data.get("clc_code", ""))

    def clean_contributors(self):
        from .models import Contributor

        labels = {str(label): value for value, label in Contributor.Role.choices}
        parsed = []
        for line in self.cleaned_data.get("contributors", "").splitlines():
            words = line.strip().rsplit(maxsplit=1)
            if not words:
                continue
            role = "author"
            if len(words) == 2 and (words[1] in self.ROLE_WORDS or words[1] in labels):
                role = self.ROLE_WORDS.get(words[1]) or labels[words[1]]
                name = words[0]
            else:
                name = line.strip()
            if len(name) > 100:
                raise forms.ValidationError(_("An author's name is longer than 100 characters."))
            parsed.append((name, role))
        return parsed

    def record_fields(self) -> dict:
        excluded = {"contributors", "author_number"}
        return {name: value for name, value in self.cleaned_data.items() if name not in excluded}


class CopiesForm(forms.Form):
    count = forms.IntegerField(label=_("Number of copies"), min_value=1, max_value=200, initial=1)
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.filter(is_active=True))
    shelf = forms.CharField(label=_("Shelf"), max_length=50, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[])
    donor = forms.CharField(label=_("Donor"), max_length=100, required=False)
    price_paid = forms.DecimalField(
        label=_("Price paid"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        from .models import Copy

        super().__init__(*args, **kwargs)
        self.fields["source"].choices = Copy.Source.choices
        self.fields["location"].initial = Location.objects.filter(is_active=True).order_by("position").first()

    def clean(self):
        data = super().clean()
        if data.get("source") == "donation" and not data.get("donor"):
            self.add_error("donor", _("Who gave the books? The donor is recorded with donated copies."))
        return data


# --- acquisitions ---


class PurchasePlanForm(forms.ModelForm):
    class Meta:
        model = PurchasePlan
        fields = ["name", "year", "term", "budget", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class TitleLineForm(forms.Form):
    """A title in a purchase plan or a donation: typed in a row of a formset."""

    title = forms.CharField(label=_("Title"), max_length=300)
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    author = forms.CharField(label=_("Author"), max_length=200, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=10, decimal_places=2, min_value=0)
    clc_code = forms.CharField(label=_("CLC class number"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered as the cells of a table row: small inputs, the label in the table's header.
        for name, field in self.fields.items():
            if name != "DELETE":
                field.widget.attrs.setdefault("class", "form-control form-control-sm")
                field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean_isbn(self):
        return _isbn_field_clean(self.cleaned_data.get("isbn", ""))

    def clean_clc_code(self):
        return _clc_field_clean(self.cleaned_data.get("clc_code", ""))


class PurchasePlanLineForm(TitleLineForm):
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject or major"), max_length=100, required=False)


class DonationLineForm(TitleLineForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].required = False
        self.fields["unit_price"].label = _("Value per copy")


PurchasePlanLineFormSet = forms.formset_factory(
    PurchasePlanLineForm, extra=3, can_delete=True, max_num=2000, validate_max=True
)
DonationLineFormSet = forms.formset_factory(DonationLineForm, extra=3, can_delete=True, max_num=500)


def formset_lines(formset) -> list[dict]:
    """The filled rows of a valid formset, with their row numbers; empty and deleted rows left out."""
    lines = []
    for number, form in enumerate(formset.forms, start=1):
        if not form.has_changed() or (formset.can_delete and form.cleaned_data.get("DELETE")):
            continue
        lines.append(
            {name: value for name, value in form.cleaned_data.items() if name != "DELETE"} | {"row": number}
        )
    return lines


class PlanDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the plan is rejected: what should change."),
    )


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class DeliveryForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DayInput())
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60, required=False)
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.filter(is_active=True))
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].initial = Location.objects.filter(is_active=True).order_by("position").first()


class DonationForm(forms.Form):
    donor = forms.CharField(label=_("Donor"), max_length=100)
    donor_class = forms.CharField(
        label=_("Donor's class"), max_length=50, required=False, help_text=_("When the donor is a pupil.")
    )
    received_on = forms.DateField(label=_("Received on"), widget=DayInput())
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.filter(is_active=True))
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].initial = Location.objects.filter(is_active=True).order_by("position").first()


class RegisterFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DayInput(attrs={"class": "form-control form-control-sm"}),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=DayInput(attrs={"class": "form-control form-control-sm"}),
    )
