"""The access matrix: every URL that names an object, for every role from another
jurisdiction, answers exactly as it does for an object that does not exist (404; or 403/405
where the answer does not depend on the object at all).

The URLs are walked from the URL configuration: a new view that takes an object must be given
an entry in OBJECT_URLS below, or `test_every_object_url_is_in_the_matrix` fails.
"""

import io
import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from governance.models import Membership, Role
from tests.conftest import (
    DIANSHANG,
    DIANSHANG_VILLAGE,
    HANDIAN,
    LUCHENG,
    SHANGDANG,
    WEIZI,
    WEIZI_VILLAGE,
)
from tests.factories import area, person_with_role

MISSING_PK = 987654321
MISSING_CODE = "999999999999"


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if entry.app_name == "admin":
                continue  # The admin site is for superusers and has its own checks.
            yield from _walk(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            if converters:
                yield f"{prefix}{entry.name}", sorted(converters)


def object_url_names() -> dict[str, list[str]]:
    return dict(_walk(get_resolver()))


# How to name a real object (from the `world` fixture) and a missing one, for each URL.
OBJECT_URLS = {
    "area_detail": lambda w: {"code": w["village"].code},
    "person_detail": lambda w: {"pk": w["worker"].pk},
    "membership_revoke": lambda w: {"pk": w["membership"].pk},
    "grids:grid_detail": lambda w: {"pk": w["grid"].pk},
    "grids:patrol_start": lambda w: {"pk": w["grid"].pk},
    "grids:zero_report": lambda w: {"pk": w["grid"].pk},
    "grids:grid_handover": lambda w: {"pk": w["grid"].pk},
    "grids:patrol_end": lambda w: {"pk": w["patrol"].pk},
    "grids:finding_detail": lambda w: {"pk": w["finding"].pk},
    "grids:finding_handle": lambda w: {"pk": w["finding"].pk},
    "grids:finding_hand_up": lambda w: {"pk": w["finding"].pk},
    "grids:finding_photo": lambda w: {"pk": w["photo"].pk},
    "grids:village_grids": lambda w: {"code": w["village"].code},
    "grids:grid_create": lambda w: {"code": w["village"].code},
    "grids:township_villages": lambda w: {"code": w["township"].code},
    "disputes:detail": lambda w: {"pk": w["dispute"].pk},
    "disputes:agreement": lambda w: {"pk": w["dispute"].pk},
    "disputes:act": lambda w: {"pk": w["dispute"].pk, "action": "accept"},
    "petitions:detail": lambda w: {"pk": w["petition"].pk},
    "petitions:act": lambda w: {"pk": w["petition"].pk, "action": "accept"},
    "petitions:link_dispute": lambda w: {"pk": w["petition"].pk},
    "petitions:notice": lambda w: {"pk": w["petition"].pk},
    "petitions:reply_letter": lambda w: {"pk": w["petition"].pk},
    "dashboards:area": lambda w: {"code": w["village"].code},
    "dashboards:area_export": lambda w: {"code": w["village"].code, "table": "children"},
    "dashboards:month": lambda w: {"code": w["county"].code},
    "dashboards:month_publish": lambda w: {"code": w["county"].code},
    "dashboards:scheme": lambda w: {"code": w["county"].code},
    "dashboards:grid": lambda w: {"pk": w["grid"].pk},
    "dashboards:grid_export": lambda w: {"pk": w["grid"].pk, "table": "glance"},
}


def missing(kwargs: dict) -> dict:
    replaced = {}
    for key, value in kwargs.items():
        if key == "pk":
            replaced[key] = MISSING_PK
        elif key == "code":
            replaced[key] = MISSING_CODE
        else:
            replaced[key] = value
    return replaced


# People of other jurisdictions, one for every role at the level where it is held.
OUTSIDERS = [
    (Role.GRID_WORKER, WEIZI_VILLAGE),
    (Role.GRID_CHIEF, WEIZI_VILLAGE),
    (Role.VILLAGE_STAFF, WEIZI_VILLAGE),
    (Role.POLICE_LIAISON, WEIZI_VILLAGE),
    (Role.TOWNSHIP_STAFF, WEIZI),
    (Role.MEDIATOR, WEIZI),
    (Role.ADMINISTRATOR, WEIZI),
    (Role.TOWNSHIP_STAFF, HANDIAN),
    (Role.DEPARTMENT_LIAISON, SHANGDANG),
    (Role.COUNTY_OFFICIAL, SHANGDANG),
    (Role.ADMINISTRATOR, SHANGDANG),
]


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def world(changzhi_slice):
    """One of everything, all in 店上镇 / 店上村."""
    from disputes import services as disputes
    from grids import services as grids
    from grids.models import FindingStatus, GridRole
    from grids.photos import process_photo
    from petitions import services as petitions

    village, township = area(DIANSHANG_VILLAGE), area(DIANSHANG)
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    worker = person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE)
    grid = grids.grid_create(actor=None, village=village, code="T-01", name="一网格", kind="rural")
    grids.grid_assign(
        actor=None, grid=grid, person=worker, role=GridRole.WORKER, starts_on=date(2026, 1, 1)
    )
    patrol = grids.patrol_start(actor=worker, grid=grid)
    finding, _ = grids.finding_log(
        actor=worker,
        grid=grid,
        client_key=uuid.uuid4(),
        category="safety_hazard",
        severity="low",
        description="井盖缺失",
        status=FindingStatus.OPEN,
        photos=[process_photo(_jpeg())],
    )
    dispute = disputes.dispute_register(
        actor=staff,
        kind="neighbour",
        channel="walk_in",
        description="邻里纠纷",
        people_involved=2,
        village=village,
        level="township",
        parties=[{"side": "applicant", "name": "张三", "id_number": "", "phone": ""}],
    )
    petition = petitions.petition_register(
        actor=staff,
        channel="letter",
        subject="来信",
        content="内容",
        area=village,
        level="township",
        petitioners=[{"name": "王五"}],
    )
    return {
        "village": village,
        "township": township,
        "county": area(LUCHENG),
        "worker": worker,
        "membership": Membership.objects.get(user=worker),
        "grid": grid,
        "patrol": patrol,
        "finding": finding,
        "photo": finding.photos.get(),
        "dispute": dispute,
        "petition": petition,
    }


def test_every_object_url_is_in_the_matrix():
    unlisted = sorted(set(object_url_names()) - set(OBJECT_URLS))
    assert unlisted == [], f"add these URLs to OBJECT_URLS: {unlisted}"


@pytest.mark.parametrize(("role", "code"), OUTSIDERS, ids=[f"{r}@{c}" for r, c in OUTSIDERS])
def test_outsiders_get_the_answer_a_missing_object_gets(client, world, role, code):
    client.force_login(person_with_role(role, code))
    leaks = []
    for name, make_kwargs in OBJECT_URLS.items():
        real = reverse(name, kwargs=make_kwargs(world))
        absent = reverse(name, kwargs=missing(make_kwargs(world)))
        for method in ("get", "post"):
            real_status = getattr(client, method)(real).status_code
            absent_status = getattr(client, method)(absent).status_code
            if real_status != absent_status or real_status not in (403, 404, 405):
                leaks.append(f"{method.upper()} {real}: {real_status} (missing: {absent_status})")
    assert leaks == []


def test_the_matrix_sees_the_objects_for_those_who_may(client, world):
    """The matrix would pass vacuously if the objects were invisible to everyone."""
    client.force_login(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG))
    visible = ("disputes:detail", "petitions:detail", "grids:finding_detail", "grids:grid_detail")
    for name in visible:
        assert client.get(reverse(name, kwargs=OBJECT_URLS[name](world))).status_code == 200
