"""What the intake API's tests share: a fake 12345 hotline listening on the loopback (it
records every callback the portal posts to it, and can be told to fail or be down), a source
system with its token, and a client that speaks to the API as the hotline would."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from open311.services import source_issue
from tests.conftest import DIANSHANG, LUCHENG
from tests.factories import area


class FakeHotline:
    """An HTTP server of the test's own on 127.0.0.1: each POST to /callback is recorded (and
    answered 200, or 503 while `failing`)."""

    def __init__(self):
        self.received: list[dict] = []
        self.failing = False
        self._lock = threading.Lock()
        hotline = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if hotline.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
                with hotline._lock:
                    hotline.received.append(json.loads(body.decode("utf-8")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[tuple[str, str]]:
        """(source number, event) of every callback received, in order."""
        with self._lock:
            return [(c["source_number"], c["event"]) for c in self.received]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hotline():
    server = FakeHotline()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def tasks_in_process():
    """Queued tasks run in this process when their transaction commits, as on a machine
    without a broker (CI runs the tests with one, and no worker would take them)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def source_with_token(changzhi_slice, hotline):
    """潞城区's 12345 hotline: it may send to 潞城区 only, and is told back at the fake hotline."""
    return source_issue(
        actor=None,
        name="潞城区12345热线",
        channel="hotline_12345",
        areas=[area(LUCHENG)],
        callback_url=hotline.url,
        return_limit_hours=24,
        requests_per_minute=100,
    )


class Api:
    """The API as a source system calls it: JSON in and out, its token in the header."""

    def __init__(self, token: str, language: str = ""):
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        if language:
            self.headers["Accept-Language"] = language

    def post(self, data, **extra):
        body = data if isinstance(data, (str, bytes)) else json.dumps(data, ensure_ascii=False)
        return self.client.post(
            reverse("open311:requests"),
            body,
            content_type=extra.pop("content_type", "application/json"),
            headers={**self.headers, **extra.pop("headers", {})},
        )

    def get(self, url, params=None):
        return self.client.get(url, params or {}, headers=self.headers)

    def requests(self, **params):
        return self.get(reverse("open311:requests"), params)

    def request(self, number: str):
        return self.get(reverse("open311:request_detail", kwargs={"number": number}))


def work_order(**overrides) -> dict:
    """A work order the hotline would post: a dispute in 店上镇."""
    return {
        "service_code": "dispute",
        "area_code": DIANSHANG,
        "description": "邻居装修噪音扰民，多次协商未果。",
        "address_string": "店上镇店上村东街12号",
        "name": "赵六",
        "phone": "13800138000",
        "source_number": "12345-20261203-0001",
        **overrides,
    }
