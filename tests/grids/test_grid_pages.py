"""Who sees which grid, the worker's home page and its cost, and drawing a new grid."""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from grids import selectors, services
from grids.models import Grid, GridAssignment, GridKind, GridRole
from tests.conftest import (
    DIANSHANG,
    DIANSHANG_VILLAGE,
    HANDIAN,
    LUCHENG,
    WEIZI,
    WEIZI_VILLAGE,
)
from tests.factories import (
    GridAssignmentFactory,
    GridFactory,
    UserFactory,
    area,
    log_finding,
    person_with_role,
    team_member,
)
from tests.grids.helpers import days_ago


def visible(person) -> set[str]:
    return set(Grid.objects.visible_to(person).values_list("name", flat=True))


@pytest.fixture
def weizi_grid(changzhi_slice):
    return GridFactory(village=area(WEIZI_VILLAGE), name="秦家山村网格")


# --- Who sees which grid ---------------------------------------------------------------------


def test_a_grid_worker_sees_only_the_grids_they_are_assigned_to(grid, other_grid, worker):
    assert visible(worker) == {"店上村第一网格"}


def test_the_liaison_police_officer_sees_the_grids_they_are_assigned_to(
    grid, other_grid, weizi_grid
):
    police = team_member(grid, GridRole.POLICE)
    assert visible(police) == {"店上村第一网格"}


def test_village_staff_and_the_grid_chief_see_every_grid_of_their_village(
    grid, other_grid, weizi_grid, village_staff
):
    chief = person_with_role(Role.GRID_CHIEF, DIANSHANG_VILLAGE)
    assert visible(village_staff) == visible(chief) == {"店上村第一网格", "店上村第二网格"}


def test_township_and_county_see_the_grids_below_them(grid, other_grid, weizi_grid):
    assert visible(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)) == {
        "店上村第一网格",
        "店上村第二网格",
    }
    assert visible(person_with_role(Role.TOWNSHIP_STAFF, WEIZI)) == {"秦家山村网格"}
    assert len(visible(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))) == 3
    assert visible(person_with_role(Role.TOWNSHIP_STAFF, HANDIAN)) == set()


def test_someone_without_memberships_or_assignments_sees_no_grid(grid):
    assert visible(UserFactory()) == set()


def test_an_ended_assignment_no_longer_shows_the_grid(grid, worker):
    GridAssignment.objects.filter(person=worker).update(ends_on=days_ago(1))
    assert visible(worker) == set()


def test_a_grid_page_answers_404_to_a_worker_of_another_grid(client, grid, other_worker):
    client.force_login(other_worker)
    assert client.get(reverse("grids:grid_detail", args=[grid.pk])).status_code == 404


def test_the_grid_page_shows_today_and_the_team(client, grid, worker, village_staff):
    team_member(grid, GridRole.POLICE, first_name="周民警")
    log_finding(actor=worker, grid=grid, description="河道旁堆放杂物")
    client.force_login(village_staff)

    page = client.get(reverse("grids:grid_detail", args=[grid.pk])).content.decode()

    assert "巡查 0/3" in page and "发现 1" in page and "已报告" in page
    assert "网格员：张网格" in page and "包村（社区）民警：周民警" in page
    assert "河道旁堆放杂物" in page


# --- The menu entry --------------------------------------------------------------------------


def test_the_grid_menu_takes_each_person_to_their_page(client, grid, worker, village_staff):
    cases = [
        (worker, reverse("grids:worker_home")),
        (village_staff, reverse("grids:village_grids", args=[DIANSHANG_VILLAGE])),
        (
            person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG),
            reverse("grids:township_villages", args=[DIANSHANG]),
        ),
    ]
    for person, page in cases:
        client.force_login(person)
        assert client.get(reverse("grids:overview"))["Location"] == page


# --- The worker's home -----------------------------------------------------------------------


def test_the_worker_home_lists_their_grids_and_open_items(client, grid, other_grid, worker):
    GridAssignmentFactory(person=worker, grid=other_grid)
    finding = log_finding(actor=worker, grid=grid, description="独居老人家中断电")
    services.zero_report_file(actor=worker, grid=other_grid)
    client.force_login(worker)

    page = client.get(reverse("grids:worker_home")).content.decode()

    assert "店上村第一网格" in page and "店上村第二网格" in page
    assert 'data-testid="findings-today">1<' in page
    assert 'data-testid="open-items">1<' in page
    assert reverse("grids:finding_detail", args=[finding.pk]) in page
    assert "独居老人家中断电" in page
    assert "已零报告" in page


def test_the_worker_home_of_someone_on_no_team_says_so(client, village_staff):
    client.force_login(village_staff)
    page = client.get(reverse("grids:worker_home")).content.decode()
    assert "您尚未加入任何网格队伍。" in page


def test_the_worker_home_counts_every_open_item_even_beyond_the_listed_ones(client, grid, worker):
    for _ in range(selectors.OPEN_ITEMS_LISTED + 5):
        log_finding(actor=worker, grid=grid)
    client.force_login(worker)

    page = client.get(reverse("grids:worker_home")).content.decode()

    assert 'data-testid="open-items">25<' in page
    assert len(re.findall(r'href="/grid/findings/\d+/"', page)) == selectors.OPEN_ITEMS_LISTED


def busy_day(grids, worker, findings: int) -> None:
    """A worker's day on several grids: findings spread over them, patrols done, one under
    way, one finding handed up."""
    for n in range(findings):
        log_finding(actor=worker, grid=grids[n % len(grids)])
    for grid in grids[:2]:
        services.patrol_end(actor=worker, patrol=services.patrol_start(actor=worker, grid=grid))
    services.patrol_start(actor=worker, grid=grids[-1])


@pytest.fixture
def three_grids(grid, other_grid, worker, village):
    third = GridFactory(village=village, name="店上小学专属网格")
    for extra in (other_grid, third):
        GridAssignmentFactory(person=worker, grid=extra)
    return [grid, other_grid, third]


@pytest.fixture
def cold_caches(settings):
    """Each measured request starts with empty caches, so it is counted at its dearest."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "grids-query-budget",
        }
    }
    return caches["default"].clear


@pytest.mark.parametrize("findings", [1, 30])
def test_the_worker_home_costs_at_most_11_queries(
    client, django_assert_max_num_queries, cold_caches, three_grids, worker, findings
):
    busy_day(three_grids, worker, findings)
    client.force_login(worker)
    cold_caches()

    # Ten for the worker's day, and one for the incidents waiting for their check (the panel
    # the incidents app puts on the home page).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("grids:worker_home"))

    page = response.content.decode()
    assert f'data-testid="findings-today">{findings}<' in page
    assert f'data-testid="open-items">{findings}<' in page
    assert 'data-testid="patrols-today">3/9<' in page


def test_the_worker_home_costs_the_same_with_1_finding_and_with_30(
    client, cold_caches, three_grids, worker
):
    def queries_of_the_home_page() -> int:
        cold_caches()
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("grids:worker_home"))
        return len(queries.captured_queries)

    busy_day(three_grids, worker, 1)
    client.force_login(worker)
    quiet = queries_of_the_home_page()

    for n in range(29):
        log_finding(actor=worker, grid=three_grids[n % 3])
    busy = queries_of_the_home_page()

    assert busy == quiet


def test_yesterdays_patrols_and_findings_do_not_count_today(grid, worker):
    log_finding(actor=worker, grid=grid, found_at=timezone.now() - timedelta(days=1))

    today = selectors.worker_day(user=worker)

    assert today.findings_today == 0
    assert today.open_count == 1  # still waiting, whatever the day


# --- Drawing a grid --------------------------------------------------------------------------


def grid_data(**overrides):
    return {
        "code": "140406100200-09",
        "name": "店上村第九网格",
        "kind": GridKind.URBAN,
        "households": "198",
        "population": "640",
        **overrides,
    }


def test_village_staff_draw_a_new_grid(client, village_staff):
    client.force_login(village_staff)

    response = client.post(
        reverse("grids:grid_create", args=[DIANSHANG_VILLAGE]), grid_data(), follow=True
    )

    grid = Grid.objects.get()
    assert (grid.code, grid.village.code, grid.households) == (
        "140406100200-09",
        DIANSHANG_VILLAGE,
        198,
    )
    assert response.redirect_chain[-1][0] == reverse("grids:grid_detail", args=[grid.pk])
    assert "已创建网格 店上村第九网格。" in response.content.decode()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"code": ""}, "这个字段是必填项。"),
        ({"code": "   "}, "这个字段是必填项。"),
        ({"code": "X" * 33}, "32"),
        ({"code": "140406100200-01"}, "已存在"),
        ({"name": ""}, "这个字段是必填项。"),
        ({"name": "名" * 101}, "100"),
        ({"kind": "castle"}, "选择一个有效的选项"),
        ({"kind": ""}, "这个字段是必填项。"),
        ({"households": "many"}, "输入整数。"),
        ({"households": "-1"}, "0"),
        ({"households": "1.5"}, "输入整数。"),
        ({"population": str(10**20)}, "确保该值小于或等于"),
        ({"population": "1e9999"}, "输入整数。"),
    ],
)
def test_bad_grid_input_is_refused_with_a_message_and_nothing_is_written(
    client, grid, village_staff, overrides, message
):
    client.force_login(village_staff)

    response = client.post(
        reverse("grids:grid_create", args=[DIANSHANG_VILLAGE]), grid_data(**overrides)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Grid.objects.all()) == [grid]


def test_an_empty_grid_form_says_what_is_missing(client, village_staff):
    client.force_login(village_staff)

    response = client.post(reverse("grids:grid_create", args=[DIANSHANG_VILLAGE]), {})

    assert response.content.decode().count("这个字段是必填项。") >= 3
    assert not Grid.objects.exists()


def test_a_grid_worker_cannot_draw_grids(client, worker):
    client.force_login(worker)

    response = client.post(reverse("grids:grid_create", args=[DIANSHANG_VILLAGE]), grid_data())

    assert response.status_code == 403
    assert Grid.objects.count() == 1


@pytest.mark.parametrize("code", [WEIZI_VILLAGE, DIANSHANG, "999999999999"])
def test_grids_are_drawn_only_in_a_village_of_ones_own(client, village_staff, code):
    client.force_login(village_staff)

    response = client.post(reverse("grids:grid_create", args=[code]), grid_data())

    assert response.status_code == 404
    assert not Grid.objects.exists()


def test_the_service_draws_grids_only_in_villages(village, village_staff):
    with pytest.raises(ValidationError):
        services.grid_create(
            actor=None, village=village.parent, code="X1", name="镇网格", kind=GridKind.RURAL
        )
    with pytest.raises(PermissionDenied):
        services.grid_create(
            actor=village_staff,
            village=area(WEIZI_VILLAGE),
            code="X2",
            name="外村网格",
            kind=GridKind.RURAL,
        )
    assert not Grid.objects.exists()


def test_assigning_the_same_person_twice_adds_nothing(grid, village_staff):
    person = UserFactory()
    first = services.grid_assign(
        actor=village_staff, grid=grid, person=person, role=GridRole.WORKER, starts_on=days_ago(0)
    )
    again = services.grid_assign(
        actor=village_staff, grid=grid, person=person, role=GridRole.WORKER, starts_on=days_ago(0)
    )

    assert again.pk == first.pk
    with pytest.raises(ValidationError):
        services.grid_assign(
            actor=village_staff, grid=grid, person=person, role="boss", starts_on=days_ago(0)
        )
