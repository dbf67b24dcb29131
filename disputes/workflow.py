"""What the dispute workflow is made of: the capabilities, the groups of statuses and the
levels. The registry of actions (who may do what, from which status, to which status, with
which form and service) is `disputes.actions`.

Capabilities a person can hold over one dispute (computed by `capabilities_for`):
- `level_staff`: works at the level that now handles it (the grid's team, the village's
  staff and grid chief, the township centre, the county centre);
- `assignee`: an active handler (a person, or a liaison of an assigned department);
- `superior`: staff of a level above the one that handles it (may supervise, approve
  extensions, reopen);
- `summoned`: liaison of a department summoned to it that has not yet reported.
"""

from disputes.models import LEVEL_ORDER, Level, Status
from governance.models import Role
from governance.workflow import ASSIGNEE, LEVEL_STAFF, SUPERIOR

SUMMONED = "summoned"
# The capability names of the registry, the shared ones included.
CAPABILITIES = (LEVEL_STAFF, ASSIGNEE, SUPERIOR, SUMMONED)

WORKING = frozenset({Status.REGISTERED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION})
FINISHED = frozenset({Status.RESOLVED, Status.NOT_RESOLVED, Status.REVISITED, Status.CLOSED})


# Roles that staff each handling level (besides the grid's own team at grid level).
LEVEL_ROLES = {
    Level.VILLAGE: {Role.VILLAGE_STAFF, Role.GRID_CHIEF},
    Level.TOWNSHIP: {Role.TOWNSHIP_STAFF},
    Level.COUNTY: {Role.COUNTY_OFFICIAL},
}
SUPERIOR_ROLES_ABOVE_COUNTY = {Role.CITY_OFFICIAL}


def level_above(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def level_below(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index - 1] if index else None
