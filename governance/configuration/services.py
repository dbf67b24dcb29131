"""What every settings writer shares: who may change what, the bounds of a number, and the
audit entry with the old and the new value."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from governance.audit.models import AuditKind
from governance.audit.services import audit_record
from governance.models import Area, AreaLevel
from governance.selectors import administers_every_area
from governance.services import require_administrator_of


def require_county_administrator(*, actor, county: Area) -> None:
    """Refuse unless `county` is a county and `actor` administers it (at it or above it).
    `actor=None` is the operator at the command line."""
    if county.level != AreaLevel.COUNTY:
        raise ValidationError(_("Settings are kept per district or county."), code="not_county")
    require_administrator_of(actor=actor, area=county)


def require_city_administrator(*, actor) -> None:
    """Refuse unless `actor` administers the whole city: the settings that hold for every
    county are not one county's to change."""
    if actor is not None and not administers_every_area(user=actor):
        raise PermissionDenied(
            _("Only an administrator of the whole city can change this: it holds for every county.")
        )


def whole_number(value, *, low: int, high: int, label: str) -> int:
    """`value` if it is a whole number from `low` to `high`; otherwise a clear refusal."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            _("%(label)s must be a whole number from %(low)d to %(high)d.")
            % {"label": label, "low": low, "high": high},
            code="out_of_bounds",
        )
    return value


def city_area() -> Area | None:
    """The area a city-wide setting's audit entry belongs to: the top of the tree."""
    return Area.objects.filter(parent__isnull=True).order_by("tree_id").first()


def audit_setting_change(
    *, actor, area: Area | None, setting: str, key: str, old, new, default, note: str = ""
) -> None:
    """One audit entry per value changed: which setting, the value before and after (None:
    no value was set, the default applied), the default, and the reason given if any."""
    detail = {"setting": setting, "key": key, "old": old, "new": new, "default": default}
    if note:
        detail["note"] = note
    if actor is None:
        detail["via"] = "command line"
    audit_record(
        kind=AuditKind.SETTING_CHANGED,
        actor=actor,
        area=area,
        target=f"{setting} {key}".strip(),
        detail=detail,
    )
