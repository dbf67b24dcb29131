"""Who works at which level over an area: shared by every case type that moves between the
grid, the village, the township and the county.

One table (`LEVEL_ROLES`) says who staffs each level's centre; `works_at_level` (who staffs
it), `works_above_level` (who is above it: a superior) and `staff_at_level` (whom to tell of
a change at it) all read it. `covers` is the subtree test, `area_at_level` the area that
stands for a level over a case, `level_above`/`level_below` the steps of a case type's
ladder, and `is_handling` who reads a case's personal data whole. Each is written here once.
"""

from collections.abc import Sequence

from cases.workflow import ASSIGNEE, LEVEL_STAFF
from governance.models import Area, AreaLevel, Membership, Role
from governance.selectors import covers, memberships_of

# A grid is not an area of the tree: a case at the grid level stands over its grid's village,
# and its staff are the grid's own team (GridAssignment), which the case type knows.
GRID = "grid"

# The roles that staff each level's centre. A grid's own team is a case type's concern.
LEVEL_ROLES: dict[str, frozenset[str]] = {
    GRID: frozenset(),
    AreaLevel.VILLAGE: frozenset({Role.VILLAGE_STAFF, Role.GRID_CHIEF}),
    AreaLevel.TOWNSHIP: frozenset({Role.TOWNSHIP_STAFF}),
    AreaLevel.COUNTY: frozenset({Role.COUNTY_OFFICIAL}),
    AreaLevel.CITY: frozenset({Role.CITY_OFFICIAL}),
}
LEVELS_UPWARD = [GRID, AreaLevel.VILLAGE, AreaLevel.TOWNSHIP, AreaLevel.COUNTY, AreaLevel.CITY]


def _memberships(user):
    return memberships_of(user=user)


def roles_above(level: str) -> frozenset[str]:
    """The roles that staff a level above `level` (the city's included)."""
    above = LEVELS_UPWARD[LEVELS_UPWARD.index(level) + 1 :]
    return frozenset().union(*(LEVEL_ROLES[step] for step in above))


def works_at_level(*, user, area: Area, level: str) -> bool:
    """`user` staffs `level` over `area`: holds one of the level's roles at or above it."""
    roles = LEVEL_ROLES[level]
    return any(m.role in roles and covers(m.area, area) for m in _memberships(user))


def works_above_level(*, user, area: Area, level: str) -> bool:
    """`user` staffs a level above `level` over `area` (a superior)."""
    roles = roles_above(level)
    return any(m.role in roles and covers(m.area, area) for m in _memberships(user))


def area_at_level(area: Area, level: str) -> Area:
    """The ancestor of `area` (or itself) at `level`; `area`'s parents must be loaded or
    loadable. An area above `level` stands for itself, and the grid level stands over the
    grid's village."""
    order = LEVELS_UPWARD
    node = area
    while node.level in order and order.index(node.level) < order.index(level):
        node = node.parent
    return node


def staff_at_level(area: Area, level: str) -> list:
    """The people who staff `level` over `area` (held at the area that stands for it): whom a
    change of a case at that level concerns. Nobody for the grid level: that is the grid's
    team, which the case type knows."""
    memberships = Membership.objects.filter(
        area=area_at_level(area, level), role__in=LEVEL_ROLES[level]
    ).select_related("user")
    return [m.user for m in memberships]


def level_above(level: str, *, order: Sequence[str] = LEVELS_UPWARD) -> str | None:
    """The next level up `order` (a case type's ladder, lowest first), or None at its top."""
    index = order.index(level)
    return order[index + 1] if index + 1 < len(order) else None


def level_below(level: str, *, order: Sequence[str] = LEVELS_UPWARD) -> str | None:
    """The next level down `order` (a case type's ladder, lowest first), or None at its
    bottom."""
    index = order.index(level)
    return order[index - 1] if index else None


def is_handling(capabilities: set[str]) -> bool:
    """Those handling a case (its level's staff, its assignees) see its parties' personal
    data unmasked; nobody else does."""
    return bool(set(capabilities) & {LEVEL_STAFF, ASSIGNEE})
