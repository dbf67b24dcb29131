"""Who works at which level over an area: shared by every case type that moves between the
village, the township and the county."""

from governance.models import Area, AreaLevel, Role
from governance.selectors import memberships_of

# The roles that staff each level's centre. A grid's own team is a case type's concern.
LEVEL_ROLES: dict[str, frozenset[str]] = {
    AreaLevel.VILLAGE: frozenset({Role.VILLAGE_STAFF, Role.GRID_CHIEF}),
    AreaLevel.TOWNSHIP: frozenset({Role.TOWNSHIP_STAFF}),
    AreaLevel.COUNTY: frozenset({Role.COUNTY_OFFICIAL}),
    AreaLevel.CITY: frozenset({Role.CITY_OFFICIAL}),
}
LEVELS_UPWARD = [AreaLevel.VILLAGE, AreaLevel.TOWNSHIP, AreaLevel.COUNTY, AreaLevel.CITY]


def covers(area: Area, other: Area) -> bool:
    """Whether `other` lies in the subtree of `area` (itself included)."""
    return area.tree_id == other.tree_id and area.lft <= other.lft and other.rght <= area.rght


def works_at_level(*, user, area: Area, level: str) -> bool:
    """`user` staffs `level` over `area`: holds one of the level's roles at or above it."""
    roles = LEVEL_ROLES[level]
    return any(m.role in roles and covers(m.area, area) for m in memberships_of(user=user))


def works_above_level(*, user, area: Area, level: str) -> bool:
    """`user` staffs a level above `level` over `area` (a superior)."""
    above = LEVELS_UPWARD[LEVELS_UPWARD.index(level) + 1 :]
    roles = frozenset().union(*(LEVEL_ROLES[step] for step in above))
    return any(m.role in roles and covers(m.area, area) for m in memberships_of(user=user))


def area_at_level(area: Area, level: str) -> Area:
    """The ancestor of `area` (or itself) at `level`; `area`'s parents must be loaded or
    loadable. An area above `level` stands for itself."""
    order = LEVELS_UPWARD
    node = area
    while node.level in order and order.index(node.level) < order.index(level):
        node = node.parent
    return node
