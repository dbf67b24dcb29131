"""Handover: when a team member leaves a grid, the successor takes their role and every open
item they held there, each move recorded; nothing handled moves."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from grids import selectors, services
from grids.models import (
    Finding,
    FindingEvent,
    FindingEventKind,
    FindingStatus,
    GridAssignment,
    GridRole,
)
from tests.conftest import DIANSHANG_VILLAGE, WEIZI_VILLAGE
from tests.factories import GridAssignmentFactory, log_finding, person_with_role


@pytest.fixture
def successor(village):
    return person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE, first_name="赵接任")


@pytest.fixture
def items(grid, worker):
    """What the leaving worker logged: two still open, one handled, one handed up."""
    open_items = [log_finding(actor=worker, grid=grid) for _ in range(2)]
    handled = log_finding(
        actor=worker, grid=grid, status=FindingStatus.HANDLED, action_taken="已处理"
    )
    handed_up = log_finding(actor=worker, grid=grid, status=FindingStatus.HANDED_UP)
    return {"open": open_items, "handled": handled, "handed_up": handed_up}


def on_team_today(grid, person) -> bool:
    return selectors.grid_team(grid=grid).filter(person=person).exists()


def test_the_successor_takes_the_role_and_the_leaving_worker_leaves_the_team(
    grid, worker, successor, village_staff
):
    services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)

    leaving = GridAssignment.objects.get(person=worker)
    assert leaving.ends_on is not None and leaving.ends_on < timezone.localdate()
    taking_over = GridAssignment.objects.get(person=successor)
    assert (taking_over.grid, taking_over.role) == (grid, GridRole.WORKER)
    assert taking_over.starts_on == timezone.localdate() and taking_over.ends_on is None
    assert on_team_today(grid, successor)
    assert not on_team_today(grid, worker)


def test_open_items_move_to_the_successor_each_with_a_handed_over_event(
    grid, worker, successor, village_staff, items
):
    moved = services.grid_handover(
        actor=village_staff, grid=grid, leaving=worker, successor=successor
    )

    assert moved == 2
    for finding in items["open"]:
        finding.refresh_from_db()
        assert finding.holder == successor
        assert finding.reporter == worker
        event = finding.events.last()
        assert event.kind == FindingEventKind.HANDED_OVER
        assert event.actor == village_staff
        assert event.details == {"from_holder": worker.pk, "to_holder": successor.pk}
        assert event.note == "张网格 离开网格，由 赵接任 接手。"


def test_handled_and_handed_up_items_stay_where_they_are(
    grid, worker, successor, village_staff, items
):
    services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)

    for finding in (items["handled"], items["handed_up"]):
        finding.refresh_from_db()
        assert finding.holder == worker
        assert not finding.events.filter(kind=FindingEventKind.HANDED_OVER).exists()


def test_open_items_of_the_leaving_workers_other_grids_stay_with_them(
    grid, other_grid, worker, successor, village_staff
):
    GridAssignmentFactory(person=worker, grid=other_grid)
    elsewhere = log_finding(actor=worker, grid=other_grid)

    services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)

    elsewhere.refresh_from_db()
    assert elsewhere.holder == worker
    assert on_team_today(other_grid, worker)


def test_every_role_the_leaving_person_held_passes_to_the_successor(
    grid, worker, successor, village_staff
):
    GridAssignmentFactory(person=worker, grid=grid, role=GridRole.CHIEF)

    services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)

    assert set(selectors.grid_team(grid=grid).values_list("person", "role")) == {
        (successor.pk, GridRole.WORKER),
        (successor.pk, GridRole.CHIEF),
    }


def test_a_successor_already_in_the_role_gets_no_second_assignment(
    grid, worker, successor, village_staff
):
    GridAssignmentFactory(person=successor, grid=grid, role=GridRole.WORKER)

    services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)

    assert GridAssignment.objects.filter(person=successor).count() == 1


def test_the_leaving_worker_no_longer_sees_the_grids_items_and_the_successor_does(
    client, grid, worker, successor, village_staff, items
):
    services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)
    finding = items["open"][0]

    client.force_login(worker)
    assert client.get(reverse("grids:finding_detail", args=[finding.pk])).status_code == 404
    client.force_login(successor)
    home = client.get(reverse("grids:worker_home")).content.decode()
    assert reverse("grids:finding_detail", args=[finding.pk]) in home
    assert 'data-testid="open-items">2<' in home
    page = client.get(reverse("grids:finding_detail", args=[finding.pk])).content.decode()
    assert "移交接任人员" in page
    assert "就地处置" in page  # the successor may act on it


def test_a_handover_can_be_dated(grid, worker, successor, village_staff):
    day = timezone.localdate() + timedelta(days=3)

    services.grid_handover(
        actor=village_staff, grid=grid, leaving=worker, successor=successor, on_day=day
    )

    assert GridAssignment.objects.get(person=worker).ends_on == day - timedelta(days=1)
    assert GridAssignment.objects.get(person=successor).starts_on == day


# --- What is refused -------------------------------------------------------------------------


def assert_nothing_changed(grid, worker, items):
    assert GridAssignment.objects.get(person=worker).ends_on is None
    assert set(Finding.objects.values_list("holder", flat=True)) == {worker.pk}
    assert not FindingEvent.objects.filter(kind=FindingEventKind.HANDED_OVER).exists()


def test_handing_over_to_oneself_is_refused(grid, worker, village_staff, items):
    with pytest.raises(ValidationError) as refused:
        services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=worker)

    assert refused.value.code == "same_person"
    assert_nothing_changed(grid, worker, items)


def test_someone_not_on_the_team_cannot_be_handed_over(
    grid, worker, other_worker, successor, village_staff, items
):
    with pytest.raises(ValidationError) as refused:
        services.grid_handover(
            actor=village_staff, grid=grid, leaving=other_worker, successor=successor
        )

    assert refused.value.code == "not_on_team"
    assert_nothing_changed(grid, worker, items)


def test_a_grid_worker_cannot_hand_over_their_own_grid(grid, worker, successor, items):
    with pytest.raises(PermissionDenied):
        services.grid_handover(actor=worker, grid=grid, leaving=worker, successor=successor)

    assert_nothing_changed(grid, worker, items)


def test_the_village_staff_of_another_village_cannot_hand_over(grid, worker, successor, items):
    outsider = person_with_role(Role.VILLAGE_STAFF, WEIZI_VILLAGE)

    with pytest.raises(PermissionDenied):
        services.grid_handover(actor=outsider, grid=grid, leaving=worker, successor=successor)

    assert_nothing_changed(grid, worker, items)


def test_the_same_person_cannot_be_handed_over_twice(grid, worker, successor, village_staff):
    services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)

    with pytest.raises(ValidationError):
        services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)


# --- Through the page ------------------------------------------------------------------------


def test_village_staff_hand_over_from_the_grid_page(
    client, grid, worker, successor, village_staff, items
):
    client.force_login(village_staff)

    form = client.get(reverse("grids:grid_handover", args=[grid.pk])).content.decode()
    response = client.post(
        reverse("grids:grid_handover", args=[grid.pk]),
        {"leaving": worker.pk, "successor": successor.pk},
        follow=True,
    )

    assert "张网格" in form and "赵接任" in form
    assert response.redirect_chain[-1][0] == reverse("grids:grid_detail", args=[grid.pk])
    page = response.content.decode()
    assert "交接完成：已移交 2 项待办。" in page
    team = page[page.index("网格队伍") : page.index("近期发现")]
    assert "网格员：赵接任" in team
    assert "张网格" not in team


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "这个字段是必填项。"),
        ({"leaving": "", "successor": ""}, "这个字段是必填项。"),
        ({"leaving": "abc", "successor": "abc"}, "选择一个有效的选项"),
        ({"leaving": "99999999999999999999", "successor": "1"}, "选择一个有效的选项"),
        ({"leaving": "-1", "successor": "0"}, "选择一个有效的选项"),
        ({"leaving": "worker", "successor": "worker"}, "接任人员必须是其他人。"),
        ({"leaving": "worker", "successor": "outsider"}, "选择一个有效的选项"),
        ({"leaving": "other_worker", "successor": "successor"}, "选择一个有效的选项"),
    ],
)
def test_bad_handover_input_is_refused_with_a_message_and_nothing_changes(
    client, grid, worker, other_worker, successor, village_staff, items, data, message
):
    people = {
        "worker": worker,
        "other_worker": other_worker,
        "successor": successor,
        "outsider": person_with_role(Role.GRID_WORKER, WEIZI_VILLAGE),
    }
    data = {name: people[value].pk if value in people else value for name, value in data.items()}
    client.force_login(village_staff)

    response = client.post(reverse("grids:grid_handover", args=[grid.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert_nothing_changed(grid, worker, items)


def test_a_grid_worker_gets_403_from_the_handover_page(client, grid, worker, successor, items):
    client.force_login(worker)

    response = client.post(
        reverse("grids:grid_handover", args=[grid.pk]),
        {"leaving": worker.pk, "successor": successor.pk},
    )

    assert response.status_code == 403
    assert_nothing_changed(grid, worker, items)


def test_another_grids_handover_page_answers_404(client, grid, other_worker):
    client.force_login(other_worker)
    assert client.get(reverse("grids:grid_handover", args=[grid.pk])).status_code == 404


def test_a_grid_has_one_chief_a_second_is_refused_until_the_first_hands_over(
    grid, worker, successor, village_staff
):
    """“1+1+N”: one grid chief per grid."""
    today = timezone.localdate()
    services.grid_assign(
        actor=village_staff,
        grid=grid,
        person=worker,
        role=GridRole.CHIEF,
        starts_on=today - timedelta(days=30),
    )

    with pytest.raises(ValidationError, match="已有网格长 张网格：请先办理交接"):
        services.grid_assign(
            actor=village_staff, grid=grid, person=successor, role=GridRole.CHIEF, starts_on=today
        )
    assert GridAssignment.objects.filter(grid=grid, role=GridRole.CHIEF).count() == 1

    services.grid_handover(actor=village_staff, grid=grid, leaving=worker, successor=successor)
    chiefs = selectors.grid_team(grid=grid).filter(role=GridRole.CHIEF)
    assert list(chiefs.values_list("person", flat=True)) == [successor.pk]
