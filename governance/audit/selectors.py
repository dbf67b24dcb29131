"""Who may read which audit entries."""

from django.db.models import Q, QuerySet

from governance.audit.models import AuditEntry
from governance.models import Membership, Role
from governance.selectors import jurisdiction_q, user_roles


def may_read_audit_log(*, user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or Role.ADMINISTRATOR in user_roles(user=user)
    )


def audit_entries_visible_to(*, user) -> QuerySet[AuditEntry]:
    """Everything for a superuser; for an administrator, the entries of the areas they
    administer and the entries of the people who hold a role there (a failed sign-in or a
    sign-in belongs to the person more than to a place); nothing for anyone else."""
    entries = AuditEntry.objects.select_related("area")
    if not user.is_authenticated:
        return entries.none()
    if user.is_superuser:
        return entries
    managed = [Role.ADMINISTRATOR]
    people = Membership.objects.filter(
        jurisdiction_q(user=user, area_field="area", roles=managed)
    ).values("user_id")
    return entries.filter(
        jurisdiction_q(user=user, area_field="area", roles=managed) | Q(actor_id__in=people)
    )
