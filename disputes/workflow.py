"""What the dispute workflow is made of: the capabilities, the groups of statuses and the
levels. The registry of actions (who may do what, from which status, to which status, with
which form and service) is `disputes.actions`.

Capabilities a person can hold over one dispute (computed by `capabilities_for`):
- `level_staff`: works at the level that now handles it (the grid's team, the village's
  staff and grid chief, the township centre, the county centre);
- `assignee`: an active handler (a person, or a liaison of an assigned department);
- `superior`: staff of a level above the one that handles it (may supervise, approve
  extensions, reopen);
- `summoned`: liaison of a department summoned to it that has not yet reported;
- `revisitor`: holds the revisit role (回访) over it and is independent of it: neither
  handled it nor staffs its level (`disputes.selectors.is_independent_revisitor`).
"""

from cases import levels
from cases.workflow import ASSIGNEE, LEVEL_STAFF, SUPERIOR
from disputes.models import LEVEL_ORDER, Status

SUMMONED = "summoned"
REVISITOR = "revisitor"
# The capability names of the registry, the shared ones included.
CAPABILITIES = (LEVEL_STAFF, ASSIGNEE, SUPERIOR, SUMMONED, REVISITOR)

WORKING = frozenset({Status.REGISTERED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION})
FINISHED = frozenset({Status.RESOLVED, Status.TERMINATED, Status.REVISITED, Status.CLOSED})


# Who staffs each level, and who is above it, is `cases.levels` (LEVEL_ROLES).


def level_above(level: str) -> str | None:
    return levels.level_above(level, order=LEVEL_ORDER)


def level_below(level: str) -> str | None:
    return levels.level_below(level, order=LEVEL_ORDER)
