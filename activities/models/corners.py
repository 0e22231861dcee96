"""Class book corners (班级图书角, issue 18): the library lends a batch of copies to a class's
corner, takes them back in one step, rotates them between parallel classes (同轨班), places
pupils' donated books there after a content review, and the class keeps a light register of who
has a corner book. The copies themselves stay catalog's: their status and location change only
through catalog.services.copies; these rows say which class is responsible for which copy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClassCorner(models.Model):
    """A class's book corner, with the catalog location its copies stand in."""

    school_class = models.OneToOneField(
        "circulation.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, related_name="corner"
    )
    location = models.OneToOneField(
        "catalog.Location", verbose_name=_("location"), on_delete=models.PROTECT, related_name="class_corner"
    )
    # The class's pupil librarian (图书管理员), who may record lending within the class.
    keeper = models.ForeignKey(
        "circulation.Reader",
        verbose_name=_("pupil librarian"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corners_kept",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("class book corner")
        verbose_name_plural = _("class book corners")
        ordering = ["school_class__grade", "school_class__number"]

    def __str__(self) -> str:
        return str(self.location)

    def is_kept_by(self, user) -> bool:
        """Whether ``user`` is this corner's pupil librarian, still a pupil of the class (a
        keeper moved to another class by the promotion keeps no right over this corner)."""
        return (
            self.keeper_id is not None
            and self.keeper.user_id == user.pk
            and self.keeper.school_class_id == self.school_class_id
        )


class CornerBatch(models.Model):
    """One step that moved copies into or out of a corner: a lend, a return, a rotation's
    share, a donation placed. Its lines are the CornerLoans it opened or closed."""

    class Kind(models.TextChoices):
        LEND = "lend", _("Lent to the corner")
        RETURN = "return", _("Returned to the library")
        ROTATION = "rotation", _("Received in a rotation")
        DONATION = "donation", _("Donation placed")

    corner = models.ForeignKey(
        ClassCorner, verbose_name=_("corner"), on_delete=models.PROTECT, related_name="batches"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    rotation = models.ForeignKey(
        "CornerRotation", null=True, blank=True, on_delete=models.PROTECT, related_name="batches"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    copies_count = models.PositiveIntegerField(pgettext_lazy("number of copies", "copies"), default=0)
    missing_count = models.PositiveIntegerField(_("missing"), default=0)

    class Meta:
        verbose_name = _("corner batch")
        verbose_name_plural = _("corner batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class CornerLoan(models.Model):
    """A copy in a class's corner: from when, by which batch, and how it left (back to the
    library, passed on in a rotation, missing). One open line per copy (a constraint)."""

    class State(models.TextChoices):
        IN_CORNER = "in_corner", _("In the corner")
        RETURNED = "returned", _("Returned to the library")
        ROTATED = "rotated", _("Passed to the parallel class")
        LOST = "lost", _("Missing, declared lost")

    corner = models.ForeignKey(
        ClassCorner, verbose_name=_("corner"), on_delete=models.PROTECT, related_name="loans"
    )
    copy = models.ForeignKey(
        "catalog.Copy", verbose_name=_("copy"), on_delete=models.PROTECT, related_name="corner_loans"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.IN_CORNER)
    # Where the copy stood in the library, for its return.
    home_location = models.ForeignKey("catalog.Location", on_delete=models.PROTECT, related_name="+")
    opened_by_batch = models.ForeignKey(CornerBatch, on_delete=models.PROTECT, related_name="opened")
    closed_by_batch = models.ForeignKey(
        CornerBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="closed"
    )
    # Not found when the corner's books were moved on or counted: the class stays responsible.
    missing_since = models.DateField(_("missing since"), null=True, blank=True)
    opened_at = models.DateTimeField(_("in the corner since"), default=timezone.now)
    closed_at = models.DateTimeField(_("left the corner at"), null=True, blank=True)

    class Meta:
        verbose_name = _("copy in a class corner")
        verbose_name_plural = _("copies in class corners")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["copy"], condition=Q(state="in_corner"), name="corner_loan_one_open_per_copy"
            )
        ]
        indexes = [models.Index(fields=["corner", "state"], name="corner_loan_corner_state")]

    def __str__(self) -> str:
        return f"{self.copy_id} → {self.corner_id}"


class CornerRotationPlan(models.Model):
    """A grade's rotation: every ``every_weeks`` weeks each class's books go to the next
    parallel class (A→B→C→A), in the order of the classes' numbers."""

    grade = models.PositiveSmallIntegerField(_("grade"))
    classes = models.ManyToManyField("circulation.SchoolClass", verbose_name=_("classes"), related_name="+")
    every_weeks = models.PositiveSmallIntegerField(_("every (weeks)"), default=4)
    starts_on = models.DateField(_("first rotation on"))
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("rotation plan")
        verbose_name_plural = _("rotation plans")
        ordering = ["grade", "pk"]

    def __str__(self) -> str:
        return f"{self.grade} / {self.every_weeks}"


class CornerRotation(models.Model):
    """A rotation carried out: when, by whom, how many copies moved and how many were missing."""

    plan = models.ForeignKey(CornerRotationPlan, on_delete=models.PROTECT, related_name="rotations")
    carried_out_at = models.DateTimeField(_("carried out at"), default=timezone.now)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_count = models.PositiveIntegerField(_("copies moved"), default=0)
    missing_count = models.PositiveIntegerField(_("copies missing"), default=0)

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["-carried_out_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.carried_out_at:%Y-%m-%d}"


class CornerDonation(models.Model):
    """A pupil's donated books for their class's corner: recorded by catalog's donation
    service (the delivery, its copies awaiting review), then reviewed by the library."""

    class State(models.TextChoices):
        AWAITING_REVIEW = "awaiting_review", _("Awaiting content review")
        IN_CORNER = "in_corner", _("Placed in the class corner")
        IN_LIBRARY = "in_library", _("Placed in the library")
        REFUSED = "refused", _("Refused at the review")

    corner = models.ForeignKey(ClassCorner, on_delete=models.PROTECT, related_name="donations")
    donor = models.ForeignKey(
        "circulation.Reader", verbose_name=_("donor"), on_delete=models.PROTECT, related_name="+"
    )
    delivery = models.OneToOneField(
        "catalog.Delivery", on_delete=models.PROTECT, related_name="corner_donation"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.AWAITING_REVIEW)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("corner donation")
        verbose_name_plural = _("corner donations")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.donor_id} {self.recorded_at:%Y-%m-%d}"


class CornerLending(models.Model):
    """The class's light register: which pupil has a corner book (not a desk loan)."""

    corner = models.ForeignKey(ClassCorner, on_delete=models.PROTECT, related_name="lendings")
    copy = models.ForeignKey(
        "catalog.Copy", verbose_name=_("copy"), on_delete=models.PROTECT, related_name="+"
    )
    reader = models.ForeignKey(
        "circulation.Reader", verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="+"
    )
    lent_on = models.DateField(_("lent on"), default=timezone.localdate)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("corner lending")
        verbose_name_plural = _("corner lendings")
        ordering = ["-lent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["copy"],
                condition=Q(returned_on__isnull=True),
                name="corner_lending_one_open_per_copy",
            )
        ]

    def __str__(self) -> str:
        return f"{self.copy_id} → {self.reader_id}"


class CornerStocktake(models.Model):
    """A corner counted by scanning: what was found, what is missing, what did not belong."""

    corner = models.ForeignKey(ClassCorner, on_delete=models.PROTECT, related_name="stocktakes")
    taken_at = models.DateTimeField(pgettext_lazy("stocktake", "taken at"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    found_count = models.PositiveIntegerField(_("found"), default=0)
    missing = models.JSONField(_("missing barcodes"), default=list)
    unexpected = models.JSONField(_("barcodes not of this corner"), default=list)

    class Meta:
        verbose_name = _("corner stocktake")
        verbose_name_plural = _("corner stocktakes")
        ordering = ["-taken_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.corner_id} {self.taken_at:%Y-%m-%d}"
