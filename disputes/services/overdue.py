"""The overdue job: escalating, one level, every dispute past its deadline."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import Dispute, Level
from disputes.services.common import _act, _move_level
from disputes.workflow import level_above


def escalate_overdue(*, today: date | None = None) -> int:
    """Escalate, one level, every open dispute whose deadline at its level has passed.

    Idempotent: an escalated dispute gets a fresh deadline at its new level, so running the
    job twice moves nothing twice; rows are locked and skipped if another run holds them.
    """
    today = today or timezone.localdate()
    moved = 0
    candidates = (
        Dispute.objects.overdue(on=today).exclude(level=Level.COUNTY).values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            locked = (
                Dispute.objects.select_for_update(skip_locked=True)
                .overdue(on=today)
                .filter(pk=pk)
                .exclude(level=Level.COUNTY)
                .first()
            )
            if locked is None:
                continue
            _act(
                actor=None,
                dispute=locked,
                version=locked.version,
                action="escalate",
                event_kind="auto_escalated",
                note=_("Overdue at the %(level)s since %(date)s.")
                % {"level": Level(locked.level).label, "date": locked.due_on.isoformat()},
                # The fresh deadline counts from the job's day, so a rerun for the same day
                # finds nothing overdue.
                change=lambda d: _move_level(
                    d,
                    level_above(d.level),
                    None,
                    _("Dispute %(number)s is overdue and was escalated to the %(level)s."),
                    start=today,
                ),
            )
            moved += 1
    return moved
