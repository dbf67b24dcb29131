"""Reads of the intake API. A source system's jurisdiction is its scope: the work orders it
sent whose matter lies in one of the areas it may send to (now). Anything else, another
source's work order or one outside its scope, is the same "not found" as a number that does
not exist."""

from django.db.models import Q, QuerySet

from governance.models import Area
from governance.selectors import subtree_q
from open311.models import SourceSystem, WorkOrder
from open311.services import token_digest


def source_for_token(token: str) -> SourceSystem | None:
    """The source system holding `token` (revoked or not: the caller tells the two apart)."""
    if not token:
        return None
    return SourceSystem.objects.filter(token_digest=token_digest(token)).first()


def scope_q(source: SourceSystem, *, area_field: str) -> Q:
    """Rows whose area (through `area_field`) lies in the source's scope; nothing without one."""
    condition = Q(pk__in=[])
    for scope in source.areas.all():
        condition |= subtree_q(scope, area_field=area_field)
    return condition


def area_in_scope(source: SourceSystem, code: str) -> Area | None:
    """The area with `code` if the source may send to it (None for unknown and outside alike)."""
    return Area.objects.filter(scope_q(source, area_field=""), code=code).first()


def work_orders_for_source(source: SourceSystem) -> QuerySet[WorkOrder]:
    return (
        WorkOrder.objects.filter(source=source)
        .filter(scope_q(source, area_field="matter__area"))
        .select_related("source", "matter__area")
        .prefetch_related("matter__events")
    )
