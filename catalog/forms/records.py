"""The cataloguing forms: a record as the librarian types it, and copies to add to it. The ISBN
and class number fields are cleaned here for the acquisitions' forms too."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.exceptions import InvalidISBN, UnknownClass
from catalog.isbn import isbn_normalise
from catalog.models import Contributor, Copy, Location, Record
from catalog.services.records import clc_normalise, clc_resolve


def isbn_field_clean(value: str) -> str:
    """An ISBN field: blank, or stored as ISBN-13; a wrong one refused with the reason."""

    if not value:
        return ""
    try:
        return isbn_normalise(value)
    except InvalidISBN as error:
        raise forms.ValidationError(error.message, code="isbn") from error


def clc_field_clean(value: str) -> str:
    """A CLC class number field: normalised, and refused when the classification lacks it."""

    value = clc_normalise(value)
    try:
        clc_resolve(value)
    except UnknownClass as error:
        raise forms.ValidationError(error.message, code="clc") from error
    return value


class RecordForm(forms.ModelForm):
    """A record as the librarian types it. Contributors are one per line: a name, and after a
    space the role (著, 编, 编著, 主编, 编选, 译, 绘, 改编, 续, 校注, 整理, 评注); 著 when none is given."""

    contributors = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "曹文轩 著\n任溶溶 译"}),
        help_text=_(
            "One per line: the name, then its role: 著, 编, 编著, 主编, 编选, 译, 绘, 改编, 续, 校注, 整理 or 评注."
        ),
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
        **{word: str(role) for role, words in Contributor.ROLE_WORDS_CHINESE.items() for word in words},
        "图": "illustrator",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["contributors"] = "\n".join(
                f"{item.name} {item.get_role_display()}" for item in self.instance.contributors.all()
            )
        self.fields["call_number"].help_text = _("Leave empty to have it made from the class number.")

    def clean_isbn(self):
        return isbn_field_clean(self.cleaned_data.get("isbn", ""))

    def clean_clc_code(self):
        return clc_field_clean(self.cleaned_data.get("clc_code", ""))

    def clean_contributors(self):

        # A role word or the role's name in the page's language ("高鹗 续", "Gao E continued by"),
        # after a space; the longest first, so that 编著 is not read as 著.
        words = {**self.ROLE_WORDS, **{str(label): value for value, label in Contributor.Role.choices}}
        suffixes = sorted(words, key=len, reverse=True)
        parsed = []
        for line in self.cleaned_data.get("contributors", "").splitlines():
            line = line.strip()
            if not line:
                continue
            name, role = line, "author"
            for suffix in suffixes:
                if line.endswith(" " + suffix) and line[: -len(suffix)].strip():
                    name, role = line[: -len(suffix)].strip(), words[suffix]
                    break
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

        super().__init__(*args, **kwargs)
        self.fields["source"].choices = Copy.Source.choices
        self.fields["location"].initial = Location.objects.filter(is_active=True).order_by("position").first()

    def clean(self):
        data = super().clean()
        if data.get("source") == "donation" and not data.get("donor"):
            self.add_error("donor", _("Who gave the books? The donor is recorded with donated copies."))
        return data
