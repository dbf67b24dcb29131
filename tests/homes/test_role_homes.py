"""Every role's home is its work: the cases given to the person by light, the workbench and
the board for the township, the dashboard for officials, people and warnings for the
administrator; and the lists' "assigned to me" filter."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import Assignment, Summons
from governance.models import Role
from incidents.models import Incident
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.factories import (
    DisputeFactory,
    PetitionFactory,
    area,
    department_with_liaison,
    person_with_role,
)

pytestmark = pytest.mark.usefixtures("changzhi_slice")


def assigned(dispute, person):
    Assignment.objects.create(dispute=dispute, person=person, lead=True, assigned_by=person)
    return dispute


def work_items(html: str, section: str) -> str:
    start = html.index(f'data-testid="{section}"')
    return html[start : html.index("</section>", start)]


def test_a_mediator_s_home_lists_the_disputes_assigned_to_them_red_first(client):
    mediator = person_with_role(Role.MEDIATOR, DIANSHANG)
    other = person_with_role(Role.MEDIATOR, DIANSHANG)
    today = timezone.localdate()
    on_time = assigned(
        DisputeFactory(status="assigned", due_on=today + timedelta(days=20)), mediator
    )
    overdue = assigned(
        DisputeFactory(status="assigned", due_on=today - timedelta(days=1)), mediator
    )
    someone_elses = assigned(DisputeFactory(status="assigned"), other)
    client.force_login(mediator)

    mine = work_items(client.get(reverse("home")).content.decode(), "my-cases")

    assert mine.index(overdue.number) < mine.index(on_time.number)
    assert 'data-light="red"' in mine
    assert someone_elses.number not in mine


def test_a_handler_with_nothing_assigned_is_told_so(client):
    client.force_login(person_with_role(Role.MEDIATOR, DIANSHANG))

    assert "目前没有分派给您的案件" in client.get(reverse("home")).content.decode()


def test_a_department_liaison_s_home_lists_the_summons_and_incidents_sent_to_their_department(
    client,
):
    department, liaison = department_with_liaison("潞城区住建局", LUCHENG)
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    summoned = DisputeFactory(status="assigned")
    Summons.objects.create(
        dispute=summoned,
        department=department,
        due_on=timezone.localdate() + timedelta(days=3),
        summoned_by=staff,
    )
    incident = Incident.objects.create(
        number="SJT0000001",
        area=area(DIANSHANG_VILLAGE),
        category="safety_hazard",
        description="村口电线杆倾斜",
        level="township",
        status="dispatched",
        unit_kind="department",
        department=department,
        close_due=timezone.localdate() + timedelta(days=5),
        sign_in_due=timezone.localdate() + timedelta(days=1),
        registered_by=staff,
    )
    unrelated = DisputeFactory(status="assigned")
    client.force_login(liaison)

    mine = work_items(client.get(reverse("home")).content.decode(), "my-cases")

    assert summoned.number in mine
    assert incident.number in mine
    assert unrelated.number not in mine


def test_township_staff_see_the_workbench_queues_and_the_board_on_their_home(client):
    client.force_login(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG))
    DisputeFactory(status="registered")

    html = client.get(reverse("home")).content.decode()

    workbench = work_items(html, "home-workbench")
    assert "待分派</a> 1" in workbench
    assert 'data-testid="home-board"' in html


def test_an_official_s_home_says_how_the_figures_are_kept_current_before_any_rollup(client):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))

    dashboard = work_items(client.get(reverse("home")).content.decode(), "home-dashboard")

    assert "manage.py rollup" in dashboard
    assert 'data-testid="home-board"' in client.get(reverse("home")).content.decode()


def test_the_administrator_is_warned_of_a_county_without_a_matters_list(client):
    client.force_login(person_with_role(Role.ADMINISTRATOR, LUCHENG))

    panel = work_items(client.get(reverse("home")).content.decode(), "home-administrator")

    assert "尚未设置事项清单" in panel
    assert reverse("county_settings", args=[LUCHENG]) in panel


def test_the_dispute_list_filtered_to_assigned_to_me_holds_only_mine(client):
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    mine = assigned(DisputeFactory(status="assigned"), staff)
    not_mine = DisputeFactory(status="registered")
    client.force_login(staff)

    everything = client.get(reverse("disputes:list")).content.decode()
    filtered = client.get(reverse("disputes:list") + "?mine=on").content.decode()

    assert mine.number in everything and not_mine.number in everything
    assert mine.number in filtered and not_mine.number not in filtered


def test_the_petition_list_filtered_to_assigned_to_me_holds_only_those_sent_to_my_department(
    client,
):
    department, liaison = department_with_liaison("潞城区信访局", LUCHENG)
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    sent = PetitionFactory(status="accepted", department=department)
    kept = PetitionFactory(status="accepted")
    client.force_login(staff)

    filtered = client.get(reverse("petitions:list") + "?mine=on").content.decode()
    client.force_login(liaison)
    liaison_filtered = client.get(reverse("petitions:list") + "?mine=on").content.decode()

    assert sent.number not in filtered and kept.number not in filtered
    assert sent.number in liaison_filtered and kept.number not in liaison_filtered


def test_the_mediator_s_home_keeps_to_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    mediator = person_with_role(Role.MEDIATOR, DIANSHANG)
    for _n in range(12):
        assigned(DisputeFactory(status="assigned"), mediator)
    client.force_login(mediator)

    with django_assert_max_num_queries(30):
        response = client.get(reverse("home"))

    assert response.status_code == 200
