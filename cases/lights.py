"""The warning lights of every open case (dispute, petition, incident, summons), and the kinds
that carry one.

Each case app registers its kind in its AppConfig.ready() (`register_watched`): its case type
(`cases.actions.CaseType`: the model, its events, its page), its clocks
(`cases.clocks.CaseClocks`), the path to its area, and who answers for it; the case kit writes
the light's events. The light itself is `cases.clocks` read with the county's warning period
(`LightRule`, set on the county's settings page; the default where none is set). The board,
the lists, the nightly supervision job and the rollups all read the lights through here, so
they cannot disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.urls import reverse

from cases.actions import CaseType, record_event
from cases.clocks import CaseClocks, Light
from cases.levels import level_above
from cases.models import LightRule
from governance.selectors import covers, subtree_q

DEFAULT_WARNING_DAYS = 2
WARNING_DAYS_BOUNDS = (0, 30)


@dataclass(frozen=True)
class Watched:
    """One kind of thing with a light: a case type's cases, or something a case owes (a
    dispute's summons). What the case type already knows (its model, its events, its page,
    what to load with it) is read from it; what is left says only how the light differs."""

    key: str
    # The case type whose page a light links to and whose timeline records its events.
    case_type: CaseType
    clocks: CaseClocks
    # The path from the model to its Area, and the same for `select_related`.
    area_field: str
    # answers(user, obj) -> `user` answers a supervision of it (works it at its level).
    answers: Callable
    # staff(obj, level) -> whom a change at `level` concerns.
    staff: Callable
    label: str = ""
    # The model with the light when it is not the case itself, and its foreign key to the
    # case (a summons and its `dispute`).
    model: type | None = None
    case_field: str = ""
    # visible_to(user) -> the kind's one rule of who sees which (the model's own by default).
    visible_to: Callable[..., QuerySet] | None = None
    # level_of(obj) -> the level handling it, a `cases.levels.LEVELS_UPWARD` name.
    level_of: Callable | None = None
    # supervising_level(obj) -> the level that supervises it once it is red (the one above).
    supervising_level: Callable | None = None
    # assigned_to(user) -> the cases of this kind given to `user` to handle, in person or
    # through their department: "my cases" on the home page and the lists' filter.
    assigned_to: Callable[..., QuerySet] | None = None
    # What to load with a row for the board and the job (the case type's by default).
    related: tuple[str, ...] | None = None

    def __post_init__(self):
        model = self.model or self.case_type.model
        level_of = self.level_of or (lambda obj: obj.level)
        defaults = {
            "model": model,
            "visible_to": lambda user: model.objects.visible_to(user),
            "level_of": level_of,
            "supervising_level": lambda obj: level_above(level_of(obj)),
            "related": self.case_type.related,
        }
        for name, value in defaults.items():
            if getattr(self, name) is None:
                # Frozen: the defaults are filled once, here.
                object.__setattr__(self, name, value)

    def area(self, obj):
        for part in self.area_field.split("__"):
            obj = getattr(obj, part)
        return obj

    def case(self, obj):
        """The case whose light `obj` carries (`obj` itself for a case)."""
        return getattr(obj, self.case_field) if self.case_field else obj

    def url(self, obj) -> str:
        """The page of the case, which shows the light."""
        pk = getattr(obj, f"{self.case_field}_id") if self.case_field else obj.pk
        return reverse(self.case_type.detail_url, args=[pk])

    def record(self, obj, actor, kind: str, note: str) -> None:
        """An event of the light (a supervision opened, instructed, answered) on the case's
        timeline."""
        record_event(self.case_type, case=self.case(obj), actor=actor, kind=kind, note=note)


WATCHED: dict[str, Watched] = {}


def register_watched(watched: Watched) -> None:
    WATCHED.setdefault(watched.key, watched)


def watched_for(obj) -> Watched | None:
    return next((w for w in WATCHED.values() if isinstance(obj, w.model)), None)


class WarningPeriods:
    """The warning periods of every county, read once (one query) and asked per case."""

    def __init__(self):
        self._rules = None

    def rules(self) -> list:
        if self._rules is None:
            self._rules = list(
                LightRule.objects.select_related("county").order_by("county__lft", "kind")
            )
        return self._rules

    def days(self, key: str, area) -> int:
        """The warning period of kind `key` in the county of `area` (an area of the tree)."""
        for rule in self.rules():
            if rule.kind == key and area is not None and covers(rule.county, area):
                return rule.working_days
        return DEFAULT_WARNING_DAYS

    def light(self, obj, *, on: date) -> str | None:
        watched = watched_for(obj)
        if watched is None:
            return None
        days = self.days(watched.key, watched.area(obj))
        return watched.clocks.light(obj, on=on, warning_days=days)

    def light_q(self, key: str, light: str, *, on: date) -> Q:
        """The condition for the cases of kind `key` whose light on `on` is `light`: one
        condition per distinct warning period, each over the counties that set it."""
        watched = WATCHED[key]
        clocks = watched.clocks
        if light == Light.RED:
            return clocks.overdue_q(on=on)
        by_days: dict[int, list] = {}
        for rule in self.rules():
            if rule.kind == key and rule.working_days != DEFAULT_WARNING_DAYS:
                by_days.setdefault(rule.working_days, []).append(rule.county)
        condition = Q()
        elsewhere = Q()
        for days, counties in by_days.items():
            in_counties = Q()
            for county in counties:
                in_counties |= subtree_q(county, area_field=watched.area_field)
            elsewhere |= in_counties
            condition |= in_counties & clocks.light_q(light, on=on, warning_days=days)
        default = clocks.light_q(light, on=on, warning_days=DEFAULT_WARNING_DAYS)
        return condition | ((~elsewhere & default) if by_days else default)


def periods_for(request) -> WarningPeriods:
    """The warning periods, read once per request however many pages' parts ask."""
    if request is None:
        return WarningPeriods()
    periods = getattr(request, "_warning_periods", None)
    if periods is None:
        periods = request._warning_periods = WarningPeriods()
    return periods


def light_label(light: str | None) -> str:
    """A light in words, as a list's export writes it ("" for no light)."""
    return str(Light(light).label) if light else ""


def light_q(key: str, light: str, *, on: date) -> Q:
    return WarningPeriods().light_q(key, light, on=on)


def light_of(obj, *, on: date) -> str | None:
    return WarningPeriods().light(obj, on=on)
