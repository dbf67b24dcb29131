"""Masking is one rule, everywhere (infra.masking.mask_personal_data).

Every way people type an ID number or a phone number, in every place a petition's subject, a
non-acceptance reason or a grid finding's description leaves the portal: someone who does not
handle the case never sees the number, in any of its typed forms; the handler sees it whole
where the page shows it whole. Excel exports and log lines have no handler: their numbers are
always masked. Dates, amounts, case numbers and area codes are not numbers of a person, and
come through untouched."""

import io
import logging
import re
import uuid
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from disputes.services import dispute_register
from governance.audit.models import AuditKind
from governance.audit.services import audit_record
from governance.excel import workbook_response
from governance.models import Area, Role
from governance.rollups.engine import run_daily
from grids.models import FindingStatus, GridRole
from grids.services import finding_log
from infra.logging import JsonFormatter, TextFormatter
from infra.masking import (
    INVISIBLE,
    TextMask,
    mask_id_number,
    mask_name,
    mask_personal_data,
    mask_phone,
)
from petitions import services as petition_services
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.factories import GridFactory, area, person_with_role, team_member

# --- The forms people type -------------------------------------------------------------------


@dataclass(frozen=True)
class Typed:
    """A number as someone typed it, the digits it stands for (which must not appear,
    however the separators around them are read), and its one masked form."""

    typed: str
    digits: str
    masked: str


ID_18 = "140406198503071239"
ID_15 = "140406850307123"
MOBILE = "13800138000"
LANDLINE = "03551234567"
LANDLINE_8 = "035512345678"

# The forms of the task, each tried in every place below.
TYPED = {
    # 18-digit ID numbers, the last maybe X or x, in one piece or in groups; old 15-digit ones.
    "id": Typed(ID_18, ID_18, "140***********1239"),
    "id with X": Typed("14040619850307123X", "14040619850307123X", "140***********123X"),
    "id with x": Typed("14040619850307123x", "14040619850307123", "140***********123X"),
    "id in groups, spaces": Typed("140406 1985 0307 1239", ID_18, "140***********1239"),
    "id in groups, dashes": Typed("140406-1985-0307-1239", ID_18, "140***********1239"),
    "old 15-digit id": Typed(ID_15, ID_15, "140********7123"),
    # Mobiles, plain, in groups, with a country code.
    "mobile": Typed(MOBILE, MOBILE, "138****8000"),
    "mobile with dashes": Typed("138-0013-8000", MOBILE, "138****8000"),
    "mobile with spaces": Typed("138 0013 8000", MOBILE, "138****8000"),
    "mobile +86": Typed("+86 138 0013 8000", MOBILE, "138****8000"),
    "mobile 86": Typed("86 13800138000", MOBILE, "138****8000"),
    "mobile 0086": Typed("0086 13800138000", MOBILE, "138****8000"),
    # Landlines, with their area code in the usual forms, and without it.
    "landline": Typed("0355-1234567", LANDLINE, "035****4567"),
    "landline (area)": Typed("(0355)1234567", LANDLINE, "035****4567"),
    "landline in groups": Typed("0355 1234 567", LANDLINE, "035****4567"),
    "landline of 8 digits": Typed("0355-1234 5678", LANDLINE_8, "035*****5678"),
    "landline, 7 digits, no area code": Typed("电话：2123456", "2123456", "电话：***3456"),
    "landline, 8 digits, no area code": Typed("座机 8123 4567", "81234567", "座机 ****4567"),
    # Invisible characters inside: each of them, in each kind of number.
    "mobile with zero-width space": Typed("138\u200b0013\u200b8000", MOBILE, "138****8000"),
    "id with zero-width non-joiner": Typed(
        "140406\u200c19850307\u200c1239", ID_18, "140***********1239"
    ),
    "landline with zero-width joiner": Typed("0355\u200d-1234567", LANDLINE, "035****4567"),
    "mobile with word joiner": Typed("138\u20600013\u20608000", MOBILE, "138****8000"),
    "mobile with BOM": Typed("\ufeff1380013\ufeff8000", MOBILE, "138****8000"),
    "id with soft hyphens": Typed(
        "140406\u00ad1985\u00ad0307\u00ad1239", ID_18, "140***********1239"
    ),
}

# More forms, for the function itself.
MORE_TYPED = {
    "id in groups of 6-8-4": Typed("140406 19850307 1239", ID_18, "140***********1239"),
    "id with soft hyphens and dashes": Typed(
        "140406-\u00ad1985-0307\u00ad-1239", ID_18, "140***********1239"
    ),
    "mobile +86 in one piece": Typed("+8613800138000", MOBILE, "138****8000"),
    "mobile 86 in one piece": Typed("8613800138000", MOBILE, "138****8000"),
    "mobile (+86)": Typed("(+86)138-0013-8000", MOBILE, "138****8000"),
    "mobile in full-width digits": Typed("１３８００１３８０００", MOBILE, "138****8000"),
    "mobile with zero-width non-joiner": Typed("1\u200c3800138000", MOBILE, "138****8000"),
    "mobile with zero-width joiner": Typed("13800\u200d138000", MOBILE, "138****8000"),
    "mobile with soft hyphens": Typed("138\u00ad0013\u00ad8000", MOBILE, "138****8000"),
    "landline in one piece": Typed(LANDLINE, LANDLINE, "035****4567"),
    "landline （area）": Typed("（0355）1234567", LANDLINE, "035****4567"),
    "landline +86": Typed("+86 355 1234567", "3551234567", "035****4567"),
    "landline with an extension": Typed("0355-1234567-801", LANDLINE, "035****4567-801"),
}
ALL_TYPED = {**TYPED, **MORE_TYPED}

# Numbers that are no one's: they must come through as typed.
ORDINARY = {
    "date": "2026-03-01",
    "date in one piece": "20260301",
    "date and time": "2026-03-01 14:30",
    "amount": "欠款 12500 元",
    "large amount": "共计 1500000 元",
    "amount with decimals": "12,500.50 元",
    "dispute number": "JF20260000123",
    "petition number": "XF20261234567",
    "12-digit area code": "140406100200",
    "village code and grid": "140406100200-01",
    "count and duration": "200 12.3 ms",
    "year range": "2025-2026",
    "the 12345 hotline": "12345 热线",
    "a phone word before a date": "电话回访 2026-03-01",
}


def flattened(text: str) -> str:
    """`text` with every separator a number could be typed with taken out, so that a number
    left whole shows as its bare digits, however it was split."""
    text = re.sub(f"[{INVISIBLE}]", "", text)
    text = text.translate({0xFF10 + i: str(i) for i in range(10)})
    return re.sub(r"[\s\-()（）+\u3000]", "", text).upper()


def assert_hidden(text: str, number: Typed) -> None:
    assert number.typed not in text
    assert number.digits.upper() not in flattened(text)


def assert_whole(text: str, number: Typed) -> None:
    assert number.typed in text


# --- The one function ------------------------------------------------------------------------


@pytest.mark.parametrize("number", ALL_TYPED.values(), ids=ALL_TYPED.keys())
def test_every_typed_form_is_masked_to_its_one_form(number):
    text = f"反映人留下号码{number.typed}，请回电。"

    masked = mask_personal_data(text)

    assert_hidden(masked, number)
    assert number.masked in masked
    assert masked.startswith("反映人留下号码") and masked.endswith("，请回电。")
    # Masking what is masked changes nothing.
    assert mask_personal_data(masked) == masked


@pytest.mark.parametrize("number", ALL_TYPED.values(), ids=ALL_TYPED.keys())
def test_those_handling_the_case_read_every_form_whole(number):
    text = f"反映人留下号码{number.typed}，请回电。"

    assert mask_personal_data(text, handling=True) == text


@pytest.mark.parametrize("text", ORDINARY.values(), ids=ORDINARY.keys())
def test_ordinary_numbers_survive(text):
    assert mask_personal_data(f"说明：{text}。") == f"说明：{text}。"


def test_the_field_maskers_give_the_same_forms():
    assert mask_id_number(ID_18) == "140***********1239"
    assert mask_id_number("140406 1985 0307 123x") == "140***********123X"
    assert mask_id_number(ID_15) == "140********7123"
    assert mask_phone(MOBILE) == mask_phone("+86 138-0013-8000") == "138****8000"
    assert mask_phone("0355-1234567") == mask_phone("(0355)1234567") == "035****4567"
    assert mask_phone("2123456") == "***3456"
    assert mask_phone("") == mask_id_number("") == ""
    assert mask_name("张三丰") == "张**"


def test_names_are_masked_with_the_numbers_also_with_invisible_characters_inside():
    text = "郭春生（电话138 0013 8000）与郭\u200b春生之妻"

    assert mask_personal_data(text, names=["郭春生"]) == "郭**（电话138****8000）与郭**之妻"
    assert TextMask(["郭春生"])(text) == mask_personal_data(text, names=["郭春生"])
    assert mask_personal_data(text, names=["郭春生"], handling=True) == text


# --- The places ------------------------------------------------------------------------------


@pytest.fixture
def world(changzhi_slice):
    """店上镇's centre, which handles the petitions and disputes registered there, a county
    official above it who sees them all and handles none, and a grid worker of 店上村."""
    grid = GridFactory(village=area(DIANSHANG_VILLAGE), code="140406100200-01", name="第一网格")
    return {
        "township_staff": person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="赵镇干"),
        "county_official": person_with_role(Role.COUNTY_OFFICIAL, LUCHENG, first_name="孙区干"),
        "administrator": person_with_role(Role.ADMINISTRATOR, LUCHENG, first_name="吴管理"),
        "worker": team_member(grid, GridRole.WORKER, first_name="张网格"),
        "grid": grid,
    }


def page(client, person, url) -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def workbook_text(client, person, url) -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200, url
    sheet = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(
        str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None
    )


def a_petition(world, *, subject="村道路灯不亮", **fields):
    return petition_services.petition_register(
        actor=world["township_staff"],
        channel="letter",
        subject=subject,
        content="村道路灯已坏三个月。",
        area=Area.objects.get(code=DIANSHANG_VILLAGE),
        level="township",
        petitioners=[{"name": "郭春生", "id_number": "", "phone": ""}],
        **fields,
    )


def a_dispute(world, description="两户因排水沟走向争执"):
    return dispute_register(
        actor=world["township_staff"],
        kind="neighbour",
        channel="walk_in",
        description=description,
        people_involved=2,
        village=area(DIANSHANG_VILLAGE),
        level="township",
        parties=[{"side": "applicant", "name": "刘建国", "id_number": "", "phone": ""}],
    )


def a_finding(world, description):
    finding, _created = finding_log(
        actor=world["worker"],
        grid=world["grid"],
        client_key=uuid.uuid4(),
        category="safety_hazard",
        severity="low",
        description=description,
        status=FindingStatus.OPEN,
    )
    return finding


# Each place: given the world and a text with a number in it, what someone not handling the
# case reads there, and what the handler reads (None where there is no handler: exports, logs).


def petition_list(client, world, text):
    a_petition(world, subject=text)
    return (
        page(client, world["county_official"], reverse("petitions:list")),
        page(client, world["township_staff"], reverse("petitions:list")),
    )


def petition_list_export(client, world, text):
    a_petition(world, subject=text)
    url = reverse("petitions:list") + "?export=1"
    # The handler's export masks the number too: no export carries one.
    return (
        workbook_text(client, world["county_official"], url),
        None,
        (workbook_text(client, world["township_staff"], url)),
    )


def petition_page(client, world, text):
    petition = a_petition(world, subject=text)
    url = reverse("petitions:detail", args=[petition.pk])
    return page(client, world["county_official"], url), page(client, world["township_staff"], url)


def linked_petitions_on_a_dispute(client, world, text):
    dispute = a_dispute(world)
    a_petition(world, subject=text, disputes=[dispute])
    url = reverse("disputes:detail", args=[dispute.pk])
    outsider = page(client, world["county_official"], url)
    handler = page(client, world["township_staff"], url)
    panel = 'data-testid="linked-petitions"'
    assert panel in outsider and panel in handler
    return outsider, handler


def not_accepted(world, *, subject="村道路灯不亮", reason="已通过诉讼程序解决"):
    petition = a_petition(world, subject=subject)
    petition_services.petition_not_accept(
        actor=world["township_staff"], petition=petition, version=petition.version, reason=reason
    )
    return reverse("petitions:notice", args=[petition.pk])


def notice_subject(client, world, text):
    url = not_accepted(world, subject=text)
    return page(client, world["county_official"], url), page(client, world["township_staff"], url)


def notice_reason(client, world, text):
    url = not_accepted(world, reason=text)
    return page(client, world["county_official"], url), page(client, world["township_staff"], url)


def dispute_page(client, world, text):
    dispute = a_dispute(world, description=text)
    url = reverse("disputes:detail", args=[dispute.pk])
    return page(client, world["county_official"], url), page(client, world["township_staff"], url)


def finding_page(client, world, text):
    finding = a_finding(world, text)
    url = reverse("grids:finding_detail", args=[finding.pk])
    # Village staff see the finding of their village's grid but do not handle it: its worker
    # does, until they hand it up.
    village_staff = person_with_role(Role.VILLAGE_STAFF, DIANSHANG_VILLAGE, first_name="王村委")
    outsider = page(client, world["county_official"], url)
    assert_same_as(outsider, page(client, village_staff, url))
    return outsider, page(client, world["worker"], url)


def assert_same_as(one: str, other: str) -> None:
    """Both people read the finding's description the same way."""
    description = re.compile(r'data-testid="finding-description">(.*?)</p>', re.S)
    assert description.search(one).group(1) == description.search(other).group(1)


def grid_page(client, world, text):
    a_finding(world, text)
    url = reverse("grids:grid_detail", args=[world["grid"].pk])
    return page(client, world["county_official"], url), page(client, world["worker"], url)


def dashboard_daily_clear(client, world, text):
    a_finding(world, text)
    run_daily(timezone.localdate())
    url = reverse("dashboards:area", args=[DIANSHANG_VILLAGE])
    shown = page(client, world["county_official"], url)
    assert 'data-testid="table-clear"' in shown
    return shown, None


def dashboard_daily_clear_from_an_old_run(client, world, text):
    """A line the job wrote before it masked what it stores is masked when shown."""
    from governance.rollups.models import DailyClearItem, JobRun

    finding = a_finding(world, "路灯损坏")
    day = timezone.localdate()
    run_daily(day)
    DailyClearItem.objects.filter(object_id=finding.pk).update(label=text[:200])
    assert JobRun.objects.exists()
    url = reverse("dashboards:area", args=[DIANSHANG_VILLAGE])
    return page(client, world["county_official"], url), None


def dashboard_daily_clear_export(client, world, text):
    a_finding(world, text)
    day = timezone.localdate()
    run_daily(day)
    url = reverse("dashboards:area_export", args=[DIANSHANG_VILLAGE, "clear"])
    return workbook_text(client, world["township_staff"], f"{url}?day={day}"), None


def audit_export(client, world, text):
    # A failed sign-in under a name that is a phone number: the name is kept in the entry.
    audit_record(
        kind=AuditKind.SIGN_IN_FAILED,
        area=area(LUCHENG),
        target=text[:200],
        detail={"username": text[:150]},
    )
    return workbook_text(client, world["administrator"], reverse("audit:export")), None


def any_export(client, world, text):
    """governance.excel itself, which writes every export's cells (the disputes' export has
    no free-text column that could carry a number)."""
    response = workbook_response(
        filename="t.xlsx", title="t", header=["说明"], rows=[[text]], area=area(LUCHENG)
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c), None


def log_line(formatter):
    def place(client, world, text):
        record = logging.LogRecord(
            "governance.check", logging.WARNING, __file__, 1, "caller said %s", (text,), None
        )
        return formatter().format(record), None

    return place


PLACES = {
    "petition list: subject": petition_list,
    "petition list export": petition_list_export,
    "petition page: subject": petition_page,
    "dispute page: linked petitions": linked_petitions_on_a_dispute,
    "non-acceptance notice: subject": notice_subject,
    "non-acceptance notice: reason": notice_reason,
    "dispute page: description": dispute_page,
    "finding page: description": finding_page,
    "grid page: recent findings": grid_page,
    "dashboard: daily clear": dashboard_daily_clear,
    "dashboard: daily clear of an old run": dashboard_daily_clear_from_an_old_run,
    "dashboard export: daily clear": dashboard_daily_clear_export,
    "audit log export": audit_export,
    "any Excel export": any_export,
    "log line (json)": log_line(JsonFormatter),
    "log line (text)": log_line(TextFormatter),
}


@pytest.mark.django_db
@pytest.mark.parametrize("number", TYPED.values(), ids=TYPED.keys())
@pytest.mark.parametrize("place", PLACES.values(), ids=PLACES.keys())
def test_a_number_is_hidden_from_those_not_handling_it_and_whole_for_the_handler(
    client, world, place, number
):
    text = f"郭春生反映路灯不亮，留下号码{number.typed}，盼回复"

    outsider, handler, *handlers_export = place(client, world, text)

    assert_hidden(outsider, number)
    assert number.masked in outsider
    if handler is not None:
        assert_whole(handler, number)
    for export in handlers_export:
        assert_hidden(export, number)


@pytest.mark.django_db
@pytest.mark.parametrize("place", PLACES.values(), ids=PLACES.keys())
def test_ordinary_numbers_survive_everywhere(client, world, place):
    text = "2026-03-01 欠款 12500 元，见 JF20260000123，区划 140406100200"

    outsider, handler, *_ = place(client, world, text)

    for kept in ("2026-03-01", "12500", "JF20260000123", "140406100200"):
        assert kept in outsider
        if handler is not None:
            assert kept in handler


@pytest.mark.django_db
@pytest.mark.parametrize(
    "place",
    [
        petition_list,
        petition_page,
        linked_petitions_on_a_dispute,
        notice_subject,
        notice_reason,
    ],
)
def test_the_petitioners_name_is_masked_for_those_not_handling_the_petition(client, world, place):
    outsider, handler, *_ = place(client, world, "郭春生反映路灯不亮")

    assert "郭**反映路灯不亮" in outsider
    assert "郭春生反映路灯不亮" not in outsider
    assert "郭春生反映路灯不亮" in handler


@pytest.mark.django_db
def test_the_petition_export_masks_the_name_for_those_not_handling_it(client, world):
    a_petition(world, subject="郭春生反映路灯不亮")
    url = reverse("petitions:list") + "?export=1"

    assert "郭**反映路灯不亮" in workbook_text(client, world["county_official"], url)
    assert "郭春生反映路灯不亮" in workbook_text(client, world["township_staff"], url)


def test_log_lines_mask_as_the_pages_do():
    """One masked form: log lines once kept six digits of an ID where the pages keep three."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", (ID_18,), None)

    assert "140***********1239" in JsonFormatter().format(record)
