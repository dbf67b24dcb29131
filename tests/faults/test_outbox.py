"""The outbox itself: what it keeps while the broker is down, two drains at once, and no
change at all without a broker (tasks run in-process)."""

import base64
import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import transaction

from config.celery import app as celery_app
from governance.outbox.models import OutboxTask
from governance.outbox.services import drain, enqueue, send_or_keep
from governance.rollups.models import JobRun
from governance.rollups.tasks import daily_clear
from tests.faults.conftest import POSTGRES_ONLY, database_url_of_the_tests

DAYS = [f"2026-03-{n:02d}" for n in range(1, 29)]


def queued_days(redis) -> list[str]:
    """The day argument of every message waiting in the private Redis's default queue."""
    messages = [json.loads(raw) for raw in redis.client().lrange("celery", 0, -1)]
    return [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_send_every_kept_call_exactly_once(portal_on_private_redis):
    redis = portal_on_private_redis
    redis.stop()
    for day in DAYS:
        assert not send_or_keep(daily_clear.name, [day])
    assert OutboxTask.objects.filter(sent_at__isnull=True).count() == len(DAYS)

    redis.start()
    # Two drains at once, as the beat's every-minute drain and a starting worker's may be.
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url_of_the_tests(),
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
    }
    drains = [
        subprocess.Popen(
            [sys.executable, "manage.py", "drain_outbox"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in drains]
    assert [process.returncode for process in drains] == [0, 0], outputs
    sent = [int(re.search(rb"(\d+)", out).group(1)) for out, _err in outputs]
    assert sum(sent) == len(DAYS)
    assert sorted(queued_days(redis)) == DAYS  # each once
    assert not OutboxTask.objects.filter(sent_at__isnull=True).exists()
    assert drain() == (0, 0)


@pytest.mark.django_db
def test_a_task_is_queued_only_when_its_transaction_commits(
    portal_on_private_redis, django_capture_on_commit_callbacks
):
    redis = portal_on_private_redis
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue(daily_clear, DAYS[0])
            assert redis.client().llen("celery") == 0
            transaction.set_rollback(True)
        with transaction.atomic():
            enqueue(daily_clear, DAYS[1])
    assert queued_days(redis) == [DAYS[1]]
    assert not OutboxTask.objects.exists()


@pytest.mark.django_db
def test_arguments_that_cannot_wait_in_the_table_are_refused_at_once(portal_on_private_redis):
    with pytest.raises(TypeError):
        enqueue(daily_clear, object())


@pytest.fixture
def no_broker():
    """As on a developer's machine without REDIS_URL: tasks run in the caller's process."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_task_runs_in_process_as_before(changzhi_slice, no_broker):
    enqueue(daily_clear, DAYS[0])
    assert JobRun.objects.filter(period=DAYS[0], outcome=JobRun.Outcome.DONE).exists()
    assert not OutboxTask.objects.exists()
