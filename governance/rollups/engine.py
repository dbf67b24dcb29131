"""The rollup engine: add each app's daily counts up the area tree and write the day's rows.

The counting functions are registered by the apps (`register_counter`, from their
AppConfig.ready()), so the engine never reads another app's tables itself. A counter returns
{(area_id, grid_id or None): {metric: count}} for one day; the engine adds each entry to its
grid's row, its area's row and every ancestor's row, using one query for the whole tree.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from governance.models import Area
from governance.rollups.models import METRIC_NAMES, DailyStat, JobRun

Counts = dict[tuple[int, int | None], dict[str, int]]
COUNTERS: list[Callable[[date], Counts]] = []
# Advisory lock keys of the jobs, so that two runs of one job never overlap.
JOB_LOCKS = {"daily": 7_140_401, "weekly": 7_140_402, "monthly": 7_140_403}


def register_counter(counter: Callable[[date], Counts]) -> None:
    if counter not in COUNTERS:
        COUNTERS.append(counter)


def compute_day(day: date) -> list[DailyStat]:
    """The rows of `day`, computed from the registered counters (nothing is written)."""
    parents = dict(Area.objects.values_list("pk", "parent_id"))
    area_totals: dict[int, Counter] = defaultdict(Counter)
    grid_totals: dict[int, Counter] = defaultdict(Counter)
    grid_village: dict[int, int] = {}
    for counter in COUNTERS:
        for (area_id, grid_id), counts in counter(day).items():
            if grid_id is not None:
                grid_totals[grid_id].update(counts)
                grid_village[grid_id] = area_id
            node = area_id
            while node is not None:
                area_totals[node].update(counts)
                node = parents.get(node)
    rows = [
        DailyStat(day=day, area_id=area_id, **_known(counts))
        for area_id, counts in area_totals.items()
    ]
    rows += [
        DailyStat(day=day, area_id=grid_village[grid_id], grid_id=grid_id, **_known(counts))
        for grid_id, counts in grid_totals.items()
    ]
    return rows


def _known(counts: Counter) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in METRIC_NAMES}


class JobAlreadyRunning(Exception):
    pass


def _lock(job: str) -> None:
    """Hold the job's lock to the end of the transaction, or raise JobAlreadyRunning.

    PostgreSQL's advisory lock serialises runs across workers and machines; SQLite (a
    single-process development setup) has no concurrent runs to guard against.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [JOB_LOCKS[job]])
        if not cursor.fetchone()[0]:
            raise JobAlreadyRunning(job)


def run_daily(day: date) -> JobRun:
    """Recompute `day`'s rows: delete and rewrite them in one transaction, so a run that dies
    half-way leaves the previous rows, and two runs give the same table."""
    run = JobRun.objects.create(job="daily", period=day.isoformat())
    try:
        with transaction.atomic():
            _lock("daily")
            rows = compute_day(day)
            DailyStat.objects.filter(day=day).delete()
            DailyStat.objects.bulk_create(rows, batch_size=2000)
    except JobAlreadyRunning:
        run.outcome = JobRun.Outcome.SKIPPED
    except Exception as error:
        run.outcome = JobRun.Outcome.FAILED
        run.message = repr(error)[:2000]
        run.ended_at = timezone.now()
        run.save()
        raise
    else:
        run.outcome = JobRun.Outcome.DONE
        run.rows = len(rows)
    run.ended_at = timezone.now()
    run.save()
    return run
