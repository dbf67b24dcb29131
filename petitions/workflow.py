"""The petition workflow as data (the machinery is `governance.workflow`).

Capabilities: `level_staff` (works at the level that handles it), `assignee` (an active
handler), `superior` (works above that level: supervises, approves the one extension).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance import levels
from governance.workflow import ASSIGNEE, LEVEL_STAFF, SUPERIOR, Transition, Workflow
from governance.workflow import transition as _t
from petitions.models import PETITION_LEVEL_ORDER, PetitionStatus

S = PetitionStatus
WORKING = frozenset({S.RECEIVED, S.ACCEPTED, S.ASSIGNED, S.HANDLED})


PETITION_WORKFLOW = Workflow(
    transitions=[
        _t("accept", _("Accept"), {S.RECEIVED}, S.ACCEPTED, {LEVEL_STAFF}),
        _t(
            "not_accept",
            _("Do not accept"),
            {S.RECEIVED},
            S.NOT_ACCEPTED,
            {LEVEL_STAFF},
            requires=("reason",),
            style="outline-danger",
        ),
        _t(
            "assign",
            _("Assign"),
            {S.ACCEPTED, S.ASSIGNED},
            S.ASSIGNED,
            {LEVEL_STAFF},
            requires=("person",),
        ),
        _t(
            "handle",
            _("Record the handling"),
            {S.ASSIGNED},
            S.HANDLED,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("opinion",),
        ),
        _t(
            "reply",
            _("Reply"),
            {S.HANDLED},
            S.REPLIED,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("reply",),
            style="success",
        ),
        _t(
            "record_satisfied",
            _("Petitioner satisfied"),
            {S.REPLIED},
            S.SATISFIED,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("satisfaction",),
            style="success",
        ),
        _t(
            "request_review",
            _("Review requested"),
            {S.REPLIED},
            S.REVIEW_REQUESTED,
            {LEVEL_STAFF, ASSIGNEE, SUPERIOR},
            requires=("reason",),
            style="outline-warning",
        ),
        _t(
            "review",
            _("Record the review"),
            {S.REVIEW_REQUESTED},
            S.REVIEWED,
            {SUPERIOR},
            requires=("opinion",),
        ),
        _t(
            "close",
            _("Close"),
            # A reply closes without the petitioner's word once no review was asked for in
            # time (ACTION_GUARDS); otherwise it would stay open for ever.
            {S.SATISFIED, S.REVIEWED, S.NOT_ACCEPTED, S.REPLIED},
            S.CLOSED,
            {LEVEL_STAFF, SUPERIOR},
            style="dark",
        ),
        _t(
            "extend",
            _("Extend the conclusion deadline"),
            {S.ACCEPTED, S.ASSIGNED},
            None,
            {SUPERIOR},
            requires=("days", "reason"),
            style="outline-secondary",
        ),
        _t(
            "escalate",
            _("Escalate"),
            {S.RECEIVED, S.ACCEPTED, S.ASSIGNED},
            S.RECEIVED,
            {LEVEL_STAFF},
            requires=("reason",),
            style="outline-warning",
        ),
        _t(
            "send_down",
            _("Send down"),
            {S.RECEIVED, S.ACCEPTED},
            S.RECEIVED,
            {LEVEL_STAFF},
            requires=("reason",),
            style="outline-secondary",
        ),
        _t(
            "supervise",
            _("Supervise"),
            WORKING | {S.REVIEW_REQUESTED},
            None,
            {SUPERIOR},
            requires=("note",),
            style="outline-danger",
        ),
        _t(
            "answer_supervision",
            _("Answer the supervision"),
            WORKING | {S.REVIEW_REQUESTED, S.REPLIED},
            None,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("answer",),
            style="secondary",
        ),
    ],
    status_labels=dict(PetitionStatus.choices),
)

EVENT_LABELS = {
    "registered": _("Registered"),
    "linked": _("Linked to a dispute"),
    **{t.action: t.label for t in PETITION_WORKFLOW.transitions},
}


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


ACTION_GUARDS = {
    "escalate": lambda petition: level_above(petition.level) is not None,
    "send_down": lambda petition: can_go_down(petition),
    "answer_supervision": lambda petition: petition.under_supervision,
    "extend": lambda petition: petition.extension_days == 0,
    "close": review_window_over,
}


def available_actions(*, petition, capabilities) -> list[Transition]:
    return [
        transition
        for transition in PETITION_WORKFLOW.available(
            status=petition.status, capabilities=capabilities
        )
        if ACTION_GUARDS.get(transition.action, lambda p: True)(petition)
    ]
