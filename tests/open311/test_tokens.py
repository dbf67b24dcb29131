"""Tokens: only a valid, unrevoked token is let in; a token sends to and reads its own areas
only (outside is answered exactly as unknown); its rate is limited; the city administrator
issues (shown once), revokes and replaces tokens, on the page and from the command line."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from desk.models import Matter
from governance.audit.models import AuditEntry
from governance.models import Role
from open311.models import SourceSystem, WorkOrder
from open311.services import source_issue, source_reissue, source_revoke, token_digest
from tests.conftest import CITY, DIANSHANG, DIANSHANG_VILLAGE, HANDIAN, LUCHENG, SHANGDANG
from tests.factories import area, person_with_role
from tests.open311.conftest import Api, work_order


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [None, "Bearer o311_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "],
    ids=["missing", "unknown", "other scheme", "empty"],
)
def test_without_a_valid_token_nothing_is_read_or_written(source_with_token, header):
    api = Api("")
    if header is not None:
        api.headers["Authorization"] = header

    posted = api.post(work_order())
    listed = api.requests()

    for response in (posted, listed):
        assert response.status_code == 403
        assert response["Content-Type"] == "application/json"
        [error] = response.json()
        assert error["code"] == 403 and "令牌" in error["description"]
    assert not Matter.objects.exists()


@pytest.mark.django_db
def test_a_revoked_token_is_refused_and_a_new_one_works(source_with_token):
    source, token = source_with_token
    number = Api(token).post(work_order()).json()[0]["service_request_id"]

    source_revoke(actor=None, source=source)

    refused = Api(token).request(number)
    assert refused.status_code == 403
    assert "吊销" in refused.json()[0]["description"]
    assert Api(token).post(work_order(source_number="X-2")).status_code == 403
    assert WorkOrder.objects.count() == 1

    new_token = source_reissue(actor=None, source=source)
    assert Api(new_token).request(number).status_code == 200
    assert Api(token).request(number).status_code == 403  # the old one stays dead


@pytest.mark.django_db
def test_only_the_digest_of_a_token_is_kept(source_with_token):
    source, token = source_with_token
    stored = SourceSystem.objects.filter(pk=source.pk).values().get()
    assert token not in str(stored)
    assert stored["token_digest"] == token_digest(token)


@pytest.mark.django_db
def test_a_token_cannot_send_outside_its_areas_and_is_told_exactly_as_for_an_unknown_code(
    source_with_token,
):
    source, token = source_with_token
    api = Api(token)

    outside = api.post(work_order(area_code=HANDIAN))  # 上党区: not the token's county
    unknown = api.post(work_order(area_code="140406999"))

    assert outside.status_code == unknown.status_code == 400
    assert outside.json() == unknown.json()
    assert outside.json()[0]["field"] == "area_code"
    assert not Matter.objects.exists()


@pytest.mark.django_db
def test_a_token_reads_only_its_own_work_orders_within_its_areas(source_with_token, hotline):
    source, token = source_with_token
    mine = Api(token).post(work_order()).json()[0]["service_request_id"]
    other, other_token = source_issue(
        actor=None,
        name="上党区12345热线",
        channel="hotline_12345",
        areas=[area(SHANGDANG)],
        callback_url=hotline.url,
    )
    theirs = Api(other_token).post(work_order(area_code=HANDIAN)).json()[0]["service_request_id"]

    assert Api(token).request(theirs).status_code == 404
    assert Api(token).request(theirs).json() == Api(token).request("140406-20990101-0001").json()
    assert [r["service_request_id"] for r in Api(token).requests().json()] == [mine]
    # Narrowed to another county, the source no longer reads what it sent to this one.
    source.areas.set([area(SHANGDANG)])
    assert Api(token).request(mine).status_code == 404
    assert Api(token).requests().json() == []


@pytest.mark.django_db
def test_a_source_over_its_rate_is_told_to_wait(source_with_token):
    source, token = source_with_token
    SourceSystem.objects.filter(pk=source.pk).update(requests_per_minute=3)
    api = Api(token)

    answers = [api.requests().status_code for _ in range(4)]

    assert answers[:3] == [200, 200, 200]
    assert answers[3] == 429
    refused = api.requests()
    assert int(refused["Retry-After"]) >= 1
    assert "请求过多" in refused.json()[0]["description"]


# --- The city administrator's page ----------------------------------------------------------


@pytest.fixture
def city_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, CITY)


@pytest.mark.django_db
def test_the_city_administrator_issues_a_token_shown_once(client, city_admin):
    client.force_login(city_admin)
    page = reverse("open311:sources")

    answer = client.post(
        page,
        {
            "name": "长治市12345热线",
            "channel": "hotline_12345",
            "area_codes": f"{LUCHENG}, {SHANGDANG}",
            "callback_url": "https://12345.example.cn/callback",
            "return_limit_hours": "24",
            "requests_per_minute": "60",
        },
    )

    assert answer.status_code == 302
    shown = client.get(answer["Location"])
    token = re.search(r'data-testid="token">([^<]+)<', shown.content.decode()).group(1)
    assert "no-store" in shown["Cache-Control"]
    source = SourceSystem.objects.get()
    assert {a.code for a in source.areas.all()} == {LUCHENG, SHANGDANG}
    assert Api(token).requests().status_code == 200
    assert token not in client.get(page).content.decode()  # never shown again
    assert token not in str(dict(client.session))  # nor kept
    assert AuditEntry.objects.filter(detail__action="token_issued").exists()


@pytest.mark.django_db
def test_the_city_administrator_revokes_a_token_after_confirming(client, city_admin, hotline):
    source, token = source_issue(
        actor=None, name="110", channel="police_110", areas=[area(LUCHENG)]
    )
    client.force_login(city_admin)
    url = reverse("open311:source_revoke", kwargs={"pk": source.pk})

    assert "110" in client.get(url).content.decode()
    client.post(url, {})  # without the confirmation nothing happens
    assert Api(token).requests().status_code == 200
    client.post(url, {"confirm": "1"})

    assert Api(token).requests().status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "code"),
    [(Role.ADMINISTRATOR, LUCHENG), (Role.ADMINISTRATOR, DIANSHANG), (Role.CITY_OFFICIAL, CITY)],
)
def test_nobody_but_an_administrator_of_the_whole_city_manages_tokens(
    client, changzhi_slice, role, code
):
    source, token = source_issue(actor=None, name="法院", channel="court", areas=[area(LUCHENG)])
    client.force_login(person_with_role(role, code))

    assert client.get(reverse("open311:sources")).status_code == 403
    revoke = reverse("open311:source_revoke", kwargs={"pk": source.pk})
    assert client.post(revoke, {"confirm": "1"}).status_code == 403
    assert Api(token).requests().status_code == 200


@pytest.mark.django_db
def test_the_issue_form_refuses_bad_areas_with_a_message(client, city_admin):
    client.force_login(city_admin)

    answer = client.post(
        reverse("open311:sources"),
        {
            "name": "热线",
            "channel": "hotline_12345",
            "area_codes": DIANSHANG_VILLAGE,  # a village: too small a scope
            "return_limit_hours": "24",
            "requests_per_minute": "60",
        },
    )

    assert answer.status_code == 400
    assert "不是市、县或乡镇的代码" in answer.content.decode()
    assert not SourceSystem.objects.exists()


# --- The command ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_issues_lists_revokes_and_reissues(changzhi_slice):
    out = io.StringIO()
    call_command(
        "source_systems",
        "issue",
        "--name",
        "110",
        "--channel",
        "police_110",
        "--areas",
        LUCHENG,
        stdout=out,
    )
    token = out.getvalue().strip().splitlines()[-1]
    assert Api(token).requests().status_code == 200

    call_command("source_systems", "revoke", "--name", "110", stdout=io.StringIO())
    assert Api(token).requests().status_code == 403
    listed = io.StringIO()
    call_command("source_systems", "list", stdout=listed)
    assert "110" in listed.getvalue() and "已吊销" in listed.getvalue()

    out = io.StringIO()
    call_command("source_systems", "reissue", "--name", "110", stdout=out)
    assert Api(out.getvalue().strip().splitlines()[-1]).requests().status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "arguments",
    [
        ["issue", "--name", "x", "--channel", "fax", "--areas", LUCHENG],
        ["issue", "--name", "x", "--channel", "court", "--areas", "999999"],
        [
            "issue",
            "--name",
            "x",
            "--channel",
            "court",
            "--areas",
            LUCHENG,
            "--callback-url",
            "ftp://a",
        ],
        [
            "issue",
            "--name",
            "x",
            "--channel",
            "court",
            "--areas",
            LUCHENG,
            "--return-limit-hours",
            "0",
        ],
        ["revoke", "--name", "nobody"],
    ],
)
def test_the_command_refuses_bad_input_with_a_message_and_writes_nothing(changzhi_slice, arguments):
    with pytest.raises(CommandError) as refused:
        call_command("source_systems", *arguments, stdout=io.StringIO())
    assert re.search(r"[\u4e00-\u9fff]", str(refused.value)), str(refused.value)
    assert not SourceSystem.objects.exists()


@pytest.mark.django_db
def test_a_new_token_from_the_page_replaces_the_old_one(client, city_admin):
    source, old = source_issue(actor=None, name="法院", channel="court", areas=[area(LUCHENG)])
    client.force_login(city_admin)

    shown = client.post(
        reverse("open311:source_reissue", kwargs={"pk": source.pk}), {"confirm": "1"}, follow=True
    )

    new = re.search(r'data-testid="token">([^<]+)<', shown.content.decode()).group(1)
    assert Api(new).requests().status_code == 200
    assert Api(old).requests().status_code == 403
