"""The writers of the configurable settings: the state they leave, the audit entry each
change writes with its old and new value, and what they refuse (leaving nothing written)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disputes.models import DeadlineRule, DisputeKind, Level
from disputes.selectors import days_for
from disputes.services import deadline_rules_set
from governance.audit.models import AuditEntry, AuditKind
from governance.models import Role
from grids.models import PatrolTarget
from grids.services import patrol_target_set
from petitions.models import PetitionClock
from petitions.selectors import clock_days
from petitions.services import petition_clocks_set
from tests.conftest import CITY, DIANSHANG, LUCHENG, SHANGDANG
from tests.factories import area, person_with_role


@pytest.fixture
def city_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, CITY, first_name="市管理员")


@pytest.fixture
def county_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, LUCHENG, first_name="潞城管理员")


def setting_entries():
    return list(AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).order_by("pk"))


# --- Patrol target: the county's own ------------------------------------------------------


def test_a_county_administrator_sets_the_patrol_target_and_it_is_audited(county_admin):
    patrol_target_set(actor=county_admin, county=area(LUCHENG), per_day=2)
    patrol_target_set(actor=county_admin, county=area(LUCHENG), per_day=4)

    assert PatrolTarget.objects.get(county=area(LUCHENG)).per_day == 4
    first, second = setting_entries()
    assert (first.detail["old"], first.detail["new"], first.detail["default"]) == (None, 2, 3)
    assert (second.detail["old"], second.detail["new"]) == (2, 4)
    assert second.actor == county_admin and second.area == area(LUCHENG)


def test_setting_the_same_patrol_target_again_writes_no_entry(county_admin):
    patrol_target_set(actor=county_admin, county=area(LUCHENG), per_day=2)
    patrol_target_set(actor=county_admin, county=area(LUCHENG), per_day=2)

    assert len(setting_entries()) == 1


def test_a_city_administrator_may_set_any_county_s_patrol_target(city_admin):
    patrol_target_set(actor=city_admin, county=area(SHANGDANG), per_day=0)

    assert PatrolTarget.objects.get(county=area(SHANGDANG)).per_day == 0


@pytest.mark.parametrize("value", [-1, 21, 2.5, "3", True, None])
def test_a_patrol_target_out_of_bounds_is_refused_in_chinese_and_nothing_written(
    county_admin, value
):
    with pytest.raises(ValidationError) as refused:
        patrol_target_set(actor=county_admin, county=area(LUCHENG), per_day=value)

    assert "0 到 20 之间的整数" in " ".join(refused.value.messages)
    assert not PatrolTarget.objects.exists()
    assert setting_entries() == []


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.ADMINISTRATOR, SHANGDANG),
        (Role.ADMINISTRATOR, DIANSHANG),
        (Role.COUNTY_OFFICIAL, LUCHENG),
    ],
)
def test_others_may_not_set_a_county_s_patrol_target(changzhi_slice, role, code):
    with pytest.raises(PermissionDenied):
        patrol_target_set(actor=person_with_role(role, code), county=area(LUCHENG), per_day=2)

    assert not PatrolTarget.objects.exists()


def test_a_patrol_target_is_kept_per_county_not_per_township(county_admin):
    with pytest.raises(ValidationError):
        patrol_target_set(actor=county_admin, county=area(DIANSHANG), per_day=2)


# --- Dispute deadlines: city-wide ---------------------------------------------------------


def test_the_city_administrator_sets_deadlines_the_readers_use_and_each_is_audited(city_admin):
    changed = deadline_rules_set(
        actor=city_admin,
        days={(Level.TOWNSHIP, ""): 10, (Level.TOWNSHIP, DisputeKind.LAND): 20},
    )

    assert changed == 2
    assert days_for(level=Level.TOWNSHIP, kind=DisputeKind.DEBT) == 10
    assert days_for(level=Level.TOWNSHIP, kind=DisputeKind.LAND) == 20
    entries = {entry.detail["key"]: entry.detail for entry in setting_entries()}
    assert entries["township/*"] == {
        "setting": "dispute_deadline",
        "key": "township/*",
        "old": None,
        "new": 10,
        "default": 30,
    }
    assert entries["township/land"]["new"] == 20
    assert {entry.area.code for entry in setting_entries()} == {CITY}


def test_emptying_a_deadline_drops_the_rule_and_the_default_applies_again(city_admin):
    deadline_rules_set(actor=city_admin, days={(Level.VILLAGE, ""): 8})
    deadline_rules_set(actor=city_admin, days={(Level.VILLAGE, ""): None})

    assert not DeadlineRule.objects.exists()
    # The month of people's mediation.
    assert days_for(level=Level.VILLAGE, kind=DisputeKind.DEBT) == 30
    assert setting_entries()[-1].detail["old"] == 8 and setting_entries()[-1].detail["new"] is None


def test_one_bad_deadline_and_none_is_written(city_admin):
    with pytest.raises(ValidationError) as refused:
        deadline_rules_set(
            actor=city_admin,
            days={(Level.GRID, ""): 4, (Level.COUNTY, ""): 366},
        )

    assert "1 到 365 之间的整数" in " ".join(refused.value.messages)
    assert not DeadlineRule.objects.exists()
    assert setting_entries() == []


def test_an_unknown_level_or_kind_is_refused(city_admin):
    with pytest.raises(ValidationError):
        deadline_rules_set(actor=city_admin, days={("province", ""): 4})
    with pytest.raises(ValidationError):
        deadline_rules_set(actor=city_admin, days={(Level.GRID, "weather"): 4})


def test_a_county_administrator_may_not_change_the_city_wide_deadlines(county_admin):
    with pytest.raises(PermissionDenied) as refused:
        deadline_rules_set(actor=county_admin, days={(Level.TOWNSHIP, ""): 10})

    assert "全市" in str(refused.value)
    assert not DeadlineRule.objects.exists()


# --- Petition clocks: city-wide, never longer than the statute ------------------------------


def test_the_city_administrator_shortens_a_petition_clock(city_admin):
    petition_clocks_set(actor=city_admin, days={"acceptance": 10, "conclusion": None})

    assert clock_days("acceptance") == 10
    assert clock_days("conclusion") == 60
    (entry,) = setting_entries()
    assert entry.detail == {
        "setting": "petition_clock",
        "key": "acceptance",
        "old": None,
        "new": 10,
        "default": 15,
    }


@pytest.mark.parametrize(("name", "value"), [("acceptance", 16), ("conclusion", 0), ("review", -3)])
def test_a_clock_longer_than_the_statute_or_not_positive_is_refused(city_admin, name, value):
    with pytest.raises(ValidationError):
        petition_clocks_set(actor=city_admin, days={"acceptance": 12, name: value})

    assert not PetitionClock.objects.exists()
    assert setting_entries() == []


def test_a_county_administrator_may_not_change_the_petition_clocks(county_admin):
    with pytest.raises(PermissionDenied):
        petition_clocks_set(actor=county_admin, days={"acceptance": 10})

    assert not PetitionClock.objects.exists()
