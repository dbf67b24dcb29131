"""Intake: registering a dispute with its parties, its risk colour and its possible repeat."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.identity import clean_id_number, clean_phone
from cases.workflow import TransitionNotAllowed
from disputes.models import Channel, Dispute, DisputeKind, Level, Party, Risk, Status
from disputes.selectors import capabilities_for, due_date
from disputes.services.common import _event
from disputes.workflow import LEVEL_STAFF
from governance.models import Area, AreaLevel

# Thresholds of the risk colour: a "group" dispute (群体性) involves ten people or more.
RED_PEOPLE = 10


YELLOW_PEOPLE = 3


SENSITIVE_KINDS = {DisputeKind.REQUISITION, DisputeKind.LAND, DisputeKind.LABOUR}


def risk_colour(*, people_involved: int, kind: str, is_repeat: bool) -> str:
    """Red for a group dispute, or a sensitive kind or a repeat involving five or more;
    yellow for three or more people, a sensitive kind, or a repeat; green otherwise."""
    sensitive = kind in SENSITIVE_KINDS
    if people_involved >= RED_PEOPLE or (people_involved >= 5 and (sensitive or is_repeat)):
        return Risk.RED
    if people_involved >= YELLOW_PEOPLE or sensitive or is_repeat:
        return Risk.YELLOW
    return Risk.GREEN


def registration_levels(*, actor, village: Area, grid=None) -> list[str]:
    """The levels at which `actor` may register a dispute of `village` (and `grid`)."""
    probe = Dispute(village=village, grid=grid, level=Level.VILLAGE)
    levels = []
    for level in (Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY):
        if level == Level.GRID and grid is None:
            continue
        probe.level = level
        probe.active_assignments, probe.all_summons = [], []
        if LEVEL_STAFF in capabilities_for(user=actor, dispute=probe):
            levels.append(level)
    return levels


def _checked_party(party: dict) -> dict:
    """A party as the registration form would have let it through: the service is called by
    imports and scripts too, and a bad ID number must not be stored from there either."""
    checked = {
        "side": party.get("side", ""),
        "name": (party.get("name") or "").strip(),
        "id_number": clean_id_number(party.get("id_number", "")),
        "phone": clean_phone(party.get("phone", "")),
    }
    Party(**checked).full_clean(exclude=["dispute"])
    return checked


def dispute_register(
    *,
    actor,
    kind: str,
    channel: str,
    description: str,
    people_involved: int,
    village: Area,
    level: str,
    parties: list[dict],
    grid=None,
    source_finding=None,
    repeat_of: Dispute | None = None,
) -> Dispute:
    """Register a dispute at `level`, where `actor` must work. `parties` are dicts with side,
    name, id_number and phone; at least one is required."""
    if village.level != AreaLevel.VILLAGE:
        raise ValidationError(_("A dispute belongs to a village or community."))
    if grid is not None and grid.village_id != village.pk:
        raise ValidationError(_("The grid does not belong to this village."))
    if kind not in DisputeKind.values or channel not in Channel.values:
        raise ValidationError(_("Unknown kind or channel."))
    if level not in registration_levels(actor=actor, village=village, grid=grid):
        raise TransitionNotAllowed(_("You cannot register a dispute at this level."))
    if not parties:
        raise ValidationError(_("Name at least one party."))
    parties = [_checked_party(party) for party in parties]
    if (
        source_finding is not None
        and Dispute.objects.filter(source_finding=source_finding).exists()
    ):
        raise ValidationError(_("A dispute was already opened from this finding."))
    dispute = Dispute(
        kind=kind,
        channel=channel,
        description=description,
        people_involved=people_involved,
        village=village,
        grid=grid,
        source_finding=source_finding,
        level=level,
        status=Status.REGISTERED,
        repeat_of=repeat_of,
        risk=risk_colour(
            people_involved=people_involved, kind=kind, is_repeat=repeat_of is not None
        ),
        due_on=due_date(level=level, kind=kind),
        registered_by=actor,
    )
    dispute.full_clean(exclude=["number", "registered_by"])
    with transaction.atomic():
        dispute.save()
        dispute.number = f"JF{timezone.localdate():%Y}{dispute.pk:07d}"
        dispute.save(update_fields=["number"])
        for party in parties:
            Party.objects.create(
                dispute=dispute,
                side=party["side"],
                name=party["name"],
                id_number=party.get("id_number", ""),
                phone=party.get("phone", ""),
            )
        _event(
            dispute,
            actor,
            "registered",
            from_status="",
            repeat_of=repeat_of.number if repeat_of else None,
        )
    return dispute
