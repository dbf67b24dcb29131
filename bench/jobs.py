"""Wall time of the period jobs (日清周评月考核) on a database that holds generated load
(`manage.py generate_load`), and the floor of the daily clear.

- backfill: every job over the whole generated range, as `manage.py rollup` would run it
  (each day, then each week, then each month that lies in the range); it leaves the database
  with its rollups filled, as the page benchmark needs them.
- daily: the daily clear of the whole city for the last generated day (DailyStat and the
  clear list), the median of three runs, with the time each app's counter and lister takes;
- floor: one hand-written SQL statement computing the same DailyStat counts for that day,
  checked to give exactly the rows the job wrote, and the same statement writing them
  (INSERT … SELECT, rolled back); the ratio daily / floor compares the job with the writing
  floor (both compute and write), and the job's counting alone with the bare statement;
- weekly, monthly: the last week and the last month that ended within the range.

Usage, from the project root:

    .venv/bin/python bench/jobs.py                                   # bench_year
    .venv/bin/python bench/jobs.py --database-url postgres://postgres@127.0.0.1:5432/bench_week
    .venv/bin/python bench/jobs.py --skip-backfill                   # the rollups are filled

Writes bench/results/jobs-<database>.json and .md (date, machine, PostgreSQL). `run(url)`
returns the same figures to bench/run.py.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_year"
REPEATS = 3


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _setup(database_url: str) -> None:
    """Django on `database_url`, in this process (run() is called in a process of its own)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Rows of a year must not pile up in Django's debug log of queries.
    settings.DEBUG = False


def _timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def _median(function, *args, repeats: int = REPEATS) -> tuple[float, list[float]]:
    times = [_timed(function, *args)[0] for _ in range(repeats)]
    return statistics.median(times), times


# ---------------------------------------------------------------------------------------------
# The floor: one SQL statement for the day's DailyStat counts.
# ---------------------------------------------------------------------------------------------


def floor_sql() -> str:
    """Every fact of the day as (area, grid, metric, n), then the grid rows and each area's
    row summed over its subtree (each area's ancestors, recursively), pivoted into the
    DailyStat columns.
    Parameters: %(start)s, %(end)s (the day's bounds), %(day)s."""
    from disputes.models import OPEN_STATUSES, Dispute, DisputeEvent, Revisit
    from governance.models import Area
    from governance.rollups.models import METRIC_NAMES
    from grids.models import (
        DEFAULT_PATROLS_PER_DAY,
        Finding,
        FindingEvent,
        Grid,
        Patrol,
        PatrolTarget,
        ZeroReport,
    )
    from petitions.models import OPEN_PETITION_STATUSES, Petition, PetitionEvent

    t = {
        "area": Area._meta.db_table,
        "grid": Grid._meta.db_table,
        "target": PatrolTarget._meta.db_table,
        "patrol": Patrol._meta.db_table,
        "finding": Finding._meta.db_table,
        "fevent": FindingEvent._meta.db_table,
        "zero": ZeroReport._meta.db_table,
        "dispute": Dispute._meta.db_table,
        "devent": DisputeEvent._meta.db_table,
        "revisit": Revisit._meta.db_table,
        "petition": Petition._meta.db_table,
        "pevent": PetitionEvent._meta.db_table,
    }
    open_disputes = ", ".join(f"'{s}'" for s in sorted(OPEN_STATUSES))
    open_petitions = ", ".join(f"'{s}'" for s in sorted(OPEN_PETITION_STATUSES))
    # The grid facts come one row per grid; the case facts (a few thousand a day) as
    # (area, grid, metric, n), turned into the same columns.
    grid_metrics = {
        "grids_total": "1",
        "patrols_done": "patrols",
        "patrols_target": "target",
        "findings_new": "findings",
        "findings_handled": "handled",
        "findings_handed_up": "handed_up",
        "grids_reported": "CASE WHEN findings > 0 OR zero THEN 1 ELSE 0 END",
        "grids_zero_reported": "CASE WHEN findings = 0 AND zero THEN 1 ELSE 0 END",
        "grids_not_reported": "CASE WHEN findings = 0 AND NOT zero THEN 1 ELSE 0 END",
    }
    grid_columns = ", ".join(
        f"{grid_metrics.get(name, '0')}::bigint AS {name}" for name in METRIC_NAMES
    )
    case_columns = ", ".join(
        f"coalesce(sum(n) FILTER (WHERE metric = '{name}'), 0)::bigint"
        if name not in grid_metrics
        else "0::bigint"
        for name in METRIC_NAMES
    )
    sums = ", ".join(f"sum({name})" for name in METRIC_NAMES)
    resolved_levels = "\n".join(
        f"  UNION ALL SELECT village_id, grid_id, 'disputes_resolved_{level}', "
        f"count(*) FILTER (WHERE resolved_level = '{level}') FROM resolved GROUP BY 1, 2"
        for level in ("grid", "village", "township", "county")
    )
    return f"""
WITH RECURSIVE ancestors(leaf, id) AS (
  SELECT id, id FROM {t["area"]}
  UNION ALL
  SELECT an.leaf, a.parent_id FROM ancestors an JOIN {t["area"]} a ON a.id = an.id
  WHERE a.parent_id IS NOT NULL
), grids AS (
  SELECT g.id AS grid_id, g.village_id AS area_id,
         coalesce(pt.per_day, {DEFAULT_PATROLS_PER_DAY}) AS target
  FROM {t["grid"]} g
  JOIN {t["area"]} v ON v.id = g.village_id
  JOIN {t["area"]} tw ON tw.id = v.parent_id
  LEFT JOIN {t["target"]} pt ON pt.county_id = tw.parent_id
  WHERE g.created_at <= %(end)s
), patrols AS (
  SELECT grid_id, count(*) AS n FROM {t["patrol"]}
  WHERE started_at BETWEEN %(start)s AND %(end)s GROUP BY 1
), findings AS (
  SELECT grid_id, count(*) AS n FROM {t["finding"]}
  WHERE found_at BETWEEN %(start)s AND %(end)s GROUP BY 1
), finding_changes AS (
  SELECT f.grid_id,
         count(*) FILTER (WHERE e.to_status = 'handled') AS handled,
         count(*) FILTER (WHERE e.to_status = 'handed_up') AS handed_up
  FROM {t["fevent"]} e JOIN {t["finding"]} f ON f.id = e.finding_id
  WHERE e.at BETWEEN %(start)s AND %(end)s AND e.to_status IN ('handled', 'handed_up')
  GROUP BY 1
), zero AS (
  SELECT DISTINCT grid_id FROM {t["zero"]} WHERE day = %(day)s
), per_grid AS (
  SELECT g.area_id, g.grid_id, g.target,
         coalesce(p.n, 0) AS patrols, coalesce(f.n, 0) AS findings,
         coalesce(c.handled, 0) AS handled, coalesce(c.handed_up, 0) AS handed_up,
         z.grid_id IS NOT NULL AS zero
  FROM grids g
  LEFT JOIN patrols p ON p.grid_id = g.grid_id
  LEFT JOIN findings f ON f.grid_id = g.grid_id
  LEFT JOIN finding_changes c ON c.grid_id = g.grid_id
  LEFT JOIN zero z ON z.grid_id = g.grid_id
), resolved AS (
  SELECT d.village_id, d.grid_id, e.details ->> 'resolved_level' AS resolved_level,
         (d.due_on IS NULL OR d.due_on >= %(day)s) AS on_time
  FROM {t["devent"]} e JOIN {t["dispute"]} d ON d.id = e.dispute_id
  WHERE e.at BETWEEN %(start)s AND %(end)s AND e.kind = 'resolve'
    -- Resolved is mediated successfully: an old resolve by withdrawal or referral is not.
    AND coalesce(e.details ->> 'outcome', 'agreement') IN ('agreement', 'oral_agreement')
), facts(area_id, grid_id, metric, n) AS (
  SELECT village_id, grid_id, 'disputes_new', count(*) FROM {t["dispute"]}
    WHERE registered_at BETWEEN %(start)s AND %(end)s GROUP BY 1, 2
  UNION ALL SELECT d.village_id, d.grid_id,
      CASE WHEN e.kind = 'accept' THEN 'disputes_accepted' ELSE 'disputes_escalated' END,
      count(*)
    FROM {t["devent"]} e JOIN {t["dispute"]} d ON d.id = e.dispute_id
    WHERE e.at BETWEEN %(start)s AND %(end)s
      AND e.kind IN ('accept', 'escalate', 'auto_escalated')
    GROUP BY 1, 2, 3
  UNION ALL SELECT village_id, grid_id, 'disputes_resolved', count(*) FROM resolved GROUP BY 1, 2
  UNION ALL SELECT village_id, grid_id, 'disputes_resolved_on_time', count(*) FILTER (WHERE on_time)
    FROM resolved GROUP BY 1, 2
{resolved_levels}
  UNION ALL SELECT d.village_id, d.grid_id,
      'disputes_terminated_' || CASE WHEN e.kind = 'fail' THEN 'not_agreed'
                                     ELSE coalesce(e.details ->> 'outcome', 'not_agreed') END,
      count(*)
    FROM {t["devent"]} e JOIN {t["dispute"]} d ON d.id = e.dispute_id
    WHERE e.at BETWEEN %(start)s AND %(end)s
      AND (e.kind IN ('terminate', 'fail')
           OR (e.kind = 'resolve' AND e.details ->> 'outcome' IN ('withdrawn', 'referred')))
    GROUP BY 1, 2, 3
  UNION ALL SELECT d.village_id, d.grid_id, 'disputes_returned', count(*)
    FROM {t["devent"]} e JOIN {t["dispute"]} d ON d.id = e.dispute_id
    WHERE e.at BETWEEN %(start)s AND %(end)s AND e.kind = 'return' GROUP BY 1, 2
  UNION ALL SELECT village_id, grid_id, 'disputes_overdue_open', count(*) FROM {t["dispute"]}
    WHERE status IN ({open_disputes}) AND due_on < %(day)s GROUP BY 1, 2
  UNION ALL SELECT village_id, grid_id, 'disputes_supervised', count(*) FROM {t["dispute"]}
    WHERE status IN ({open_disputes}) AND under_supervision GROUP BY 1, 2
  UNION ALL SELECT d.village_id, d.grid_id, m.metric, sum(m.n)::bigint
    FROM {t["revisit"]} r JOIN {t["dispute"]} d ON d.id = r.dispute_id,
      LATERAL (VALUES ('revisits', 1), ('satisfaction_total', r.satisfaction)) AS m(metric, n)
    WHERE r.visited_at BETWEEN %(start)s AND %(end)s AND r.independent GROUP BY 1, 2, 3
  UNION ALL SELECT area_id, NULL, 'petitions_new', count(*) FROM {t["petition"]}
    WHERE registered_at BETWEEN %(start)s AND %(end)s GROUP BY 1
  UNION ALL SELECT p.area_id, NULL, 'petitions_accepted', count(*)
    FROM {t["pevent"]} e JOIN {t["petition"]} p ON p.id = e.petition_id
    WHERE e.at BETWEEN %(start)s AND %(end)s AND e.kind = 'accept' GROUP BY 1
  UNION ALL SELECT area_id, NULL, 'petitions_concluded', count(*) FROM {t["petition"]}
    WHERE replied_on = %(day)s GROUP BY 1
  UNION ALL SELECT area_id, NULL, 'petitions_concluded_on_time', count(*) FROM {t["petition"]}
    WHERE replied_on = %(day)s AND replied_on <= conclusion_due GROUP BY 1
  UNION ALL SELECT area_id, NULL, 'petitions_overdue', count(*) FROM {t["petition"]}
    WHERE status IN ({open_petitions})
      AND ((decided_on IS NULL AND acceptance_due < %(day)s)
           OR (replied_on IS NULL AND conclusion_due < %(day)s)
           OR (reviewed_on IS NULL AND review_due < %(day)s))
    GROUP BY 1
), wide AS (
  SELECT area_id, grid_id,
         {grid_columns}
  FROM per_grid
  UNION ALL
  SELECT area_id, grid_id,
         {case_columns}
  FROM facts GROUP BY area_id, grid_id
)
SELECT area_id, grid_id, {sums} FROM wide WHERE grid_id IS NOT NULL GROUP BY area_id, grid_id
UNION ALL
SELECT an.id, NULL, {sums}
FROM wide JOIN ancestors an ON an.leaf = wide.area_id GROUP BY an.id
"""


def floor_rows(day: date) -> dict:
    from django.db import connection, transaction

    from governance.rollups.models import METRIC_NAMES
    from governance.workdays import local_day_bounds

    start, end = local_day_bounds(day)
    with transaction.atomic(), connection.cursor() as cursor:
        # As the jobs run (governance.rollups.engine.lock_job): compiling this statement
        # takes far longer than running it.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(floor_sql(), {"start": start, "end": end, "day": day})
        rows = cursor.fetchall()
    return {
        (area_id, grid_id): {
            name: value for name, value in zip(METRIC_NAMES, values, strict=True) if value
        }
        for area_id, grid_id, *values in rows
    }


def floor_write(day: date) -> None:
    """The same statement writing what the job writes: the day's DailyStat rows replaced,
    foreign keys checked (as the job's commit checks them), then rolled back."""
    from django.db import connection, transaction

    from governance.rollups.models import METRIC_NAMES, DailyStat
    from governance.workdays import local_day_bounds

    start, end = local_day_bounds(day)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ["day", "area_id", "grid_id", *METRIC_NAMES])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        DailyStat.objects.filter(day=day).delete()
        cursor.execute(
            f"INSERT INTO {quote(DailyStat._meta.db_table)} ({columns}) "
            f"SELECT %(day)s, floor.* FROM ({floor_sql()}) AS floor",
            {"start": start, "end": end, "day": day},
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)


def stored_rows(day: date) -> dict:
    from governance.rollups.models import METRIC_NAMES, DailyStat

    return {
        (area_id, grid_id): {
            name: value for name, value in zip(METRIC_NAMES, values, strict=True) if value
        }
        for area_id, grid_id, *values in DailyStat.objects.filter(day=day).values_list(
            "area_id", "grid_id", *METRIC_NAMES
        )
    }


# ---------------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------------


def generated_range() -> tuple[date, date]:
    from django.db.models import Max, Min
    from django.utils import timezone

    from grids.models import Patrol

    bounds = Patrol.objects.aggregate(first=Min("started_at"), last=Max("started_at"))
    if bounds["first"] is None:
        raise SystemExit("The database holds no patrols: run manage.py generate_load first.")
    return (
        timezone.localtime(bounds["first"]).date(),
        timezone.localtime(bounds["last"]).date(),
    )


def periods(first: date, last: date) -> dict:
    """The days, the weeks (Mondays) and the months (first days) that lie within the range."""
    from governance.rollups.engine import month_bounds

    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    mondays = [d for d in days if d.weekday() == 0 and d + timedelta(days=6) <= last]
    months = [d for d in days if d.day == 1 and month_bounds(d)[1] <= last]
    return {"days": days, "weeks": mondays, "months": months}


def backfill(span: dict) -> dict:
    from governance.rollups.engine import run_daily, run_monthly, run_weekly

    figures = {}
    for key, job, items in (
        ("daily", run_daily, span["days"]),
        ("weekly", run_weekly, span["weeks"]),
        ("monthly", run_monthly, span["months"]),
    ):
        started = time.perf_counter()
        slowest = 0.0
        for index, item in enumerate(items, start=1):
            seconds, run = _timed(job, item)
            slowest = max(slowest, seconds)
            if run.outcome != "done":
                raise SystemExit(f"{key} {item}: {run.outcome} {run.message}")
            if index % 30 == 0 or index == len(items):
                say(f"  backfill {key}: {index}/{len(items)} ({item})")
        total = time.perf_counter() - started
        figures[key] = {
            "periods": len(items),
            "seconds": round(total, 2),
            "mean_seconds": round(total / len(items), 3) if items else None,
            "slowest_seconds": round(slowest, 3),
        }
    figures["total_seconds"] = round(sum(f["seconds"] for f in figures.values()), 1)
    return figures


def daily_parts(day: date) -> dict:
    """The time of each registered counter and lister for `day`, and of the whole compute."""
    from governance.rollups import engine

    parts = {}
    for function in [*engine.COUNTERS, *engine.CLEAR_LISTERS]:
        name = f"{function.__module__}.{function.__name__}"
        parts[name] = round(_timed(function, day)[0], 3)
    parts["day_rows (all counters, up the tree)"] = round(_timed(engine.day_rows, day)[0], 3)
    return parts


def run(database_url: str = DEFAULT_URL, *, skip_backfill: bool = False) -> dict:
    """Time the jobs on `database_url`; returns the figures (see the module's docstring)."""
    _setup(database_url)
    from django.db import connection

    from governance.rollups.engine import day_rows, run_daily, run_monthly, run_weekly
    from governance.rollups.models import DailyStat
    from grids.models import Grid, Patrol

    first, last = generated_range()
    span = periods(first, last)
    say(f"jobs on {connection.settings_dict['NAME']}: {first} to {last}")
    figures: dict = {
        "database": connection.settings_dict["NAME"],
        "range": {"first": first.isoformat(), "last": last.isoformat(), "days": len(span["days"])},
        "size": {"grids": Grid.objects.count(), "patrols": Patrol.objects.count()},
    }
    if not skip_backfill:
        say("backfill")
        figures["backfill"] = backfill(span)

    say(f"daily {last}")
    seconds, times = _median(run_daily, last)
    figures["daily"] = {
        "day": last.isoformat(),
        "seconds": round(seconds, 3),
        "runs": [round(t, 3) for t in times],
        "rows": DailyStat.objects.filter(day=last).count(),
        "parts": daily_parts(last),
    }
    say("floor")
    floor_seconds, floor_times = _median(floor_rows, last)
    matches = floor_rows(last) == stored_rows(last)
    figures["floor"] = {
        "seconds": round(floor_seconds, 3),
        "runs": [round(t, 3) for t in floor_times],
        "same_counts_as_the_job": matches,
    }
    write_seconds, write_times = _median(floor_write, last)
    figures["floor"]["writing_seconds"] = round(write_seconds, 3)
    compute_seconds, _times = _median(day_rows, last)
    figures["daily"]["compute_seconds"] = round(compute_seconds, 3)
    # Like for like: the job computes and writes, so does the floor's INSERT … SELECT.
    figures["daily"]["ratio_to_floor"] = round(seconds / write_seconds, 2)
    figures["daily"]["compute_ratio_to_floor_select"] = round(compute_seconds / floor_seconds, 2)

    week = span["weeks"][-1] if span["weeks"] else last - timedelta(days=last.weekday() + 7)
    say(f"weekly {week}")
    seconds, times = _median(run_weekly, week)
    figures["weekly"] = {"week": week.isoformat(), "seconds": round(seconds, 3)}
    month = span["months"][-1] if span["months"] else (last.replace(day=1) - timedelta(days=1))
    month = month.replace(day=1)
    say(f"monthly {month:%Y-%m}")
    seconds, times = _median(run_monthly, month)
    figures["monthly"] = {"month": f"{month:%Y-%m}", "seconds": round(seconds, 3)}
    figures["targets"] = {
        "daily_within_10_s": figures["daily"]["seconds"] <= 10,
        "daily_within_3x_floor": figures["daily"]["ratio_to_floor"] <= 3,
        "backfill_within_10_min": (
            figures["backfill"]["total_seconds"] <= 600 if "backfill" in figures else None
        ),
    }
    return figures


def machine() -> dict:
    from django.db import connection

    memory_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory_gb = round(kib / 1024 / 1024, 1)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "postgresql": postgres,
    }


def markdown(result: dict) -> str:
    f = result["figures"]
    m = result["machine"]
    lines = [
        f"# Jobs on {f['database']} ({f['range']['first']} to {f['range']['last']})",
        "",
        f"{result['date']} · {m['cores']} cores · {m['memory_gb']} GB · PostgreSQL "
        f"{m['postgresql']} · {f['size']['grids']:,} grids · {f['size']['patrols']:,} patrols",
        "",
        "| job | seconds |",
        "| --- | ---: |",
        f"| daily clear, whole city, {f['daily']['day']} (median of {REPEATS}) | "
        f"{f['daily']['seconds']} |",
        f"| floor: one SQL statement, same counts ({'same' if f['floor']['same_counts_as_the_job'] else 'DIFFERENT'}) | "  # noqa: E501
        f"{f['floor']['seconds']} |",
        f"| floor writing them: INSERT … SELECT into DailyStat | {f['floor']['writing_seconds']} |",
        f"| ratio daily / floor writing (like for like) | {f['daily']['ratio_to_floor']}× |",
        f"| the job's counting alone (day_rows) | {f['daily']['compute_seconds']} |",
        f"| ratio counting / floor SELECT | {f['daily']['compute_ratio_to_floor_select']}× |",
        f"| weekly review, week of {f['weekly']['week']} | {f['weekly']['seconds']} |",
        f"| monthly assessment, {f['monthly']['month']} | {f['monthly']['seconds']} |",
    ]
    if "backfill" in f:
        b = f["backfill"]
        for key in ("daily", "weekly", "monthly"):
            lines.append(
                f"| back-fill {key}: {b[key]['periods']} periods "
                f"(mean {b[key]['mean_seconds']}, slowest {b[key]['slowest_seconds']}) | "
                f"{b[key]['seconds']} |"
            )
        lines.append(f"| back-fill, all three over the range | {b['total_seconds']} |")
    lines += ["", "Daily clear, by part (seconds):", ""]
    lines += [f"- `{name}`: {value}" for name, value in f["daily"]["parts"].items()]
    lines += ["", "Targets:", ""]
    lines += [f"- {name}: {value}" for name, value in f["targets"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--skip-backfill", action="store_true")
    options = parser.parse_args()
    figures = run(options.database_url, skip_backfill=options.skip_backfill)
    result = {
        "date": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
        "machine": machine(),
        "figures": figures,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"jobs-{figures['database']}"
    (RESULTS / f"{name}.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (RESULTS / f"{name}.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
