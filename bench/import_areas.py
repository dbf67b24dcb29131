"""Time `import_areas` into an empty database: the Changzhi file, and one ten times larger.

The larger file is the Changzhi tree copied under ten cities (its codes re-prefixed), the
size of a whole province. Usage, from the project root:

    .venv/bin/python bench/import_areas.py              # a fresh SQLite file
    .venv/bin/python bench/import_areas.py --postgres   # a fresh PostgreSQL database

Each run uses a database of its own (created and dropped here), never the portal's.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
CHANGZHI = ROOT / "governance" / "data" / "changzhi-divisions.csv"
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")


def province_file(directory: Path, copies: int) -> Path:
    """The Changzhi rows repeated under `copies` cities 1401, 1402, …"""
    with CHANGZHI.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    header, body = rows[0], rows[1:]
    path = directory / f"province-x{copies}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for index in range(copies):
            prefix = f"14{index + 1:02d}"
            for code, name, level, parent in body:
                writer.writerow(
                    [
                        prefix + code[4:],
                        name if index == 0 else f"{name}{index + 1}",
                        level,
                        prefix + parent[4:] if parent else "",
                    ]
                )
    return path


def measure_here(csv_path: str) -> None:
    """In a process of its own, on the database DATABASE_URL names: migrate, then time the
    import alone (not the start of Python and Django), then check the tree."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("import_areas", csv_path, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seconds = time.perf_counter() - started
    call_command("check_area_tree", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(json.dumps({"seconds": seconds}))


def timed_import(csv_path: Path, database_url: str) -> tuple[float, int]:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    finished = subprocess.run(
        [sys.executable, __file__, "--measure", str(csv_path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = json.loads(finished.stdout.strip().splitlines()[-1])["seconds"]
    with csv_path.open(encoding="utf-8") as stream:
        rows = sum(1 for _ in stream) - 1
    return seconds, rows


def fresh_database(kind: str, directory: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{directory / (name + '.sqlite3')}"
    import psycopg2

    connection = psycopg2.connect(PG_ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--measure", metavar="CSV", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure_here(options.measure)
        return
    kind = "postgresql" if options.postgres else "sqlite"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for label, path in [
            ("changzhi", CHANGZHI),
            ("province-x10", province_file(directory, 10)),
        ]:
            url = fresh_database(kind, directory, f"bench_import_{label.replace('-', '_')}")
            seconds, rows = timed_import(path, url)
            results.append({"file": label, "rows": rows, "seconds": round(seconds, 3)})
            print(f"{kind:<10} {label:<13} {rows:>7} rows  {seconds:6.3f} s")
    ratio = results[1]["seconds"] / results[0]["seconds"]
    print(f"ten times the rows took {ratio:.1f} times as long")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"import_areas-{kind}.json").write_text(
        json.dumps(
            {
                "date": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
                "machine": f"{os.cpu_count()} cores, {platform.machine()}",
                "database": kind,
                "results": results,
                "ratio": round(ratio, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
