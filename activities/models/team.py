"""The student service team (图书服务队, issue 18): its members (pupils with the volunteer role),
their training, the weekly rota of shifts, each shift as worked (checked in and out by card,
late or missed, and its work log), the monthly meeting and the monthly rating on the criteria
the administrator sets, with the month's best member. Register G is read from these rows."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TeamMember(models.Model):
    """A pupil on the team, from the day they joined to the day they left (None: still on)."""

    reader = models.ForeignKey(
        "circulation.Reader",
        verbose_name=_("pupil"),
        on_delete=models.PROTECT,
        related_name="team_memberships",
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(pgettext_lazy("service team", "left on"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["reader__school_class__grade", "reader__school_class__number", "reader__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader"], condition=Q(left_on__isnull=True), name="team_member_one_current"
            )
        ]

    def __str__(self) -> str:
        return self.reader.name


class TrainingSession(models.Model):
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    attendees = models.ManyToManyField(
        TeamMember, verbose_name=_("attendance"), blank=True, related_name="trainings"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class RotaSlot(models.Model):
    """A line of the weekly rota: a weekday, a time slot and a room, with its members."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(pgettext_lazy("time", "from"))
    ends_at = models.TimeField(pgettext_lazy("time", "until"))
    room = models.ForeignKey(
        "catalog.Location", verbose_name=_("room"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(TeamMember, verbose_name=_("members"), blank=True, related_name="slots")
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("rota slot")
        verbose_name_plural = _("rota slots")
        ordering = ["weekday", "starts_at", "room__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="rota_slot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}"


class Shift(models.Model):
    """A member's shift on one day of a rota slot, as worked."""

    class State(models.TextChoices):
        PRESENT = "present", _("On time")
        LATE = "late", pgettext_lazy("shift", "Late")
        MISSED = "missed", _("Missed")

    slot = models.ForeignKey(
        RotaSlot, verbose_name=_("rota slot"), on_delete=models.PROTECT, related_name="shifts"
    )
    member = models.ForeignKey(
        TeamMember, verbose_name=_("member"), on_delete=models.PROTECT, related_name="shifts"
    )
    day = models.DateField(_("day"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    # The desk actions the member did during the shift, counted at check-out.
    desk_actions = models.PositiveIntegerField(_("desk actions"), default=0)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["-day", "slot__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "member", "day"], name="shift_one_per_member_slot_day")
        ]
        indexes = [models.Index(fields=["day"], name="shift_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.member_id}"


class ShiftWork(models.Model):
    """A line of a shift's work log."""

    class Kind(models.TextChoices):
        DESK = "desk", _("Circulation desk")
        SHELVING = "shelving", _("Shelving")
        REPAIRS = "repairs", _("Repairs")
        READING_ROOM = "reading_room", _("Reading-room order")
        STOCKTAKING = "stocktaking", _("Stocktaking")

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="work")
    kind = models.CharField(_("work"), max_length=20, choices=Kind.choices)
    books = models.PositiveIntegerField(_("books"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shift work")
        verbose_name_plural = _("shift work")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class TeamMeeting(models.Model):
    """The monthly meeting of the team (图书管理员会议)."""

    held_on = models.DateField(_("date"))
    minutes = models.TextField(_("minutes"), max_length=5000)
    attendees = models.ManyToManyField(
        TeamMember, verbose_name=_("attendance"), blank=True, related_name="meetings"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("team meeting")
        verbose_name_plural = _("team meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return str(self.held_on)


class RatingCriterion(models.Model):
    """A criterion of the monthly rating, set by the administrator, scored 0 to ``max_score``."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("rating criterion")
        verbose_name_plural = _("rating criteria")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class MonthlyRating(models.Model):
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="ratings")
    month = models.DateField(_("month"))  # its first day
    criterion = models.ForeignKey(RatingCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("monthly rating")
        verbose_name_plural = _("monthly ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month", "criterion"], name="monthly_rating_one_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m} {self.score}"


class BestMember(models.Model):
    """The month's best member, recorded by the librarian (a candidate for 服务之星)."""

    month = models.DateField(_("month"), unique=True)
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="+")
    total = models.PositiveIntegerField(_("total score"), default=0)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("best member of the month")
        verbose_name_plural = _("best members of the month")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.member_id}"
