"""/healthz for the load balancer: is the database answering, and the broker if there is one."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(value in (True, None) for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **{k: _word(v) for k, v in checks.items()}},
        status=200 if healthy else 503,
    )


def _word(value: bool | None) -> str:
    return {True: "ok", False: "failing", None: "not configured"}[value]


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool | None:
    url = settings.REDIS_URL
    if not url:
        return None
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False
