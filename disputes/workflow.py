"""The dispute workflow as data: who may do what, from which status, to which status.

Capabilities a person can hold over one dispute (computed by `capabilities_for`):
- `level_staff`: works at the level that now handles it (the grid's team, the village's
  staff and grid chief, the township centre, the county centre);
- `assignee`: an active handler (a person, or a liaison of an assigned department);
- `superior`: staff of a level above the one that handles it (may supervise, approve
  extensions, reopen);
- `summoned`: liaison of a department summoned to it that has not yet reported.
"""

from django.utils.translation import gettext_lazy as _

from disputes.models import LEVEL_ORDER, Level, Status
from governance import levels
from governance.workflow import ASSIGNEE, LEVEL_STAFF, SUPERIOR, Transition, Workflow
from governance.workflow import transition as _t

SUMMONED = "summoned"

WORKING = frozenset({Status.REGISTERED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION})
FINISHED = frozenset({Status.RESOLVED, Status.NOT_RESOLVED, Status.REVISITED, Status.CLOSED})


DISPUTE_WORKFLOW = Workflow(
    transitions=[
        _t("accept", _("Accept"), {Status.REGISTERED}, Status.ACCEPTED, {LEVEL_STAFF}),
        _t(
            "assign",
            _("Assign"),
            {Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION},
            Status.ASSIGNED,
            {LEVEL_STAFF},
            requires=("handler",),
        ),
        _t(
            "start_mediation",
            _("Start mediation"),
            {Status.ASSIGNED},
            Status.IN_MEDIATION,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("route",),
        ),
        _t(
            "record_session",
            _("Record a mediation session"),
            {Status.IN_MEDIATION},
            None,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("held_on", "participants"),
            style="secondary",
        ),
        _t(
            "resolve",
            _("Resolve"),
            {Status.IN_MEDIATION},
            Status.RESOLVED,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("outcome",),
            style="success",
        ),
        _t(
            "fail",
            _("Not resolved"),
            {Status.IN_MEDIATION},
            Status.NOT_RESOLVED,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("reason",),
            style="outline-danger",
        ),
        _t(
            "hand_back",
            _("Hand back"),
            {Status.ASSIGNED, Status.IN_MEDIATION},
            Status.ACCEPTED,
            {ASSIGNEE},
            requires=("reason",),
            style="outline-secondary",
        ),
        _t(
            "escalate",
            _("Escalate"),
            WORKING | {Status.NOT_RESOLVED},
            Status.REGISTERED,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("reason",),
            style="outline-warning",
        ),
        _t(
            "send_down",
            _("Send down"),
            {Status.REGISTERED, Status.ACCEPTED},
            Status.REGISTERED,
            {LEVEL_STAFF},
            requires=("reason",),
            style="outline-secondary",
        ),
        _t(
            "request_extension",
            _("Request an extension"),
            {Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION},
            None,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("working_days", "reason"),
            style="outline-secondary",
        ),
        _t(
            "decide_extension",
            _("Decide on the extension"),
            WORKING,
            None,
            {SUPERIOR},
            requires=("approved",),
            style="secondary",
        ),
        _t(
            "summon",
            _("Summon departments"),
            WORKING,
            None,
            {LEVEL_STAFF},
            requires=("departments", "due_on"),
            style="outline-primary",
        ),
        _t(
            "acknowledge_summons",
            _("Acknowledge the summons"),
            WORKING | FINISHED,
            None,
            {SUMMONED},
            style="secondary",
        ),
        _t(
            "report_summons",
            _("Report on the summons"),
            WORKING | FINISHED,
            None,
            {SUMMONED},
            requires=("report",),
            style="secondary",
        ),
        _t(
            "supervise",
            _("Supervise"),
            WORKING | {Status.NOT_RESOLVED},
            None,
            {SUPERIOR},
            requires=("note",),
            style="outline-danger",
        ),
        _t(
            "answer_supervision",
            _("Answer the supervision"),
            WORKING | FINISHED,
            None,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("answer",),
            style="secondary",
        ),
        _t(
            "revisit",
            _("Record the revisit"),
            {Status.RESOLVED, Status.NOT_RESOLVED},
            Status.REVISITED,
            {LEVEL_STAFF, ASSIGNEE},
            requires=("satisfaction",),
            style="success",
        ),
        _t("close", _("Close"), {Status.REVISITED}, Status.CLOSED, {LEVEL_STAFF}, style="dark"),
        _t(
            "reopen",
            _("Reopen"),
            FINISHED,
            Status.ACCEPTED,
            {LEVEL_STAFF, SUPERIOR},
            requires=("reason",),
            style="outline-secondary",
        ),
        _t(
            "merge",
            _("Merge into another dispute"),
            WORKING | {Status.NOT_RESOLVED},
            Status.MERGED,
            {LEVEL_STAFF},
            requires=("target",),
            style="outline-secondary",
        ),
    ],
    status_labels=dict(Status.choices),
)

# Event kinds that are not actions of the table.
EVENT_LABELS = {
    "registered": _("Registered"),
    "auto_escalated": _("Escalated automatically (overdue)"),
    "merged_in": _("Another dispute merged into this one"),
    "attachment": _("Attachment added"),
    "extension_approved": _("Extension approved"),
    "extension_refused": _("Extension refused"),
    **{t.action: t.label for t in DISPUTE_WORKFLOW.transitions},
}

# Who staffs each level, and who is above it, is `governance.levels` (LEVEL_ROLES).


def level_above(level: str) -> str | None:
    return levels.level_above(level, order=LEVEL_ORDER)


def level_below(level: str) -> str | None:
    return levels.level_below(level, order=LEVEL_ORDER)


def _pending_extension(dispute) -> bool:
    return dispute.extensions.filter(approved__isnull=True).exists()


# Conditions beyond the status under which an action makes sense; the services enforce the
# same conditions with a clear message, the page uses them to show only useful buttons.
ACTION_GUARDS = {
    "escalate": lambda dispute: level_above(dispute.level) is not None,
    "send_down": lambda dispute: (
        level_below(dispute.level) is not None
        and (level_below(dispute.level) != Level.GRID or dispute.grid_id is not None)
    ),
    "answer_supervision": lambda dispute: dispute.under_supervision,
    "request_extension": lambda dispute: not dispute.extended and not _pending_extension(dispute),
    "decide_extension": _pending_extension,
}


def available_actions(*, dispute, capabilities) -> list[Transition]:
    return [
        transition
        for transition in DISPUTE_WORKFLOW.available(
            status=dispute.status, capabilities=capabilities
        )
        if ACTION_GUARDS.get(transition.action, lambda d: True)(dispute)
    ]
