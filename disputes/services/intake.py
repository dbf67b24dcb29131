"""Intake: registering a dispute with its parties, its risk colour and its possible repeat;
a court's referral (委派/委托调解) with its case number and deadline; the checks of the case
numbers of courts and arbitration commissions."""

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.identity import clean_id_number, clean_phone
from cases.workflow import TransitionNotAllowed
from disputes.models import (
    Channel,
    Dispute,
    DisputeKind,
    Level,
    Party,
    ReferralKind,
    Risk,
    Status,
)
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


# A court's case number (案号), as the Supreme People's Court numbers cases: the year in
# brackets, the court's code (a province's one-character name and up to four digits), the kind
# of case, its number and 号: （2026）晋0406民初123号, （2026）晋0406民诉前调15号.
COURT_CASE_NUMBER = re.compile(
    r"^（(?:19|20)\d{2}）[\u4e00-\u9fff]\d{0,4}[\u4e00-\u9fff]{1,8}\d{1,7}号$"
)
# An arbitration commission numbers its cases its own way (长劳人仲案字〔2026〕第15号): a year
# and a number, ending in 号.
ARBITRATION_CASE_NUMBER = re.compile(
    r"^[^\s\d]{0,20}[〔（\[【]?(?:19|20)\d{2}[〕）\]】]?[^\s]{0,20}?\d{1,7}号$"
)
BODY_WORDS = {ReferralKind.COURT: "法院", ReferralKind.ARBITRATION: "仲裁"}
# A court's deadline for a referred case lies within a year of the day it is registered.
COURT_DEADLINE_MAX_DAYS = 366


def _normalise(value: str) -> str:
    """A number as people type it: half-width brackets and stray spaces made consistent."""
    value = re.sub(r"\s+", "", value or "")
    return value.replace("(", "（").replace(")", "）")


def clean_case_number(value: str, *, kind: str) -> str:
    """The case number a court or an arbitration commission gave a dispute, checked and
    normalised; a ValidationError that says what it should look like otherwise."""
    number = _normalise(value)
    if not number:
        raise ValidationError(_("Give the case number the receiving body gave it."))
    if kind == ReferralKind.COURT:
        if len(number) > 64 or not COURT_CASE_NUMBER.match(number):
            raise ValidationError(
                _("This is not a court case number; it reads like （2026）晋0406民初123号.")
            )
        return number
    number = value.strip().replace(" ", "")
    if len(number) > 64 or not ARBITRATION_CASE_NUMBER.match(number):
        raise ValidationError(
            _(
                "This is not an arbitration case number: it has the year and a number and "
                "ends in 号, like 潞劳人仲案字〔2026〕第15号."
            )
        )
    return number


def clean_body_name(value: str, *, kind: str) -> str:
    """The name of the court or arbitration commission that received a dispute."""
    name = (value or "").strip()
    if not name:
        raise ValidationError(_("Name the court or the arbitration commission that received it."))
    if len(name) > 100:
        raise ValidationError(_("The name of the receiving body is at most 100 characters."))
    if BODY_WORDS[kind] not in name:
        raise ValidationError(
            _("The court's name has 法院 in it.")
            if kind == ReferralKind.COURT
            else _("The arbitration commission's name has 仲裁 in it.")
        )
    return name


def clean_court_referral(*, court_name: str, court_case_number: str, court_due_on) -> dict:
    """A court's referral (委派/委托调解): the court, its case number and its deadline, which
    governs the dispute's deadline. The deadline is the court's: from today to a year on."""
    today = timezone.localdate()
    if not isinstance(court_due_on, date):
        raise ValidationError(_("Give the deadline the court set."))
    if court_due_on < today:
        raise ValidationError(_("The court's deadline has already passed."))
    if court_due_on > today + timedelta(days=COURT_DEADLINE_MAX_DAYS):
        raise ValidationError(_("The court's deadline is more than a year away: check it."))
    return {
        "court_name": clean_body_name(court_name, kind=ReferralKind.COURT),
        "court_case_number": clean_case_number(court_case_number, kind=ReferralKind.COURT),
        "court_due_on": court_due_on,
    }


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
    court_name: str = "",
    court_case_number: str = "",
    court_due_on: date | None = None,
) -> Dispute:
    """Register a dispute at `level`, where `actor` must work. `parties` are dicts with side,
    name, id_number and phone; at least one is required. A court's referral (channel
    `court`) names the court, its case number and its deadline, which the dispute works to."""
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
    court = {}
    if channel == Channel.COURT:
        court = clean_court_referral(
            court_name=court_name, court_case_number=court_case_number, court_due_on=court_due_on
        )
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
        due_on=court.get("court_due_on") or due_date(level=level, kind=kind),
        registered_by=actor,
        **court,
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
