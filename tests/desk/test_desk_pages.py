"""The desk's pages: intake gives a receipt with the number and, once, the query code; the
resident's query page shows status and public reply only, the same refusal for a wrong code
as for an unknown number, limited and audited; the matters list within a query budget."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from desk.models import Matter, MatterStatus
from desk.services import matter_classify, matter_receive
from governance.audit.models import AuditEntry
from governance.models import Role
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, WEIZI
from tests.factories import area, person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def receive(clerk, **overrides):
    arguments = {
        "actor": clerk,
        "channel": "walk_in",
        "area": area(DIANSHANG_VILLAGE),
        "subject": "邻居院墙漏水",
        "description": "邻居家院墙漏水到我家，协商不成。",
        "requester_name": "张三",
        "requester_phone": "13800138000",
    }
    arguments.update(overrides)
    return matter_receive(**arguments)


def test_intake_numbers_the_matter_and_the_receipt_shows_the_code_once(client, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("desk:intake"),
        {
            "channel": "walk_in",
            "area": DIANSHANG_VILLAGE,
            "subject": "邻居院墙漏水",
            "description": "协商不成",
            "requester_name": "张三",
            "requester_phone": "13800138000",
        },
        follow=True,
    )
    matter = Matter.objects.get()
    page = response.content.decode()
    assert matter.number in page
    code = response.context["query_code"]
    assert len(code) == 6 and code in page
    assert matter.check_query_code(code)
    # Back at the intake form, the receipt no longer shows it.
    client.get(reverse("desk:intake"))
    again = client.get(reverse("desk:receipt", args=[matter.pk])).content.decode()
    assert matter.number in again and code not in again


def test_the_area_picker_offers_only_the_clerks_jurisdiction(client, clerk):
    client.force_login(clerk)
    form = client.get(reverse("desk:intake")).context["form"]
    codes = {a.code for a in form.fields["area"].queryset}
    assert DIANSHANG_VILLAGE in codes and DIANSHANG in codes
    assert not any(code.startswith(WEIZI) for code in codes)
    response = client.post(
        reverse("desk:intake"),
        {"channel": "walk_in", "area": "140406101204", "subject": "x", "description": "y"},
    )
    assert response.status_code == 200 and not Matter.objects.exists()


def test_people_who_do_not_staff_the_desk_are_refused(client, changzhi_slice):
    client.force_login(person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE))
    assert client.get(reverse("desk:intake")).status_code == 403
    assert client.get(reverse("desk:list")).status_code == 403


def test_the_query_page_shows_status_and_public_reply_and_nothing_personal(client, clerk):
    matter, code = receive(clerk)
    matter_classify(actor=clerk, matter=matter, kind="consultation", reply="请到司法所申请调解")
    response = client.post(reverse("desk:query"), {"number": matter.number, "code": code})
    page = response.content.decode()
    assert response.status_code == 200
    assert "请到司法所申请调解" in page
    assert str(MatterStatus.ANSWERED.label) in page
    for private in ("张三", "13800138000", "138****8000", "院墙漏水到我家", clerk.username):
        assert private not in page


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(client, clerk):
    matter, code = receive(clerk)
    wrong = "AAAAAA" if code != "AAAAAA" else "BBBBBB"
    by_wrong_code = client.post(reverse("desk:query"), {"number": matter.number, "code": wrong})
    by_unknown = client.post(
        reverse("desk:query"), {"number": "140406-20000101-0001", "code": wrong}
    )
    assert by_wrong_code.status_code == by_unknown.status_code == 200

    def answer(response):
        # The page apart from the number typed in and the per-request CSRF tokens.
        page = response.content.decode().replace(matter.number, "")
        page = page.replace("140406-20000101-0001", "")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)

    assert answer(by_wrong_code) == answer(by_unknown)
    assert "邻居院墙漏水" not in answer(by_wrong_code)


def test_tries_are_limited_per_number_and_audited(client, clerk, settings):
    settings.DESK_QUERY_TRIES_PER_NUMBER = 3
    cache.clear()
    matter, code = receive(clerk)
    for _ in range(3):
        client.post(reverse("desk:query"), {"number": matter.number, "code": "WRONG1"})
    # The right code, once the number's tries are spent, is refused too.
    refused = client.post(reverse("desk:query"), {"number": matter.number, "code": code})
    assert refused.status_code == 429
    assert "邻居院墙漏水" not in refused.content.decode()
    outcomes = list(
        AuditEntry.objects.filter(kind="progress_queried")
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert [o["outcome"] for o in outcomes] == ["not_found"] * 3 + ["rate_limited"]


def test_tries_are_limited_per_address(client, clerk, settings):
    settings.DESK_QUERY_TRIES_PER_ADDRESS = 2
    cache.clear()
    matter, code = receive(clerk)
    for number in ("A-1", "A-2"):
        client.post(reverse("desk:query"), {"number": number, "code": "WRONG1"})
    assert (
        client.post(reverse("desk:query"), {"number": matter.number, "code": code}).status_code
        == 429
    )


def test_a_right_code_is_audited_with_the_matters_area(client, clerk):
    matter, code = receive(clerk)
    client.post(reverse("desk:query"), {"number": matter.number, "code": code})
    entry = AuditEntry.objects.get(kind="progress_queried")
    assert entry.detail == {"outcome": "shown"}
    assert entry.target == matter.number


def test_the_matter_page_shows_the_phone_whole_to_the_clerk_and_masked_to_the_county(client, clerk):
    matter, _code = receive(clerk, description="张三说请回电13800138000或13900139000")
    client.force_login(clerk)
    page = client.get(reverse("desk:detail", args=[matter.pk])).content.decode()
    assert "13800138000" in page and "13900139000" in page
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, "140406"))
    page = client.get(reverse("desk:detail", args=[matter.pk])).content.decode()
    assert "13800138000" not in page and "13900139000" not in page
    assert "张三" not in page
    listed = client.get(reverse("desk:list")).content.decode()
    assert matter.number in listed


def test_the_matter_page_shows_earlier_matters_of_the_same_person(client, clerk):
    first, _code = receive(clerk)
    second, _code = receive(clerk, subject="又来反映")
    client.force_login(clerk)
    page = client.get(reverse("desk:detail", args=[second.pk])).content.decode()
    assert 'data-testid="possible-repeats"' in page and first.number in page


def test_the_matters_list_stays_within_its_query_budget(
    client, clerk, django_assert_max_num_queries
):
    for n in range(12):
        matter, _code = receive(clerk, requester_name=f"居民{n}", requester_phone="")
        if n % 3 == 0:
            matter_classify(actor=clerk, matter=matter, kind="dispute", dispute_kind="neighbour")
    client.force_login(clerk)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("desk:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 12
