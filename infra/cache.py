"""A Redis cache that a Redis outage cannot take the portal down with.

Nothing the portal keeps in the cache is the only copy of anything (the bell's count is
recomputed from the database on a miss; sessions and the sign-in lockout live in the
database), so while Redis is unreachable every read is a miss and every write or delete is
dropped, with one warning in the log when Redis goes away and one line when it is back.

A delete that could not reach Redis is remembered and done when Redis answers again: were
Redis only unreachable (not restarted empty), a value the portal meant to drop (the bell's
count after new notifications) would otherwise come back stale until it expires.

Two things keep a dead Redis cheap: short socket timeouts without retries, and a pause after
a failure during which this process does not try Redis at all (so a Redis host that drops
packets costs one connection timeout per pause, not one per cache call).
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

DEFAULT_OPTIONS = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
    # A failure is answered by the pause below, not by retrying on the request's time.
    "retry": Retry(NoBackoff(), 0),
}


MISSED_DELETES_KEPT = 10_000


def _degrades(fallback):
    """Wrap a cache method: while Redis is out (or when the call fails), return `fallback`
    (a callable of the call's arguments) instead of raising."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self._resting():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                self._failed(error)
                return fallback(*args, **kwargs)
            self._succeeded()
            return result

        return wrapper

    return decorator


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _no_keys(data, *args, **kwargs):
    return list(data)


class DegradingRedisCache(RedisCache):
    """Django's RedisCache; on a Redis error, a miss for reads and a no-op for writes.

    OPTIONS may set `socket_connect_timeout`, `socket_timeout` and `retry` (defaults above)
    and `pause_seconds`: how long a process leaves Redis alone after a failure (default 5).
    """

    def __init__(self, server, params):
        params = dict(params)
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        self._pause = float(options.pop("pause_seconds", 5.0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0
        self._down = False
        self._state_lock = threading.Lock()
        self._missed_deletes: set[tuple] = set()

    def _resting(self) -> bool:
        return self._down and time.monotonic() < self._down_until

    def _failed(self, error: Exception) -> None:
        with self._state_lock:
            if not self._down:
                logger.warning(
                    "cache unavailable, serving without it: %s: %s", type(error).__name__, error
                )
            self._down = True
            self._down_until = time.monotonic() + self._pause

    def _succeeded(self) -> None:
        if not self._down:
            return
        with self._state_lock:
            if not self._down:
                return
            self._down = False
            missed, self._missed_deletes = self._missed_deletes, set()
        logger.info("cache available again")
        by_version: dict = {}
        for key, version in missed:
            by_version.setdefault(version, []).append(key)
        try:
            for version, keys in by_version.items():
                super().delete_many(keys, version=version)
        except RedisError as error:
            self._failed(error)
            self._missed_deletes |= missed

    def _missed(self, keys, version) -> None:
        if len(self._missed_deletes) < MISSED_DELETES_KEPT:
            self._missed_deletes.update((key, version) for key in keys)

    @_degrades(_default)
    def get(self, *args, **kwargs):
        return super().get(*args, **kwargs)

    @_degrades(_empty)
    def get_many(self, *args, **kwargs):
        return super().get_many(*args, **kwargs)

    @_degrades(_false)
    def has_key(self, *args, **kwargs):
        return super().has_key(*args, **kwargs)

    @_degrades(_false)
    def add(self, *args, **kwargs):
        return super().add(*args, **kwargs)

    @_degrades(_nothing)
    def set(self, *args, **kwargs):
        return super().set(*args, **kwargs)

    @_degrades(_no_keys)
    def set_many(self, *args, **kwargs):
        return super().set_many(*args, **kwargs)

    @_degrades(_false)
    def touch(self, *args, **kwargs):
        return super().touch(*args, **kwargs)

    def delete(self, key, version=None):
        if not self._resting():
            try:
                deleted = super().delete(key, version=version)
            except RedisError as error:
                self._failed(error)
            else:
                self._succeeded()
                return deleted
        self._missed([key], version)
        return False

    def delete_many(self, keys, version=None):
        keys = list(keys)
        if not self._resting():
            try:
                super().delete_many(keys, version=version)
            except RedisError as error:
                self._failed(error)
            else:
                self._succeeded()
                return
        self._missed(keys, version)

    @_degrades(_false)
    def clear(self):
        return super().clear()
