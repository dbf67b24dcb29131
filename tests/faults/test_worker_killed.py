"""A Celery worker killed (SIGKILL) in the middle of the daily rollup: nothing of its run is
left half-written, and the task, never acknowledged, is delivered again to the next worker,
which writes the same numbers as a clean run."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from governance.outbox.services import send_or_keep
from governance.rollups.engine import JOB_LOCKS, compute_clear_items, compute_day, run_daily
from governance.rollups.models import METRIC_NAMES, DailyClearItem, DailyStat, JobRun
from governance.rollups.tasks import daily_clear
from tests.factories import log_finding
from tests.faults.conftest import POSTGRES_ONLY, wait_for
from tests.rollups.small import village_with_a_grid

STAT_FIELDS = ("area_id", "grid_id", *METRIC_NAMES)


def raw_connection():
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or 5432,
    )


def table(day):
    """The day as the dashboards read it: every figure row and every clear-list line."""
    stats = DailyStat.objects.filter(day=day).values_list(*STAT_FIELDS)
    items = DailyClearItem.objects.filter(day=day).values_list(
        "village_id", "grid_id", "kind", "count", "object_id"
    )
    return sorted(stats, key=repr), sorted(items, key=repr)


def clean_run(day):
    """What a run of `day` computes from the facts as they are now (nothing is written)."""
    stats = [tuple(getattr(row, name) for name in STAT_FIELDS) for row in compute_day(day)]
    items = [
        (i.village_id, i.grid_id, i.kind, i.count, i.object_id) for i in compute_clear_items(day)
    ]
    return sorted(stats, key=repr), sorted(items, key=repr)


def run_holds_the_lock(watcher) -> bool:
    with watcher.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [JOB_LOCKS["daily"]],
        )
        return cursor.fetchone()[0] > 0


def waits_inside_its_writes(watcher) -> bool:
    """The run deleted the day's figures and now waits to delete the clear list."""
    with watcher.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM%%rollups_dailyclearitem%%'"
        )
        return cursor.fetchone()[0] == 1


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_rollup_leaves_nothing_half_written_and_the_task_runs_again(
    changzhi_slice, portal_on_private_redis, start_worker
):
    redis = portal_on_private_redis
    day = timezone.localdate() - timedelta(days=2)
    place = village_with_a_grid(since=day - timedelta(days=30))
    run_daily(day)  # the nightly run: the silent grid is on the day's clear list
    before = table(day)
    assert before[1]
    # A finding of that day sent late from a phone: a run of the day now writes other rows.
    noon = datetime.combine(day, time(12), tzinfo=ZoneInfo("Asia/Shanghai"))
    log_finding(actor=place.worker, grid=place.grid, found_at=noon)
    assert clean_run(day) != before

    # Another transaction holds the day's clear-list rows: the run will delete the day's
    # figures (part of its work), then wait there.
    blocker = raw_connection()
    blocker.autocommit = False
    with blocker.cursor() as cursor:
        cursor.execute("SELECT id FROM rollups_dailyclearitem WHERE day = %s FOR UPDATE", [day])
        assert cursor.fetchall()
    watcher = raw_connection()
    watcher.autocommit = True
    first = start_worker(redis.url)
    try:
        assert send_or_keep(daily_clear.name, [day.isoformat()])
        first.wait_until(lambda: waits_inside_its_writes(watcher), "the run to stop mid-write")
        first.kill()
    finally:
        blocker.rollback()
        blocker.close()
    wait_for(lambda: not run_holds_the_lock(watcher), what="PostgreSQL to end the dead run")

    assert table(day) == before  # the deleted figures are back: nothing half-written
    killed = JobRun.objects.filter(job="daily").first()
    assert killed.outcome == JobRun.Outcome.RUNNING
    assert redis.client().hlen("unacked") == 1  # taken, never acknowledged

    # A new worker gives back what a dead one held for longer than the visibility timeout.
    second = start_worker(redis.url, CELERY_VISIBILITY_TIMEOUT="1")
    second.wait_until(
        lambda: JobRun.objects.filter(job="daily", outcome=JobRun.Outcome.DONE).count() == 2,
        "the task to be delivered again and run",
    )
    second.wait_until(
        lambda: redis.client().hlen("unacked") == 0 and redis.client().llen("celery") == 0,
        "the acknowledgement",
    )
    second.stop()
    watcher.close()

    killed.refresh_from_db()
    assert killed.outcome == JobRun.Outcome.FAILED
    assert list(JobRun.objects.filter(job="daily").values_list("outcome", flat=True)) == [
        JobRun.Outcome.DONE,
        JobRun.Outcome.FAILED,
        JobRun.Outcome.DONE,
    ]
    redelivered = table(day)
    assert redelivered == clean_run(day)
    run_daily(day)
    assert table(day) == redelivered  # identical to a clean run of the same day
