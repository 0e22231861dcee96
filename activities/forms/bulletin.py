from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import BulletinPost, PromotionSettings


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BulletinPost.Kind.choices)
    title = forms.CharField(label=pgettext_lazy("heading", "Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Paragraphs, bold, italics, lists, links and tables are kept; anything else is removed."),
    )
    image = forms.FileField(
        label=_("Image"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    image_alt = forms.CharField(label=_("Image description"), max_length=200, required=False)
    pinned = forms.BooleanField(label=_("Pinned to the top"), required=False)
    is_public = forms.BooleanField(label=_("Also on the public page"), required=False, initial=True)
    publish_at = forms.DateTimeField(
        label=_("Published from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    expires_at = forms.DateTimeField(
        label=_("Shown until"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class LibraryPageForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("heading", "Title"), max_length=200)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 14}))


class PromotionSettingsForm(forms.ModelForm):
    class Meta:
        model = PromotionSettings
        fields = ["public_bulletin", "public_pages", "public_transparency", "transparency_months"]
