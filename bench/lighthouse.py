"""Lighthouse, mobile, on the four pages a day's work starts from, each as its own user.

The portal runs as in production (DEBUG off, gunicorn, WhiteNoise serving the compressed
static files, plain http on the loopback) on a fresh SQLite database: the Changzhi tree, the
demo people (`seed_demo`), a generated month of work in 40 villages around the demo village
(`generate_load`) rolled up by the daily and weekly jobs, so that lists, the workbench and the
dashboard hold figures. Each person signs in through the real sign-in form; Lighthouse then
opens the page with that session's cookie. Lighthouse is the npm package pinned in
bench/lighthouse/package.json, with its mobile defaults (a Moto G Power sized screen, simulated
slow 4G and a 4× slower CPU), driving the distribution's Chromium. Usage, from the project root:

    (cd bench/lighthouse && npm ci)      # once: installs the pinned Lighthouse
    .venv/bin/python bench/lighthouse.py [--runs 3] [--port 8791]

Each page is measured --runs times; the median run by performance is reported. Writes
bench/results/lighthouse.md and lighthouse.json (the scores, the metrics, and every audit
below a full score); the full reports go to bench/results/tmp/lighthouse/. Everything else
lives in a temporary folder of its own.
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.page_weight import (  # noqa: E402
    machine,
    production_env,
    start_gunicorn,
    wait_until_up,
)

RESULTS = ROOT / "bench" / "results"
REPORTS = RESULTS / "tmp" / "lighthouse"
LIGHTHOUSE_DIR = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-sync"
DEMO_PASSWORD = "Pingan-2026-demo"  # governance.demo.DEMO_PASSWORD, read without Django
GENERATED_VILLAGES = 40
GENERATED_DAYS = 35
TARGETS = {"performance": 95, "accessibility": 100}

PAGES = [
    ("worker home", "/grid/today/", "grid_worker"),
    ("finding form", "/grid/findings/new/", "grid_worker"),
    ("township workbench", "/disputes/", "township_staff"),
    ("county dashboard", "/dashboard/140406/", "county_official"),
]
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def prepare(env: dict[str, str], directory: Path) -> None:
    """Fills the database, unless a kept folder already holds one; the static files are
    collected every time, so that a kept folder serves the CSS and JS as they are now."""
    if (directory / "portal.sqlite3").exists():
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        return
    last = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)
    first = last - timedelta(days=GENERATED_DAYS - 1)
    manage(env, "migrate", "--noinput")
    # generate_load wants an empty database: it imports the tree and makes the demo people.
    manage(
        env,
        "generate_load",
        "--villages",
        str(GENERATED_VILLAGES),
        "--days",
        str(GENERATED_DAYS),
        "--end",
        str(last),
    )
    manage(env, "seed_demo")
    manage(env, "rollup", "--job", "daily", "--from", str(first), "--to", str(last))
    last_sunday = last - timedelta(days=(last.weekday() + 1) % 7)  # weeks that have ended
    manage(env, "rollup", "--job", "weekly", "--from", str(first), "--to", str(last_sunday))
    manage(env, "collectstatic", "--noinput")


def session_cookie(base_url: str, username: str) -> str:
    """Signs in through the sign-in form and returns the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"{base_url}/accounts/login/"
    form = opener.open(login, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(login, data=body, headers={"Referer": login})
    opener.open(request, timeout=30).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"{username} could not sign in")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def lighthouse(url: str, cookie: str, output: Path) -> dict:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={output}",
            "--only-categories=performance,accessibility",
            f"--chrome-flags={CHROMIUM_FLAGS}",
            "--extra-headers",
            json.dumps({"Cookie": cookie}),
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    return json.loads(output.read_text(encoding="utf-8"))


def summary(report: dict) -> dict:
    audits = report["audits"]
    below = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                below.append(
                    {
                        "category": category["id"],
                        "id": ref["id"],
                        "title": audit["title"],
                        "score": audit["score"],
                        "shown": audit.get("displayValue", ""),
                    }
                )
    return {
        "final_url": report["finalDisplayedUrl"],
        # Lighthouse's measure of the machine's speed while it ran (a quiet desktop: 1000 to
        # 2000); below that, its 4× CPU slowdown makes a slower phone than intended.
        "benchmark_index": report["environment"]["benchmarkIndex"],
        "load_average": round(os.getloadavg()[0], 1),
        "scores": {
            name: round(category["score"] * 100) for name, category in report["categories"].items()
        },
        "metrics": {
            short: {
                "value": round(audits[name]["numericValue"], 3),
                "shown": audits[name]["displayValue"],
            }
            for name, short in METRICS.items()
        },
        "below_full_score": below,
    }


def measure(base_url: str, pages: list[tuple[str, str, str]], runs: int) -> list[dict]:
    REPORTS.mkdir(parents=True, exist_ok=True)
    cookies: dict[str, str] = {}
    measured = []
    for name, path, username in pages:
        if username not in cookies:
            cookies[username] = session_cookie(base_url, username)
        results = []
        for run in range(1, runs + 1):
            slug = path.strip("/").replace("/", "-")
            report = lighthouse(
                f"{base_url}{path}", cookies[username], REPORTS / f"{slug}-{run}.json"
            )
            result = summary(report)
            if urllib.parse.urlsplit(result["final_url"]).path != path:
                raise RuntimeError(f"{path} ended at {result['final_url']}, not the page")
            results.append(result)
            print(f"{name} run {run}: {result['scores']}", flush=True)
        by_performance = sorted(results, key=lambda result: result["scores"]["performance"])
        median = by_performance[len(results) // 2]
        measured.append(
            {
                "page": name,
                "path": path,
                "user": username,
                "runs": [result["scores"] for result in results],
                "median": median,
                "lighthouse": report["lighthouseVersion"],
                "user_agent": report["environment"]["hostUserAgent"],
            }
        )
    return measured


def write_results(measured: list[dict], *, runs: int, command: str) -> bool:
    met = all(
        page["median"]["scores"][category] >= target
        for page in measured
        for category, target in TARGETS.items()
    )
    first = measured[0]
    browser = re.search(r"Chrome/([\d.]+)", first["user_agent"])
    header = {
        "date": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "machine": machine(),
        "lighthouse": first["lighthouse"],
        "browser": f"Chromium {browser.group(1) if browser else '?'} ({CHROMIUM})",
        "settings": "Lighthouse defaults for mobile: emulated Moto G Power, simulated slow 4G "
        "(150 ms RTT, 1.6 Mbit/s) and 4x CPU slowdown",
        "server": "gunicorn (2 workers), DEBUG off, WhiteNoise compressed static files, "
        "plain http on the loopback, SQLite",
        "data": f"seed_demo and generate_load --villages {GENERATED_VILLAGES} "
        f"--days {GENERATED_DAYS}, rolled up daily and weekly",
        "runs_per_page": runs,
        "targets": TARGETS,
        "targets_met": met,
        "command": command,
    }
    (RESULTS / "lighthouse.json").write_text(
        json.dumps({**header, "pages": measured}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    lines = [
        "# Lighthouse, mobile",
        "",
        f"{header['date']}, commit {header['commit']}; {header['machine']}.",
        f"Lighthouse {header['lighthouse']}, {header['browser']}. {header['settings']}.",
        f"Server: {header['server']}. Data: {header['data']}.",
        f"Each page measured {runs} times; the median run by performance is shown.",
        "",
        "Reproduce, from the project root:",
        "",
        "```sh",
        "(cd bench/lighthouse && npm ci)",
        command,
        "```",
        "",
        "| page | signed in as | performance | accessibility | FCP | LCP | TBT | CLS | SI "
        "| every run (performance/accessibility) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for page in measured:
        median = page["median"]
        metrics = " | ".join(median["metrics"][short]["shown"] for short in METRICS.values())
        every = ", ".join(f"{run['performance']}/{run['accessibility']}" for run in page["runs"])
        lines.append(
            f"| {page['page']} `{page['path']}` | {page['user']} "
            f"| {median['scores']['performance']} | {median['scores']['accessibility']} "
            f"| {metrics} | {every} |"
        )
    machine_state = ", ".join(
        f"{page['page']}: {median['benchmark_index']:.0f} ({median['load_average']})"
        for page in measured
        for median in [page["median"]]
    )
    lines += [
        "",
        "Lighthouse's benchmark index of the machine during the median runs (a quiet desktop "
        "scores 1000 to 2000; lower means Lighthouse's 4× slowdown emulates a slower phone than "
        f"intended), with the 1-minute load average: {machine_state}.",
    ]
    targets = ", ".join(f"{name} ≥ {target}" for name, target in TARGETS.items())
    lines += ["", f"Targets ({targets}): {'met' if met else 'NOT met'} on every page.", ""]
    below = [(page, audit) for page in measured for audit in page["median"]["below_full_score"]]
    if below:
        lines += ["Audits below a full score in the median runs:", ""]
        for page, audit in below:
            shown = f" ({audit['shown']})" if audit["shown"] else ""
            lines.append(
                f"- {page['page']}, {audit['category']}: {audit['title']}{shown}, "
                f"score {audit['score']}"
            )
        lines.append("")
    (RESULTS / "lighthouse.md").write_text("\n".join(lines), encoding="utf-8")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page (default 3)")
    parser.add_argument("--port", type=int, default=8791, help="the portal's port (8791)")
    parser.add_argument(
        "--keep",
        type=Path,
        help="a folder for the database and static files, kept and reused by the next run",
    )
    parser.add_argument(
        "--only", help="measure only the pages whose path contains this (while working on one)"
    )
    options = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"No Lighthouse at {LIGHTHOUSE}: run `npm ci` in {LIGHTHOUSE_DIR} first.")
    command = ".venv/bin/python bench/lighthouse.py" + (
        f" --runs {options.runs}" if options.runs != 3 else ""
    )
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        directory = options.keep.resolve() if options.keep else Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        env = production_env(directory)
        secret = directory / "secret.json"  # a kept database keeps its keys
        if options.keep and secret.exists():
            env.update(json.loads(secret.read_text()))
        elif options.keep:
            keys = ("SECRET_KEY", "PERSONAL_DATA_KEY")
            secret.write_text(json.dumps({key: env[key] for key in keys}))
        print("Preparing the database (a few minutes the first time)…", flush=True)
        prepare(env, directory)
        server = start_gunicorn(env, options.port)
        base_url = f"http://127.0.0.1:{options.port}"
        try:
            wait_until_up(f"{base_url}/accounts/login/", server)
            pages = [page for page in PAGES if not options.only or options.only in page[1]]
            measured = measure(base_url, pages, options.runs)
        finally:
            server.terminate()
            server.wait(timeout=10)
    if options.only or options.keep:  # a working run: printed, not recorded
        for page in measured:
            print(json.dumps(page["median"], ensure_ascii=False, indent=1))
        return
    met = write_results(measured, runs=options.runs, command=command)
    print(f"Written to {RESULTS / 'lighthouse.md'}; targets {'met' if met else 'NOT met'}.")


if __name__ == "__main__":
    main()
