"""PostgreSQL restarting under load: a private cluster (never the shared one), the portal
under gunicorn on it, a phone sending findings all the while. Every finding answered as
saved is stored exactly once, the ones that failed are stored once when sent again, and the
same gunicorn answers again without being restarted (its workers' persistent connections
are checked before use: CONN_HEALTH_CHECKS)."""

import contextlib
import glob
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

from tests.faults.conftest import free_port, wait_for

PG_BIN = Path(
    os.environ.get("PG_BIN")
    or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), "")
    or Path(shutil.which("pg_ctl") or "pg_ctl").parent
)
GUNICORN = Path(sys.executable).with_name("gunicorn")
BEFORE, AFTER = 5, 5  # findings answered as saved before the restart, and after it

SETUP_SCRIPT = """
from tests.factories import GridFactory, area, import_changzhi_slice, team_member
from grids.models import GridRole
import_changzhi_slice("140406100")
grid = GridFactory(village=area("140406100200"), code="140406100200-01")
team_member(grid, GridRole.WORKER, username="phone")
print(grid.pk)
"""


def missing() -> str | None:
    for binary in (PG_BIN / "initdb", PG_BIN / "pg_ctl", GUNICORN):
        if not binary.exists():
            return f"no {binary}"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "no runuser (PostgreSQL refuses to run as root)"
    return None


class PrivatePostgres:
    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")

    def run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + list(command), check=True, capture_output=True, timeout=120)

    def pg_ctl(self, *arguments: str) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"),
            "-o", options, "-w", "-t", "60", *arguments,
        )  # fmt: skip

    def start(self) -> None:
        self.run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        self.pg_ctl("start")
        admin = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE portal")
        admin.close()

    def connect(self):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="portal")

    def started_at(self):
        database = self.connect()
        with database.cursor() as cursor:
            cursor.execute("SELECT pg_postmaster_start_time()")
            moment = cursor.fetchone()[0]
        database.close()
        return moment

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def private_postgres():
    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the PostgreSQL restart test must run in CI, but there is {reason}")
        pytest.skip(f"PostgreSQL restart test skipped: {reason}")
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.stop()


class Phone:
    """A signed-in browser session that sends findings as the phone's outbox does: JSON
    answers, a client key per finding, the same key when sent again."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def get(self, path: str) -> int:
        try:
            with self.opener.open(self.base_url + path, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, OSError):
            return 0

    def post(self, path: str, data: dict, **headers: str):
        request = urllib.request.Request(
            self.base_url + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"X-CSRFToken": self.csrf(), **headers},
        )
        return self.opener.open(request, timeout=10)

    def sign_in(self, username: str, password: str) -> None:
        with self.opener.open(self.base_url + "/accounts/login/", timeout=10) as page:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        with self.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        ) as answer:
            assert answer.url.rstrip("/") != self.base_url + "/accounts/login"

    def send_finding(self, key: str, grid_id: int) -> bool:
        """True when the portal answered that the finding is stored."""
        try:
            with self.post(
                "/grid/findings/new/",
                {
                    "client_key": key,
                    "grid": grid_id,
                    "category": "safety_hazard",
                    "severity": "low",
                    "description": "路口井盖缺失，已设置警示标志",
                    "status": "handled",
                    "action_taken": "放置警示锥并通知村委",
                },
                Accept="application/json",
            ) as answer:
                return answer.status == 200 and json.loads(answer.read())["ok"] is True
        except (urllib.error.URLError, OSError, ValueError):
            return False


def test_findings_survive_a_postgres_restart_and_the_portal_recovers_by_itself(
    private_postgres, tmp_path
):
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": private_postgres.url,
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    manage = [sys.executable, "manage.py"]
    run = {"cwd": settings.BASE_DIR, "env": environment, "capture_output": True, "timeout": 300}
    migrated = subprocess.run([*manage, "migrate", "--noinput"], **run)
    assert migrated.returncode == 0, migrated.stderr.decode()
    made = subprocess.run([*manage, "shell", "-c", SETUP_SCRIPT], **run)
    assert made.returncode == 0, made.stderr.decode()
    grid_id = int(made.stdout.decode().split()[-1])

    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--timeout", "30"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    phone = Phone(f"http://127.0.0.1:{port}")
    answered: dict[str, bool] = {}
    stop = threading.Event()

    def keep_sending():
        while not stop.is_set():
            key = str(uuid.uuid4())
            answered[key] = phone.send_finding(key, grid_id)
            time.sleep(0.02)

    try:
        wait_for(lambda: phone.get("/healthz") == 200, 30, "gunicorn to answer")
        phone.sign_in("phone", "Test-pass-2026")
        sender = threading.Thread(target=keep_sending)
        sender.start()
        try:
            wait_for(lambda: sum(answered.values()) >= BEFORE, 30, "findings before the restart")
            restarted_after = len(answered)
            first_start = private_postgres.started_at()
            private_postgres.pg_ctl("restart", "-m", "fast")
            assert private_postgres.started_at() > first_start
            wait_for(
                lambda: sum(list(answered.values())[restarted_after:]) >= AFTER,
                30,
                "findings saved after the restart",
            )
        finally:
            stop.set()
            sender.join(30)

        assert gunicorn.poll() is None  # the same gunicorn, never restarted
        assert phone.get("/healthz") == 200
        assert phone.get("/grid/today/") == 200

        database = private_postgres.connect()
        with database.cursor() as cursor:
            cursor.execute("SELECT client_key::text, count(*) FROM grids_finding GROUP BY 1")
            stored = dict(cursor.fetchall())
        saved = {key for key, ok in answered.items() if ok}
        assert all(stored.get(key) == 1 for key in saved)
        assert len(stored) == len(saved) + sum(
            1 for k, ok in answered.items() if not ok and k in stored
        )

        # What failed is sent again, as the phone's outbox does: stored once, whatever happened.
        for key, ok in answered.items():
            if not ok:
                assert phone.send_finding(key, grid_id)
        with database.cursor() as cursor:
            cursor.execute("SELECT client_key::text, count(*) FROM grids_finding GROUP BY 1")
            stored = dict(cursor.fetchall())
        database.close()
        assert stored == {key: 1 for key in answered}
    finally:
        if gunicorn.poll() is None:
            gunicorn.terminate()
            gunicorn.wait(30)
        log.close()
