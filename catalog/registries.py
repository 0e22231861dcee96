"""What the catalogue lets a higher app add to it, without importing that app (DESIGN: the
lower app offers a small registry that the higher one fills in its ``AppConfig.ready()``).

**An issue checked in or its check-in undone.** ``listener(issue, received, user, on)`` is
called by ``catalog.services.serials.issue_receive`` and ``issue_receive_undo`` inside their
transaction, after the issue's row is saved (``received`` is True for a check-in, False for
one undone). Circulation registers the reservations of periodical issues: a checked-in issue
is kept for the teachers who reserved it. A listener raises a CatalogError to refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from library_site.accounts.models import User

    from .models import SerialIssue

IssueListener = Callable[["SerialIssue", bool, "User | None", date], None]

_issue_listeners: list[IssueListener] = []


def issue_listener_register(listener: IssueListener) -> IssueListener:
    """Add a listener to every check-in and undone check-in (registering twice adds it once)."""
    if listener not in _issue_listeners:
        _issue_listeners.append(listener)
    return listener


def issue_listeners_notify(issue: SerialIssue, *, received: bool, user: User | None, on: date) -> None:
    for listener in _issue_listeners:
        listener(issue, received, user, on)
