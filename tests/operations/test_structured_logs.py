"""Structured logs: every request is one JSON line with its id, the person, the path, the
method, the status and the duration, and no personal data; the proxy's request id is kept;
the format is chosen by LOG_FORMAT."""

import base64
import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from governance.models import Role
from infra.logging import JsonFormatter
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.factories import TEST_PASSWORD, VALID_ID_NUMBERS, person_with_role

REQUEST_KEYS = {
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "user_id",
    "path",
    "method",
    "status",
    "duration_ms",
}
ISO_BEIJING = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$")
ID_NUMBER = VALID_ID_NUMBERS[0]
PHONE = "13912345678"


@pytest.fixture
def json_log():
    """Everything logged during the test, formatted as production writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous_level)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def request_lines(stream) -> list[dict]:
    return [line for line in lines(stream) if line["logger"] == "governance.request"]


def test_a_request_is_one_json_line_with_its_facts_and_no_personal_data(
    client, changzhi_slice, json_log
):
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    client.force_login(staff)

    response = client.post(
        f"/disputes/new/?id_number={ID_NUMBER}",
        {
            "kind": "neighbour",
            "channel": "walk_in",
            "village": DIANSHANG_VILLAGE,
            "level": "township",
            "people_involved": "2",
            "description": "两户因排水沟发生争执",
            "party-TOTAL_FORMS": "1",
            "party-INITIAL_FORMS": "0",
            "party-0-side": "applicant",
            "party-0-name": "刘建国",
            "party-0-id_number": ID_NUMBER,
            "party-0-phone": PHONE,
        },
        headers={"X-Request-ID": "lb-7f3a9c"},
    )

    assert response.status_code == 302
    assert response["X-Request-ID"] == "lb-7f3a9c"
    [line] = request_lines(json_log)
    assert set(line) == REQUEST_KEYS
    assert ISO_BEIJING.match(line["time"]), line["time"]
    assert line["level"] == "INFO"
    assert line["request_id"] == "lb-7f3a9c"
    assert line["user_id"] == staff.pk
    assert line["path"] == "/disputes/new/"  # without the query string
    assert line["method"] == "POST"
    assert line["status"] == 302
    assert isinstance(line["duration_ms"], int | float) and line["duration_ms"] >= 0
    written = json_log.getvalue()
    for personal in (ID_NUMBER, PHONE, "刘建国", "排水沟"):
        assert personal not in written


def test_a_failed_sign_in_logs_neither_the_password_nor_a_phone_typed_as_the_name(
    client, changzhi_slice, json_log
):
    person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE, username="wang")
    secret = "Not-the-Pass-2026"

    response = client.post("/accounts/login/", {"username": PHONE, "password": secret})
    client.post("/accounts/login/", {"username": "wang", "password": secret})

    assert response.status_code == 200
    written = json_log.getvalue()
    assert secret not in written
    assert TEST_PASSWORD not in written
    assert PHONE not in written
    # Lines written while the request was served carry its id.
    ids = {line["request_id"] for line in request_lines(json_log)}
    during = [line for line in lines(json_log) if line["logger"] != "governance.request"]
    assert during, "the sign-in failure itself is logged"
    assert all(line.get("request_id") in ids for line in during)


@pytest.mark.parametrize(
    "incoming",
    ["", "x" * 500, "evil\r\nSet-Cookie: a=b", '{"forged": true}'],
    ids=["none", "too-long", "header-injection", "json"],
)
def test_a_request_without_a_usable_id_gets_a_fresh_one(client, db, json_log, incoming):
    headers = {"X-Request-ID": incoming} if incoming else {}

    response = client.get("/healthz", headers=headers)

    [line] = request_lines(json_log)
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert response["X-Request-ID"] == line["request_id"]
    assert line["user_id"] is None
    assert line["status"] == 200


def test_two_requests_get_two_ids(client, db, json_log):
    client.get("/healthz")
    client.get("/healthz")
    first, second = request_lines(json_log)
    assert first["request_id"] != second["request_id"]


def _run(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LOG_FORMAT", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


EMIT = (
    "import os, django, logging; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    "django.setup(); logging.getLogger('governance.check').warning('written %s', 42)"
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "s" * 64,
    "PERSONAL_DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
}


def test_production_writes_json_lines_on_stderr_by_default():
    result = _run(EMIT, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(text) for text in result.stderr.splitlines() if "governance.check" in text]
    assert line["message"] == "written 42"
    assert line["level"] == "WARNING"
    assert ISO_BEIJING.match(line["time"])


def test_debug_writes_readable_text_and_log_format_overrides_it():
    text = _run(EMIT, DEBUG="true")
    assert text.returncode == 0, text.stderr
    assert re.search(r"\d\d:\d\d:\d\d WARNING +governance\.check: written 42", text.stderr)

    forced = _run(EMIT, DEBUG="true", LOG_FORMAT="json")
    assert forced.returncode == 0, forced.stderr
    assert '"message": "written 42"' in forced.stderr


def test_an_unknown_log_format_is_refused_with_a_clear_message():
    result = _run(EMIT, DEBUG="true", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text" in result.stderr


def test_an_id_number_or_a_phone_in_any_message_is_masked(db, json_log):
    """A last guard for a message that a developer wrote carelessly."""
    logging.getLogger("governance.check").warning("call %s about %s", PHONE, ID_NUMBER)

    [line] = [line for line in lines(json_log) if line["logger"] == "governance.check"]
    assert line["message"] == "call 139****5678 about 110***********002X"
