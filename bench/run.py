"""The benchmark, in one command: jobs and pages at one week and one year of data, side by side.

For each size it makes sure its database exists and holds data (`bench_week`, `bench_year` on
the local PostgreSQL; created, migrated and filled with `manage.py generate_load --days 7|365`
when missing), runs the period jobs (bench/jobs.py) and loads the pages (bench/pages.py),
then prints one table and writes it to bench/results/<name>.json and <name>.md with the date,
the machine and the git commit. Usage, from the project root:

    make bench                                   # week and year, 20 users, 30 s per page
    make bench-load                              # year, 50 users on all pages, 5 minutes
    .venv/bin/python bench/run.py --sizes week --duration 10 --skip-jobs
    .venv/bin/python bench/run.py --skip-jobs --page incidents --page incident --name incidents
    .venv/bin/python bench/run.py --database week=postgres://postgres@127.0.0.1:5432/other

The dashboards read rollup tables, so their one-year figures must stay within 1.5× of the
one-week figures; every page asks the database as many times at a year as at a week (its query
count is flat with volume); those checks and each page's p95 target are marked in the table.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import pages  # noqa: E402

SIZES = {"week": 7, "year": 365}
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DASHBOARD_RATIO = 1.5


def say(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------
# The databases.
# ---------------------------------------------------------------------------------------------
def _connect(url: str):
    import psycopg2

    return psycopg2.connect(url)


def _database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def _manage(url: str, *arguments: str) -> None:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)  # generated load needs no broker: nothing is queued
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True)


def ensure_database(url: str, days: int) -> None:
    """Create, migrate and fill the database of one size, unless it already holds data."""
    name = _database_name(url)
    maintenance = _connect(url.rsplit("/", 1)[0] + "/postgres")
    maintenance.autocommit = True
    with maintenance.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            say(f"creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    maintenance.close()
    say(f"  migrating {name}")
    _manage(url, "migrate", "--noinput")
    with _connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM grids_patrol)")
        filled = cursor.fetchone()[0]
    if not filled:
        if not (ROOT / "governance" / "management" / "commands" / "generate_load.py").exists():
            raise SystemExit(
                f"{name} holds no data and `manage.py generate_load` is not there to make it: "
                "fill it yourself, or name another database with --database."
            )
        say(f"  generating {days} days of data in {name} (this takes a while for a year)")
        _manage(url, "generate_load", "--days", str(days))


def back_fill(url: str, days: int) -> None:
    """Roll up the generated days (generate_load ends yesterday), the weeks and the months
    that have ended among them, unless done: the dashboards read nothing else. (The jobs'
    benchmark does it too; this is for a run without it.)"""
    with _connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM rollups_dailystat)")
        if cursor.fetchone()[0]:
            return
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    first, last = today - timedelta(days=days), today - timedelta(days=1)
    say(f"  rolling up {first} to {last}")
    _manage(url, "rollup", "--job", "daily", "--from", str(first), "--to", str(last))
    last_sunday = today - timedelta(days=today.weekday() + 1)
    if first <= last_sunday:
        _manage(url, "rollup", "--job", "weekly", "--from", str(first), "--to", str(last_sunday))
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    if first.strftime("%Y-%m") <= last_month:
        months = ["--from", first.strftime("%Y-%m"), "--to", last_month]
        _manage(url, "rollup", "--job", "monthly", *months)


# ---------------------------------------------------------------------------------------------
# The machine.
# ---------------------------------------------------------------------------------------------
def machine(url: str) -> dict:
    memory_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory_gb = round(kib / 1024 / 1024, 1)
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with _connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "postgresql": postgres,
    }


def git_commit() -> str:
    def git(*arguments):
        return subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    return commit + (" (with local changes)" if git("status", "--porcelain") else "")


# ---------------------------------------------------------------------------------------------
# The jobs: bench/jobs.py `run(database_url) -> dict`, in a process of its own per database.
# ---------------------------------------------------------------------------------------------
JOBS_CALL = (
    "import json, sys; sys.path.insert(0, 'bench'); import jobs; "
    "open(sys.argv[2], 'w').write(json.dumps(jobs.run(sys.argv[1]), default=str))"
)


def run_jobs(url: str) -> dict:
    """The jobs' figures; their progress goes to the terminal as it comes."""
    if not (BENCH / "jobs.py").exists():
        return {"error": "bench/jobs.py is not there"}
    env = {**os.environ, "DATABASE_URL": url}
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        done = subprocess.run(
            [sys.executable, "-c", JOBS_CALL, url, output.name], cwd=ROOT, env=env
        )
        text = Path(output.name).read_text()
    if done.returncode or not text:
        return {"error": f"bench/jobs.py failed (exit status {done.returncode})"}
    return json.loads(text)


def flatten(figures, prefix="") -> dict:
    """Nested job figures as "a.b" keys, for one table row each."""
    if not isinstance(figures, dict):
        return {prefix: figures}
    flat = {}
    for key, value in figures.items():
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


# ---------------------------------------------------------------------------------------------
# The checks and the report.
# ---------------------------------------------------------------------------------------------
def checks(result: dict) -> list[dict]:
    found = []
    for size, figures in result["sizes"].items():
        for key, row in figures.get("pages", {}).items():
            found.append(
                {
                    "check": f"{key} p95 ≤ {row['target_p95_ms']} ms ({size})",
                    "ok": bool(row["meets_target"]),
                    "value": row["p95_ms"],
                }
            )
            found.append(
                {
                    "check": f"{key} without errors ({size})",
                    "ok": row["errors"] == 0,
                    "value": row["errors"],
                }
            )
    week = result["sizes"].get("week", {}).get("pages", {})
    year = result["sizes"].get("year", {}).get("pages", {})
    for page in pages.PAGES:
        if page.key in week and page.key in year:
            found.append(
                {
                    "check": f"{page.key} queries year = week",
                    "ok": year[page.key]["queries"] == week[page.key]["queries"],
                    "value": f"{week[page.key]['queries']} → {year[page.key]['queries']}",
                }
            )
        if not page.dashboard or page.key not in week or page.key not in year:
            continue
        for figure in ("median_ms", "p95_ms"):
            if week[page.key][figure] and year[page.key][figure] is not None:
                ratio = round(year[page.key][figure] / week[page.key][figure], 2)
                found.append(
                    {
                        "check": f"{page.key} {figure[:-3]} year/week ≤ {DASHBOARD_RATIO}",
                        "ok": ratio <= DASHBOARD_RATIO,
                        "value": ratio,
                    }
                )
    return found


def _cell(value) -> str:
    return "–" if value is None else str(value)


def markdown(result: dict) -> str:
    sizes = list(result["sizes"])
    m = result["machine"]
    lines = [
        f"# Benchmark: {result['name']}",
        "",
        f"- date: {result['date']}",
        f"- machine: {m['cores']} cores, {m['memory_gb']} GB memory, {m['cpu']}; {m['system']}",
        f"- PostgreSQL {m['postgresql']}, Python {m['python']}; commit {result['commit']}",
        f"- load: {result['users']} users, {result['duration_s']:g} s, {result['mode']}; "
        f"gunicorn {result['gunicorn']}",
        "- latency is the server's (gunicorn access log, time in the worker); "
        "client p95 includes the wait for a free worker",
        "",
        "## Data",
        "",
        "| | " + " | ".join(sizes) + " |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " |",
    ]
    data_keys = []
    for size in sizes:
        for key in result["sizes"][size].get("data", {}):
            if key not in data_keys:
                data_keys.append(key)
    for key in data_keys:
        values = [_cell(result["sizes"][s].get("data", {}).get(key)) for s in sizes]
        lines.append(f"| {key} | " + " | ".join(values) + " |")

    lines += ["", "## Pages", ""]
    columns = ["queries", "median ms", "p95 ms", "req/s", "errors", "client p95 ms"]
    fields = ["queries", "median_ms", "p95_ms", "throughput_rps", "errors", "client_p95_ms"]
    header = ["page", "target p95"]
    for column in columns:
        header += [f"{column} ({size})" for size in sizes]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| --- | " + " | ".join("---:" for _ in header[1:]) + " |")
    for page in pages.PAGES:
        rows = {s: result["sizes"][s].get("pages", {}).get(page.key) for s in sizes}
        if not any(rows.values()):
            continue
        cells = [page.label, f"{page.target_ms} ms"]
        for field in fields:
            for size in sizes:
                row = rows[size]
                value = _cell(row and row[field])
                if field == "p95_ms" and row:
                    value += " ✓" if row["meets_target"] else " ✗"
                cells.append(value)
        lines.append("| " + " | ".join(cells) + " |")

    job_rows = {s: flatten(result["sizes"][s].get("jobs", {})) for s in sizes}
    job_keys = []
    for size in sizes:
        job_keys += [k for k in job_rows[size] if k not in job_keys]
    if job_keys:
        lines += ["", "## Jobs", "", "| | " + " | ".join(sizes) + " |"]
        lines.append("| --- | " + " | ".join("---:" for _ in sizes) + " |")
        for key in job_keys:
            lines.append(
                f"| {key} | " + " | ".join(_cell(job_rows[s].get(key)) for s in sizes) + " |"
            )

    lines += ["", "## Checks", ""]
    for check in result["checks"]:
        lines.append(f"- {'✓' if check['ok'] else '✗'} {check['check']}: {check['value']}")
    problems = [
        (size, line)
        for size, figures in result["sizes"].items()
        for line in figures.get("server_errors", [])
    ]
    if problems:
        lines += ["", "## Server errors", ""]
        lines += [f"- {size}: `{line}`" for size, line in problems]
    return "\n".join(lines) + "\n"


def console(result: dict) -> str:
    sizes = list(result["sizes"])
    head = f"{'page':<18} {'target':>6}"
    for title in ("queries", "median", "p95", "req/s", "errors"):
        head += "".join(f" {title + ' ' + size[0]:>10}" for size in sizes)
    lines = [head, "-" * len(head)]
    for page in pages.PAGES:
        rows = [result["sizes"][s].get("pages", {}).get(page.key) for s in sizes]
        if not any(rows):
            continue
        line = f"{page.key:<18} {page.target_ms:>6}"
        for field in ("queries", "median_ms", "p95_ms", "throughput_rps", "errors"):
            for row in rows:
                value = _cell(row and row[field])
                if field == "p95_ms" and row:
                    value += "" if row["meets_target"] else "!"
                line += f" {value:>10}"
        lines.append(line)
    failed = [c for c in result["checks"] if not c["ok"]]
    lines.append("")
    lines.append(
        f"{len(result['checks']) - len(failed)} of {len(result['checks'])} checks passed"
        + "".join(f"\n  ✗ {c['check']}: {c['value']}" for c in failed)
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="week,year", help="comma-separated: week, year")
    parser.add_argument(
        "--database",
        action="append",
        default=[],
        metavar="SIZE=URL",
        help="use this database for a size instead of bench_<size>",
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30, help="seconds per page")
    parser.add_argument("--mixed", action="store_true", help="all pages at once")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument(
        "--page",
        action="append",
        choices=list(pages.PAGE_BY_KEY),
        dest="pages",
        help="load only this page (repeatable; default: every page)",
    )
    parser.add_argument("--name", default="bench", help="results file name (without suffix)")
    options = parser.parse_args()

    sizes = [s.strip() for s in options.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown or not sizes:
        parser.error(f"unknown size {', '.join(unknown)}: choose from {', '.join(SIZES)}")
    urls = {size: f"{SERVER}/bench_{size}" for size in sizes}
    named = set()
    for item in options.database:
        size, _, url = item.partition("=")
        if size not in urls or not url.startswith("postgres"):
            parser.error(f"--database {item}: give SIZE=postgres://... for a size being run")
        urls[size] = url
        named.add(size)

    started = time.monotonic()
    result = {
        "name": options.name,
        "date": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "users": options.users,
        "duration_s": options.duration,
        "mode": "mixed" if options.mixed else "one page at a time",
        "gunicorn": f"{options.workers} workers"
        + (f" × {options.threads} threads" if options.threads > 1 else " (sync)"),
        "databases": {size: _database_name(url) for size, url in urls.items()},
        "sizes": {},
    }
    for size in sizes:
        url = urls[size]
        say(f"== {size} ({_database_name(url)})")
        if size not in named:  # a database named on the command line is used as it is
            ensure_database(url, SIZES[size])
        figures = {}
        dashboards = any(
            pages.PAGE_BY_KEY[key].dashboard for key in options.pages or pages.PAGE_BY_KEY
        )
        if options.skip_jobs:
            if dashboards:  # only the dashboards read the rollups
                back_fill(url, SIZES[size])
        else:
            say("  jobs")
            figures["jobs"] = run_jobs(url)
        say("  pages")
        loaded = pages.run(
            url,
            users=options.users,
            duration=options.duration,
            mixed=options.mixed,
            workers=options.workers,
            threads=options.threads,
            pages=options.pages,
            progress=say,
        )
        figures.update(
            pages=loaded["pages"], data=loaded["data"], server_errors=loaded["server_errors"]
        )
        result["sizes"][size] = figures
    result["machine"] = machine(urls[sizes[0]])
    result["checks"] = checks(result)
    result["elapsed_s"] = round(time.monotonic() - started)

    say("")
    say(console(result))
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    (results / f"{options.name}.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    )
    (results / f"{options.name}.md").write_text(markdown(result))
    say(f"\nwritten: bench/results/{options.name}.json, bench/results/{options.name}.md")


if __name__ == "__main__":
    main()
