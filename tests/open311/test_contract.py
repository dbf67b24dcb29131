"""The contract: the intake API walked as the 12345 hotline walks it. It lists the services,
posts a work order, reads it back, sees the centre sign it in, return it or answer it, and is
told of each of those once at its callback URL, even when the portal restarts in between."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from desk.events import MATTER_EVENT_LISTENERS
from desk.models import Matter, MatterStatus
from desk.services import matter_publish_reply, matter_return, matter_sign_in
from governance.models import Role
from open311.models import Callback, WorkOrder
from tests.conftest import DIANSHANG
from tests.factories import person_with_role
from tests.faults.conftest import POSTGRES_ONLY, database_url_of_the_tests
from tests.open311.conftest import Api, work_order


def test_the_hotline_lists_the_services_it_may_send_as(client):
    response = client.get(reverse("open311:services"))

    assert response.status_code == 200
    services = {s["service_code"]: s["service_name"] for s in response.json()}
    assert services == {
        "consultation": "咨询",
        "incident": "事件",
        "dispute": "矛盾纠纷",
        "petition": "信访",
    }


@pytest.mark.django_db(transaction=True)
def test_a_work_order_is_posted_read_back_signed_in_and_answered_and_each_step_called_back(
    source_with_token, hotline
):
    source, token = source_with_token
    api = Api(token)

    posted = api.post(work_order(source_deadline=(timezone.now() + timedelta(days=3)).isoformat()))

    assert posted.status_code == 201, posted.content
    [created] = posted.json()
    number = created["service_request_id"]
    assert len(created["query_code"]) == 6
    matter = Matter.objects.get(number=number)
    assert matter.channel == "hotline_12345"
    assert matter.work_order.source_number == "12345-20261203-0001"
    [read] = api.request(number).json()
    assert read["status"] == "open"
    assert read["detailed_status"] == MatterStatus.RECEIVED
    assert read["source_number"] == "12345-20261203-0001"
    assert read["expected_datetime"] is not None
    assert "赵六" not in str(read) and "13800138000" not in str(read)
    assert hotline.events() == []  # receiving is answered by the post itself

    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    matter_sign_in(actor=staff, matter=matter)

    [read] = api.request(number).json()
    assert read["detailed_status"] == MatterStatus.SIGNED_IN
    assert read["detailed_status_name"] == "已签收"
    assert read["signed_in_datetime"] is not None
    assert hotline.events() == [("12345-20261203-0001", "signed_in")]

    matter_publish_reply(actor=staff, matter=matter, reply="已协调施工方调整作业时间。")

    [read] = api.request(number).json()
    assert read["public_reply"] == "已协调施工方调整作业时间。"
    assert hotline.events() == [
        ("12345-20261203-0001", "signed_in"),
        ("12345-20261203-0001", "reply_published"),
    ]
    told = hotline.received[-1]
    assert told["service_request"]["public_reply"] == "已协调施工方调整作业时间。"
    assert told["service_request"]["service_request_id"] == number
    # And it is in the list of the source's requests, and nowhere twice.
    listed = api.requests().json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert Callback.objects.filter(delivered_at__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_work_order_returned_within_the_limit_is_closed_with_the_reason_and_called_back(
    source_with_token, hotline
):
    source, token = source_with_token
    api = Api(token)
    number = api.post(work_order()).json()[0]["service_request_id"]
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)

    matter_return(
        actor=staff,
        matter=WorkOrder.objects.get().matter,
        reason="属供水公司职责，非综治中心受理范围。",
    )

    [read] = api.request(number).json()
    assert read["status"] == "closed"
    assert read["detailed_status"] == MatterStatus.RETURNED
    assert read["status_notes"] == "属供水公司职责，非综治中心受理范围。"
    assert hotline.events() == [("12345-20261203-0001", "returned")]
    assert hotline.received[0]["note"] == "属供水公司职责，非综治中心受理范围。"


@pytest.mark.django_db
def test_a_work_order_cannot_be_returned_after_the_sources_limit(source_with_token):
    from django.core.exceptions import ValidationError

    source, token = source_with_token
    Api(token).post(work_order())
    order = WorkOrder.objects.get()
    # The source's limit counts from the receipt (to the second: both are stamped in one post).
    limit = order.received_at + timedelta(hours=source.return_limit_hours)
    assert abs(order.matter.return_by - limit) < timedelta(seconds=1)
    Matter.objects.filter(pk=order.matter_id).update(return_by=timezone.now() - timedelta(hours=1))

    with pytest.raises(ValidationError, match="退单"):
        matter_return(
            actor=person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG),
            matter=Matter.objects.get(),
            reason="非本中心",
        )
    assert Matter.objects.get().status == MatterStatus.RECEIVED


@pytest.mark.django_db(transaction=True)
def test_the_same_source_number_posted_twice_is_one_matter(source_with_token):
    source, token = source_with_token
    api = Api(token)

    first = api.post(work_order())
    again = api.post(work_order(description="重复推送的同一工单"))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert "query_code" not in again.json()[0]
    assert Matter.objects.count() == 1
    assert Matter.objects.get().description == "邻居装修噪音扰民，多次协商未果。"


def _portal_restarts_and_delivers() -> str:
    """`manage.py deliver_callbacks` in a fresh process on the test database, as the beat's
    sweep would run after the portal restarted."""
    finished = subprocess.run(
        [sys.executable, "manage.py", "deliver_callbacks"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": database_url_of_the_tests(),
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_callback_the_hotline_missed_arrives_once_after_the_portal_restarts(
    source_with_token, hotline
):
    source, token = source_with_token
    number = Api(token).post(work_order()).json()[0]["service_request_id"]
    hotline.failing = True  # the hotline's server is down when the centre signs in

    matter_sign_in(
        actor=person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG),
        matter=Matter.objects.get(number=number),
    )

    callback = Callback.objects.get()
    assert callback.delivered_at is None and callback.attempts == 1
    assert hotline.events() == []

    hotline.failing = False
    Callback.objects.update(next_attempt_at=timezone.now())  # its retry falls due
    _portal_restarts_and_delivers()
    _portal_restarts_and_delivers()  # and the next minute's sweep again

    assert hotline.events() == [("12345-20261203-0001", "signed_in")]
    assert Callback.objects.get().delivered_at is not None


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_an_event_whose_callback_was_never_kept_is_called_back_once_after_a_restart(
    source_with_token, hotline
):
    """The process stopped between committing the event and keeping its callback: nothing of
    it was left in memory, and the restarted portal's sweep finds the event."""
    source, token = source_with_token
    number = Api(token).post(work_order()).json()[0]["service_request_id"]
    saved = list(MATTER_EVENT_LISTENERS)
    MATTER_EVENT_LISTENERS.clear()  # the in-memory hooks die with the process
    try:
        matter_sign_in(
            actor=person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG),
            matter=Matter.objects.get(number=number),
        )
    finally:
        MATTER_EVENT_LISTENERS[:] = saved
    assert not Callback.objects.exists()

    first = _portal_restarts_and_delivers()
    _portal_restarts_and_delivers()

    assert hotline.events() == [("12345-20261203-0001", "signed_in")]
    assert "1" in first


@pytest.mark.django_db(transaction=True)
def test_a_consultation_answered_at_the_desk_is_closed_with_its_answer_and_called_back(
    source_with_token, hotline
):
    from desk.services import matter_classify

    source, token = source_with_token
    api = Api(token)
    number = api.post(work_order(service_code="consultation")).json()[0]["service_request_id"]
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    matter = Matter.objects.get(number=number)
    matter_sign_in(actor=staff, matter=matter)

    matter_classify(
        actor=staff, matter=matter, kind="consultation", reply="请携带身份证到镇政府办理。"
    )

    [read] = api.request(number).json()
    assert read["status"] == "closed"
    assert read["detailed_status"] == MatterStatus.ANSWERED
    assert read["detailed_status_name"] == "已办结"
    assert read["matter_kind"] == "consultation"
    assert read["public_reply"] == "请携带身份证到镇政府办理。"
    assert hotline.events() == [
        ("12345-20261203-0001", "signed_in"),
        ("12345-20261203-0001", "answered"),
    ]
    assert hotline.received[-1]["service_request"]["status"] == "closed"
