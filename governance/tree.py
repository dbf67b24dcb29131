"""Nested-set positions of the area tree, computed from parent links alone.

django-mptt stores each area's interval (`lft`, `rght`), its tree id and its depth. The import
computes them here for the whole tree at once, which is linear in the number of areas, where
inserting nodes one by one through mptt is quadratic; `check_area_tree` computes them here to
compare with what is stored. The layout is mptt's own: roots in code order numbered 1, 2, …,
children in code order (the model's `order_insertion_by`), intervals counted from 1 per tree.
"""

from collections.abc import Hashable, Iterable
from typing import NamedTuple


class Position(NamedTuple):
    tree_id: int
    lft: int
    rght: int
    depth: int


def nested_set_positions(
    nodes: Iterable[tuple[Hashable, Hashable | None, str]],
) -> dict[Hashable, Position]:
    """Positions of `nodes`, given as (key, parent key or None, sort key).

    Nodes whose parent is missing, and cycles, are unreachable from a root and get no position.
    """
    children: dict[Hashable | None, list[tuple[str, Hashable]]] = {}
    for key, parent_key, sort_key in nodes:
        children.setdefault(parent_key, []).append((sort_key, key))
    for siblings in children.values():
        siblings.sort()

    positions: dict[Hashable, Position] = {}
    for tree_id, (_sort_key, root) in enumerate(children.get(None, []), start=1):
        counter = 1
        lefts: dict[Hashable, int] = {}
        stack: list[tuple[Hashable, int, bool]] = [(root, 0, False)]
        while stack:
            key, depth, closing = stack.pop()
            if closing:
                positions[key] = Position(tree_id, lefts[key], counter, depth)
                counter += 1
                continue
            lefts[key] = counter
            counter += 1
            stack.append((key, depth, True))
            for _child_sort, child in reversed(children.get(key, [])):
                stack.append((child, depth + 1, False))
    return positions
