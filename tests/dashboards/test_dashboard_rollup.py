"""From the field to the dashboard: a finding logged and a dispute registered today, rolled
up by the daily job, show on every level's dashboard as today's figures."""

import uuid
from datetime import date

from django.urls import reverse
from django.utils import timezone

from disputes.services import dispute_register
from governance.models import Role
from governance.rollups.engine import run_daily
from grids.models import GridRole
from grids.services import finding_log, grid_assign
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.dashboards.helpers import page_table
from tests.factories import person_with_role


def test_todays_finding_and_dispute_reach_every_level(
    client, grids, county_official, township_staff
):
    grid = grids["first"]
    worker = person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE)
    grid_assign(
        actor=None, grid=grid, person=worker, role=GridRole.WORKER, starts_on=date(2026, 1, 1)
    )
    finding_log(
        actor=worker,
        grid=grid,
        client_key=uuid.uuid4(),
        category="safety_hazard",
        severity="low",
        description="路口井盖缺失",
        status="open",
    )
    dispute_register(
        actor=township_staff,
        kind="neighbour",
        channel="walk_in",
        description="两户因排水沟走向发生争执",
        people_involved=2,
        village=grid.village,
        grid=grid,
        level="township",
        parties=[{"side": "applicant", "name": "刘建国", "id_number": "", "phone": ""}],
    )
    today = timezone.localdate()
    run_daily(today)

    client.force_login(county_official)
    for code in (LUCHENG, DIANSHANG, DIANSHANG_VILLAGE):
        page = client.get(reverse("dashboards:area", args=[code])).content.decode()
        assert f"数据截至 {today}" in page
        _header, rows = page_table(page, "glance")
        day = {row[0]: row[1] for row in rows}
        assert day["发现"] == 1 and day["新增纠纷"] == 1, code

    page = client.get(reverse("dashboards:area", args=[DIANSHANG_VILLAGE])).content.decode()
    header, rows = page_table(page, "children")
    first = next(row for row in rows if row[1] == grid.name)
    assert first[0] == 1
    assert first[header.index("发现")] == 1
    assert first[header.index("新增纠纷")] == 1
