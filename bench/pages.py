"""Page speed under concurrent load: server latency, throughput and SQL queries of eight pages.

The portal runs as in production (DEBUG off, gunicorn, WhiteNoise, Redis cache) against a
database that already holds data (see bench/run.py for the week and year databases). Simulated
users sign in through the real sign-in form as the demo people and open their page again and
again, each on its own connection:

    worker_home       /grid/today/              grid_worker
    finding_submit    POST /grid/findings/new/  grid_worker (a new finding every time)
    workbench         /disputes/                township_staff
    dispute           /disputes/<pk>/           township_staff
    county_dashboard  /dashboard/140406/        county_official (潞城区)
    city_dashboard    /dashboard/1404/          city_official (长治市)
    incidents         /incidents/               township_staff (the incidents workbench)
    incident          /incidents/<pk>/          township_staff

Latency is the server's own: gunicorn's access log records each request's time in the worker
(%(D)s, microseconds), so the load client, which shares the machine's cores, does not colour
it. The time a request waits for a free worker is not in it; the client's own latency, which
includes that wait, is reported beside it. Queries per page are counted in a separate process
with Django's test client against the same database.

Usage, from the project root (the database must hold data and the demo people):

    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/bench_week
    .venv/bin/python bench/pages.py --database-url ... --users 50 --duration 300 --mixed

By default each page is loaded on its own, 20 users for 30 s; with --mixed all of them at once,
the users shared among them. Prints a table; `run()` returns the figures to bench/run.py.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
PASSWORD = "Pingan-2026-demo"
COUNTY_CODE = "140406"  # 潞城区
CITY_CODE = "1404"  # 长治市


class Page:
    def __init__(self, key, label, username, target_ms, *, dashboard=False, post=False):
        self.key = key
        self.label = label
        self.username = username
        self.target_ms = target_ms
        self.dashboard = dashboard
        self.post = post


PAGES = [
    Page("worker_home", "worker home", "grid_worker", 100),
    Page("finding_submit", "finding submit", "grid_worker", 100, post=True),
    Page("workbench", "township workbench", "township_staff", 150),
    Page("dispute", "dispute page", "township_staff", 150),
    Page("county_dashboard", "county dashboard", "county_official", 150, dashboard=True),
    Page("city_dashboard", "city dashboard", "city_official", 150, dashboard=True),
    Page("incidents", "incident workbench", "township_staff", 150),
    Page("incident", "incident page", "township_staff", 150),
]
PAGE_BY_KEY = {page.key: page for page in PAGES}
LOG_FORMAT = '%(m)s %(U)s %(s)s %(D)s "%({x-bench-page}i)s"'
LOG_LINE = re.compile(r'^(\S+) (\S+) (\d{3}) (\d+) "([^"]*)"$')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# ---------------------------------------------------------------------------------------------
# The plan: run inside Django, in a process of its own, against the benchmarked database.
# ---------------------------------------------------------------------------------------------
def _plan_in_django(keys: list[str] | None = None) -> dict:
    """The URL of every page for this database, the number of SQL queries each of the pages
    `keys` (default: all) issues, and the size of the data; clears any sign-in lockout of the
    demo people."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from disputes.models import Dispute, DisputeEvent
    from governance.rollups.models import DailyStat
    from grids.models import Finding, Grid, Patrol
    from grids.selectors import grids_worked_by
    from incidents.models import Incident, IncidentEvent
    from petitions.models import Petition

    users = {u.username: u for u in get_user_model().objects.filter(username__in=_usernames())}
    missing = sorted(set(_usernames()) - set(users))
    if missing:
        raise SystemExit(
            f"The demo people {', '.join(missing)} are missing from this database: "
            "run `manage.py seed_demo` on it first."
        )
    AccessAttempt.objects.filter(username__in=_usernames()).delete()

    grid = grids_worked_by(user=users["grid_worker"]).order_by("pk").first()
    if grid is None:
        raise SystemExit("grid_worker serves on no grid in this database: run seed_demo.")
    # The busiest dispute of the township: the page with the longest timeline is the slowest.
    dispute = (
        Dispute.objects.visible_to(users["township_staff"])
        .annotate(n_events=Count("events"))
        .order_by("-n_events", "-pk")
        .first()
    )
    if dispute is None:
        raise SystemExit("township_staff sees no dispute in this database: generate data first.")
    # Likewise the township's incident with the longest timeline, among those signed for (the
    # township may take it over: the page carries the dispatch form, whatever the size).
    incident = (
        Incident.objects.visible_to(users["township_staff"])
        .filter(status="signed_in")
        .annotate(n_events=Count("events"))
        .order_by("-n_events", "-pk")
        .first()
    )
    if incident is None:
        raise SystemExit("township_staff sees no incident in this database: generate data first.")

    urls = {
        "worker_home": "/grid/today/",
        "finding_submit": "/grid/findings/new/",
        "workbench": "/disputes/",
        "dispute": f"/disputes/{dispute.pk}/",
        "county_dashboard": f"/dashboard/{COUNTY_CODE}/",
        "city_dashboard": f"/dashboard/{CITY_CODE}/",
        "incidents": "/incidents/",
        "incident": f"/incidents/{incident.pk}/",
    }
    queries = {}
    for page in [PAGE_BY_KEY[key] for key in keys] if keys else PAGES:
        client = Client()
        client.force_login(users[page.username])
        for attempt in range(2):  # the first request fills per-process caches
            with CaptureQueriesContext(connection) as captured:
                if page.post:
                    response = client.post(
                        urls[page.key],
                        finding_form_data(grid.pk, "query count"),
                        HTTP_ACCEPT="application/json",
                    )
                    ok = response.status_code == 200 and response.json().get("created")
                else:
                    response = client.get(urls[page.key])
                    ok = response.status_code == 200
            if not ok:
                raise SystemExit(f"{page.key}: {urls[page.key]} answered {response.status_code}")
            if attempt:
                queries[page.key] = len(captured.captured_queries)

    latest = DailyStat.objects.order_by("-day").values_list("day", flat=True).first()
    data = {
        "villages_with_grids": Grid.objects.values("village").distinct().count(),
        "grids": Grid.objects.count(),
        "findings": Finding.objects.count(),
        "patrols": Patrol.objects.count(),
        "disputes": Dispute.objects.count(),
        "dispute_events": DisputeEvent.objects.count(),
        "petitions": Petition.objects.count(),
        "incidents": Incident.objects.count(),
        "incident_events": IncidentEvent.objects.count(),
        "incidents_seen_by_township_staff": Incident.objects.visible_to(
            users["township_staff"]
        ).count(),
        "daily_stat_rows": DailyStat.objects.count(),
        "latest_rolled_up_day": latest.isoformat() if latest else None,
        "dispute_events_on_page": dispute.n_events,
        "incident_events_on_page": incident.n_events,
    }
    return {"urls": urls, "grid": grid.pk, "queries": queries, "data": data}


def _usernames() -> list[str]:
    return sorted({page.username for page in PAGES})


def finding_form_data(grid_pk: int, note: str) -> dict:
    """A valid new finding, handled on the spot, with a key never used before."""
    return {
        "client_key": str(uuid.uuid4()),
        "grid": str(grid_pk),
        "category": "public_order",
        "severity": "low",
        "description": f"Benchmark: {note}",
        "status": "handled",
        "action_taken": "Talked to the people concerned.",
    }


# ---------------------------------------------------------------------------------------------
# The server.
# ---------------------------------------------------------------------------------------------
def personal_data_key() -> str:
    """The key the generated data was encrypted with: generate_load runs in development mode,
    so the development key unless PERSONAL_DATA_KEY names another."""
    if os.environ.get("PERSONAL_DATA_KEY"):
        return os.environ["PERSONAL_DATA_KEY"]
    sys.path.insert(0, str(ROOT))
    from infra import crypto

    return crypto.DEVELOPMENT_KEY


def production_env(database_url: str, directory: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PERSONAL_DATA_KEY": personal_data_key(),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "HTTPS": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": BENCH_REDIS_URL,
        "STATIC_ROOT": str(directory / "static"),
        "MEDIA_ROOT": str(directory / "media"),
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with an access log of each request's time in the worker.

    Sync workers, as in production (the README's `gunicorn --workers`): each takes one
    connection at a time, so the kernel spreads the users over the workers. (gthread workers
    keep a user's keep-alive connection, and one of them ends up holding every user.)
    """

    def __init__(self, env, directory: Path, *, workers: int, threads: int):
        self.port = free_port()
        self.log = directory / "access.log"
        self.errors = directory / "error.log"
        # The portal logs to stderr: its errors (a 500's traceback) land beside gunicorn's.
        self.stderr = self.errors.open("ab")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
                "--timeout",
                "60",
                "--backlog",
                "512",
                "--access-logfile",
                str(self.log),
                "--access-logformat",
                LOG_FORMAT,
                "--error-logfile",
                str(self.errors),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped on start:\n{self.errors.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start within 60 s")

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def durations(self, offset: int) -> dict[str, list[float]]:
        """Milliseconds in the worker per page, for the log written after `offset`."""
        found: dict[str, list[float]] = {}
        with self.log.open("rb") as log:
            log.seek(offset)
            for raw in log:
                match = LOG_LINE.match(raw.decode("utf-8", "replace").strip())
                if match and match.group(5) in PAGE_BY_KEY:
                    found.setdefault(match.group(5), []).append(int(match.group(4)) / 1000)
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


# ---------------------------------------------------------------------------------------------
# The simulated users.
# ---------------------------------------------------------------------------------------------
class Browser:
    """One signed-in person; http.client opens a new connection when the server closed it."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, page="", body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if page:
            headers["X-Bench-Page"] = page
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, OSError):
                # The server closed an idle keep-alive connection: open another, once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.msg, payload

    def sign_in(self, username: str) -> None:
        status, _headers, body = self.request("GET", "/accounts/login/", page="login")
        token = CSRF_INPUT.search(body.decode("utf-8", "replace"))
        if status != 200 or not token:
            raise RuntimeError(f"the sign-in page answered {status}")
        form = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        )
        status, headers, _body = self.request(
            "POST",
            "/accounts/login/",
            page="login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in (answer {status})")

    def close(self) -> None:
        self.connection.close()


class User(threading.Thread):
    """Opens one page again and again until the deadline; counts what went wrong."""

    def __init__(self, port, page: Page, plan: dict, window: "Window", sessions: "Sessions"):
        super().__init__(daemon=True)
        self.port = port
        self.sessions = sessions
        self.page = page
        self.url = plan["urls"][page.key]
        self.grid = plan["grid"]
        self.window = window
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.ready = threading.Event()

    def hit(self, browser: Browser, label: str) -> bool:
        if self.page.post:
            body = urllib.parse.urlencode(finding_form_data(self.grid, "load"))
            status, _headers, payload = browser.request(
                "POST",
                self.url,
                page=label,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                    "X-CSRFToken": browser.cookies.get("csrftoken", ""),
                },
            )
            try:
                accepted = status == 200 and json.loads(payload).get("created") is True
            except ValueError:
                accepted = False
            if not accepted:
                self.errors.append(f"{status} {payload[:200]!r}")
            return accepted
        status, _headers, _payload = browser.request("GET", self.url, page=label)
        if status != 200:
            self.errors.append(f"{status} {self.url}")
        return status == 200

    def run(self):
        browser = Browser(self.port)
        try:
            cookies = self.sessions.take(self.page.username)
            if cookies:
                browser.cookies = cookies
            else:
                browser.sign_in(self.page.username)
            for _ in range(2):
                self.hit(browser, "warmup")
            self.errors.clear()
        except Exception as error:  # noqa: BLE001 - reported as the run's error
            self.errors.append(f"sign-in: {error}")
            self.ready.set()
            return
        self.ready.set()
        self.window.opened.wait()
        while time.monotonic() < self.window.stop_at:
            began = time.perf_counter()
            try:
                self.hit(browser, self.page.key)
            except Exception as error:  # noqa: BLE001 - a failed request is counted, not fatal
                self.errors.append(repr(error))
                continue
            self.latencies.append((time.perf_counter() - began) * 1000)
        browser.close()
        self.sessions.give(self.page.username, browser.cookies)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return round(ordered[int(rank) - 1], 1)


class Sessions:
    """Signed-in sessions kept between the pages of a run, so that each person signs in once
    per simulated user rather than once per page."""

    def __init__(self):
        self.lock = threading.Lock()
        self.kept: dict[str, list[dict]] = {}

    def take(self, username: str) -> dict | None:
        with self.lock:
            kept = self.kept.get(username)
            return kept.pop() if kept else None

    def give(self, username: str, cookies: dict) -> None:
        with self.lock:
            self.kept.setdefault(username, []).append(dict(cookies))


class Window:
    """The measured time: it opens once every user has signed in and warmed up."""

    def __init__(self):
        self.opened = threading.Event()
        self.stop_at = 0.0


def drive(
    server: Server, plan: dict, pages: list[Page], users: int, duration: float, sessions: Sessions
) -> dict:
    """`users` users shared round-robin among `pages`, all at once, for `duration` seconds."""
    window = Window()
    threads = [
        User(server.port, pages[i % len(pages)], plan, window, sessions) for i in range(users)
    ]
    for thread in threads:
        thread.start()
    # Sign-ins (a deliberately slow password hash each) and warm-up happen before the window.
    for thread in threads:
        thread.ready.wait()
    time.sleep(0.5)  # let the last warm-up requests reach the log before the offset is taken
    offset = server.log_size()
    window.stop_at = time.monotonic() + duration
    window.opened.set()
    for thread in threads:
        thread.join()
    server_ms = server.durations(offset)
    results = {}
    for page in pages:
        mine = [t for t in threads if t.page is page]
        client = [ms for t in mine for ms in t.latencies]
        errors = [e for t in mine for e in t.errors]
        measured = server_ms.get(page.key, [])
        results[page.key] = {
            "users": len(mine),
            "requests": len(measured),
            "errors": len(errors),
            "error_samples": errors[:3],
            "median_ms": percentile(measured, 0.5),
            "p95_ms": percentile(measured, 0.95),
            "max_ms": round(max(measured), 1) if measured else None,
            "client_median_ms": percentile(client, 0.5),
            "client_p95_ms": percentile(client, 0.95),
            "throughput_rps": round(len(client) / duration, 1),
            "target_p95_ms": page.target_ms,
            "meets_target": bool(measured) and percentile(measured, 0.95) <= page.target_ms,
        }
    return results


def run(
    database_url: str,
    *,
    users: int = 20,
    duration: float = 30,
    mixed: bool = False,
    workers: int = 3,
    threads: int = 1,
    pages: list[str] | None = None,
    progress=print,
) -> dict:
    """Load the pages of the database at `database_url` and return what was measured."""
    chosen = [PAGE_BY_KEY[key] for key in pages] if pages else PAGES
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        directory = Path(tmp)
        env = production_env(database_url, directory)
        progress("  collecting static files, counting queries")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        planned = subprocess.run(
            [
                sys.executable,
                str(Path(__file__)),
                "--plan",
                *(argument for page in chosen for argument in ("--page", page.key)),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if planned.returncode:
            raise SystemExit(planned.stderr.strip().splitlines()[-1] if planned.stderr else "")
        plan = json.loads(planned.stdout)
        server = Server(env, directory, workers=workers, threads=threads)
        sessions = Sessions()
        try:
            if mixed:
                progress(f"  {users} users on all pages at once for {duration:g} s")
                figures = drive(server, plan, chosen, users, duration, sessions)
            else:
                figures = {}
                for page in chosen:
                    progress(f"  {page.label}: {users} users for {duration:g} s")
                    figures.update(drive(server, plan, [page], users, duration, sessions))
        finally:
            server.stop()
        server_errors = [
            line
            for line in server.errors.read_text(errors="replace").splitlines()
            if "ERROR" in line or "Traceback" in line
        ]
    for key, row in figures.items():
        row["queries"] = plan["queries"].get(key)
        row["url"] = plan["urls"][key]
    return {
        "users": users,
        "duration_s": duration,
        "mode": "mixed" if mixed else "one page at a time",
        "gunicorn": f"{workers} workers" + (f" × {threads} threads" if threads > 1 else " (sync)"),
        "pages": figures,
        "data": plan["data"],
        "server_errors": server_errors[:20],
    }


def table(result: dict) -> str:
    head = (
        f"{'page':<18} {'queries':>7} {'median':>8} {'p95':>8} {'target':>7} "
        f"{'req/s':>7} {'errors':>6} {'client p95':>10}"
    )
    lines = [head, "-" * len(head)]
    for key, row in result["pages"].items():
        mark = "ok" if row["meets_target"] else "MISS"
        lines.append(
            f"{key:<18} {row['queries']!s:>7} {row['median_ms']!s:>8} {row['p95_ms']!s:>8} "
            f"{row['target_p95_ms']:>4} {mark:<2} {row['throughput_rps']:>7} "
            f"{row['errors']:>6} {row['client_p95_ms']!s:>10}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plan", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30, help="seconds per page")
    parser.add_argument("--mixed", action="store_true", help="all pages at once")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--page", action="append", choices=list(PAGE_BY_KEY), dest="pages")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if options.plan:
        print(json.dumps(_plan_in_django(options.pages)))
        return
    if not options.database_url or not options.database_url.startswith("postgres"):
        parser.error("--database-url must name a PostgreSQL database holding data")
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        parser.error("gunicorn is not installed in this Python environment")
    result = run(
        options.database_url,
        users=options.users,
        duration=options.duration,
        mixed=options.mixed,
        workers=options.workers,
        threads=options.threads,
        pages=options.pages,
    )
    print(table(result))
    if result["server_errors"]:
        print("server errors:", *result["server_errors"], sep="\n  ")
    if options.json:
        Path(options.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
