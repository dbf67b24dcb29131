"""The clocks of a case: which deadline is running, and when it falls due. One definition of
"overdue" per case type, read by the case page, the lists and queues, the jobs and the rollup.

A case type describes its clocks as data (`CaseClocks`): the statuses in which a case is
still being worked, and, in order, each clock with the field holding its due date and the
field recording the day it was met. A clock runs while the case is open, its due date is set
and it has not been met; a case is overdue on a day when its running clock fell due before
that day (the due day itself is still on time). The same description gives the database
condition (`overdue_q`) and the answer for one case in memory (`running`), so the two cannot
disagree.

The warning lights belong here too: they are a reading of `RunningClock` on a day. Every
open case shows green; yellow when at most N working days remain before its due date (N is set
per county and kind of case on the settings page, `cases.lights`); red once it is overdue, as
defined above. A case whose clock is not running (finished, or no deadline) has no light. The
database conditions (`light_q`) give the same answer, so lists and rollups count lights without
loading rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.workdays import add_working_days


class Light(models.TextChoices):
    """The warning light of an open case."""

    GREEN = "green", _("On time")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")


def warning_limit(on: date, working_days: int) -> date:
    """The last due date that shows yellow on `on`: at most `working_days` working days remain
    (the working days after `on` up to the due date; the due day itself counted when it is a
    working day). A due date on the weekend after the last of them is still within them."""
    return add_working_days(on, working_days + 1) - timedelta(days=1)


@dataclass(frozen=True)
class ClockSpec:
    """One deadline of a case type: its name, its label, the field with its due date and the
    field with the day it was met (None: it runs until the case leaves the open statuses)."""

    name: str
    label: str
    due_field: str
    done_field: str | None = None

    def running_q(self) -> Q:
        condition = Q(**{f"{self.due_field}__isnull": False})
        if self.done_field:
            condition &= Q(**{f"{self.done_field}__isnull": True})
        return condition

    def is_running(self, case) -> bool:
        return getattr(case, self.due_field) is not None and (
            self.done_field is None or getattr(case, self.done_field) is None
        )


@dataclass(frozen=True)
class RunningClock:
    """The deadline a case is working to now."""

    name: str
    label: str
    due: date

    def overdue(self, on: date) -> bool:
        """Past due on `on`: the due day itself is still on time."""
        return self.due < on

    def due_within(self, first: date, last: date) -> bool:
        return first <= self.due <= last

    def light(self, on: date, *, warning_days: int) -> str:
        """Red when overdue on `on`, yellow when at most `warning_days` working days remain,
        green otherwise."""
        if self.overdue(on):
            return Light.RED
        if self.due <= warning_limit(on, warning_days):
            return Light.YELLOW
        return Light.GREEN


class CaseClocks:
    """The clocks of one case type. At most one runs at a time (each starts when the one
    before it was met); if the data ever held two, the first listed counts.

    `open_statuses` None: the object has no status (a summons), and is open while its clock
    runs."""

    def __init__(self, *, open_statuses: Iterable[str] | None, clocks: Iterable[ClockSpec]):
        self.open_statuses = None if open_statuses is None else frozenset(open_statuses)
        self.clocks = tuple(clocks)

    def spec(self, name: str) -> ClockSpec:
        return next(clock for clock in self.clocks if clock.name == name)

    def open_q(self) -> Q:
        if self.open_statuses is None:
            return Q()
        return Q(status__in=self.open_statuses)

    def running(self, case) -> RunningClock | None:
        """Which clock of `case` is running, and its due date; None when none runs."""
        if self.open_statuses is not None and case.status not in self.open_statuses:
            return None
        for clock in self.clocks:
            if clock.is_running(case):
                return RunningClock(clock.name, clock.label, getattr(case, clock.due_field))
        return None

    def is_overdue(self, case, *, on: date) -> bool:
        clock = self.running(case)
        return clock is not None and clock.overdue(on)

    def _due_q(self, lookup: str, value) -> Q:
        """Open cases whose running clock's due date meets `lookup` (e.g. `lt`)."""
        either = Q()
        earlier = Q()
        for clock in self.clocks:
            # A clock counts only where no clock listed before it runs, as in `running`.
            either |= clock.running_q() & ~earlier & Q(**{f"{clock.due_field}__{lookup}": value})
            earlier |= clock.running_q()
        return self.open_q() & either

    def overdue_q(self, *, on: date) -> Q:
        return self._due_q("lt", on)

    def due_within_q(self, first: date, last: date) -> Q:
        return self._due_q("range", (first, last))

    def light(self, case, *, on: date, warning_days: int) -> str | None:
        """The light of `case` on `on`; None when no clock runs."""
        clock = self.running(case)
        return None if clock is None else clock.light(on, warning_days=warning_days)

    def light_q(self, light: str, *, on: date, warning_days: int) -> Q:
        """The open cases whose light on `on` is `light`, as `light` reads it."""
        limit = warning_limit(on, warning_days)
        if light == Light.RED:
            return self.overdue_q(on=on)
        if light == Light.YELLOW:
            return self.due_within_q(on, limit)
        if light == Light.GREEN:
            return self._due_q("gt", limit)
        raise ValueError(light)
