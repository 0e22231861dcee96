"""One transitions table per model with a state, and the one guard every service uses.

Each app declares its tables in its own ``states.py``::

    LOAN_STATES = StateTable(
        "loan",
        [
            Move(Loan.Status.OPEN, Loan.Status.RETURNED, _("returned at the desk")),
            Move(Loan.Status.OPEN, Loan.Status.LOST, _("declared lost"), right="circulation.lend"),
        ],
        refused=LoanRefused,
    )

and a service calls ``LOAN_STATES.check(loan.status, Loan.Status.RETURNED)`` before it writes the
new state (or ``LOAN_STATES.check_all(...)`` for many rows at once). A move that is not in the
table is refused with the app's own exception and a message that names both states; the table is
what a newcomer reads to learn how a loan, a hold or a plan moves, and what a test walks to prove
that every other move is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Move:
    """One allowed change of state: from ``source`` to ``target``, why it happens, and the
    permission (``app_label.codename``) a person needs to make it, where one is needed beyond
    the right to call the service at all."""

    source: str
    target: str
    why: str = ""
    right: str | None = None


class StateTable:
    """The allowed moves of one model's state field, and the guard that refuses the others."""

    def __init__(
        self,
        name: str,
        moves: Iterable[Move],
        *,
        choices: type[models.TextChoices],
        refused: Callable[[str], Exception],
        message: str | None = None,
    ) -> None:
        self.name = name
        # The refusal's text, with %(current)s and %(wanted)s: "A copy that is “%(current)s” …".
        self.message = message or _("It is “%(current)s” and cannot become “%(wanted)s”.")
        self.choices = choices
        self.refused = refused
        self.moves: dict[tuple[str, str], Move] = {}
        for move in moves:
            key = (str(move.source), str(move.target))
            if key in self.moves:
                raise ValueError(f"{name}: the move {key} is in the table twice")
            for state in key:
                if state not in choices.values:
                    raise ValueError(f"{name}: {state!r} is not one of {choices.__name__}")
            self.moves[key] = move

    def __iter__(self):
        return iter(self.moves.values())

    def targets(self, source: str) -> set[str]:
        """The states a row in ``source`` may move to."""
        return {target for (start, target) in self.moves if start == str(source)}

    def allows(self, source: str, target: str) -> bool:
        return (str(source), str(target)) in self.moves

    def label(self, state: str) -> str:
        try:
            return str(self.choices(state).label)
        except ValueError:
            return str(state)

    def check(
        self,
        source: str,
        target: str,
        *,
        message: str | None = None,
        refused: Callable[[str], Exception] | None = None,
    ) -> Move:
        """The move from ``source`` to ``target``, or the app's refusal when the table has none.
        ``message`` overrides the table's text for this call (it may name the row, as
        "Copy %(barcode)s is …" does, with the values already put in but for the two states);
        ``refused`` the exception raised, where a service's callers expect one of their own
        (circulation's undo raises ``UndoRefused``)."""
        move = self.moves.get((str(source), str(target)))
        if move is None:
            raise (refused or self.refused)(
                (message or self.message) % {"current": self.label(source), "wanted": self.label(target)}
            )
        return move

    def check_all(
        self,
        sources: Iterable[str],
        target: str,
        *,
        message: str | None = None,
        refused: Callable[[str], Exception] | None = None,
    ) -> None:
        """check() for many rows moving to one state: one refused move refuses them all."""
        for source in sorted(set(map(str, sources))):
            self.check(source, target, message=message, refused=refused)

    def refused_moves(self) -> list[tuple[str, str]]:
        """Every (source, target) pair of distinct states that the table does not allow: what a
        test of the table walks to prove each of them is refused."""
        states = list(self.choices.values)
        return [(a, b) for a in states for b in states if a != b and (a, b) not in self.moves]
