"""What the background jobs did: one row per run, read by the operations page."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from library_site.accounts.fields import actor_field


class JobRun(models.Model):
    """One run of a registered job (library_site.system.jobs), whoever started it."""

    class Trigger(models.TextChoices):
        BEAT = "beat", _("schedule")
        MANUAL = "manual", _("run now")
        COMMAND = "command", _("command line")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    key = models.CharField(_("job"), max_length=50)
    trigger = models.CharField(
        pgettext_lazy("job trigger", "started by"), max_length=10, choices=Trigger.choices
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    param = models.CharField(_("date or month"), max_length=20, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_by = actor_field(_("person"))
    # A running run's lease: renewed every few seconds by the worker that runs it
    # (library_site.system.jobs); a lease that ran out means the worker was lost.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["key", "-id"], name="system_jobrun_key_latest")]
        constraints = [
            # "Run now" pressed twice queues one run: a second queued run of the same job is
            # refused by the database, whatever the timing of the two requests.
            models.UniqueConstraint(
                fields=["key"], condition=Q(state="queued"), name="system_jobrun_one_queued_per_job"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} #{self.pk} ({self.state})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None


class FormSubmission(models.Model):
    """A form's one-time token, spent in the same transaction as the write the form asked for:
    the same form sent twice (a double click reaching two server processes, a reloaded POST)
    makes one write, whatever the timing, because the second insert of the token is refused by
    the database and rolls back everything its transaction wrote."""

    token = models.CharField(pgettext_lazy("form submission", "token"), max_length=64, unique=True)
    form = models.CharField(pgettext_lazy("form submission", "form"), max_length=60)
    object_id = models.CharField(pgettext_lazy("form submission", "made"), max_length=40, blank=True)
    user = actor_field(_("person"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.form} {self.token}"
