"""The only writers of areas, people and memberships (docs/architecture.md, rules 1 and 6)."""

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from governance.area_import import DivisionRow
from governance.audit.models import AuditKind
from governance.audit.services import audit_record
from governance.models import (
    HEAD_ROLES,
    LEVEL_ORDER,
    ROLE_LEVELS,
    Area,
    AreaLevel,
    Membership,
    Role,
)
from governance.selectors import jurisdiction_q
from governance.tree import Position, nested_set_positions

# Any number will do as long as nothing else in the database takes the same advisory lock.
AREA_TREE_LOCK_KEY = 7_140_400


@contextlib.contextmanager
def area_tree_lock() -> Iterator[None]:
    """A transaction in which this process is the only writer of the area tree.

    django-mptt keeps nested-set columns that concurrent writers would corrupt. On PostgreSQL
    an advisory lock held to the end of the transaction serialises tree writers; SQLite
    already allows one writer at a time.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AREA_TREE_LOCK_KEY])
        yield


@dataclass(frozen=True)
class AreaImportResult:
    created: int
    renamed: int
    unchanged: int


def area_tree_import(
    *, rows: list[DivisionRow], progress: Callable[[str], None] | None = None
) -> AreaImportResult:
    """Create the areas of `rows` that are new and rename those whose name changed.

    `rows` come checked from `governance.area_import.read_division_file`. Areas absent from
    the rows are left alone: a file may hold a single county. The nested-set positions of the
    whole resulting tree are computed once (`governance.tree`), new areas are inserted in bulk
    with their final positions, and only stored areas whose position moved are updated:
    inserting mptt nodes one by one would cost time quadratic in the size of the tree.
    """
    report = progress or (lambda message: None)
    with area_tree_lock():
        stored = {
            area.code: area
            for area in Area.objects.only(
                "pk", "code", "name", "parent_id", "tree_id", "lft", "rght", "mptt_level"
            )
        }
        to_rename = []
        new_rows = []
        for row in rows:
            existing = stored.get(row.code)
            if existing is None:
                new_rows.append(row)
            elif existing.name != row.name:
                existing.name = row.name
                to_rename.append(existing)

        if to_rename:
            Area.objects.bulk_update(to_rename, ["name"], batch_size=1000)
        if new_rows:
            _insert_areas(stored=stored, new_rows=new_rows, report=report)
    return AreaImportResult(
        created=len(new_rows),
        renamed=len(to_rename),
        unchanged=len(rows) - len(new_rows) - len(to_rename),
    )


def _insert_areas(*, stored: dict[str, Area], new_rows: list[DivisionRow], report) -> None:
    """Insert `new_rows` into the tree of `stored` areas. Runs under `area_tree_lock`."""
    code_by_pk = {area.pk: code for code, area in stored.items()}
    links = [(code, code_by_pk.get(area.parent_id), code) for code, area in stored.items()]
    links += [(row.code, row.parent_code or None, row.code) for row in new_rows]
    positions = nested_set_positions(links)

    moved = [
        (*positions[code], area.pk)
        for code, area in stored.items()
        if positions[code] != Position(area.tree_id, area.lft, area.rght, area.mptt_level)
    ]
    if moved:
        # The intervals of the stored areas make room for the new ones. mptt's own updates
        # are off here by design: the whole tree's positions were computed above.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Area._meta.db_table} SET tree_id = %s, lft = %s, rght = %s, "
                "mptt_level = %s WHERE id = %s",
                moved,
            )
        report(_("Moved %(count)d stored areas to make room.") % {"count": len(moved)})

    pk_by_code = {code: area.pk for code, area in stored.items()}
    rows_by_level = {level: [] for level in LEVEL_ORDER}
    for row in new_rows:
        rows_by_level[row.level].append(row)
    # A level at a time, top first, so every parent has its key before its children need it.
    for level in LEVEL_ORDER:
        new_areas = [
            Area(
                code=row.code,
                name=row.name,
                level=row.level,
                parent_id=pk_by_code.get(row.parent_code),
                tree_id=positions[row.code].tree_id,
                lft=positions[row.code].lft,
                rght=positions[row.code].rght,
                mptt_level=positions[row.code].depth,
            )
            for row in rows_by_level[level]
        ]
        if not new_areas:
            continue
        with Area.objects.disable_mptt_updates():
            for area in Area.objects.bulk_create(new_areas, batch_size=1000):
                pk_by_code[area.code] = area.pk
        report(
            _("Inserted %(count)d areas: %(level)s.")
            % {"count": len(new_areas), "level": AreaLevel(level).label}
        )


# ---------------------------------------------------------------------------------------------
# People and memberships
# ---------------------------------------------------------------------------------------------


def require_administrator_of(*, actor, area: Area) -> None:
    """Refuse unless `actor` administers `area` (holds the administrator role at or above it).

    `actor=None` is the operator at the server's command line (a management command such as
    `seed_demo`), who stands outside the portal's jurisdictions. Views always pass a person.
    """
    if actor is None:
        return
    managed = Area.objects.filter(
        jurisdiction_q(user=actor, roles=[Role.ADMINISTRATOR]), pk=area.pk
    )
    if not managed.exists():
        raise PermissionDenied(_("You do not administer this area."))


def _check_role_level(*, role: str, area: Area) -> None:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="unknown_role")
    if area.level not in ROLE_LEVELS[role]:
        raise ValidationError(
            _("The role “%(role)s” cannot be held at the level of %(area)s.")
            % {"role": Role(role).label, "area": area.name},
            code="role_level",
        )


def _audit_role_change(*, kind: str, actor, membership: Membership, reason: str = "") -> None:
    """Who gave or took which role, to or from whom, over which area, and why (a revocation
    says why), in the audit log."""
    username = membership.user.get_username()
    detail = {
        "person": username,
        "person_id": membership.user_id,
        "role": membership.role,
        "area": membership.area.code,
    }
    if membership.is_head:
        detail["head"] = True
    if reason:
        detail["reason"] = reason
    if actor is None:
        detail["via"] = "command line"
    audit_record(kind=kind, actor=actor, area=membership.area, target=username, detail=detail)


def membership_grant(*, actor, user, area: Area, role: str, is_head: bool = False) -> Membership:
    """Give `user` the `role` over `area`. `actor` must administer `area`. With `is_head`,
    the person heads that township's or county's centre (`Membership.is_head`); granting it
    to one who holds the role already makes them its head.

    Granting a membership someone already holds changes nothing and returns it.
    """
    require_administrator_of(actor=actor, area=area)
    _check_role_level(role=role, area=area)
    if is_head and role not in HEAD_ROLES:
        raise ValidationError(
            _("Only a township's or a county's centre staff can head the centre."),
            code="head_role",
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, area=area, role=role, defaults={"is_head": is_head}
        )
        if not created and is_head and not membership.is_head:
            membership.is_head = True
            membership.save(update_fields=["is_head"])
            created = True
        if created:
            _audit_role_change(kind=AuditKind.ROLE_GRANTED, actor=actor, membership=membership)
    return membership


# The longest reason a revocation may give (it is kept in the audit entry).
REVOKE_REASON_MAX_LENGTH = 500


def membership_revoke(*, actor, membership: Membership, reason: str) -> None:
    """Take a membership away, for `reason`, which the audit entry keeps with the actor.
    `actor` must administer its area; nobody revokes their own administrator role, so an area
    is never left without the person who ran it by mistake."""
    require_administrator_of(actor=actor, area=membership.area)
    if membership.user_id == actor.pk and membership.role == Role.ADMINISTRATOR:
        raise PermissionDenied(_("You cannot revoke your own administrator role."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the role is revoked."), code="reason_required")
    if len(reason) > REVOKE_REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason may be at most %(limit)d characters long.")
            % {"limit": REVOKE_REASON_MAX_LENGTH},
            code="reason_too_long",
        )
    with transaction.atomic():
        _audit_role_change(
            kind=AuditKind.ROLE_REVOKED, actor=actor, membership=membership, reason=reason
        )
        membership.delete()


def person_create(
    *,
    actor,
    username: str,
    full_name: str,
    password: str,
    area: Area,
    role: str,
):
    """Create a person together with their first membership, or nothing at all.

    `actor` is the administrator doing it; the new person's first role must lie within the
    actor's own jurisdiction, so that nobody creates people they could not manage.
    """
    require_administrator_of(actor=actor, area=area)
    _check_role_level(role=role, area=area)
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("That sign-in name is taken."), code="username_taken")
    candidate = user_model(username=username, first_name=full_name)
    validate_password(password, user=candidate)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        membership = Membership.objects.create(user=candidate, area=area, role=role)
        audit_record(
            kind=AuditKind.PERSON_CREATED,
            actor=actor,
            area=area,
            target=candidate.get_username(),
            detail={"person": candidate.get_username(), "person_id": candidate.pk},
        )
        _audit_role_change(kind=AuditKind.ROLE_GRANTED, actor=actor, membership=membership)
    return candidate
