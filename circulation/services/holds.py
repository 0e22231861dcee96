"""Holds (预约): a reader waits for a title, first come, first served. Placing and cancelling a
hold, keeping a returned copy for the first in line, and expiring the holds not collected in
time. Each change of a hold's state goes through HOLD_STATES (circulation/states.py).

The hold-ready notice is queued by the task's name (``circulation.tasks.hold_ready_notice_task``)
once the copy is surely kept: the services never import the tasks, which call the services.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy, Record
from catalog.services.copies import copy_set_status
from library_site.accounts.models import User
from library_site.celery import app, task_send_on_commit

from ..exceptions import HoldRefused, ReaderNotActive
from ..models import CirculationSettings, Hold, Loan, Reader
from ..policies import REFERENCE_LOCATION_KINDS, Calendar, lending_rules, policy_for
from ..states import HOLD_STATES
from .locks import copy_lock, reader_lock

HOLD_READY_NOTICE_TASK = "circulation.tasks.hold_ready_notice_task"


def _hold_pickup_deadline(calendar: Calendar, settings: CirculationSettings) -> date:
    return calendar.next_open_day(calendar.today + timedelta(days=settings.hold_pickup_days))


def hold_trap_for_next(
    *, copy: Copy, user: User | None, today: date, settings: CirculationSettings | None = None
) -> Hold | None:
    """Keep a copy that has come back for the first reader in the queue, if any. The
    calendar is read only when somebody is waiting (and the queue only when the copy's lock
    said somebody was, if it was asked)."""
    if not getattr(copy, "has_waiting_hold", True):
        return None
    hold = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("reader__user", "reader__school_class")
        .filter(record_id=copy.record_id, state=Hold.State.WAITING)
        .order_by("placed_at", "pk")
        .first()
    )
    if hold is None:
        return None
    HOLD_STATES.check(hold.state, Hold.State.READY)
    hold.state = Hold.State.READY
    hold.copy = copy
    hold.ready_at = timezone.now()
    settings = settings or lending_rules().settings
    hold.collect_by = _hold_pickup_deadline(Calendar.load(today, settings=settings), settings)
    hold.save(update_fields=["state", "copy", "ready_at", "collect_by"])
    # The reader's notice, once the copy is surely kept; should the broker be down, the daily
    # notice job sends it (it finds every ready hold without one).
    task_send_on_commit(app.signature(HOLD_READY_NOTICE_TASK), hold.pk)
    return hold


@transaction.atomic
def hold_place(*, reader: Reader, record: Record, user: User | None, today: date | None = None) -> Hold:
    """A title-level hold, allowed only when every lendable copy is out."""
    reader = reader_lock(reader.pk)
    if reader.status != Reader.Status.ACTIVE:
        raise ReaderNotActive()
    policy = policy_for(reader, record.material_type)
    if policy is None or not policy.holds_allowed or policy.reference_only:
        raise HoldRefused(_("Holds are not allowed for this reader and this kind of material."))
    copies = list(
        Copy.objects.filter(record=record).select_related("location").values_list("status", "location__kind")
    )
    lendable = [status for status, kind in copies if kind not in REFERENCE_LOCATION_KINDS]
    if Copy.Status.AVAILABLE in lendable:
        raise HoldRefused(_("A copy is on the shelf: borrow it at the desk instead."))
    if not any(
        status in {Copy.Status.ON_LOAN, Copy.Status.ON_HOLD_SHELF, Copy.Status.IN_REPAIR}
        for status in lendable
    ):
        raise HoldRefused(_("The library has no copy of this title to wait for."))
    if Loan.objects.filter(reader=reader, state=Loan.State.OPEN, copy__record=record).exists():
        raise HoldRefused(_("You already have this title on loan."))
    if Hold.objects.filter(
        reader=reader, record=record, state__in=[Hold.State.WAITING, Hold.State.READY]
    ).exists():
        raise HoldRefused(_("You are already in the queue for this title."))
    try:
        with transaction.atomic():
            return Hold.objects.create(reader=reader, record=record, placed_by=user)
    except IntegrityError as error:
        raise HoldRefused(_("You are already in the queue for this title.")) from error


def _hold_close_and_pass_on(*, hold: Hold, state: str, user: User | None, today: date) -> Hold | None:
    """Close a hold; a copy it kept goes to the next in line, or back to the shelf."""
    HOLD_STATES.check(hold.state, state)
    was_ready, copy = hold.state == Hold.State.READY, hold.copy
    hold.state = state
    hold.closed_at = timezone.now()
    hold.closed_by = user
    hold.save(update_fields=["state", "closed_at", "closed_by"])
    if not was_ready or copy is None:
        return None
    next_hold = hold_trap_for_next(copy=copy, user=user, today=today)
    if next_hold is None:
        copy_set_status(copy=copy, to_status=Copy.Status.AVAILABLE, user=user, reason=_("Hold closed"))
    return next_hold


@transaction.atomic
def hold_cancel(*, hold: Hold, user: User | None, today: date | None = None) -> Hold | None:
    """Cancel a waiting or ready hold. Returns the hold that received the kept copy, if any."""
    today = today or timezone.localdate()
    reader_lock(hold.reader_id)
    if hold.copy_id:
        copy_lock(hold.copy_id)
    hold = Hold.objects.select_for_update(of=("self",)).select_related("copy").get(pk=hold.pk)
    if hold.state not in {Hold.State.WAITING, Hold.State.READY}:
        return None  # already closed: cancelling twice changes nothing
    return _hold_close_and_pass_on(hold=hold, state=Hold.State.CANCELLED, user=user, today=today)


def hold_expire(*, today: date | None = None) -> int:
    """Close the holds not collected by their deadline and pass their copies on (to the next
    reader in line, who is notified, or back to the shelf). Safe to run twice; the nightly job
    ``expire_holds_task`` runs it."""
    today = today or timezone.localdate()
    expired = 0
    for hold_id in Hold.objects.filter(state=Hold.State.READY, collect_by__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = Hold.objects.select_for_update(of=("self",)).select_related("copy").get(pk=hold_id)
            if hold.state == Hold.State.READY and hold.collect_by < today:
                _hold_close_and_pass_on(hold=hold, state=Hold.State.EXPIRED, user=None, today=today)
                expired += 1
    return expired
