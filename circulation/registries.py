"""What circulation lets a higher app add to it, without importing that app (DESIGN: the lower
app offers a small registry that the higher one fills in its ``AppConfig.ready()``, as the
menus and the jobs do). Two registries:

**Borrowing checks.** ``check(reader, policy) -> str | None``: a one-line reason, translated,
when this reader may not borrow now, else None. The desk's lend (``loan_checkout``) calls every
registered check, in the order registered, after its own rules, and refuses with the first
reason (``BorrowingBlocked``, a CirculationError carrying it). ``reader`` is the locked Reader
with their account and class; ``policy`` the LoanPolicy that applies (its
``block_on_owed_notes`` is for the activities app's check to read). A check runs inside the
lend's transaction: keep it to one query. The activities app registers, for example::

    def owed_notes_block(reader, policy):
        if policy.block_on_owed_notes and notes_owed(reader) > 0:
            return gettext("%(count)s reading note(s) owed: hand them in first.") % {...}
        return None

    borrowing_check_register(owed_notes_block)

**Reader panel lines.** ``line(reader) -> str | None``: a short line (translated) the desk's
reader panel and the staff's page of a reader show under the reader's blocks ("2 reading notes
owed"), or None for nothing. Called once per panel, in the order registered.

**The reader's own page.** ``section(reader) -> ReaderPageSection | None``: a section of the
reader's own page (我的借阅) that a higher app keeps (the reading notes they owe, with a link to
write them), or None when it has nothing for this reader. Called once per page view.

Each ``*_register`` returns a ``Registration``: ignore it in ``ready()``; a test unregisters
with it, or uses it as a context manager::

    with borrowing_check_register(lambda reader, policy: "Not today"):
        ...  # the desk refuses every lend with "Not today"

**Desk modes.** ``DeskMode(value, label, icon, handle)``: a mode of the desk's scan box kept by
a higher app (the service team's shift check-in). The desk shows a button for each registered
mode beside lend, return, renew and class pile; a scan in that mode is looked up as a card
(``card`` is the active LibraryCard with its reader and account, or None when the scan names no
card or a blocked one) and handed to ``handle(card, user, desk) -> DeskModeAnswer``, whose
message the desk shows in green (``done``) or red. The desk records the scan in its audit
(action "Scan"). The activities app registers::

    desk_mode_register(DeskMode("shift", _("Shift"), "person-badge", shift_desk_scan))

Registering the same function twice registers it once. With nothing registered the desk does
no more work and no more queries than without the registries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import LoanPolicy, Reader

BorrowingCheck = Callable[["Reader", "LoanPolicy"], "str | None"]
ReaderPanelLine = Callable[["Reader"], "str | None"]


@dataclass(frozen=True)
class ReaderPageSection:
    """A section of the reader's own page: a heading, a line of text, and a link (its address
    already reversed by the app that knows it) with the link's label; ``urgent`` draws it as a
    warning (something is owed)."""

    title: str
    text: str
    url: str = ""
    link_label: str = ""
    icon: str = "pencil-square"
    urgent: bool = False
    # A section drawn by the higher app's own template (the bulletin, the recommendations), with
    # its context; ``wide`` puts it across the page above the loans.
    template: str = ""
    context: dict | None = None
    wide: bool = False


ReaderPageSectionMaker = Callable[["Reader"], "ReaderPageSection | None"]


@dataclass(frozen=True)
class DeskModeAnswer:
    """What a registered desk mode made of a scan: done (green) or refused (red), and a line."""

    done: bool
    message: str


@dataclass(frozen=True)
class DeskMode:
    """A mode of the desk's scan box that a higher app keeps (see the module's docstring)."""

    value: str
    label: object  # a translated label (lazy)
    icon: str
    handle: Callable[..., DeskModeAnswer]


_borrowing_checks: list[BorrowingCheck] = []
_desk_modes: list[DeskMode] = []
_reader_panel_lines: list[ReaderPanelLine] = []
_reader_page_sections: list[ReaderPageSectionMaker] = []


class Registration:
    """A registered function, and the way to take it out again (``unregister()``, or the end
    of a ``with`` block)."""

    def __init__(self, registry: list, function: Callable) -> None:
        self._registry = registry
        self.function = function

    def unregister(self) -> None:
        if self.function in self._registry:
            self._registry.remove(self.function)

    def __enter__(self) -> Registration:
        return self

    def __exit__(self, *exc_info) -> None:
        self.unregister()


def _register(registry: list, function: Callable) -> Registration:
    if function not in registry:
        registry.append(function)
    return Registration(registry, function)


def borrowing_check_register(check: BorrowingCheck) -> Registration:
    """Add a check the desk's lend asks after its own rules (see the module's docstring)."""
    return _register(_borrowing_checks, check)


def reader_panel_line_register(line: ReaderPanelLine) -> Registration:
    """Add a line the desk's reader panel and the staff's reader page show (see above)."""
    return _register(_reader_panel_lines, line)


def reader_page_section_register(section: ReaderPageSectionMaker) -> Registration:
    """Add a section the reader's own page shows (see above)."""
    return _register(_reader_page_sections, section)


def desk_mode_register(mode: DeskMode) -> Registration:
    """Add a mode to the desk's scan box (see the module's docstring). A mode's value may not
    be one of the desk's own (lend, return, renew, pile)."""
    if mode.value in ("lend", "return", "renew", "pile"):
        raise ValueError(f"the desk mode {mode.value!r} is the desk's own")
    for registered in _desk_modes:
        if registered.value == mode.value and registered is not mode:
            raise ValueError(f"the desk mode {mode.value!r} is registered already")
    return _register(_desk_modes, mode)


def desk_modes() -> list[DeskMode]:
    """The registered desk modes, in the order registered."""
    return list(_desk_modes)


def desk_mode_get(value: str) -> DeskMode | None:
    for mode in _desk_modes:
        if mode.value == value:
            return mode
    return None


def borrowing_refusal(reader: Reader, policy: LoanPolicy) -> str | None:
    """The first registered check's reason why ``reader`` may not borrow, or None."""
    for check in _borrowing_checks:
        reason = check(reader, policy)
        if reason:
            return str(reason)
    return None


def borrowing_refusals(reader: Reader, policy: LoanPolicy) -> list[str]:
    """Every registered check's reason, for a lend despite the blocks (which records them all)."""
    reasons = []
    for check in _borrowing_checks:
        reason = check(reader, policy)
        if reason:
            reasons.append(str(reason))
    return reasons


def reader_panel_lines(reader: Reader) -> list[str]:
    """The registered lines for this reader's panel, without the empty ones."""
    lines = []
    for line in _reader_panel_lines:
        text = line(reader)
        if text:
            lines.append(str(text))
    return lines


def reader_page_sections(reader: Reader) -> list[ReaderPageSection]:
    """The registered sections of this reader's own page, without the empty ones."""
    sections = []
    for make in _reader_page_sections:
        section = make(reader)
        if section is not None:
            sections.append(section)
    return sections


@contextmanager
def registries_emptied() -> Iterator[None]:
    """Run a block as if no higher app had registered anything (circulation's own tests measure
    the desk on its own floor; each app tests what it adds). What the block registers itself is
    dropped at its end, and the registrations made before are back."""
    registries = (_borrowing_checks, _reader_panel_lines, _reader_page_sections, _desk_modes)
    saved = [list(registry) for registry in registries]
    for registry in registries:
        registry.clear()
    try:
        yield
    finally:
        for registry, functions in zip(registries, saved, strict=True):
            registry[:] = functions
