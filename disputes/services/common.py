"""What the dispute services share: `_act`, through which every action goes (see the
package's docstring), and the helpers of several subjects."""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.actions import take_action
from cases.levels import staff_at_level
from disputes.models import Dispute, DisputeEvent, Level
from disputes.selectors import dispute_due_date
from governance.notifications import notify
from grids.models import GridAssignment


def staff_of_level(dispute: Dispute, level: str) -> list:
    """The people who staff `level` over `dispute`: whom a change at that level concerns."""
    if level == Level.GRID:
        if not dispute.grid_id:
            return []
        assignments = GridAssignment.objects.active_on(timezone.localdate()).filter(
            grid_id=dispute.grid_id
        )
        return [a.person for a in assignments.select_related("person")]
    return staff_at_level(dispute.village, level)


def _url(dispute: Dispute) -> str:
    return reverse("disputes:detail", args=[dispute.pk])


def _event(dispute, actor, kind, *, from_status, from_level="", note="", **details):
    return DisputeEvent.objects.create(
        dispute=dispute,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=dispute.status,
        from_level=from_level,
        to_level=dispute.level if from_level else "",
        note=note,
        details=details,
    )


def _level_change(before: dict, locked: Dispute) -> dict:
    """The event's own columns: the levels, when the action moved the dispute."""
    if before["level"] == locked.level:
        return {}
    return {"from_level": before["level"], "to_level": locked.level}


def _act(
    *,
    actor,
    dispute: Dispute,
    version: int | None,
    action: str,
    change: Callable[[Dispute], dict | None],
    note: str = "",
    event_kind: str | None = None,
) -> Dispute:
    """Apply `action` through the shared case machinery: `take_action` checks the action's
    entry in `disputes.actions` (status, who, guard) on the locked row."""
    # The registry names the services it dispatches to, so it is read when called.
    from disputes.actions import DISPUTE

    return take_action(
        DISPUTE,
        actor=actor,
        case=dispute,
        version=version,
        action=action,
        change=change,
        note=note,
        event_kind=event_kind,
        event_fields=_level_change,
    )


def _required(value, message):
    if value in (None, "", [], ()) or (isinstance(value, str) and not value.strip()):
        raise ValidationError(message)


def _move_level(locked: Dispute, to_level: str, actor, text: str, start: date | None = None):
    """Hand the dispute to another level: its handlers are released, its clock restarts from
    `start` (today by default). The event row records both levels in its own columns."""
    from_level = locked.level
    locked.level = to_level
    locked.due_on = dispute_due_date(locked, level=to_level, start=start)
    locked.extended = False
    locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    notify(
        recipients=staff_of_level(locked, from_level) + staff_of_level(locked, to_level),
        kind="level_changed",
        text=text % {"number": locked.number, "level": Level(to_level).label},
        url=_url(locked),
        exclude=actor,
    )
