"""What the catalogue lets a higher app add to it, without importing that app (DESIGN: the
lower app offers a small registry that the higher one fills in its ``AppConfig.ready()``).

**An issue checked in or its check-in undone.** ``listener(issue, received, user, on)`` is
called by ``catalog.services.serials.issue_receive`` and ``issue_receive_undo`` inside their
transaction, after the issue's row is saved (``received`` is True for a check-in, False for
one undone). Circulation registers the reservations of periodical issues: a checked-in issue
is kept for the teachers who reserved it. A listener raises a CatalogError to refuse.

**Record page sections.** ``section(request, record) -> RecordPageSection | None``: a part of
the OPAC's record page that a higher app keeps (the activities app's reviews and ratings, with
the form to write one), rendered from its own template and context. Called once per page view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class RecordPageSection:
    template: str
    context: dict = field(default_factory=dict)


RecordPageSectionMaker = Callable[..., "RecordPageSection | None"]
_record_page_sections: list[RecordPageSectionMaker] = []


def record_page_section_register(maker: RecordPageSectionMaker) -> RecordPageSectionMaker:
    if maker not in _record_page_sections:
        _record_page_sections.append(maker)
    return maker


def record_page_sections(request, record) -> list[RecordPageSection]:
    sections = []
    for make in _record_page_sections:
        section = make(request, record)
        if section is not None:
            sections.append(section)
    return sections
