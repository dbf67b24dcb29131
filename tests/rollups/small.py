"""A grid, its worker and the village's people, for the tests that need only a few rows."""

import uuid
from dataclasses import dataclass
from datetime import date

from governance.models import Area, Role
from grids import services as grids
from grids.models import FindingStatus, Grid, GridKind, GridRole, Severity
from tests.conftest import DIANSHANG_VILLAGE
from tests.rollups.world import FINDINGS, at, person


@dataclass
class Village:
    village: Area
    grid: Grid
    worker: object
    staff: object


def village_with_a_grid(code: str = DIANSHANG_VILLAGE, *, since: date, name="X") -> Village:
    village = Area.objects.get(code=code)
    grid = grids.grid_create(
        actor=None, village=village, code=f"S-{name}", name=f"{name}网格", kind=GridKind.RURAL
    )
    Grid.objects.filter(pk=grid.pk).update(created_at=grid.created_at.replace(year=2000))
    worker = person(Role.GRID_WORKER, village, username=f"worker-{name}")
    grids.grid_assign(actor=None, grid=grid, person=worker, role=GridRole.WORKER, starts_on=since)
    staff = person(Role.VILLAGE_STAFF, village, username=f"staff-{name}")
    return Village(village=village, grid=grid, worker=worker, staff=staff)


def finding_at(place: Village, when, status=FindingStatus.OPEN):
    with at(when, FINDINGS):
        finding, _created = grids.finding_log(
            actor=place.worker,
            grid=place.grid,
            client_key=uuid.uuid4(),
            category="safety_hazard",
            severity=Severity.LOW,
            description="井盖缺失",
            status=status,
            action_taken="已处置" if status == FindingStatus.HANDLED else "",
        )
    finding.refresh_from_db()
    return finding
