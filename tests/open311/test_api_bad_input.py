"""Bad input on every field of the intake API: a GeoReport error (a list of
{"code", "description", "field"}) with a message in Chinese (English when asked for), and
nothing written; never a server error."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from desk.models import Matter, MatterEvent
from open311.models import WorkOrder
from tests.open311.conftest import Api, work_order

CJK = re.compile(r"[\u4e00-\u9fff]")
SCRIPT = "<script>alert(1)</script>"

# Each field of a posted work order, and the bad values it is tried with.
BAD_FIELDS = {
    "service_code": ["", "parking", 7, None, ["dispute"], "dis\u202epute"],
    "area_code": ["", "abc", "1404061", "99999999999999", 140406100, "140406100\x00"],
    "description": ["", "   ", "字" * 5001, 12, {"text": "x"}, "噪音\x07扰民"],
    "subject": ["字" * 101, 5, "标题\x1b[31m"],
    "address_string": ["字" * 201, ["东街"], "东街\u202e12号"],
    "name": ["名" * 51, 3, "赵\x00六"],
    "phone": ["12345", "138-0013-800x", 13800138000, "1" * 21],
    "source_number": ["", "含 空格", "工单-1", "x" * 65, 1, "-starts-with-dash", "a\nb"],
    "source_deadline": [
        "next friday",
        "2026-13-01T00:00:00+08:00",
        (timezone.now() - timedelta(days=1)).isoformat(),
        20261231,
    ],
}
CASES = [(field, value) for field, values in BAD_FIELDS.items() for value in values]


def nothing_written() -> bool:
    return not (
        Matter.objects.exists() or WorkOrder.objects.exists() or MatterEvent.objects.exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), CASES, ids=[f"{f}={v!r}"[:60] for f, v in CASES])
def test_each_bad_field_is_refused_with_a_message_and_nothing_is_written(
    source_with_token, field, value
):
    source, token = source_with_token

    response = Api(token).post(work_order(**{field: value}))

    assert response.status_code == 400, response.content
    errors = response.json()
    assert all(error["code"] == 400 for error in errors)
    assert field in {error.get("field") for error in errors}
    assert all(CJK.search(error["description"]) for error in errors), errors
    assert nothing_written()


@pytest.mark.django_db
def test_every_field_at_fault_is_named_at_once(source_with_token):
    source, token = source_with_token

    response = Api(token).post({"service_code": "x", "area_code": "1", "typo": "y"})

    fields = {error["field"] for error in response.json()}
    assert fields == {"service_code", "area_code", "description", "source_number", "typo"}
    assert nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"text"', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        ("service_code=dispute", "application/x-www-form-urlencoded", 415),
        (json.dumps({"description": "字" * 70000}), "application/json", 413),
    ],
    ids=["broken", "a list", "a string", "not utf-8", "a form", "too large"],
)
def test_a_body_that_is_not_a_json_object_is_refused(source_with_token, body, content_type, status):
    source, token = source_with_token

    response = Api(token).post(body, content_type=content_type)

    assert response.status_code == status
    assert CJK.search(response.json()[0]["description"])
    assert nothing_written()


@pytest.mark.django_db
def test_script_is_kept_as_text_and_sent_back_as_json_never_markup(source_with_token):
    source, token = source_with_token
    api = Api(token)

    number = api.post(work_order(description=SCRIPT)).json()[0]["service_request_id"]

    response = api.request(number)
    assert response["Content-Type"] == "application/json"
    assert response.json()[0]["description"] == SCRIPT


@pytest.mark.django_db
def test_errors_are_in_english_when_the_requester_asks_for_it(source_with_token):
    source, token = source_with_token

    chinese = Api(token).post(work_order(service_code="parking")).json()[0]["description"]
    english = Api(token, language="en-US,en;q=0.9").post(work_order(service_code="parking"))

    assert CJK.search(chinese)
    assert english.json()[0]["description"].startswith("Unknown service code")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"end_date": "2026-02-30T00:00:00"},
        {"service_code": "parking"},
        {"service_request_id": "<script>"},
        {"service_request_id": ",".join(str(n) for n in range(51))},
        {"source_number": "含 空格"},
        {"page": "2"},
        {"status": "open\x00"},
    ],
)
def test_bad_list_parameters_are_refused_with_a_message(source_with_token, params):
    source, token = source_with_token

    response = Api(token).requests(**params)

    assert response.status_code == 400
    assert CJK.search(response.json()[0]["description"])


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["<script>", "x" * 40, "140406-20990101-0001"])
def test_a_request_that_does_not_exist_is_a_json_404(source_with_token, number):
    source, token = source_with_token

    response = Api(token).request(number)

    assert response.status_code == 404
    assert CJK.search(response.json()[0]["description"])


@pytest.mark.django_db
def test_a_method_the_address_does_not_take_is_a_json_405(source_with_token):
    source, token = source_with_token
    api = Api(token)

    response = api.client.delete(reverse("open311:requests"), headers=api.headers)

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert CJK.search(response.json()[0]["description"])
