"""The portal's cache: Redis first, the database while Redis is unreachable.

Rate limits (allauth's, the contact form's), password-failure counters, TOTP codes
already used and the public pages all live in the cache. With Redis as the only cache a
Redis outage turned every one of them into a server error; ignoring the errors instead
would silently lift the rate limits. ``FailoverCache`` keeps them all working: each call
goes to the primary cache (django-redis); when Redis does not answer, the call is served
by the fallback (Django's database cache, table ``cos_cache``) and Redis is left alone for
``RETRY_SECONDS`` before it is tried again, so an outage costs one failed connection per
process and interval, not one per call.

Writes made to the fallback while Redis was down are remembered (their keys, in this
process): when Redis answers again, those keys are deleted from Redis, so a value changed
during the outage (the public pages' generation, a counter) is not read back stale from
Redis. Another process that wrote nothing during the outage has nothing to delete.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import BaseCache, caches
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a Redis outage raises through django-redis: refused or dropped connections,
# timeouts, a server still loading its data.
UNREACHABLE = (RedisError, ConnectionInterrupted, OSError)
_WRITES = {"set", "add", "touch", "delete", "incr", "decr", "set_many", "delete_many"}
_MISSING = object()


class FailoverCache(BaseCache):
    """OPTIONS: ``PRIMARY`` and ``FALLBACK`` (aliases of CACHES), ``RETRY_SECONDS``."""

    def __init__(self, server, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._primary = options["PRIMARY"]
        self._fallback = options["FALLBACK"]
        self._retry_seconds = float(options.get("RETRY_SECONDS", 5))
        # Shared by the threads of a process (caches[...] gives one object per thread).
        self._state = _state_for(params.get("LOCATION") or self._primary)

    # --- routing ------------------------------------------------------------------------

    def _call(self, method: str, *args, **kwargs):
        state = self._state
        if time.monotonic() >= state.down_until:
            try:
                result = getattr(caches[self._primary], method)(*args, **kwargs)
            except UNREACHABLE as error:
                state.went_down(self._retry_seconds, error)
            else:
                if state.missed:
                    self._forget_missed()
                return result
        if method in _WRITES:
            state.remember(_keys_of(method, args, kwargs))
        return getattr(caches[self._fallback], method)(*args, **kwargs)

    def _forget_missed(self) -> None:
        keys = self._state.take_missed()
        try:
            caches[self._primary].delete_many(keys)
        except UNREACHABLE as error:
            self._state.remember(keys)
            self._state.went_down(self._retry_seconds, error)
            return
        logger.warning("cache: Redis is back, %d keys written meanwhile were reset", len(keys))

    @property
    def primary_is_down(self) -> bool:
        return time.monotonic() < self._state.down_until

    # --- the cache API ------------------------------------------------------------------

    def add(self, key, value, timeout=_MISSING, version=None):
        return self._call("add", key, value, **_timeout(timeout), version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=_MISSING, version=None):
        return self._call("set", key, value, **_timeout(timeout), version=version)

    def touch(self, key, timeout=_MISSING, version=None):
        return self._call("touch", key, **_timeout(timeout), version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def set_many(self, data, timeout=_MISSING, version=None):
        return self._call("set_many", data, **_timeout(timeout), version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta, version=version)

    def clear(self):
        # Both: a value left in either would come back at the next switch.
        for alias in (self._fallback, self._primary):
            try:
                caches[alias].clear()
            except UNREACHABLE as error:
                self._state.went_down(self._retry_seconds, error)

    def close(self, **kwargs):
        for alias in (self._primary, self._fallback):
            caches[alias].close(**kwargs)


def _timeout(timeout) -> dict:
    # Each cache applies its own default timeout when none is given.
    return {} if timeout is _MISSING else {"timeout": timeout}


def _keys_of(method: str, args: tuple, kwargs: dict) -> list:
    if method == "set_many":
        return list(args[0])
    if method == "delete_many":
        return list(args[0])
    return [args[0]]


class _OutageState:
    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.missed: set = set()

    def went_down(self, retry_seconds: float, error: Exception) -> None:
        with self.lock:
            first = self.down_until == 0.0 or time.monotonic() >= self.down_until
            self.down_until = time.monotonic() + retry_seconds
        if first:
            logger.warning(
                "cache: Redis unreachable (%s: %s), the database cache serves for %ss",
                error.__class__.__name__,
                error,
                retry_seconds,
            )

    def remember(self, keys) -> None:
        with self.lock:
            self.missed.update(keys)

    def take_missed(self) -> list:
        with self.lock:
            keys, self.missed = list(self.missed), set()
        return keys


_STATES: dict[str, _OutageState] = {}
_STATES_LOCK = threading.Lock()


def _state_for(name: str) -> _OutageState:
    with _STATES_LOCK:
        return _STATES.setdefault(name, _OutageState())
