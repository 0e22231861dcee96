"""Rules every request reads (the loan policies, the reading-notes rules), kept in the cache and
dropped whenever one of their rows is saved or deleted.

A transaction that has changed the rules reads them from the database until it ends (the change
may yet be rolled back, and another worker may cache the old rules in between: they are dropped
again when the change is committed). With the cache down, the rules are read from the database."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")


class CachedRead(Generic[T]):
    def __init__(self, key: str, load: Callable[[], T], *, seconds: int) -> None:
        self.key = key
        self.load = load
        self.seconds = seconds

    def _changed_in(self, connection) -> dict:
        # The outermost transaction of this connection that changed each cached read.
        if not hasattr(connection, "_cached_reads_changed_in"):
            connection._cached_reads_changed_in = {}
        return connection._cached_reads_changed_in

    def get(self) -> T:
        connection = transaction.get_connection()
        changed = self._changed_in(connection)
        changed_in = changed.get(self.key)
        if changed_in is not None:
            if (
                connection.in_atomic_block
                and connection.atomic_blocks
                and connection.atomic_blocks[0] is changed_in
            ):
                return self.load()
            del changed[self.key]  # that transaction is over
        try:
            value = cache.get(self.key)
        except Exception:  # the cache is down: read the database
            return self.load()
        if value is None:
            value = self.load()
            with contextlib.suppress(Exception):
                cache.set(self.key, value, self.seconds)
        return value

    def forget(self, **_signal_kwargs) -> None:
        """Drop the cached rules now, and again when the change is committed."""
        with contextlib.suppress(Exception):
            cache.delete(self.key)
        connection = transaction.get_connection()
        if connection.in_atomic_block and connection.atomic_blocks:
            self._changed_in(connection)[self.key] = connection.atomic_blocks[0]
            transaction.on_commit(self._delete)

    def _delete(self) -> None:
        with contextlib.suppress(Exception):
            cache.delete(self.key)

    def forget_when_changed(self, *models) -> None:
        """Forget the rules whenever a row of one of ``models`` is saved or deleted."""
        for model in models:
            for signal, kind in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(
                    self.forget, sender=model, weak=False, dispatch_uid=f"{self.key}-{kind}-{model.__name__}"
                )
