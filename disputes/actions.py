"""The registry of dispute actions: one entry per action names the statuses it starts from,
the status it leads to, who may take it, its guard, the page's form and the service that
performs it. The services check an entry through `cases.actions.take_action`, the page
shows the entries `available` to the person, and `dispute_act` dispatches to them.

Capabilities (see `disputes.workflow`): `level_staff`, `assignee`, `superior`, `summoned`.
"""

from django.utils.translation import gettext_lazy as _

from cases.actions import CaseType
from cases.workflow import STAYS, Workflow, action
from disputes import forms, services
from disputes.models import Dispute, DisputeEvent, Level, Status
from disputes.selectors import capabilities_for, dispute_get_for_user_or_404
from disputes.workflow import (
    ASSIGNEE,
    FINISHED,
    LEVEL_STAFF,
    SUMMONED,
    SUPERIOR,
    WORKING,
    level_above,
    level_below,
)

# --- Guards: a refusal message, or None when the action makes sense for the dispute ---------


def can_escalate(dispute):
    if level_above(dispute.level) is None:
        return _("The county is the highest level.")
    return None


def can_send_down(dispute):
    below = level_below(dispute.level)
    if below is None or (below == Level.GRID and not dispute.grid_id):
        return _("There is no lower level to send it to.")
    return None


def can_request_extension(dispute):
    if dispute.extended:
        return _("The deadline at this level was already extended.")
    if dispute.extensions.filter(approved__isnull=True).exists():
        return _("An extension request is already pending.")
    return None


def can_decide_extension(dispute):
    if not dispute.extensions.filter(approved__isnull=True).exists():
        return _("There is no pending extension request.")
    return None


def can_answer_supervision(dispute):
    if not dispute.under_supervision:
        return _("There is no supervision to answer.")
    return None


DISPUTE_ACTIONS = Workflow(
    transitions=[
        action(
            "accept",
            _("Accept"),
            sources={Status.REGISTERED},
            target=Status.ACCEPTED,
            who={LEVEL_STAFF},
            form=forms.VersionedForm,
            service=services.dispute_accept,
        ),
        action(
            "assign",
            _("Assign"),
            sources={Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION},
            target=Status.ASSIGNED,
            who={LEVEL_STAFF},
            form=forms.AssignForm,
            service=services.dispute_assign,
        ),
        action(
            "start_mediation",
            _("Start mediation"),
            sources={Status.ASSIGNED},
            target=Status.IN_MEDIATION,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.RouteForm,
            service=services.dispute_start_mediation,
        ),
        action(
            "record_session",
            _("Record a mediation session"),
            sources={Status.IN_MEDIATION},
            target=STAYS,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.SessionForm,
            service=services.dispute_record_session,
            style="secondary",
        ),
        action(
            "resolve",
            _("Resolve"),
            sources={Status.IN_MEDIATION},
            target=Status.RESOLVED,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.ResolveForm,
            service=services.dispute_resolve,
            style="success",
        ),
        action(
            "fail",
            _("Not resolved"),
            sources={Status.IN_MEDIATION},
            target=Status.NOT_RESOLVED,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.ReasonForm,
            service=services.dispute_fail,
            style="outline-danger",
        ),
        action(
            "hand_back",
            _("Hand back"),
            sources={Status.ASSIGNED, Status.IN_MEDIATION},
            target=Status.ACCEPTED,
            who={ASSIGNEE},
            form=forms.ReasonForm,
            service=services.dispute_hand_back,
            style="outline-secondary",
        ),
        action(
            "escalate",
            _("Escalate"),
            sources=WORKING | {Status.NOT_RESOLVED},
            target=Status.REGISTERED,
            who={LEVEL_STAFF, ASSIGNEE},
            guard=can_escalate,
            form=forms.ReasonForm,
            service=services.dispute_escalate,
            style="outline-warning",
        ),
        action(
            "send_down",
            _("Send down"),
            sources={Status.REGISTERED, Status.ACCEPTED},
            target=Status.REGISTERED,
            who={LEVEL_STAFF},
            guard=can_send_down,
            form=forms.ReasonForm,
            service=services.dispute_send_down,
            style="outline-secondary",
        ),
        action(
            "request_extension",
            _("Request an extension"),
            sources={Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION},
            target=STAYS,
            who={LEVEL_STAFF, ASSIGNEE},
            guard=can_request_extension,
            form=forms.ExtensionForm,
            service=services.dispute_request_extension,
            style="outline-secondary",
        ),
        action(
            "decide_extension",
            _("Decide on the extension"),
            sources=WORKING,
            target=STAYS,
            who={SUPERIOR},
            guard=can_decide_extension,
            form=forms.DecideExtensionForm,
            service=services.dispute_decide_extension,
            style="secondary",
        ),
        action(
            "summon",
            _("Summon departments"),
            sources=WORKING,
            target=STAYS,
            who={LEVEL_STAFF},
            form=forms.SummonForm,
            service=services.dispute_summon,
            style="outline-primary",
        ),
        action(
            "acknowledge_summons",
            _("Acknowledge the summons"),
            sources=WORKING | FINISHED,
            target=STAYS,
            who={SUMMONED},
            form=forms.VersionedForm,
            service=services.summons_acknowledge,
            style="secondary",
        ),
        action(
            "report_summons",
            _("Report on the summons"),
            sources=WORKING | FINISHED,
            target=STAYS,
            who={SUMMONED},
            form=forms.SummonsReportForm,
            service=services.summons_report,
            style="secondary",
        ),
        action(
            "supervise",
            _("Supervise"),
            sources=WORKING | {Status.NOT_RESOLVED},
            target=STAYS,
            who={SUPERIOR},
            form=forms.NoteForm,
            service=services.dispute_supervise,
            style="outline-danger",
        ),
        action(
            "answer_supervision",
            _("Answer the supervision"),
            sources=WORKING | FINISHED,
            target=STAYS,
            who={LEVEL_STAFF, ASSIGNEE},
            guard=can_answer_supervision,
            form=forms.AnswerForm,
            service=services.supervision_answer,
            style="secondary",
        ),
        action(
            "revisit",
            _("Record the revisit"),
            sources={Status.RESOLVED, Status.NOT_RESOLVED},
            target=Status.REVISITED,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.RevisitForm,
            service=services.dispute_revisit,
            style="success",
        ),
        action(
            "close",
            _("Close"),
            sources={Status.REVISITED},
            target=Status.CLOSED,
            who={LEVEL_STAFF},
            form=forms.VersionedForm,
            service=services.dispute_close,
            style="dark",
        ),
        action(
            "reopen",
            _("Reopen"),
            sources=FINISHED,
            target=Status.ACCEPTED,
            who={LEVEL_STAFF, SUPERIOR},
            form=forms.ReasonForm,
            service=services.dispute_reopen,
            style="outline-secondary",
        ),
        action(
            "merge",
            _("Merge into another dispute"),
            sources=WORKING | {Status.NOT_RESOLVED},
            target=Status.MERGED,
            who={LEVEL_STAFF},
            form=forms.MergeForm,
            service=services.dispute_merge,
            style="outline-secondary",
        ),
    ],
    status_labels=dict(Status.choices),
)

DISPUTE = CaseType(
    model=Dispute,
    event_model=DisputeEvent,
    keyword="dispute",
    workflow=DISPUTE_ACTIONS,
    capabilities=lambda *, user, case: capabilities_for(user=user, dispute=case),
    get_for_user_or_404=dispute_get_for_user_or_404,
    template="disputes/detail.html",
    detail_url="disputes:detail",
    related=("village", "village__parent", "village__parent__parent"),
    changed_message=_(
        "Someone else changed this dispute while you were working on it. "
        "Nothing was saved: look at its new state, then try again."
    ),
)

# Event kinds that are not actions of the registry.
EVENT_LABELS = {
    "registered": _("Registered"),
    "auto_escalated": _("Escalated automatically (overdue)"),
    "merged_in": _("Another dispute merged into this one"),
    "attachment": _("Attachment added"),
    "extension_approved": _("Extension approved"),
    "extension_refused": _("Extension refused"),
    # A wrongly typed case converted either way (written by the incidents app).
    "converted_to_incident": _("Converted to an incident"),
    "converted_from_incident": _("Converted from an incident"),
    **{t.action: t.label for t in DISPUTE_ACTIONS},
}
