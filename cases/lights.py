"""The warning lights of every open case (dispute, petition, incident, summons), and the kinds
that carry one.

Each case app registers its kind in its AppConfig.ready() (`register_watched`): its model, its
clocks (`cases.clocks.CaseClocks`), the path to its area, who sees which (its one rule), the
level handling one, and where its page is. The light itself is `cases.clocks` read with the
county's warning period (`LightRule`, set on the county's settings page; the default where
none is set). The board, the lists, the nightly supervision job and the rollups all read the
lights through here, so they cannot disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from cases.clocks import CaseClocks, Light
from cases.models import LightRule
from governance.selectors import covers, subtree_q

DEFAULT_WARNING_DAYS = 2
WARNING_DAYS_BOUNDS = (0, 30)


@dataclass(frozen=True)
class Watched:
    """One kind of case with a light."""

    key: str
    model: type
    clocks: CaseClocks
    # The path from the model to its Area, and the same for `select_related`.
    area_field: str
    # visible_to(user) -> the kind's one rule of who sees which.
    visible_to: Callable[..., QuerySet]
    # level_of(obj) -> the level handling it, a `cases.levels.LEVELS_UPWARD` name.
    level_of: Callable
    # supervising_level(obj) -> the level that supervises it once it is red.
    supervising_level: Callable
    # url(obj) -> its page.
    url: Callable
    # answers(user, obj) -> `user` answers a supervision of it (works it at its level).
    answers: Callable
    # staff(obj, level) -> whom a change at `level` concerns.
    staff: Callable
    # record(obj, actor, kind, note) writes the event row on the case's timeline.
    record: Callable
    label: str = ""
    # assigned_to(user) -> the cases of this kind given to `user` to handle, in person or
    # through their department: "my cases" on the home page and the lists' filter.
    assigned_to: Callable[..., QuerySet] | None = None
    # What to load with a row for the board and the job (select_related paths).
    related: tuple[str, ...] = field(default_factory=tuple)

    def area(self, obj):
        for part in self.area_field.split("__"):
            obj = getattr(obj, part)
        return obj


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
