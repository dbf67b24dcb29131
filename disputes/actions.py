"""The registry of dispute actions: one entry per action names the statuses it starts from,
the status it leads to, who may take it, its guard, the page's form and the service that
performs it. The services check an entry through `cases.actions.take_action`, the page
shows the entries `available` to the person, and `dispute_act` dispatches to them.

Capabilities (see `disputes.workflow`): `level_staff`, `assignee`, `superior`, `summoned`,
`revisitor`.

A dispute ends in one of two ways: `resolve` (mediated successfully: a written or oral
agreement, the only end that counts as resolved) or `terminate` (withdrawn, referred to a
court or an arbitration commission with its case number, or no agreement). A successful one is
revisited (`revisit`) by an independent revisit officer; a revisit that finds the parties
dissatisfied or the agreement not carried out sends it back to work (`return`, 回头办).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.actions import CaseType
from cases.workflow import STAYS, Workflow, action
from disputes import forms, services
from disputes.models import Dispute, DisputeEvent, Level, Outcome, Status
from disputes.selectors import (
    capabilities_for,
    dispute_get_for_user_or_404,
    revisit_due_on,
    revisit_sends_back,
)
from disputes.workflow import (
    ASSIGNEE,
    FINISHED,
    LEVEL_STAFF,
    REVISITOR,
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
    if dispute.status == Status.TERMINATED and dispute.outcome != Outcome.NOT_AGREED:
        return _("A withdrawn or referred dispute is not escalated.")
    return None


def can_merge(dispute):
    if dispute.status == Status.TERMINATED and dispute.outcome != Outcome.NOT_AGREED:
        return _("A withdrawn or referred dispute is not merged.")
    return None


def can_extend(dispute):
    if dispute.court_due_on:
        return _("A court-referred dispute works to the court's deadline.")
    if dispute.extended:
        return _("The deadline at this level was already extended.")
    return None


def can_revisit(dispute):
    due = revisit_due_on(dispute)
    if due is not None and due > timezone.localdate():
        return _("The revisit comes no earlier than %(day)s.") % {"day": due.isoformat()}
    return None


def must_return(dispute):
    if not revisit_sends_back(dispute):
        return _("The last revisit found the parties satisfied and the agreement carried out.")
    return None


def can_send_down(dispute):
    below = level_below(dispute.level)
    if below is None or (below == Level.GRID and not dispute.grid_id):
        return _("There is no lower level to send it to.")
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
            _("Mediated successfully"),
            sources={Status.IN_MEDIATION},
            target=Status.RESOLVED,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.ResolveForm,
            service=services.dispute_resolve,
            style="success",
        ),
        action(
            "terminate",
            _("Terminate the mediation"),
            sources={Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION},
            target=Status.TERMINATED,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.TerminateForm,
            service=services.dispute_terminate,
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
            sources=WORKING | {Status.TERMINATED},
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
            "extend",
            _("Extend with the parties' consent"),
            sources={Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION},
            target=STAYS,
            who={LEVEL_STAFF, ASSIGNEE},
            guard=can_extend,
            form=forms.ExtensionForm,
            service=services.dispute_extend,
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
            sources=WORKING | {Status.TERMINATED},
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
            sources={Status.RESOLVED},
            target=Status.REVISITED,
            who={REVISITOR},
            guard=can_revisit,
            form=forms.RevisitForm,
            service=services.dispute_revisit,
            style="success",
        ),
        # 回头办: taken by the revisit service itself, in the revisit's transaction, when the
        # revisit found the parties dissatisfied or the agreement not (wholly) carried out.
        action(
            "return",
            _("Send back to work (回头办)"),
            sources={Status.REVISITED},
            target=Status.ACCEPTED,
            who={REVISITOR},
            guard=must_return,
            form=forms.VersionedForm,
            service=services.dispute_return,
            style="outline-danger",
        ),
        action(
            "close",
            _("Close"),
            sources={Status.REVISITED, Status.TERMINATED},
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
            sources=WORKING | {Status.TERMINATED},
            target=Status.MERGED,
            who={LEVEL_STAFF},
            guard=can_merge,
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
    # Actions of the registry before outcomes were made honest: kept for the old events.
    "fail": _("Not resolved"),
    "request_extension": _("Request an extension"),
    **{t.action: t.label for t in DISPUTE_ACTIONS},
}
