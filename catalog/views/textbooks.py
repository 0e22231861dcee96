"""Textbooks (C9, 教材征订和发放): a term's orders by grade and class, the supplier's deliveries,
handing them to the classes with the teacher's confirmation, what has still not come before the
term starts, and recycled textbooks collected at the end of the term with their condition."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError, TextbookError
from catalog.forms.textbooks import CollectForm, DeliveryForm, HandoverForm, OrderForm, TermForm, TextbookForm
from catalog.models import Textbook, TextbookHandover, TextbookTerm
from catalog.selectors.textbooks import textbook_handovers, textbook_term_current, textbook_term_page
from catalog.services import textbooks as textbooks_services
from catalog.services.textbooks import (
    textbook_delivery_record,
    textbook_handover_collect,
    textbook_handover_confirm,
    textbook_handover_create,
    textbook_order_set,
)
from library_site.accounts.permissions import capability_required
from library_site.accounts.roles import Capability


def _term_of(request) -> TextbookTerm | None:
    value = request.GET.get("term") or request.POST.get("term")
    terms = TextbookTerm.objects.all()
    if value and str(value).isdigit():
        return terms.filter(pk=value).first()
    return textbook_term_current(today=timezone.localdate())


@capability_required(Capability.MANAGE_COLLECTION)
def textbooks_home(request):
    term = _term_of(request)
    ordered_textbooks = (
        Textbook.objects.filter(order_lines__term=term).distinct() if term else Textbook.objects.none()
    )
    action = request.POST.get("action") if request.method == "POST" else None
    forms_ = {
        "order": OrderForm(request.POST if action == "order" else None, prefix="order"),
        "delivery": DeliveryForm(request.POST if action == "delivery" else None, prefix="delivery"),
        "handover": HandoverForm(request.POST if action == "handover" else None, prefix="handover"),
    }
    forms_["delivery"].fields["textbook"].queryset = ordered_textbooks
    forms_["handover"].fields["textbook"].queryset = ordered_textbooks
    if action in forms_ and term is not None and forms_[action].is_valid():
        data = forms_[action].cleaned_data
        try:
            if action == "order":
                lines = textbook_order_set(
                    term=term,
                    textbook=data["textbook"],
                    class_numbers=data["classes"],
                    quantity=data["quantity"],
                    user=request.user,
                )
                messages.success(
                    request,
                    _("Ordered “%(title)s” for %(count)s classes.")
                    % {"title": data["textbook"].title, "count": len(lines)},
                )
            elif action == "delivery":
                textbook_delivery_record(term=term, **data, user=request.user)
                messages.success(
                    request, _("Delivery of “%(title)s” recorded.") % {"title": data["textbook"].title}
                )
            else:
                handover = textbook_handover_create(term=term, **data, user=request.user)
                messages.success(
                    request,
                    _("%(count)s × “%(title)s” handed to %(class)s: %(teacher)s confirms in their own page.")
                    % {
                        "count": handover.quantity,
                        "title": handover.textbook.title,
                        "class": handover.class_label,
                        "teacher": handover.teacher.display_name,
                    },
                )
        except CatalogError as error:
            forms_[action].add_error(None, error.message)
        else:
            return redirect(f"{reverse('catalog:textbooks')}?term={term.pk}")
    outlook = textbook_term_page(term=term, today=timezone.localdate())
    handovers = list(textbook_handovers(term=term)) if term else []
    return render(
        request,
        "catalog/textbooks/home.html",
        {
            "term": term,
            "terms": TextbookTerm.objects.all(),
            "rows": outlook.rows,
            "to_come": outlook.to_come,
            "outlook": outlook,
            "handovers": handovers,
            "forms": forms_,
        },
    )


@capability_required(Capability.MANAGE_COLLECTION)
def textbook_term_create(request):
    form = TermForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            term = textbooks_services.textbook_term_create(**form.cleaned_data)
        except TextbookError as error:
            form.add_error(None, error.message)
        else:
            return redirect(f"{reverse('catalog:textbooks')}?term={term.pk}")
    return render(request, "catalog/textbooks/form.html", {"form": form, "heading": _("New term")})


@capability_required(Capability.MANAGE_COLLECTION)
def textbook_create(request):
    form = TextbookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            textbook = textbooks_services.textbook_create(**form.cleaned_data)
        except CatalogError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("“%(title)s” was added.") % {"title": textbook.title})
            return redirect("catalog:textbooks")
    return render(request, "catalog/textbooks/form.html", {"form": form, "heading": _("New textbook")})


@capability_required(Capability.MANAGE_COLLECTION)
def textbook_collect(request, pk: int):
    handover = get_object_or_404(
        TextbookHandover.objects.select_related("textbook", "term", "teacher"), pk=pk
    )
    form = CollectForm(request.POST or None, initial={"good": handover.quantity})
    if request.method == "POST" and form.is_valid():
        try:
            textbook_handover_collect(handover=handover, **form.cleaned_data, user=request.user)
        except TextbookError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The recycled textbooks were collected."))
            return redirect(f"{reverse('catalog:textbooks')}?term={handover.term_id}")
    return render(
        request,
        "catalog/textbooks/form.html",
        {
            "form": form,
            "heading": _("Collect recycled textbooks"),
            "lead": _("%(count)s × “%(title)s” from %(class)s")
            % {
                "count": handover.quantity,
                "title": handover.textbook.title,
                "class": handover.class_label,
            },
        },
    )


@login_required
def textbooks_mine(request):
    """A teacher's textbooks: what was handed to them, to confirm."""
    if request.method == "POST":
        handover = get_object_or_404(
            TextbookHandover, pk=request.POST.get("handover") or 0, teacher=request.user
        )
        textbook_handover_confirm(handover=handover, user=request.user)
        messages.success(request, _("Thank you: the receipt of the textbooks is confirmed."))
        return redirect("catalog:textbooks-mine")
    handovers = list(textbook_handovers(teacher=request.user)[:200])
    return render(request, "catalog/textbooks/mine.html", {"handovers": handovers})
