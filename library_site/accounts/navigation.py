"""The navigation bar's menu, filled by each app.

``accounts`` sits below every other app, so it cannot name their pages. Each app registers
its own entries in ``AppConfig.ready()``; the bar shows a person the entries whose
capability they hold (and whose own test, if any, they pass), in the order given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .roles import Capability


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str
    url_name: str
    icon: str
    order: int
    capability: Capability | None = None
    # A further test, for entries that depend on the person rather than on a role
    # (a reader's own loans are shown to anyone who has a reader record).
    visible: Callable[[object], bool] | None = None


_entries: dict[str, MenuEntry] = {}


def menu_register(entry: MenuEntry) -> None:
    _entries[entry.key] = entry


def menu_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    shown = []
    for entry in sorted(_entries.values(), key=lambda item: item.order):
        if entry.capability is not None and not user.has_perm(entry.capability.permission):
            continue
        if entry.visible is not None and not entry.visible(user):
            continue
        shown.append(
            {"key": entry.key, "label": entry.label, "url": reverse(entry.url_name), "icon": entry.icon}
        )
    return shown
