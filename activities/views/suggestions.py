"""The suggestion box: any reader files one (anonymous if they wish) and sees their own named
ones; the library's staff handle them; the published answers are on the transparency page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library_site.accounts.models import User
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import STAFF_ROLES, Capability

from ..exceptions import ActivitiesError
from ..models import Suggestion
from ..selectors.notes import reader_of_user
from ..selectors.suggestions import suggestion_detail, suggestions_for_staff, suggestions_of_reader
from ..services.suggestions import (
    suggestion_answer,
    suggestion_close,
    suggestion_file,
    suggestion_publish,
    suggestion_take_in_hand,
)


class SuggestionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Suggestion.Kind.choices)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Suggestion.Category.choices)
    text = forms.CharField(
        label=gettext_lazy("What you would like to tell the library"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Send it anonymously"),
        required=False,
        help_text=gettext_lazy(
            "Nobody, not even the librarian, can then see who sent it; you will not get a personal answer."
        ),
    )


@login_required
def suggestion_box(request):
    reader = reader_of_user(request.user)
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suggestion_file(reader=reader, **form.cleaned_data)
        except ActivitiesError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Thank you: the library has received it."))
            return redirect("activities:suggestions")
    return render(
        request,
        "activities/promotion/suggestion_box.html",
        {"form": form, "mine": suggestions_of_reader(reader), "is_reader": reader is not None},
    )


@capability_required(Capability.MANAGE_ACTIVITIES)
def suggestions_manage(request):
    state = request.GET.get("state") or None
    return render(
        request,
        "activities/promotion/suggestions_manage.html",
        {"rows": suggestions_for_staff(state=state), "states": Suggestion.State.choices, "state": state},
    )


def _staff():
    """Who may own a point: the library's staff (librarians and administrators), in one query."""
    return list(
        User.objects.filter(is_active=True, groups__name__in=[str(role) for role in STAFF_ROLES])
        .distinct()
        .order_by("full_name", "pk")
    )


@capability_required(Capability.MANAGE_ACTIVITIES)
def suggestion_handle(request, suggestion_id: int):
    suggestion = suggestion_detail(suggestion_id)
    if suggestion is None:
        return redirect("activities:suggestions-manage")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "in_hand":
                owner = User.objects.filter(pk=request.POST.get("owner") or 0).first() or request.user
                deadline = forms.DateField(required=False).clean(request.POST.get("deadline") or None)
                suggestion_take_in_hand(
                    suggestion=suggestion, user=request.user, owner=owner,
                    measure=request.POST.get("measure", ""), deadline=deadline,
                )  # fmt: skip
            elif action == "answer":
                suggestion_answer(
                    suggestion=suggestion, user=request.user,
                    answer=request.POST.get("answer", ""), measure=request.POST.get("measure", ""),
                )  # fmt: skip
            elif action == "close":
                suggestion_close(suggestion=suggestion, user=request.user, note=request.POST.get("note", ""))
            elif action in {"publish", "unpublish"}:
                suggestion_publish(suggestion=suggestion, user=request.user, publish=action == "publish")
        except forms.ValidationError:
            messages.error(request, _("Enter the deadline as a date."))
        except ActivitiesError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The suggestion is updated."))
        return redirect("activities:suggestion-handle", suggestion_id)
    return render(
        request, "activities/promotion/suggestion_handle.html", {"suggestion": suggestion, "staff": _staff()}
    )
