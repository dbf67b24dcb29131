"""The county's matters list (事项清单) on its settings page: what the administrator saves is
what the next dispatch proposes; another county's department, a department kind without a
department or days out of range are refused in Chinese and nothing is written; only the
county's administrators may save it; every line changed is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.audit.models import AuditEntry, AuditKind
from governance.models import Role
from governance.workdays import add_working_days
from grids.models import FindingCategory
from incidents import services
from incidents.models import IncidentStatus, MatterRule, UnitKind
from incidents.selectors import proposed_unit
from tests.conftest import CITY, DIANSHANG, LUCHENG, SHANGDANG
from tests.factories import area, person_with_role

HAZARD = FindingCategory.SAFETY_HAZARD


def url(code=LUCHENG):
    return reverse("incidents:matter_rules_settings", args=[code])


def row(category, unit_kind="", department="", working_days=""):
    return {
        f"{category}-unit_kind": unit_kind,
        f"{category}-department": department,
        f"{category}-working_days": working_days,
    }


def entries():
    return AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED, detail__setting="matter_rule")


@pytest.fixture
def county_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, LUCHENG)


def test_the_page_shows_the_list_with_the_county_s_departments(
    client, county_admin, roads, foreign_department
):
    client.force_login(county_admin)

    html = client.get(reverse("county_settings", args=[LUCHENG])).content.decode()

    assert "事项清单" in html and url() in html
    assert "安全隐患" in html and "交通局" in html
    assert foreign_department.name not in html


def test_saved_rules_are_proposed_by_the_next_dispatch(
    client, county_admin, roads, incident, township_staff
):
    department = roads[0]
    client.force_login(county_admin)

    response = client.post(
        url(), row(HAZARD, UnitKind.DEPARTMENT, str(department.pk), "3"), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("county_settings", args=[LUCHENG])
    assert "事项清单已保存" in response.content.decode()
    assert proposed_unit(incident) == (UnitKind.DEPARTMENT, department, 3)
    # Sent where the list says, no reason is asked; it closes within the list's days.
    dispatched = services.incident_dispatch(
        actor=township_staff,
        incident=incident,
        unit_kind=UnitKind.DEPARTMENT,
        department=department,
    )
    assert dispatched.status == IncidentStatus.DISPATCHED
    assert dispatched.close_due == add_working_days(timezone.localdate(), 3)


def test_an_emptied_row_drops_the_rule_and_the_default_applies_again(
    client, county_admin, roads, incident
):
    client.force_login(county_admin)
    client.post(url(), row(HAZARD, UnitKind.TOWNSHIP, "", "10"))
    assert proposed_unit(incident) == (UnitKind.TOWNSHIP, None, 10)

    client.post(url(), row(HAZARD))

    assert not MatterRule.objects.exists()
    assert proposed_unit(incident) == (UnitKind.VILLAGE, None, 5)


def test_another_county_s_department_is_refused_with_a_message_and_nothing_written(
    client, county_admin, roads, foreign_department
):
    client.force_login(county_admin)
    data = {
        **row(FindingCategory.FIRE, UnitKind.TOWNSHIP, "", "2"),
        **row(HAZARD, UnitKind.DEPARTMENT, str(foreign_department.pk), "3"),
    }

    response = client.post(url(), data)

    assert response.status_code == 200
    assert "安全隐患：所选部门不是本县（区）的部门。" in response.content.decode()
    assert not MatterRule.objects.exists()
    assert not entries().exists()


@pytest.mark.parametrize(
    "unit_kind, department, days, message",
    [
        (UnitKind.DEPARTMENT, "", "3", "请选择承办的职能部门"),
        (UnitKind.VILLAGE, "", "366", "invalid-feedback"),
        (UnitKind.VILLAGE, "", "0", "invalid-feedback"),
        (UnitKind.VILLAGE, "", "1.5", "invalid-feedback"),
        ("somewhere", "", "3", "invalid-feedback"),
        (UnitKind.DEPARTMENT, "999999", "3", "所选部门不是本县（区）的部门"),
    ],
)
def test_a_bad_row_gives_a_message_and_writes_nothing(
    client, county_admin, unit_kind, department, days, message
):
    client.force_login(county_admin)

    response = client.post(url(), row(HAZARD, unit_kind, department, days))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MatterRule.objects.exists()
    assert not entries().exists()


@pytest.mark.parametrize(
    "role, code",
    [
        (Role.TOWNSHIP_STAFF, DIANSHANG),
        (Role.COUNTY_OFFICIAL, LUCHENG),
        (Role.ADMINISTRATOR, SHANGDANG),
        (Role.ADMINISTRATOR, DIANSHANG),
    ],
)
def test_a_non_administrator_or_another_county_s_administrator_gets_404(
    client, changzhi_slice, roads, role, code
):
    client.force_login(person_with_role(role, code))

    response = client.post(url(), row(HAZARD, UnitKind.DEPARTMENT, str(roads[0].pk), "3"))

    assert response.status_code == 404
    assert not MatterRule.objects.exists()


def test_a_city_administrator_may_save_any_county_s_list(client, changzhi_slice, roads):
    client.force_login(person_with_role(Role.ADMINISTRATOR, CITY))

    client.post(url(), row(HAZARD, UnitKind.DEPARTMENT, str(roads[0].pk), "4"))

    assert MatterRule.objects.get(county__code=LUCHENG).department == roads[0]


def test_the_service_refuses_others_and_another_county(changzhi_slice, roads):
    rules = {HAZARD: {"unit_kind": UnitKind.VILLAGE, "department": None, "working_days": 2}}
    with pytest.raises(PermissionDenied):
        services.matter_rules_set(
            actor=person_with_role(Role.ADMINISTRATOR, SHANGDANG), county=area(LUCHENG), rules=rules
        )
    with pytest.raises(ValidationError):
        services.matter_rules_set(actor=None, county=area(DIANSHANG), rules=rules)
    assert not MatterRule.objects.exists()


def test_an_audit_entry_per_change_with_the_old_and_new_values(client, county_admin, roads):
    department = roads[0]
    client.force_login(county_admin)

    client.post(
        url(),
        {
            **row(HAZARD, UnitKind.DEPARTMENT, str(department.pk), "3"),
            **row(FindingCategory.FIRE, UnitKind.TOWNSHIP, "", "2"),
        },
    )
    assert entries().count() == 2
    # The same list again: nothing changed, nothing audited.
    client.post(
        url(),
        {
            **row(HAZARD, UnitKind.DEPARTMENT, str(department.pk), "3"),
            **row(FindingCategory.FIRE, UnitKind.TOWNSHIP, "", "2"),
        },
    )
    assert entries().count() == 2

    client.post(
        url(),
        {
            **row(HAZARD, UnitKind.DEPARTMENT, str(department.pk), "7"),
            **row(FindingCategory.FIRE, UnitKind.TOWNSHIP, "", "2"),
        },
    )

    assert entries().count() == 3
    latest = entries().order_by("-pk").first()
    assert latest.actor == county_admin
    assert latest.detail["key"] == f"{LUCHENG}/{HAZARD}"
    assert latest.detail["old"]["working_days"] == 3
    assert latest.detail["new"]["working_days"] == 7
    assert latest.detail["new"]["department"] == "交通局"
