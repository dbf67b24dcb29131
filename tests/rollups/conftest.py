from datetime import date, timedelta

import pytest
from django.db import transaction

from governance.rollups.engine import run_daily, run_monthly, run_weekly
from tests.conftest import DIANSHANG, HANDIAN, WEIZI
from tests.factories import import_changzhi_slice
from tests.rollups.world import build_world


def run_every_job(world) -> None:
    """What the beat schedule would have run over the generated days."""
    day = world.first_day
    while day <= world.last_day:
        run_daily(day)
        day += timedelta(days=1)
    monday = world.first_day + timedelta(days=-world.first_day.weekday() % 7)
    while monday + timedelta(days=6) <= world.last_day:
        run_weekly(monday)
        monday += timedelta(days=7)
    run_monthly(world.first_day)
    run_monthly(world.month)


# A fixed month (and February before it), so that the generated data are the same whenever
# the tests run.
WORLD_MONTH = date(2026, 3, 1)


@pytest.fixture(scope="module")
def month_world(django_db_setup, django_db_blocker):
    """Two months of generated data (the month that ended last and the one before) with
    every job run over them, built once for the module inside a transaction that is rolled
    back at its end; each test runs in a savepoint of its own (it also asks for `db`)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            import_changzhi_slice(DIANSHANG, WEIZI, HANDIAN)
            world = build_world(WORLD_MONTH, busy_before=4)
            run_every_job(world)
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
