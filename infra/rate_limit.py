"""A fixed-window counter in the cache: how many times a key was hit in the current window.

Shared by every process through the project's cache (Redis in production). The cache may be
away (`infra.cache`): then nothing is counted and nothing is refused, which is the degrading
cache's choice everywhere (a limit is a brake on guessing or on a runaway client, not the lock
itself)."""

import time

from django.core.cache import cache
from redis.exceptions import RedisError


def _window(window: int, now: float | None) -> int:
    return int((time.time() if now is None else now) // window)


def rate_limit_hit(key: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Count one hit on `key`; True while the window's hits stay within `limit`."""
    bucket = f"rate:{key}:{_window(window, now)}"
    try:
        # add() creates the counter only if absent, so two processes never both reset it.
        cache.add(bucket, 0, timeout=window + 1)
        hits = cache.incr(bucket)
    except (ValueError, RedisError):
        # The counter vanished between add and incr (evicted), or the cache is away.
        return True
    return hits <= limit


def seconds_to_next_window(window: int, now: float | None = None) -> int:
    """How long until a refused caller may try again (for a Retry-After header)."""
    now = time.time() if now is None else now
    return max(1, int((_window(window, now) + 1) * window - now))
