"""Redis stopped: every page still answers, every finding, dispute and petition is saved and
its notifications written; the jobs that could not be queued wait in the outbox and a real
worker runs each of them once when Redis is back."""

import re
import uuid
from datetime import date, timedelta

import pytest
from celery.beat import ScheduleEntry
from celery.schedules import crontab
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from config.celery import app as celery_app
from disputes import services as dispute_services
from disputes.models import Dispute
from governance.models import Notification, Role
from governance.outbox.beat import OutboxScheduler
from governance.outbox.models import OutboxTask
from governance.outbox.services import drain, enqueue
from governance.rollups.models import DailyClearItem, JobRun
from governance.rollups.tasks import daily_clear, weekly_review
from grids.models import Finding, GridRole
from petitions.models import Petition
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.disputes.helpers import register as register_dispute
from tests.disputes.helpers import registration_form
from tests.factories import TEST_PASSWORD, GridFactory, area, person_with_role, team_member
from tests.faults.conftest import POSTGRES_ONLY
from tests.petitions.helpers import register as register_petition
from tests.petitions.helpers import register_form
from tests.rollups.small import village_with_a_grid

BELL_COUNT = re.compile(r'data-testid="notification-count">(\d+)<')
JSON = {"Accept": "application/json"}
DAY = date(2026, 3, 18)
WEEK = date(2026, 3, 9)


def bell(client) -> int:
    response = client.get(reverse("area_root"), follow=True)
    assert response.status_code == 200
    found = BELL_COUNT.search(response.content.decode())
    return int(found[1]) if found else 0


def signed_in(client, person):
    """Sign in through the sign-in page, as a person does (the session, the lockout check)."""
    response = client.post(
        reverse("login"), {"username": person.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    return client


@pytest.fixture
def people(changzhi_slice):
    grid = GridFactory(village=area(DIANSHANG_VILLAGE), code="140406100200-01")
    return {
        "grid": grid,
        "worker": team_member(grid, GridRole.WORKER, first_name="张网格"),
        "staff": person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="赵镇干"),
        "mediator": person_with_role(Role.MEDIATOR, DIANSHANG, first_name="李调解"),
        "county": person_with_role(Role.COUNTY_OFFICIAL, LUCHENG, first_name="孙区县"),
    }


def test_with_redis_stopped_every_page_answers_and_every_case_is_saved(
    client, people, portal_on_private_redis, django_capture_on_commit_callbacks
):
    redis = portal_on_private_redis
    staff, worker, mediator = people["staff"], people["worker"], people["mediator"]
    dispute = register_dispute(staff)
    petition = register_petition(staff)
    signed_in(client, mediator)
    assert bell(client) == 0  # and the count is now cached in Redis
    assert redis.client().dbsize() > 0

    redis.stop()

    pages = {
        worker: [
            reverse("home"),
            reverse("grids:worker_home"),
            reverse("grids:finding_new"),
            reverse("notifications"),
        ],
        staff: [
            reverse("disputes:workbench"),
            reverse("disputes:list"),
            reverse("disputes:detail", args=[dispute.pk]),
            reverse("disputes:register"),
            reverse("petitions:list"),
            reverse("petitions:detail", args=[petition.pk]),
            reverse("petitions:register"),
            reverse("dashboards:root"),
        ],
        people["county"]: [
            reverse("dashboards:root"),
            reverse("dashboards:area", args=[LUCHENG]),
            reverse("dashboards:month", args=[LUCHENG]),
        ],
    }
    for person, urls in pages.items():
        client.logout()
        signed_in(client, person)
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (person.username, url)

    client.logout()
    signed_in(client, worker)
    key = str(uuid.uuid4())
    sent = client.post(
        reverse("grids:finding_new"),
        {
            "client_key": key,
            "grid": people["grid"].pk,
            "category": "safety_hazard",
            "severity": "low",
            "description": "路口井盖缺失，已设置警示标志",
            "status": "handled",
            "action_taken": "放置警示锥并通知村委",
        },
        headers=JSON,
    )
    assert sent.status_code == 200 and sent.json()["ok"], sent.content.decode()
    assert Finding.objects.filter(client_key=key).count() == 1

    client.logout()
    signed_in(client, staff)
    registered = client.post(
        reverse("disputes:register"),
        registration_form(description="停电期间登记的邻里纠纷", confirm_repeat="on"),
    )
    assert registered.status_code == 302
    assert Dispute.objects.filter(description="停电期间登记的邻里纠纷").count() == 1
    filed = client.post(
        reverse("petitions:register"),
        register_form(subject="缓存停止时的来信", confirm_repeat="on"),
    )
    assert filed.status_code == 302
    assert Petition.objects.filter(subject="缓存停止时的来信").count() == 1

    dispute_services.dispute_accept(actor=staff, dispute=dispute)
    with django_capture_on_commit_callbacks(execute=True):
        dispute_services.dispute_assign(actor=staff, dispute=dispute, lead=mediator)
    assert Notification.objects.filter(recipient=mediator).count() == 1
    client.logout()
    signed_in(client, mediator)
    assert bell(client) == 1  # counted in the database while the cache is away
    listed = client.get(reverse("notifications")).content.decode()
    assert listed.count(f"纠纷 {dispute.number} 已分派给您。") == 1

    redis.start()
    cache.get("anything")  # the pause after the failure may still be running
    assert bell(client) == 0  # the list marked it read, and the cache is used again


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_jobs_that_could_not_be_queued_run_once_when_redis_is_back(
    changzhi_slice, portal_on_private_redis, start_worker, tmp_path
):
    """A job due on the beat schedule and a task queued by a transaction, both while Redis is
    stopped, are kept in the outbox; a worker started once Redis is back drains it and runs
    each of them exactly once."""
    redis = portal_on_private_redis
    place = village_with_a_grid(since=DAY - timedelta(days=30))  # silent on DAY: listed
    scheduler = OutboxScheduler(app=celery_app, schedule_filename=str(tmp_path / "beat"))
    assert scheduler.producer  # connected while Redis runs, as a beat that was running
    due = ScheduleEntry(
        name="daily-clear",
        task=daily_clear.name,
        schedule=crontab(hour=0, minute=20),
        args=(DAY.isoformat(),),
        app=celery_app,
    )

    redis.stop()
    assert scheduler.apply_async(due, advance=False) is None
    with transaction.atomic():
        enqueue(weekly_review, WEEK.isoformat())
    waiting = list(OutboxTask.objects.filter(sent_at__isnull=True).values_list("task", "args"))
    assert waiting == [
        (daily_clear.name, [DAY.isoformat()]),
        (weekly_review.name, [WEEK.isoformat()]),
    ]
    assert drain() == (0, 2)  # still down: nothing sent, nothing lost

    redis.start()
    worker = start_worker(redis.url)  # a worker starting drains the outbox

    def both_ran():
        return JobRun.objects.filter(outcome=JobRun.Outcome.DONE).count() == 2

    worker.wait_until(both_ran, "the worker to run the two kept jobs")
    assert not OutboxTask.objects.filter(sent_at__isnull=True).exists()
    call_command("drain_outbox")
    worker.wait_until(
        lambda: "drain_outbox" in worker.output() and redis.client().llen("celery") == 0,
        "the worker to be idle",
    )
    worker.stop()
    runs = JobRun.objects.values_list("job", "period", "outcome")
    assert sorted(runs) == [
        ("daily", DAY.isoformat(), "done"),
        ("weekly", WEEK.isoformat(), "done"),
    ]
    listed = DailyClearItem.objects.filter(day=DAY, grid=place.grid)
    assert DailyClearItem.Kind.GRID_NOT_REPORTED in listed.values_list("kind", flat=True)
