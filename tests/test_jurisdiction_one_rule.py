"""Jurisdiction is one rule per object kind: for every role, `X.objects.visible_to(user)` is
exactly what the detail pages open (200, else the 404 of a missing object) and what the list
pages show, for disputes, petitions, grids, findings, and the grids' patrols and teams.

The table below pins what each role sees of a small world: two grids of 店上村 (the grid
worker's and another), a grid of 微子镇's village, a grid of 上党区 (another county), and a
dispute, a petition and a finding in each. Two cases where a plain area filter once disagreed
with the apps' rule are pinned as the README says: a department liaison of the county sees
only the disputes their department is assigned or summoned to (not every dispute of the
county), and a grid worker sees the disputes of their own grid, not those of another grid of
the same village.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import Assignment, Dispute, Summons
from governance.models import Area, Role
from grids.models import Finding, Grid, GridAssignment, GridRole, Patrol
from petitions.models import Petition, PetitionAssignment
from tests.conftest import CITY, DIANSHANG, DIANSHANG_VILLAGE, HANDIAN, LUCHENG, WEIZI_VILLAGE
from tests.factories import (
    DisputeFactory,
    GridFactory,
    PetitionFactory,
    UserFactory,
    area,
    department_with_liaison,
    log_finding,
    person_with_role,
    team_member,
)

GRIDS = ("gA", "gB", "gC", "gD")
DISPUTES = ("dA", "dB", "dC", "dD")
PETITIONS = ("pA", "pC", "pD")
FINDINGS = ("fA", "fB", "fC", "fD")

# What each role sees. gA, gB: two grids of 店上村 (店上镇, 潞城区); gC: a grid of 微子镇 (潞城区);
# gD: a grid of 上党区. Each grid has its finding (fA...) and a dispute on it (dA...); dB
# came from fB and is assigned to a department, dC came from fC and summoned a department.
# The petitions concern 店上村 (pA, a mediator assigned), 微子镇's village (pC) and 上党区 (pD).
EXPECTED = {
    "grid_worker": {"grids": "gA", "disputes": "dA", "petitions": "", "findings": "fA"},
    "grid_chief": {"grids": "gA gB", "disputes": "dA dB", "petitions": "pA", "findings": "fA fB"},
    "village_staff": {
        "grids": "gA gB",
        "disputes": "dA dB",
        "petitions": "pA",
        "findings": "fA fB",
    },
    "police_liaison": {"grids": "gA", "disputes": "dA", "petitions": "", "findings": "fA"},
    "township_staff": {
        "grids": "gA gB",
        "disputes": "dA dB",
        "petitions": "pA",
        "findings": "fA fB",
    },
    "mediator": {"grids": "gA gB", "disputes": "dA dB", "petitions": "pA", "findings": "fA fB"},
    "liaison_assigned": {"grids": "gA gB gC", "disputes": "dB", "petitions": "", "findings": "fB"},
    "liaison_summoned": {"grids": "gA gB gC", "disputes": "dC", "petitions": "", "findings": "fC"},
    "liaison_neither": {"grids": "gA gB gC", "disputes": "", "petitions": "", "findings": ""},
    "county_official": {
        "grids": "gA gB gC",
        "disputes": "dA dB dC",
        "petitions": "pA pC",
        "findings": "fA fB fC",
    },
    "city_official": {
        "grids": "gA gB gC gD",
        "disputes": "dA dB dC dD",
        "petitions": "pA pC pD",
        "findings": "fA fB fC fD",
    },
    "administrator": {
        "grids": "gA gB gC",
        "disputes": "dA dB dC",
        "petitions": "pA pC",
        "findings": "fA fB fC",
    },
    "no_role": {"grids": "", "disputes": "", "petitions": "", "findings": ""},
}


@pytest.fixture
def world(changzhi_slice):
    handian_village = Area.objects.filter(parent__code=HANDIAN).order_by("code").first()
    grids = {
        "gA": GridFactory(name="甲网格"),
        "gB": GridFactory(name="乙网格"),
        "gC": GridFactory(name="丙网格", village=area(WEIZI_VILLAGE)),
        "gD": GridFactory(name="丁网格", village=handian_village),
    }
    people = {
        "grid_worker": team_member(grids["gA"], GridRole.WORKER, first_name="网格员"),
        "grid_chief": team_member(grids["gA"], GridRole.CHIEF, first_name="网格长"),
        "police_liaison": team_member(grids["gA"], GridRole.POLICE, first_name="民警"),
        "village_staff": person_with_role(Role.VILLAGE_STAFF, DIANSHANG_VILLAGE),
        "township_staff": person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG),
        "mediator": person_with_role(Role.MEDIATOR, DIANSHANG),
        "county_official": person_with_role(Role.COUNTY_OFFICIAL, LUCHENG),
        "city_official": person_with_role(Role.CITY_OFFICIAL, CITY),
        "administrator": person_with_role(Role.ADMINISTRATOR, LUCHENG),
        "no_role": UserFactory(),
    }
    assigned_department, people["liaison_assigned"] = department_with_liaison("司法所", LUCHENG)
    summoned_department, people["liaison_summoned"] = department_with_liaison("住建局", LUCHENG)
    _idle, people["liaison_neither"] = department_with_liaison("水务局", LUCHENG)

    # Each other grid has its own worker, who logs its finding.
    reporters = {"gA": people["grid_worker"]}
    for key in ("gB", "gC", "gD"):
        reporters[key] = team_member(grids[key], GridRole.WORKER)
    findings = {}
    for grid_key, finding_key, text in zip(GRIDS, FINDINGS, "甲乙丙丁", strict=True):
        findings[finding_key] = log_finding(
            actor=reporters[grid_key], grid=grids[grid_key], description=f"路口井盖缺失{text}"
        )
        Patrol.objects.create(
            grid=grids[grid_key], worker=reporters[grid_key], started_at=timezone.now()
        )

    disputes = {
        "dA": DisputeFactory(grid=grids["gA"], level="grid"),
        "dB": DisputeFactory(grid=grids["gB"], source_finding=findings["fB"]),
        "dC": DisputeFactory(
            grid=grids["gC"], village=grids["gC"].village, source_finding=findings["fC"]
        ),
        "dD": DisputeFactory(grid=grids["gD"], village=handian_village),
    }
    registrar = people["township_staff"]
    Assignment.objects.create(
        dispute=disputes["dA"], person=people["mediator"], assigned_by=registrar
    )
    Assignment.objects.create(
        dispute=disputes["dB"], department=assigned_department, assigned_by=registrar
    )
    Summons.objects.create(
        dispute=disputes["dC"],
        department=summoned_department,
        due_on=timezone.localdate() + timedelta(days=5),
        summoned_by=registrar,
    )

    petitions = {
        "pA": PetitionFactory(),
        "pC": PetitionFactory(area=area(WEIZI_VILLAGE)),
        "pD": PetitionFactory(area=handian_village),
    }
    PetitionAssignment.objects.create(
        petition=petitions["pA"], person=people["mediator"], assigned_by=registrar
    )
    villages = [area(DIANSHANG_VILLAGE), area(WEIZI_VILLAGE), handian_village]
    return {
        "people": people,
        "grids": grids,
        "disputes": disputes,
        "petitions": petitions,
        "findings": findings,
        "villages": villages,
    }


def keys_of(objects: dict, queryset) -> str:
    """The keys of `objects` (the world's) that `queryset` holds, as in EXPECTED."""
    held = set(queryset.values_list("pk", flat=True))
    return " ".join(key for key, obj in objects.items() if obj.pk in held)


def linked(objects: dict, url_name: str, pages: list[str]) -> str:
    """The keys of `objects` whose detail page any of `pages` links to."""
    hrefs = set()
    for page in pages:
        hrefs.update(re.findall(r'href="([^"]+)"', page))
    return " ".join(
        key for key, obj in objects.items() if reverse(url_name, args=[obj.pk]) in hrefs
    )


def opened(client, objects: dict, url_name: str) -> str:
    """The keys of `objects` whose detail page answers 200; every other must answer 404."""
    seen = []
    for key, obj in objects.items():
        status = client.get(reverse(url_name, args=[obj.pk])).status_code
        assert status in (200, 404), (url_name, key, status)
        if status == 200:
            seen.append(key)
    return " ".join(seen)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_visible_to_is_what_the_pages_open_and_list(client, world, role):
    person = world["people"][role]
    expected = EXPECTED[role]
    grids, disputes = world["grids"], world["disputes"]
    petitions, findings = world["petitions"], world["findings"]

    # The one rule, per object kind.
    assert keys_of(disputes, Dispute.objects.visible_to(person)) == expected["disputes"]
    assert keys_of(petitions, Petition.objects.visible_to(person)) == expected["petitions"]
    assert keys_of(grids, Grid.objects.visible_to(person)) == expected["grids"]
    assert keys_of(findings, Finding.objects.visible_to(person)) == expected["findings"]
    # A grid's patrols and team go with the grid.
    visible_grids = {grids[key].pk for key in expected["grids"].split()}
    assert set(Patrol.objects.visible_to(person).values_list("grid_id", flat=True)) == (
        visible_grids
    )
    assert set(GridAssignment.objects.visible_to(person).values_list("grid_id", flat=True)) == (
        visible_grids
    )

    # The detail pages open exactly those; the rest answer as missing objects do.
    client.force_login(person)
    assert opened(client, disputes, "disputes:detail") == expected["disputes"]
    assert opened(client, petitions, "petitions:detail") == expected["petitions"]
    assert opened(client, grids, "grids:grid_detail") == expected["grids"]
    assert opened(client, findings, "grids:finding_detail") == expected["findings"]

    # The list pages show exactly those.
    dispute_list = client.get(reverse("disputes:list")).content.decode()
    assert linked(disputes, "disputes:detail", [dispute_list]) == expected["disputes"]
    petition_list = client.get(reverse("petitions:list")).content.decode()
    assert linked(petitions, "petitions:detail", [petition_list]) == expected["petitions"]
    village_pages = [
        response.content.decode()
        for village in world["villages"]
        if (response := client.get(reverse("grids:village_grids", args=[village.code]))).status_code
        == 200
    ]
    assert linked(grids, "grids:grid_detail", village_pages) == expected["grids"]
    # Each grid's page lists the findings of it that the person sees.
    grid_pages = [
        client.get(reverse("grids:grid_detail", args=[grids[key].pk])).content.decode()
        for key in expected["grids"].split()
    ]
    assert linked(findings, "grids:finding_detail", grid_pages) == expected["findings"]


def test_a_county_department_liaison_sees_only_their_departments_disputes(client, world):
    """Not every dispute of the county, though their membership covers it: the README's
    "A department liaison sees the disputes their department is assigned or summoned to"."""
    liaison = world["people"]["liaison_neither"]
    dispute = world["disputes"]["dA"]
    assert liaison.memberships.get().area.code == LUCHENG
    assert not Dispute.objects.visible_to(liaison).filter(pk=dispute.pk).exists()
    client.force_login(liaison)
    assert client.get(reverse("disputes:detail", args=[dispute.pk])).status_code == 404


def test_a_grid_worker_does_not_see_a_dispute_of_another_grid_of_their_village(client, world):
    worker = world["people"]["grid_worker"]
    other = world["disputes"]["dB"]
    assert other.village == worker.memberships.get().area
    assert not Dispute.objects.visible_to(worker).filter(pk=other.pk).exists()
    client.force_login(worker)
    assert client.get(reverse("disputes:detail", args=[other.pk])).status_code == 404
    assert Dispute.objects.visible_to(worker).filter(pk=world["disputes"]["dA"].pk).exists()


APPS = ("infra", "governance", "cases", "grids", "disputes", "petitions", "incidents")


def _definitions(pattern: str) -> list[str]:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(pattern, line):
                    found.append(f"{path.relative_to(root)}:{number}")
    return found


def test_the_subtree_test_and_the_level_table_are_written_once():
    """`area_at_level`, `is_handling` and the table of who staffs a level live in
    cases/levels.py alone; `covers` and the interval comparison itself (a fact of the area
    tree) in governance/selectors.py; no app keeps a `*_visible_to` function beside its
    model's `visible_to`."""

    def files(pattern):
        return [hit.split(":")[0] for hit in _definitions(pattern)]

    assert sorted(files(r"^def (covers|_covers|_contains|area_at_level|is_handling)\b")) == [
        "cases/levels.py",
        "cases/levels.py",
        "governance/selectors.py",
    ]
    assert files(r"^(LEVEL_ROLES|SUPERIOR_ROLES)") == ["cases/levels.py"]
    assert files(r"\.lft <= ") == ["governance/selectors.py"]
    assert files(r"^def (disputes|petitions|grids|findings|finding_grids)_visible_to\(") == []
