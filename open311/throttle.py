"""The rate limit of a source system: at most `requests_per_minute` requests in each clock
minute, counted in the project cache (Redis in production, shared by every process).

When the cache cannot count (Redis down: `infra.cache` degrades to misses) the request is let
through: the limit protects the centre from a runaway client, and a Redis outage must not stop
the hotline's work orders (the token is still checked against the database)."""

import time

from django.core.cache import cache
from redis.exceptions import RedisError

WINDOW_SECONDS = 60


def _key(source_pk: int, window: int) -> str:
    return f"open311:rate:{source_pk}:{window}"


def allow(source, *, now: float | None = None) -> tuple[bool, int]:
    """Count one request of `source`. Returns whether it is within the limit and, if not, how
    many seconds until the next window opens."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = _key(source.pk, window)
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        count = cache.incr(key)
    except (ValueError, RedisError):  # the key vanished, or Redis did: let it through
        return True, 0
    if count <= source.requests_per_minute:
        return True, 0
    return False, max(1, int((window + 1) * WINDOW_SECONDS - now))
