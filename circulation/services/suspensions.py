"""Lifting or shortening a reader's suspension for late returns, with a reason: only a
librarian with the right (``Capability.OVERRIDE_BLOCKS``). Nothing is deleted: the suspension
keeps its first end (``ends_on_before``), who changed it, when and why, and the desk's audit
records the change too."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.models import User

from ..exceptions import SuspensionChangeRefused
from ..models import DeskAction, Suspension
from .desk_actions import desk_action_record, short_date
from .loans import override_reason_check
from .locks import reader_lock


@transaction.atomic
def suspension_change(
    *,
    suspension: Suspension,
    user: User | None,
    reason: str,
    ends_on: date | None = None,
    desk: str = "",
    today: date | None = None,
) -> Suspension:
    """Lift the suspension (``ends_on`` None) or shorten it to end on ``ends_on`` (today at the
    earliest, before its current end). A suspension already over or lifted is refused."""
    today = today or timezone.localdate()
    reason = override_reason_check(user=user, reason=reason)
    reader = reader_lock(suspension.reader_id, key_only=True)
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk, reader=reader)
    if suspension.cancelled_at is not None or suspension.ends_on < today:
        raise SuspensionChangeRefused(_("This suspension is over or lifted already."))
    if ends_on is not None and not today <= ends_on < suspension.ends_on:
        raise SuspensionChangeRefused(
            _("A shorter suspension ends between today and %(date)s.")
            % {"date": short_date(suspension.ends_on)}
        )
    suspension.ends_on_before = suspension.ends_on
    suspension.changed_at = timezone.now()
    suspension.changed_by = user
    suspension.change_reason = reason
    if ends_on is None:
        suspension.cancelled_at = suspension.changed_at
        message = _("Suspension until %(date)s lifted. Reason: %(reason)s") % {
            "date": short_date(suspension.ends_on_before),
            "reason": reason,
        }
    else:
        suspension.ends_on = ends_on
        message = _("Suspension shortened from %(before)s to %(date)s. Reason: %(reason)s") % {
            "before": short_date(suspension.ends_on_before),
            "date": short_date(ends_on),
            "reason": reason,
        }
    suspension.save(
        update_fields=[
            "ends_on",
            "ends_on_before",
            "cancelled_at",
            "changed_at",
            "changed_by",
            "change_reason",
        ]
    )
    desk_action_record(
        user=user,
        desk=desk,
        action=DeskAction.Action.SUSPENSION,
        message=message,
        reader=reader,
        loan_id=suspension.loan_id,
        override_reason=reason,
    )
    return suspension
