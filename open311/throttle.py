"""The rate limit of a source system: at most `requests_per_minute` requests in each clock
minute, counted by the project's one rate limiter (`infra.rate_limit`, in the shared cache).

When the cache cannot count (Redis down) the request is let through: the limit protects the
centre from a runaway client, and a Redis outage must not stop the hotline's work orders (the
token is still checked against the database)."""

from infra.rate_limit import rate_limit_hit, seconds_to_next_window

WINDOW_SECONDS = 60


def allow(source, *, now: float | None = None) -> tuple[bool, int]:
    """Count one request of `source`. Returns whether it is within the limit and, if not, how
    many seconds until the next window opens."""
    key = f"open311:{source.pk}"
    if rate_limit_hit(key, limit=source.requests_per_minute, window=WINDOW_SECONDS, now=now):
        return True, 0
    return False, seconds_to_next_window(WINDOW_SECONDS, now)
