"""A fixed-window counter in the cache: how many times a key was hit in the current window.

Shared by every process through the project's cache (Redis in production). The cache may be
away (`infra.cache`): then nothing is counted and nothing is refused, which is the degrading
cache's choice everywhere (a limit is a brake on guessing, not the lock itself)."""

import time

from django.core.cache import cache


def _window_key(key: str, window: int) -> str:
    return f"rate:{key}:{int(time.time()) // window}"


def rate_limit_hit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit on `key`; True while the window's hits stay within `limit`."""
    bucket = _window_key(key, window)
    # add() creates the counter only if absent, so two processes never both reset it.
    cache.add(bucket, 0, timeout=window + 1)
    try:
        hits = cache.incr(bucket)
    except ValueError:
        # The counter vanished between add and incr (evicted, or the cache is away).
        return True
    return hits <= limit


def rate_limit_exceeded(key: str, *, limit: int, window: int) -> bool:
    """Whether `key` already used up its window, without counting a hit."""
    return (cache.get(_window_key(key, window)) or 0) >= limit
