"""What the petition workflow is made of: the capabilities, the working statuses and the
levels. The registry of actions (who may do what, from which status, to which status, with
which form and service) is `petitions.actions`; the machinery is `cases.workflow`.

Capabilities (computed by `petitions.selectors.capabilities_for`):

- `level_staff`: works for the handling body: the centre at the petition's level over its
  area, or, once the petition was sent to a department (转送/交办), that department's
  liaisons ("谁主管、谁负责"). Accepts, handles, replies; reads the personal data whole.
- `centre`: staff of the centre at the petition's level over its area, whether or not it sent
  the petition to a department: sends it to a department, up or down.
- `assignee`: an active handler.
- `head`: the head of the handling body (the centre's head, `Membership.is_head`; a
  department's head, `Department.head`): approves the one extension.
- `superior`: works above the petition's level: supervises.
- `reviewer`: works at the level that reviews (复查) the handling body's reply: the level
  above the centre, or the county (or township) government's centre over its department.
- `second_reviewer`: works at the level above the reviewer (复核).
- `assisting`: village committee staff of the village concerned: helps at the source and
  records what was done, never accepts, handles or replies.
"""

from django.utils import timezone

from cases import levels
from cases.workflow import ASSIGNEE, LEVEL_STAFF, SUPERIOR
from petitions.models import PETITION_LEVEL_ORDER, PetitionStatus

S = PetitionStatus
WORKING = frozenset({S.RECEIVED, S.ACCEPTED, S.ASSIGNED, S.HANDLED})
CENTRE = "centre"
HEAD = "head"
REVIEWER = "reviewer"
SECOND_REVIEWER = "second_reviewer"
ASSISTING = "assisting"
# The capability names of the registry.
CAPABILITIES = (
    LEVEL_STAFF,
    CENTRE,
    ASSIGNEE,
    HEAD,
    SUPERIOR,
    REVIEWER,
    SECOND_REVIEWER,
    ASSISTING,
)


def level_above(level: str) -> str | None:
    return levels.level_above(level, order=PETITION_LEVEL_ORDER)


def level_below(level: str) -> str | None:
    return levels.level_below(level, order=PETITION_LEVEL_ORDER)


def _rank(level: str) -> int:
    return levels.LEVELS_UPWARD.index(level)


def can_go_down(petition) -> bool:
    """A petition goes down only to a level at or above the area it concerns: one about a
    whole county is not sent to a township."""
    target = level_below(petition.level)
    if target is None:
        return False
    return _rank(petition.area.level) <= _rank(target)


def review_level(petition) -> str:
    """The level that reviews (复查) the handling body's reply: the level above the centre
    that handled it; for a department, the centre of the government it belongs to."""
    if petition.department_id:
        return petition.department.area.level
    return levels.level_above(petition.level)


def second_review_level(petition) -> str | None:
    """The level that conducts the second review (复核): the one above the reviewer, or None
    when that is above the city (the province's, outside the portal)."""
    return levels.level_above(review_level(petition))


def review_window_over(petition) -> bool:
    """Whether a replied (or reviewed) petition is past its window to request a review (a
    second review); any other status has no window open."""
    if petition.status == S.REPLIED:
        due = petition.review_request_due
    elif petition.status == S.REVIEWED:
        if second_review_level(petition) is None:
            return True
        due = petition.second_review_request_due
    else:
        return True
    return due is not None and due < timezone.localdate()
