"""What the petition workflow is made of: the capabilities, the working statuses and the
levels. The registry of actions (who may do what, from which status, to which status, with
which form and service) is `petitions.actions`; the machinery is `cases.workflow`.

Capabilities: `level_staff` (works at the level that handles it), `assignee` (an active
handler), `superior` (works above that level: supervises, approves the one extension).
"""

from django.utils import timezone

from cases import levels
from cases.workflow import ASSIGNEE, LEVEL_STAFF, SUPERIOR
from petitions.models import PETITION_LEVEL_ORDER, PetitionStatus

S = PetitionStatus
WORKING = frozenset({S.RECEIVED, S.ACCEPTED, S.ASSIGNED, S.HANDLED})
# The capability names of the registry.
CAPABILITIES = (LEVEL_STAFF, ASSIGNEE, SUPERIOR)


def level_above(level: str) -> str | None:
    return levels.level_above(level, order=PETITION_LEVEL_ORDER)


def level_below(level: str) -> str | None:
    return levels.level_below(level, order=PETITION_LEVEL_ORDER)


def can_go_down(petition) -> bool:
    """A petition goes down only to a level at or above the area it concerns: one about a
    whole township is not sent to a village."""
    target = level_below(petition.level)
    if target is None:
        return False
    return PETITION_LEVEL_ORDER.index(petition.area.level) <= PETITION_LEVEL_ORDER.index(target)


def review_window_over(petition) -> bool:
    """Whether a replied petition is past its window to request a review (any other status
    has no window open)."""
    if petition.status != S.REPLIED:
        return True
    due = petition.review_request_due
    return due is not None and due < timezone.localdate()
