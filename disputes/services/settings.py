"""The dispute settings: the calendar days each level has to resolve a dispute (city-wide), and
the days after its end before a county's disputes are revisited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from disputes.models import (
    DEFAULT_DAYS,
    DEFAULT_REVISIT_AFTER_DAYS,
    REVISIT_AFTER_BOUNDS,
    DeadlineRule,
    DisputeKind,
    Level,
    RevisitSetting,
)
from governance.configuration.services import (
    audit_setting_change,
    city_area,
    require_city_administrator,
    require_county_administrator,
    whole_number,
)

DEADLINE_BOUNDS = (1, 365)


def deadline_rules_set(*, actor, days: dict) -> int:
    """Set the calendar days a level has to resolve a dispute, for every kind or for one:
    `days` maps (level, kind) — kind "" for any kind — to a number of days, or to None to drop
    the rule (the default applies again). The rules hold for the whole city (the table has no
    county), so `actor` must administer the whole city. All or nothing: one bad value and
    nothing is written. Each change is audited with its old and new value. Returns how many
    rules changed; the next dispute registered uses them."""
    require_city_administrator(actor=actor)
    low, high = DEADLINE_BOUNDS
    clean, problems = {}, []
    for (level, kind), value in days.items():
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
            old = rule.days if rule else None
            if old == value:
                continue
            if value is None:
                rule.delete()
            elif rule is not None:
                rule.days = value
                rule.save(update_fields=["days"])
            else:
                DeadlineRule.objects.create(level=level, kind=kind, days=value)
            audit_setting_change(
                actor=actor,
                area=area,
                setting="dispute_deadline",
                key=f"{level}/{kind or '*'}",
                old=old,
                new=value,
                default=DEFAULT_DAYS[level] if not kind else None,
            )
            changed += 1
    return changed


def revisit_setting_set(*, actor, county, after_days) -> bool:
    """Set how many days after its end a dispute of `county` is revisited (None: back to the
    default). `actor` must administer the county. Audited; returns whether it changed."""
    require_county_administrator(actor=actor, county=county)
    low, high = REVISIT_AFTER_BOUNDS
    value = (
        None
        if after_days is None
        else whole_number(after_days, low=low, high=high, label=_("Revisit after (days)"))
    )
    with transaction.atomic():
        setting = RevisitSetting.objects.select_for_update().filter(county=county).first()
        old = setting.after_days if setting else None
        if old == value:
            return False
        if value is None:
            setting.delete()
        elif setting is not None:
            setting.after_days = value
            setting.save(update_fields=["after_days"])
        else:
            RevisitSetting.objects.create(county=county, after_days=value)
        audit_setting_change(
            actor=actor,
            area=county,
            setting="dispute_revisit_after",
            key=county.code,
            old=old,
            new=value,
            default=DEFAULT_REVISIT_AFTER_DAYS,
        )
    return True
