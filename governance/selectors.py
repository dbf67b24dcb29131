"""Reads of the core domain. Jurisdiction is defined here, once (docs/architecture.md, rule 2)."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from governance.audit.services import audit_refused_lookup
from governance.models import CODE_LENGTH, Area, Membership, Role, parent_level_of
from governance.tree import Position, nested_set_positions


def memberships_of(*, user) -> list[Membership]:
    """All of `user`'s memberships with their areas.

    Kept on the user object, so a request asks the database once however many times its
    views, menus and templates need the person's roles or jurisdiction.
    """
    if not user.is_authenticated:
        return []
    if "_memberships" not in user.__dict__:
        user.__dict__["_memberships"] = list(
            Membership.objects.filter(user=user).select_related("area")
        )
    return user.__dict__["_memberships"]


def jurisdiction_roots(*, user, roles: Iterable[str] | None = None) -> list[Area]:
    """The topmost areas of `user`'s memberships (of `roles`, if given), none inside another."""
    wanted = set(roles) if roles is not None else None
    areas = {
        membership.area.pk: membership.area
        for membership in memberships_of(user=user)
        if wanted is None or membership.role in wanted
    }
    return [
        area
        for area in sorted(areas.values(), key=lambda a: (a.tree_id, a.lft))
        if not any(other.pk != area.pk and covers(other, area) for other in areas.values())
    ]


def jurisdiction_q(*, user, area_field: str = "", roles: Iterable[str] | None = None) -> Q:
    """A filter that keeps rows whose area (reached through `area_field`) lies in the user's
    jurisdiction. It matches nothing for a person without memberships.

    Built on the tree's interval columns, so a case table is filtered with one join instead of
    a subquery over every area.
    """
    roots = jurisdiction_roots(user=user, roles=roles)
    if not roots:
        return Q(pk__in=[])
    condition = Q()
    for root in roots:
        condition |= subtree_q(root, area_field=area_field)
    return condition


def covers(area: Area, other: Area) -> bool:
    """Whether `other` lies in the subtree of `area` (itself included); `subtree_q` is the
    same test as a database filter."""
    return area.tree_id == other.tree_id and area.lft <= other.lft and other.rght <= area.rght


def subtree_q(area: Area, *, area_field: str = "") -> Q:
    """A filter that keeps rows whose area (reached through `area_field`) lies in the subtree
    of `area`, itself included: `cases.levels.covers` as a condition on the tree's
    interval columns."""
    prefix = f"{area_field}__" if area_field else ""
    return Q(
        **{
            f"{prefix}tree_id": area.tree_id,
            f"{prefix}lft__gte": area.lft,
            f"{prefix}rght__lte": area.rght,
        }
    )


def get_or_404_audited(queryset: QuerySet, *, user, area_field: str = "", **lookup):
    """The one object of `queryset` (what `user` may see or act on) that matches `lookup`;
    otherwise 404, the same for "missing" and "not yours", and when the object exists
    outside the queryset the refusal is audited (`audit_refused_lookup`). Every
    `*_get_for_user_or_404` helper is this call, so the rule is written once. `area_field` is
    the path from the model to its area, recorded with the refusal; a malformed key (a
    string where a number goes) is a missing object."""
    model = queryset.model
    try:
        return queryset.get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        audit_refused_lookup(user=user, model=model, lookup=lookup, area_field=area_field)
        raise Http404 from None


def areas_for_user(*, user, roles: Iterable[str] | None = None) -> QuerySet[Area]:
    """Every area in the union of the subtrees that `user`'s memberships cover."""
    return Area.objects.visible_to(user, roles=roles)


AREA_SEARCH_LIMIT = 20


def areas_matching(*, user, text: str, limit: int = AREA_SEARCH_LIMIT) -> list[Area]:
    """The areas of `user`'s jurisdiction whose name holds `text`, or whose division code
    starts with it: the area picker's choices. Higher levels come first (a township before its
    villages), and each comes with its parent and grandparent, to tell apart the many villages
    of one name."""
    text = text.strip()
    if not text:
        return []
    matches = Q(name__icontains=text)
    if text.isdigit():
        matches |= Q(code__startswith=text)
    return list(
        areas_for_user(user=user)
        .filter(matches)
        .select_related("parent", "parent__parent")
        .order_by("mptt_level", "code")[:limit]
    )


def area_get_for_user_or_404(*, user, code: str, roles: Iterable[str] | None = None) -> Area:
    """The area with `code` if the user may see it (through a membership of `roles`, if
    given); otherwise 404, as if it did not exist."""
    return get_or_404_audited(areas_for_user(user=user, roles=roles), user=user, code=code)


def administers_every_area(*, user) -> bool:
    """Whether `user` administers the whole tree (every top area, i.e. the city): the person
    who may change what holds city-wide, such as dispute deadlines and petition clocks."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    roots = jurisdiction_roots(user=user, roles=[Role.ADMINISTRATOR])
    tops = Area.objects.filter(parent__isnull=True).only("tree_id", "lft", "rght")
    return bool(roots) and all(any(covers(root, top) for root in roots) for top in tops)


def area_children_with_counts(*, area: Area) -> QuerySet[Area]:
    """The children of `area`, each annotated with `child_count`, in code order."""
    return area.get_children().annotate(child_count=Count("children")).order_by("code")


def area_breadcrumbs(*, user, area: Area) -> list[Area]:
    """The path from the top of the user's jurisdiction down to `area`: nothing above it."""
    roots = jurisdiction_roots(user=user)
    root = next((r for r in roots if covers(r, area)), area)
    return list(area.get_ancestors(include_self=True).filter(subtree_q(root)))


def user_roles(*, user) -> set[str]:
    """The roles the user holds anywhere."""
    return {membership.role for membership in memberships_of(user=user)}


def people_for_administrator(*, user) -> QuerySet:
    """The people with at least one membership inside the areas this administrator manages."""
    managed = jurisdiction_q(user=user, area_field="memberships__area", roles=[Role.ADMINISTRATOR])
    return get_user_model().objects.filter(managed).distinct().order_by("username")


def person_get_for_administrator_or_404(*, user, pk: int):
    return get_or_404_audited(people_for_administrator(user=user), user=user, pk=pk)


def membership_get_managed_by_or_404(*, user, pk) -> Membership:
    """A membership whose area lies inside the areas `user` administers; any other is
    refused (audited), as a missing one."""
    managed = Membership.objects.filter(
        jurisdiction_q(user=user, area_field="area", roles=[Role.ADMINISTRATOR])
    ).select_related("area", "user")
    return get_or_404_audited(managed, user=user, area_field="area", pk=pk)


def memberships_managed_by(*, user, person) -> QuerySet[Membership]:
    """`person`'s memberships that lie inside the areas `user` administers."""
    return (
        Membership.objects.filter(user=person)
        .filter(jurisdiction_q(user=user, area_field="area", roles=[Role.ADMINISTRATOR]))
        .select_related("area")
        .order_by("area__code", "role")
    )


def area_tree_problems() -> list[str]:
    """Every inconsistency in the stored area tree, as sentences; an empty list if none.

    The nested-set columns are recomputed from the parent links alone (children in code
    order, as the tree stores them) and compared with what is stored, so a corrupted interval,
    level or tree id is found, and each area is checked against the rules of the official
    division code: its level's length, its parent's level, and its parent's code as prefix.
    """
    areas = {
        row["pk"]: row
        for row in Area.objects.order_by("code").values(
            "pk", "code", "name", "level", "parent_id", "tree_id", "lft", "rght", "mptt_level"
        )
    }
    problems: list[str] = []
    for area in areas.values():
        expected_length = CODE_LENGTH.get(area["level"])
        if expected_length is None:
            problems.append(
                _("Area %(code)s has an unknown level “%(level)s”.")
                % {"code": area["code"], "level": area["level"]}
            )
            continue
        if len(area["code"]) != expected_length or not area["code"].isdigit():
            problems.append(
                _("Area %(code)s: a %(level)s code must be %(digits)d digits.")
                % {"code": area["code"], "level": area["level"], "digits": expected_length}
            )
        parent = areas.get(area["parent_id"])
        expected_parent_level = parent_level_of(area["level"])
        if area["parent_id"] is not None and parent is None:
            problems.append(_("Area %(code)s points at a missing parent.") % {"code": area["code"]})
        elif expected_parent_level is None and parent is not None:
            problems.append(_("Area %(code)s is a city but has a parent.") % {"code": area["code"]})
        elif expected_parent_level is not None and parent is None:
            problems.append(_("Area %(code)s has no parent.") % {"code": area["code"]})
        elif parent is not None:
            if parent["level"] != expected_parent_level:
                problems.append(
                    _("Area %(code)s (%(level)s) hangs under %(parent)s (%(parent_level)s).")
                    % {
                        "code": area["code"],
                        "level": area["level"],
                        "parent": parent["code"],
                        "parent_level": parent["level"],
                    }
                )
            if not area["code"].startswith(parent["code"]):
                problems.append(
                    _("Area %(code)s does not begin with its parent's code %(parent)s.")
                    % {"code": area["code"], "parent": parent["code"]}
                )

    # Recompute the nested intervals from the parent links and compare.
    expected = nested_set_positions(
        (pk, area["parent_id"], area["code"]) for pk, area in areas.items()
    )
    for pk, area in areas.items():
        if pk not in expected:
            problems.append(
                _("Area %(code)s cannot be reached from the top of the tree.")
                % {"code": area["code"]}
            )
            continue
        stored = Position(area["tree_id"], area["lft"], area["rght"], area["mptt_level"])
        if stored != expected[pk]:
            problems.append(
                _("Area %(code)s has inconsistent tree positions (left %(lft)s, right %(rght)s).")
                % {"code": area["code"], "lft": area["lft"], "rght": area["rght"]}
            )
    return problems
