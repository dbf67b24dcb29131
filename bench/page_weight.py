"""Weigh the grid worker's home page on its first load: every response, compressed, as sent.

A grid worker opens the portal on a phone, often on a weak mobile signal; the first load
with an empty cache, all assets included, must stay under BUDGET_KB. The portal runs as in
production (DEBUG off, gunicorn, WhiteNoise serving the compressed static files) on a fresh
SQLite database with the demo data; Chromium signs in as the demo grid worker, then opens the
home page in a new context (an empty cache, the same session) and adds up the bytes on the
wire of every response: headers and encoded body. Usage, from the project root:

    .venv/bin/python bench/page_weight.py

Writes bench/results/page-weight.json. Everything lives in a temporary folder of its own.
"""

import base64
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BUDGET_KB = 200
PAGE = "/grid/today/"
USERNAME = "grid_worker"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(directory: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PERSONAL_DATA_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "DATABASE_URL": f"sqlite:///{directory / 'portal.sqlite3'}",
        "STATIC_ROOT": str(directory / "static"),
        "MEDIA_ROOT": str(directory / "media"),
        "LOG_LEVEL": "WARNING",
    }


def prepare(env: dict[str, str]) -> None:
    manage = [sys.executable, "manage.py"]
    for command in [
        ["migrate", "--noinput"],
        ["import_areas", "governance/data/changzhi-divisions.csv"],
        ["seed_demo"],
        ["collectstatic", "--noinput"],
    ]:
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    """The portal as production serves it (two gunicorn workers) on `port` of the loopback."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped before it served a page")
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return  # an answer all the same
        except OSError:  # refused, reset or timed out while the workers start
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url}")


def weigh(base_url: str, env: dict[str, str]) -> dict:
    import django
    from playwright.sync_api import sync_playwright

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from governance.demo import DEMO_PASSWORD

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        phone = {
            "locale": "zh-CN",
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
        }
        signing_in = browser.new_context(**phone)
        page = signing_in.new_page()
        page.goto(f"{base_url}/accounts/login/")
        page.get_by_label("用户名").fill(USERNAME)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base_url}{PAGE}")
        session = signing_in.storage_state()
        signing_in.close()

        # A new context has an empty cache: this is the first load, with the session only.
        context = browser.new_context(storage_state=session, **phone)
        page = context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(f"{base_url}{PAGE}", wait_until="networkidle")
        assert urlsplit(page.url).path == PAGE, f"ended at {page.url}, not the worker home"
        rows = []
        for response in responses:
            sizes = response.request.sizes()
            try:
                decoded = len(response.body())
            except Exception:  # a redirect has no body to give
                decoded = 0
            rows.append(
                {
                    "url": urlsplit(response.url).path,
                    "status": response.status,
                    "encoding": response.headers.get("content-encoding", "identity"),
                    "headers_bytes": sizes["responseHeadersSize"],
                    "body_bytes": sizes["responseBodySize"],
                    "decoded_bytes": decoded,
                }
            )
        accept_encoding = responses[0].request.all_headers().get("accept-encoding", "")
        chromium_version = browser.version
        context.close()
        browser.close()
    return {"rows": rows, "accept_encoding": accept_encoding, "chromium": chromium_version}


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 1024 / 1024:.1f} GB memory"
    return f"{os.cpu_count()} cores{memory}, {platform.machine()}, {platform.system()}"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        env = production_env(Path(tmp))
        prepare(env)
        port = free_port()
        server = start_gunicorn(env, port)
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base_url}/accounts/login/", server)
            measured = weigh(base_url, env)
        finally:
            server.terminate()
            server.wait(timeout=10)

    rows = measured["rows"]
    total = sum(row["headers_bytes"] + row["body_bytes"] for row in rows)
    decoded = sum(row["decoded_bytes"] for row in rows)
    for row in rows:
        print(
            f"{row['headers_bytes'] + row['body_bytes']:>8} B  {row['encoding']:<8}"
            f" {row['decoded_bytes']:>8} B decoded  {row['url']}"
        )
    print(f"{total / 1024:.1f} KB on the wire ({decoded / 1024:.1f} KB decoded)")
    print(f"budget {BUDGET_KB} KB: {'within' if total <= BUDGET_KB * 1024 else 'OVER'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "page-weight.json").write_text(
        json.dumps(
            {
                "date": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
                "machine": machine(),
                "browser": f"Chromium {measured['chromium']}",
                "server": "gunicorn, DEBUG off, WhiteNoise compressed static files, plain http",
                "page": PAGE,
                "accept_encoding": measured["accept_encoding"],
                "requests": len(rows),
                "total_bytes": total,
                "total_kb": round(total / 1024, 1),
                "decoded_kb": round(decoded / 1024, 1),
                "budget_kb": BUDGET_KB,
                "within_budget": total <= BUDGET_KB * 1024,
                "responses": rows,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
