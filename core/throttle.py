"""One throttle for the portal, on the shared cache (Redis, or the database while Redis is
down: core/cache.py), so that every web node counts the same hits.

- ``over_limit``: count one hit on a key; True once past the limit in the window (public
  verifications per address, messages to a referent per address).
- ``PasswordRetries``: re-typing one's password before a decision (signing the charter,
  applying, voting, giving a proxy, erasing one's account) allows five wrong passwords per
  person and purpose, then a pause of fifteen minutes: a brute-force guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

MAX_PASSWORD_FAILURES = 5
PASSWORD_FAILURE_WINDOW = 15 * 60


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit on ``key``; True once more than ``limit`` hits in ``window`` seconds."""
    cache.add(key, 0, window)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        hits = 1
    return hits > limit


@dataclass(frozen=True)
class PasswordRetries:
    """The wrong passwords a person typed for one purpose (``charters:sign-failures``...)."""

    purpose: str
    limit: int = MAX_PASSWORD_FAILURES
    window: int = PASSWORD_FAILURE_WINDOW

    def _key(self, user) -> str:
        return f"{self.purpose}:{user.pk}"

    def exhausted(self, user) -> bool:
        """True while the person must wait before typing their password again."""
        return cache.get(self._key(user), 0) >= self.limit

    def failed(self, user) -> None:
        over_limit(self._key(user), limit=self.limit, window=self.window)

    def succeeded(self, user) -> None:
        cache.delete(self._key(user))
