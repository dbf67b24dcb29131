"""The dispute settings: the working days each level has to resolve a dispute."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from disputes.models import DEFAULT_WORKING_DAYS, DeadlineRule, DisputeKind, Level
from governance.configuration.services import (
    audit_setting_change,
    city_area,
    require_city_administrator,
    whole_number,
)

DEADLINE_BOUNDS = (1, 365)


def deadline_rules_set(*, actor, working_days: dict) -> int:
    """Set the working days a level has to resolve a dispute, for every kind or for one:
    `working_days` maps (level, kind) — kind "" for any kind — to a number of working days,
    or to None to drop the rule (the default applies again). The rules hold for the whole
    city (the table has no county), so `actor` must administer the whole city. All or
    nothing: one bad value and nothing is written. Each change is audited with its old and
    new value. Returns how many rules changed; the next dispute registered uses them."""
    require_city_administrator(actor=actor)
    low, high = DEADLINE_BOUNDS
    clean, problems = {}, []
    for (level, kind), value in working_days.items():
        if level not in Level.values or (kind and kind not in DisputeKind.values):
            problems.append(_("Unknown level or kind of dispute."))
            continue
        label = f"{Level(level).label} · {DisputeKind(kind).label if kind else _('Any kind')}"
        if value is None:
            clean[(level, kind)] = None
            continue
        try:
            clean[(level, kind)] = whole_number(value, low=low, high=high, label=label)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems, code="invalid_deadline")
    changed = 0
    with transaction.atomic():
        current = {
            (rule.level, rule.kind): rule for rule in DeadlineRule.objects.select_for_update()
        }
        area = city_area()
        for (level, kind), value in clean.items():
            rule = current.get((level, kind))
            old = rule.working_days if rule else None
            if old == value:
                continue
            if value is None:
                rule.delete()
            elif rule is not None:
                rule.working_days = value
                rule.save(update_fields=["working_days"])
            else:
                DeadlineRule.objects.create(level=level, kind=kind, working_days=value)
            audit_setting_change(
                actor=actor,
                area=area,
                setting="dispute_deadline",
                key=f"{level}/{kind or '*'}",
                old=old,
                new=value,
                default=DEFAULT_WORKING_DAYS[level] if not kind else None,
            )
            changed += 1
    return changed
