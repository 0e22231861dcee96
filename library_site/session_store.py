"""Sessions read from the cache and written through to the database (Django's ``cached_db``),
so that a request which does not change its session costs no session query; and, as before,
a cache (Redis) outage logs nobody out and stops nobody signing in: cache errors fall back to
the database (and are logged)."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # an unreachable cache or an invalid key: read the database
            data = None
        if data is not None:
            return data
        session = self._get_session_from_db()
        if not session:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.exception("Error reading the cache (%s)", self._cache)
        return bool(session_key) and cached_db.DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        # Signing in (a new key) and out must work with the cache down too. The risk, logged:
        # a session signed out while the cache was unreachable is still in the cache if it
        # comes back with its old data; flush the cache after such an outage.
        cached_db.DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.exception(
                "Error deleting a session from the cache (%s): flush it once it is back", self._cache
            )
