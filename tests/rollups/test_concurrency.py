"""The jobs against real concurrency, on PostgreSQL (and Redis): the advisory lock makes a
second run skip, a run killed in the middle of its writes leaves the previous rows, and a real
Celery worker runs the daily job sent through the broker."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from governance.models import Area, Role
from governance.rollups import engine
from governance.rollups.engine import JOB_LOCKS, compute_day, run_daily, run_monthly
from governance.rollups.models import DailyStat, JobRun
from governance.rollups.services import month_publish
from governance.rollups.tasks import daily_clear
from tests.conftest import LUCHENG
from tests.factories import person_with_role
from tests.rollups.small import finding_at, village_with_a_grid
from tests.rollups.world import moment

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the job lock is a PostgreSQL advisory lock; SQLite has no concurrent runs",
)
NEEDS_A_BROKER = pytest.mark.skipif(
    connection.vendor != "postgresql" or not settings.REDIS_URL,
    reason="a real worker needs REDIS_URL (the broker) and PostgreSQL (a database two "
    "processes can share)",
)
DAY = date(2026, 3, 18)


def stored(day):
    return sorted(
        DailyStat.objects.filter(day=day).values_list("area_id", "grid_id", "findings_new"),
        key=repr,
    )


def computed(day):
    return sorted(((r.area_id, r.grid_id, r.findings_new) for r in compute_day(day)), key=repr)


def database_url_of_the_tests() -> str:
    """DATABASE_URL of the test database (pytest-django's test_<name>), for a subprocess."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def subprocess_env() -> dict:
    return {**os.environ, "DATABASE_URL": database_url_of_the_tests(), "DEBUG": "true"}


def raw_connection():
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or 5432,
    )


def wait_for(condition, seconds=60.0, what="the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_the_first_holds_the_lock_is_skipped(changzhi_slice):
    place = village_with_a_grid(since=DAY - timedelta(days=30))
    finding_at(place, moment(DAY, 9))
    started, release = threading.Event(), threading.Event()

    def slow(day):
        if threading.current_thread().name == "first-run":
            started.set()
            release.wait(30)
        return {}

    results = {}

    def first_run():
        try:
            results["first"] = run_daily(DAY)
        finally:
            connection.close()

    engine.register_counter(slow)
    thread = threading.Thread(target=first_run, name="first-run")
    thread.start()
    try:
        assert started.wait(30)
        second = run_daily(DAY)
    finally:
        release.set()
        thread.join(30)
        engine.COUNTERS.remove(slow)
    assert second.outcome == JobRun.Outcome.SKIPPED and second.rows == 0
    assert results["first"].outcome == JobRun.Outcome.DONE
    assert stored(DAY) == computed(DAY)
    assert run_daily(DAY).outcome == JobRun.Outcome.DONE


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_in_the_middle_of_its_writes_leaves_the_previous_rows(
    changzhi_slice, tmp_path
):
    """A `manage.py shell` process runs the daily job; another transaction holds one of the
    day's rows, so the job stops inside its DELETE; the process is killed there (SIGKILL, as
    a worker dies). Nothing of its writes remains, the run stays marked running until the
    next run, which marks it failed and writes the same numbers as a clean run."""
    place = village_with_a_grid(since=DAY - timedelta(days=30))
    finding_at(place, moment(DAY, 9))
    run_daily(DAY)
    before = stored(DAY)
    finding_at(place, moment(DAY, 10))  # a re-run would change the day's rows

    blocker = raw_connection()
    blocker.autocommit = False
    with blocker.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM rollups_dailystat WHERE day = %s AND grid_id = %s FOR UPDATE",
            [DAY, place.grid.pk],
        )
        assert cursor.fetchone()
    script = (
        "from datetime import date\n"
        "from governance.rollups.engine import run_daily\n"
        f"run_daily(date.fromisoformat({DAY.isoformat()!r}))\n"
    )
    log = (tmp_path / "shell.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        env=subprocess_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    watcher = raw_connection()
    watcher.autocommit = True

    def job_waits_on_the_row():
        with watcher.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM%%rollups_dailystat%%'"
            )
            return cursor.fetchone()[0] == 1

    try:
        wait_for(job_waits_on_the_row, what="the job to stop inside its DELETE")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
        blocker.rollback()
        blocker.close()
        log.close()

    def lock_released():
        with watcher.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [JOB_LOCKS["daily"]],
            )
            return cursor.fetchone()[0] == 0

    wait_for(lock_released, what="PostgreSQL to end the dead process's transaction")
    watcher.close()
    assert process.returncode == -signal.SIGKILL
    killed = JobRun.objects.filter(job="daily").first()
    assert killed.outcome == JobRun.Outcome.RUNNING
    assert stored(DAY) == before

    rerun = run_daily(DAY)
    killed.refresh_from_db()
    assert rerun.outcome == JobRun.Outcome.DONE
    assert killed.outcome == JobRun.Outcome.FAILED
    assert stored(DAY) == computed(DAY) != before
    assert DailyStat.objects.get(day=DAY, grid=place.grid).findings_new == 2


@NEEDS_A_BROKER
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_daily_job_sent_through_redis(changzhi_slice, tmp_path):
    """A real `celery -A config worker` on the test database takes the task from Redis
    and writes the day. The worker listens on a queue of its own, so that no other worker on
    the same Redis takes the task."""
    place = village_with_a_grid(since=DAY - timedelta(days=30))
    finding_at(place, moment(DAY, 9))
    queue = f"rollups-test-{uuid.uuid4().hex[:12]}"
    celery = Path(sys.executable).with_name("celery")
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    worker = subprocess.Popen(
        [
            str(celery),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=subprocess_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        daily_clear.apply_async(args=[DAY.isoformat()], queue=queue)

        def done():
            assert worker.poll() is None, log_path.read_text()
            return JobRun.objects.filter(
                job="daily", period=DAY.isoformat(), outcome=JobRun.Outcome.DONE
            ).exists()

        wait_for(done, seconds=90, what="the worker to run the daily job")
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
        log.close()
    assert "governance.rollups.tasks.daily_clear" in log_path.read_text()
    assert DailyStat.objects.get(day=DAY, grid=place.grid).findings_new == 1
    assert stored(DAY) == computed(DAY)


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_month_is_not_published_while_its_assessment_is_being_recomputed(changzhi_slice):
    """Publishing takes the monthly job's lock too: while a run holds it (here another
    connection), publishing is refused with a reason and a second run skips; afterwards it
    goes through."""
    county = Area.objects.get(code=LUCHENG)
    official = person_with_role(Role.COUNTY_OFFICIAL, LUCHENG)
    month = date(2026, 2, 1)
    run_monthly(month)
    holder = raw_connection()
    holder.autocommit = False
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [JOB_LOCKS["monthly"]])
        with pytest.raises(ValidationError) as refused:
            month_publish(actor=official, county=county, month=month)
        assert refused.value.code == "running"
        assert run_monthly(month).outcome == JobRun.Outcome.SKIPPED
    finally:
        holder.rollback()
        holder.close()
    assert month_publish(actor=official, county=county, month=month).county == county
