"""The navigation bar's menu, filled by each app.

``accounts`` sits below every other app, so it cannot name their pages. Each app registers
its own entries in ``AppConfig.ready()``; the bar shows a person the entries whose
capability they hold (and whose own test, if any, they pass), in the order given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .models import User
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
    # The key of a MenuGroup: the entry then shows in that group's drop-down.
    group: str = ""


@dataclass(frozen=True)
class MenuGroup:
    """A drop-down of the bar, for an app's several pages (馆藏管理: acquisitions, periodicals,
    textbooks, collection care). It shows where its first visible entry would, and only when a
    person sees one of its entries."""

    key: str
    label: str
    icon: str


_entries: dict[str, MenuEntry] = {}
_groups: dict[str, MenuGroup] = {}


def menu_register(entry: MenuEntry) -> None:
    _entries[entry.key] = entry


def menu_group_register(group: MenuGroup) -> None:
    _groups[group.key] = group


def menu_for(user: User) -> list[dict]:
    """The bar's items for this person: entries ``{key, label, url, icon}``, and groups with
    their entries under ``children``."""
    if not user.is_authenticated:
        return []
    shown: list[dict] = []
    groups: dict[str, dict] = {}
    for entry in sorted(_entries.values(), key=lambda item: item.order):
        if entry.capability is not None and not user.has_perm(entry.capability.permission):
            continue
        if entry.visible is not None and not entry.visible(user):
            continue
        item = {"key": entry.key, "label": entry.label, "url": reverse(entry.url_name), "icon": entry.icon}
        group = _groups.get(entry.group)
        if group is None:
            shown.append(item)
            continue
        if group.key not in groups:
            groups[group.key] = {"key": group.key, "label": group.label, "icon": group.icon, "children": []}
            shown.append(groups[group.key])
        groups[group.key]["children"].append(item)
    # A group that holds one entry for this person is that entry.
    return [item["children"][0] if len(item.get("children", ())) == 1 else item for item in shown]


def menu_keys(menu: list[dict]) -> set[str]:
    """Every entry's key, those inside groups too (for tests and checks)."""
    return {child["key"] for item in menu for child in item.get("children", [item])}
