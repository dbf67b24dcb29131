"""Structured logs: one JSON object per line on stderr in production, readable text under DEBUG
(`LOG_FORMAT=json|text` chooses), and one line per request carrying a request id.

Every line says when (ISO 8601, Beijing time, +08:00), how bad, which logger and what; lines
written while a request is served also carry its id, the signed-in person's id, the path and
the method, so that one request can be followed through the logs of the web and (by its id)
the proxy. The request line adds the status and the duration.

What is never logged: request bodies, query strings (a search may carry an ID number), headers
other than the request id, passwords. As a last guard, every ID number and phone number in a
message (or a traceback) is masked before it is written, by the portal's one masking rule
(`infra.masking.mask_personal_data`): a log line has no one handling its case, so its
numbers are always masked, exactly as a page masks them for someone who does not handle it.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.functional import empty

from infra.masking import mask_personal_data

# The request being served on this thread (or task), for every line written meanwhile.
_request_context: ContextVar[dict | None] = ContextVar("request_context", default=None)

REQUEST_LOGGER = logging.getLogger("governance.request")

# An incoming X-Request-ID is kept only if it is a plain token: it is written into every line
# and sent back in a header, so nothing that could forge a line or a header is accepted.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

CONTEXT_KEYS = ("request_id", "user_id", "path", "method")


def _local_time(created: float) -> datetime:
    try:
        zone = ZoneInfo(settings.TIME_ZONE or "Asia/Shanghai")
    except Exception:  # settings not configured yet (an early error at start-up)
        zone = ZoneInfo("Asia/Shanghai")
    return datetime.fromtimestamp(created, tz=zone)


def _fields(record: logging.LogRecord) -> dict:
    """The request fields of a record: given explicitly (the request line), or those of the
    request being served when it was written."""
    context = _request_context.get() or {}
    fields = {}
    for key in (*CONTEXT_KEYS, "status", "duration_ms"):
        if hasattr(record, key):  # given, even as None: the request line has every key
            fields[key] = getattr(record, key)
        elif context.get(key) is not None:
            fields[key] = context[key]
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _local_time(record.created).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal_data(record.getMessage()),
            **_fields(record),
        }
        if record.exc_info:
            entry["exception"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The same facts as a line a developer reads in a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        line = (
            f"{_local_time(record.created):%Y-%m-%d %H:%M:%S} {record.levelname:<7} "
            f"{record.name}: {mask_personal_data(record.getMessage())}"
        )
        if fields.get("request_id"):
            line += f" [{fields['request_id']}]"
        if record.exc_info:
            line += "\n" + mask_personal_data(self.formatException(record.exc_info))
        return line


def _user_id(request):
    """The signed-in person's id, if the request has already looked them up: the log line must
    not be the thing that touches the session store (it may be the database that is down)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class RequestLogMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when it sent a usable one), sends it
    back in the X-Request-ID header, and writes one line per request when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_context.set(
            {"request_id": request_id, "path": request.path, "method": request.method}
        )
        try:
            response = self.get_response(request)
            response.headers.setdefault("X-Request-ID", request_id)
            self._log(request, response, started)
            return response
        finally:
            _request_context.reset(token)

    def _log(self, request, response, started) -> None:
        try:
            status = response.status_code
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            level = logging.ERROR if status >= 500 else logging.INFO
            user_id = _user_id(request)
            REQUEST_LOGGER.log(
                level,
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                status,
                duration_ms,
                extra={"status": status, "duration_ms": duration_ms, "user_id": user_id},
            )
        except Exception:  # a log line must never cost the person their answer
            logging.getLogger(__name__).exception("The request line could not be written.")


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: every record to stderr in `log_format` ("json" or "text")."""
    formatter = {"json": JsonFormatter, "text": TextFormatter}[log_format]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"portal": {"()": formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "portal"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Django's own request logger would repeat the request line for every 4xx;
            # its errors (with the traceback) still come through.
            "django.request": {"level": "ERROR"},
            # runserver's access lines would duplicate ours.
            "django.server": {"level": "WARNING"},
        },
    }
