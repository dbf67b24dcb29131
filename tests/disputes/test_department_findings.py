"""A department liaison sees the grid findings behind the cases their department handles
(assigned or summoned to), with their photos, and no other finding of their county: their
role is held over the whole county, but a department acts on the cases it is given."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grids.models import FindingStatus
from grids.photos import process_photo
from tests.conftest import LUCHENG
from tests.disputes.helpers import register, take
from tests.factories import department_with_liaison, log_finding, photo_upload


@pytest.fixture
def housing(changzhi_slice):
    """A county department of 潞城区, and its liaison (held over the whole county)."""
    return department_with_liaison("潞城区住建局", LUCHENG, first_name="何住建")


def handed_up(grid, grid_worker, description):
    return log_finding(
        actor=grid_worker,
        grid=grid,
        status=FindingStatus.HANDED_UP,
        description=description,
        photos=[process_photo(photo_upload())],
    )


def answers(client, person, finding) -> tuple[int, int]:
    client.force_login(person)
    page = client.get(reverse("grids:finding_detail", args=[finding.pk]))
    photo = client.get(reverse("grids:finding_photo", args=[finding.photos.get().pk]))
    return page.status_code, photo.status_code


def test_a_liaison_sees_the_finding_behind_a_dispute_their_department_is_assigned(
    client, grid, grid_worker, township_staff, housing
):
    department, liaison = housing
    theirs = handed_up(grid, grid_worker, "危房墙体开裂，两户争执")
    other = handed_up(grid, grid_worker, "邻居占道堆放杂物")
    open_one = log_finding(
        actor=grid_worker, grid=grid, description="井盖缺失", photos=[process_photo(photo_upload())]
    )
    dispute = register(township_staff, grid=grid, source_finding=theirs)
    take("accept", township_staff, dispute)
    take("assign", township_staff, dispute, lead_department=department)

    assert answers(client, liaison, theirs) == (200, 200)
    # Another finding of the same grid, handed up or not, is as if it did not exist.
    assert answers(client, liaison, other) == (404, 404)
    assert answers(client, liaison, open_one) == (404, 404)
    # Nor does the grid's page list them.
    grid_page = client.get(reverse("grids:grid_detail", args=[grid.pk])).content.decode()
    assert "邻居占道堆放杂物" not in grid_page and "井盖缺失" not in grid_page


def test_a_liaison_sees_the_finding_behind_a_dispute_their_department_is_summoned_to(
    client, grid, grid_worker, township_staff, housing
):
    department, liaison = housing
    _other_department, other_liaison = department_with_liaison("潞城区水务局", LUCHENG)
    finding = handed_up(grid, grid_worker, "排水沟堵塞，两家争执")
    dispute = register(township_staff, grid=grid, source_finding=finding)
    take("accept", township_staff, dispute)
    take(
        "summon",
        township_staff,
        dispute,
        departments=[department],
        due_on=timezone.localdate() + timedelta(days=3),
    )

    assert answers(client, liaison, finding) == (200, 200)
    # A department of the same county that has nothing to do with the case sees nothing.
    assert answers(client, other_liaison, finding) == (404, 404)


def test_a_liaison_without_cases_sees_no_finding_of_the_county(
    client, grid, grid_worker, township_staff, housing
):
    _department, liaison = housing
    finding = handed_up(grid, grid_worker, "危房墙体开裂")
    register(township_staff, grid=grid, source_finding=finding)  # not given to the department

    assert answers(client, liaison, finding) == (404, 404)
    # Township staff still see every finding of their township.
    assert answers(client, township_staff, finding) == (200, 200)


def test_the_workbench_lists_no_handed_up_finding_to_a_liaison(
    client, grid, grid_worker, township_staff, housing
):
    _department, liaison = housing
    handed_up(grid, grid_worker, "等待登记的上报事项")

    client.force_login(liaison)
    page = client.get(reverse("disputes:workbench"))

    assert page.status_code == 200
    assert "等待登记的上报事项" not in page.content.decode()
