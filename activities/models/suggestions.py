"""The suggestion box (评议箱): a suggestion or complaint from any reader, anonymous if they wish,
with a category; each gets an owner, a corrective measure (整改措施), a deadline and a state
(received → in hand → answered → closed, in ``activities/states.py``), and its answer is
published to the school (公示) when the librarian chooses. An anonymous one keeps no trace of
who sent it: no reader, no account, only the day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field


class Suggestion(models.Model):
    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("Suggestion")
        COMPLAINT = "complaint", _("Complaint")

    class Category(models.TextChoices):
        COLLECTION = "collection", pgettext_lazy("suggestion category", "Books and collection")
        SERVICE = "service", pgettext_lazy("suggestion category", "Service and staff")
        HOURS = "hours", pgettext_lazy("suggestion category", "Opening hours")
        ROOMS = "rooms", pgettext_lazy("suggestion category", "Rooms and equipment")
        ACTIVITIES = "activities", pgettext_lazy("suggestion category", "Reading activities")
        OTHER = "other", pgettext_lazy("suggestion category", "Other")

    class State(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("suggestion state", "Received")
        IN_HAND = "in_hand", pgettext_lazy("suggestion state", "In hand")
        ANSWERED = "answered", pgettext_lazy("suggestion state", "Answered")
        CLOSED = "closed", pgettext_lazy("suggestion state", "Closed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SUGGESTION)
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    text = models.TextField(_("what you would like to tell the library"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # Empty when anonymous: nothing else names the sender.
    reader = models.ForeignKey(
        "circulation.Reader",
        verbose_name=pgettext_lazy("sender", "from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_on = models.DateField(_("received on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RECEIVED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.TextField(_("corrective measure (整改措施)"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = actor_field(_("published by"))

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(reader__isnull=True),
                name="suggestion_anonymous_names_nobody",
            )
        ]
        indexes = [models.Index(fields=["kind", "received_on"], name="suggestion_kind_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class SuggestionEvent(models.Model):
    """A move of a suggestion's state, by a member of staff, with what they wrote."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(max_length=10, choices=Suggestion.State.choices)
    to_state = models.CharField(max_length=10, choices=Suggestion.State.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = actor_field(_("by"))

    class Meta:
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.suggestion_id}: {self.from_state}→{self.to_state}"
