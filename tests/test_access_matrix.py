"""The access matrix: every URL that names an object, for every role from another
jurisdiction, answers exactly as it does for an object that does not exist (404; or 403/405
where the answer does not depend on the object at all). Within the jurisdiction, every role
that may not use a URL is refused (404 where the object is not theirs to see, 403 where they
may see it but not do this), and every role that may use it is let through.

The URLs are walked from the URL configuration: a new view that takes an object must be given
an entry in OBJECT_URLS below, or `test_every_object_url_is_in_the_matrix` fails.
"""

import io
import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from governance.models import Membership, Role
from governance.rollups.engine import run_daily
from tests.conftest import (
    CITY,
    DIANSHANG,
    DIANSHANG_VILLAGE,
    HANDIAN,
    LUCHENG,
    SHANGDANG,
    WEIZI,
    WEIZI_VILLAGE,
)
from tests.factories import UserFactory, area, person_with_role

MISSING_PK = 987654321
MISSING_CODE = "999999999999"
MISSING_YEAR = 1900


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
    "disputes:attachment_add": lambda w: {"pk": w["dispute"].pk},
    "disputes:attachment": lambda w: {"pk": w["dispute"].pk, "attachment_pk": w["attachment"].pk},
    "petitions:detail": lambda w: {"pk": w["petition"].pk},
    "petitions:act": lambda w: {"pk": w["petition"].pk, "action": "accept"},
    "petitions:link_dispute": lambda w: {"pk": w["petition"].pk},
    "petitions:notice": lambda w: {"pk": w["petition"].pk},
    "petitions:referral_notice": lambda w: {"pk": w["petition"].pk},
    "petitions:reply_letter": lambda w: {"pk": w["petition"].pk},
    "dashboards:area": lambda w: {"code": w["village"].code},
    "dashboards:area_export": lambda w: {"code": w["village"].code, "table": "children"},
    "dashboards:month": lambda w: {"code": w["county"].code},
    "dashboards:month_publish": lambda w: {"code": w["county"].code},
    "dashboards:scheme": lambda w: {"code": w["county"].code},
    "county_settings": lambda w: {"code": w["county"].code},
    "grids:patrol_target_settings": lambda w: {"code": w["county"].code},
    "incidents:matter_rules_settings": lambda w: {"code": w["county"].code},
    "disputes:deadline_settings": lambda w: {"code": w["county"].code},
    "disputes:revisit_settings": lambda w: {"code": w["county"].code},
    "petitions:clock_settings": lambda w: {"code": w["county"].code},
    "dashboards:grid": lambda w: {"pk": w["grid"].pk},
    "dashboards:grid_export": lambda w: {"pk": w["grid"].pk, "table": "glance"},
    "incidents:detail": lambda w: {"pk": w["incident"].pk},
    "incidents:act": lambda w: {"pk": w["incident"].pk, "action": "dispatch"},
    "incidents:from_finding": lambda w: {"pk": w["finding"].pk},
    "working_calendar": lambda w: {"year": timezone.localdate().year},
    "calendar_day_add": lambda w: {"year": timezone.localdate().year},
    "calendar_day_remove": lambda w: {"year": timezone.localdate().year},
    "incidents:check_phone": lambda w: {"pk": w["handled_incident"].pk},
    "incidents:photo": lambda w: {"pk": w["incident_photo"].pk},
    "cases:light_settings": lambda w: {"code": w["county"].code},
    "cases:supervision_instruct": lambda w: {"pk": w["supervision"].pk},
    "cases:supervision_answer": lambda w: {"pk": w["supervision"].pk},
    "incidents:convert_dispute": lambda w: {"pk": w["dispute"].pk},
    # The intake API answers a token, never a session: 403 for everyone signed in, whether
    # the request exists or not (tests/open311 walk it with tokens).
    "open311:request_detail": lambda w: {"number": "140406-20261203-0001"},
    "open311:source_revoke": lambda w: {"pk": w["source"].pk},
    "open311:source_reissue": lambda w: {"pk": w["source"].pk},
    "desk:detail": lambda w: {"pk": w["matter"].pk},
    "desk:receipt": lambda w: {"pk": w["matter"].pk},
    "desk:classify": lambda w: {"pk": w["matter"].pk},
    "desk:reply": lambda w: {"pk": w["matter"].pk},
    "desk:sign_in": lambda w: {"pk": w["matter"].pk},
    "desk:return": lambda w: {"pk": w["matter"].pk},
}


def missing(kwargs: dict) -> dict:
    replaced = {}
    for key, value in kwargs.items():
        if key in ("pk", "attachment_pk"):
            replaced[key] = MISSING_PK
        elif key == "code":
            replaced[key] = MISSING_CODE
        elif key == "year":
            replaced[key] = MISSING_YEAR
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
    (Role.REVISITOR, SHANGDANG),
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
    from incidents import services as incidents
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
    attachment = disputes.dispute_attach(
        actor=staff,
        dispute=dispute,
        upload=SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
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
    # An incident opened from a hazard the worker handed up, waiting to be dispatched.
    hazard, _ = grids.finding_log(
        actor=worker,
        grid=grid,
        client_key=uuid.uuid4(),
        category="safety_hazard",
        severity="low",
        description="路灯损坏",
        status=FindingStatus.HANDED_UP,
    )
    incident = incidents.incident_create_from_finding(actor=staff, finding=hazard)
    # Another, handled by the township's office with a photo, waiting for the worker's check.
    loose, _ = grids.finding_log(
        actor=worker,
        grid=grid,
        client_key=uuid.uuid4(),
        category="safety_hazard",
        severity="low",
        description="护栏松动",
        status=FindingStatus.HANDED_UP,
    )
    handled_incident = incidents.incident_create_from_finding(actor=staff, finding=loose)
    incidents.incident_dispatch(
        actor=staff, incident=handled_incident, unit_kind="township", reason="镇里处理"
    )
    incidents.incident_sign_in(actor=staff, incident=handled_incident)
    incidents.incident_handle(
        actor=staff,
        incident=handled_incident,
        what_was_done="已加固",
        photos=[process_photo(_jpeg())],
    )
    # A second dispute, overdue at the township: its light is red and the county supervises it.
    from cases.models import Supervision
    from cases.supervision import supervise_red_cases
    from disputes.models import Dispute

    overdue = disputes.dispute_register(
        actor=staff,
        kind="debt",
        channel="walk_in",
        description="欠款纠纷",
        people_involved=2,
        village=village,
        level="township",
        parties=[{"side": "applicant", "name": "李四", "id_number": "", "phone": ""}],
    )
    Dispute.objects.filter(pk=overdue.pk).update(due_on=date(2026, 1, 5))
    supervise_red_cases()
    from open311.services import source_issue

    source, _token = source_issue(
        actor=None, name="12345热线", channel="hotline_12345", areas=[area(LUCHENG)]
    )
    # A walk-in received at the township's front desk, not yet classified.
    from desk.services import matter_receive

    matter, _code = matter_receive(
        actor=staff,
        channel="walk_in",
        area=village,
        subject="咨询宅基地",
        description="来访咨询宅基地审批",
        requester_name="钱七",
        requester_phone="13800138000",
    )
    world_objects = {
        "source": source,
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
        "attachment": attachment,
        "petition": petition,
        "incident": incident,
        "handled_incident": handled_incident,
        "incident_photo": handled_incident.photos.get(),
        "supervision": Supervision.objects.get(object_id=overdue.pk),
        "matter": matter,
    }
    # Today's figures, so that the dashboards and their exports have something to show.
    run_daily(timezone.localdate())
    return world_objects


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


# People of the same jurisdiction as the `world`, one for every role at the level where it is
# held; the grid's own worker; and someone signed in who holds no role at all.
INSIDERS = {
    "team_worker": None,
    "grid_worker": (Role.GRID_WORKER, DIANSHANG_VILLAGE),
    "grid_chief": (Role.GRID_CHIEF, DIANSHANG_VILLAGE),
    "village_staff": (Role.VILLAGE_STAFF, DIANSHANG_VILLAGE),
    "police_liaison": (Role.POLICE_LIAISON, DIANSHANG_VILLAGE),
    "township_staff": (Role.TOWNSHIP_STAFF, DIANSHANG),
    "mediator": (Role.MEDIATOR, DIANSHANG),
    "administrator": (Role.ADMINISTRATOR, DIANSHANG),
    "department_liaison": (Role.DEPARTMENT_LIAISON, LUCHENG),
    "county_official": (Role.COUNTY_OFFICIAL, LUCHENG),
    "city_official": (Role.CITY_OFFICIAL, CITY),
    "revisitor": (Role.REVISITOR, LUCHENG),
    "no_role": (),
}

_SEES_GRIDS = {
    "team_worker",
    "grid_chief",
    "village_staff",
    "township_staff",
    "mediator",
    "administrator",
    "department_liaison",
    "county_official",
    "city_official",
}
# A department liaison sees the grids of the county, but of their findings only those behind
# the cases their department handles (tests/disputes/test_department_findings.py): none here.
_SEES_FINDINGS = _SEES_GRIDS - {"department_liaison"}
_GRID_MANAGERS = {"grid_chief", "village_staff", "township_staff", "administrator"}
_OFFICIALS = {"township_staff", "county_official", "city_official"}
_SEES_PETITIONS = {
    "grid_chief",
    "village_staff",
    "township_staff",
    "administrator",
    "county_official",
    "city_official",
}

# Who of the insiders may use each URL on the `world`'s objects. Everyone else is refused.
# The agreement and the petition's letters do not exist yet in the world: nobody may open them.
MAY_USE = {
    "area_detail": set(INSIDERS) - {"no_role"},
    "person_detail": {"administrator"},
    "membership_revoke": {"administrator"},
    "grids:grid_detail": _SEES_GRIDS,
    "grids:patrol_start": {"team_worker"},
    "grids:zero_report": {"team_worker"},
    "grids:grid_handover": _GRID_MANAGERS,
    "grids:patrol_end": {"team_worker"},
    "grids:finding_detail": _SEES_FINDINGS,
    "grids:finding_handle": {"team_worker"},
    "grids:finding_hand_up": {"team_worker"},
    "grids:finding_photo": _SEES_FINDINGS,
    "grids:village_grids": set(INSIDERS) - {"no_role"},
    "grids:grid_create": _GRID_MANAGERS,
    # The area tree is reference data: the villages of a township, for every county role.
    "grids:township_villages": _OFFICIALS
    | {"mediator", "administrator", "department_liaison", "revisitor"},
    # A revisit officer sees the county's disputes (to revisit them), and nothing else of it.
    "disputes:detail": _SEES_PETITIONS | {"mediator", "revisitor"},
    "disputes:agreement": set(),
    "disputes:act": {"township_staff"},
    "disputes:attachment_add": {"township_staff"},
    "disputes:attachment": {"township_staff"},
    "petitions:detail": _SEES_PETITIONS,
    # Accept: the township centre that handles it. (The village committee may open the
    # petition, and record its help, but not accept it.)
    "petitions:act": {"township_staff"},
    "petitions:link_dispute": {"township_staff"},
    "petitions:notice": set(),
    "petitions:referral_notice": set(),
    "petitions:reply_letter": set(),
    "dashboards:area": _OFFICIALS,
    "dashboards:area_export": _OFFICIALS,
    "dashboards:month": {"county_official", "city_official"},
    # The city sees a county's month but does not publish it: its confirmation is refused.
    "dashboards:month_publish": {"county_official"},
    "dashboards:scheme": set(),
    # A county's settings are for its administrators (and the city's); the insiders'
    # administrator administers a township.
    "county_settings": set(),
    "grids:patrol_target_settings": set(),
    "incidents:matter_rules_settings": set(),
    "disputes:deadline_settings": set(),
    "disputes:revisit_settings": set(),
    "petitions:clock_settings": set(),
    "dashboards:grid": _OFFICIALS,
    "dashboards:grid_export": _OFFICIALS,
    # The area-wide roles of its village (not a department liaison: only their department's),
    # and the worker who reported it.
    "incidents:detail": (_SEES_PETITIONS | {"mediator", "team_worker"}),
    # Dispatched from the township: its staff and those above.
    "incidents:act": _OFFICIALS,
    # The world's finding is not handed up: those who may open incidents are told so.
    "incidents:from_finding": {"grid_chief", "village_staff", "township_staff"},
    # The working-day calendar holds for the whole city: its administrator's alone.
    "working_calendar": set(),
    "calendar_day_add": set(),
    "calendar_day_remove": set(),
    # Checked on the spot by the worker who reported it, alone.
    "incidents:check_phone": {"team_worker"},
    # Its photos open for whoever sees the incident.
    "incidents:photo": (_SEES_PETITIONS | {"mediator", "team_worker"}),
    "cases:light_settings": set(),
    # The county supervises the township's red dispute (the city, above it, may too); the
    # township that handles it answers.
    "cases:supervision_instruct": {"county_official", "city_official"},
    "cases:supervision_answer": {"township_staff"},
    # A township's dispute: its staff, and those above who may dispatch the incident it becomes.
    "incidents:convert_dispute": _OFFICIALS,
    # Tokens hold for the whole city: its administrator's alone.
    "open311:request_detail": set(),
    "open311:source_revoke": set(),
    "open311:source_reissue": set(),
    # The front desk is staffed by the township's centre and the county's (cases.levels).
    "desk:detail": {"township_staff", "county_official"},
    "desk:receipt": {"township_staff", "county_official"},
    "desk:classify": {"township_staff", "county_official"},
    "desk:reply": {"township_staff", "county_official"},
    "desk:sign_in": {"township_staff", "county_official"},
    "desk:return": {"township_staff", "county_official"},
}

REFUSED = (403, 404, 405)


def test_every_object_url_says_who_may_use_it():
    assert set(MAY_USE) == set(OBJECT_URLS)


def _insider(label: str, world):
    if INSIDERS[label] is None:
        return world["worker"]
    if not INSIDERS[label]:
        return UserFactory()
    return person_with_role(*INSIDERS[label])


@pytest.mark.parametrize("label", list(INSIDERS))
def test_insiders_without_the_right_are_refused_and_those_with_it_are_not(client, world, label):
    client.force_login(_insider(label, world))
    wrong = []
    for name, make_kwargs in OBJECT_URLS.items():
        url = reverse(name, kwargs=make_kwargs(world))
        # GET first: an allowed POST may change the object (end the patrol, accept the case).
        statuses = (client.get(url).status_code, client.post(url).status_code)
        if label in MAY_USE[name]:
            if all(status in REFUSED for status in statuses):
                wrong.append(f"{name} refused {statuses}, but {label} may use it")
        elif any(status not in REFUSED for status in statuses):
            wrong.append(f"{name} answered {statuses}, but {label} may not use it")
    assert wrong == []
