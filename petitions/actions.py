"""The registry of petition actions: one entry per action names the statuses it starts from,
the status it leads to, who may take it, its guard, the page's form and the service that
performs it. The services check an entry through `cases.actions.take_action`, the page
shows the entries `available` to the person, and `petition_act` dispatches to them.

Capabilities (see `petitions.workflow`): `level_staff`, `assignee`, `superior`.
"""

from django.utils.translation import gettext_lazy as _

from cases.actions import CaseType
from cases.workflow import STAYS, Workflow, action
from petitions import forms, services
from petitions.models import Petition, PetitionEvent, PetitionStatus
from petitions.selectors import capabilities_for, petition_get_for_user_or_404
from petitions.workflow import (
    ASSIGNEE,
    LEVEL_STAFF,
    SUPERIOR,
    WORKING,
    can_go_down,
    level_above,
    review_window_over,
)

S = PetitionStatus

# --- Guards: a refusal message, or None when the action makes sense for the petition --------


def can_escalate(petition):
    if level_above(petition.level) is None:
        return _("The county is the highest level.")
    return None


def can_send_down(petition):
    if not can_go_down(petition):
        return _("There is no lower level to send it to.")
    return None


def can_extend(petition):
    if petition.extension_days:
        return _("The deadline was already extended once.")
    return None


def can_close(petition):
    if review_window_over(petition):
        return None
    if petition.review_request_due is None:
        return _("The petitioner may still request a review.")
    return _("The petitioner may still request a review until %(date)s.") % {
        "date": petition.review_request_due.isoformat()
    }


def can_answer_supervision(petition):
    if not petition.under_supervision:
        return _("There is no supervision to answer.")
    return None


PETITION_ACTIONS = Workflow(
    transitions=[
        action(
            "accept",
            _("Accept"),
            sources={S.RECEIVED},
            target=S.ACCEPTED,
            who={LEVEL_STAFF},
            form=forms.VersionedForm,
            service=services.petition_accept,
        ),
        action(
            "not_accept",
            _("Do not accept"),
            sources={S.RECEIVED},
            target=S.NOT_ACCEPTED,
            who={LEVEL_STAFF},
            form=forms.ReasonForm,
            service=services.petition_not_accept,
            style="outline-danger",
        ),
        action(
            "assign",
            _("Assign"),
            sources={S.ACCEPTED, S.ASSIGNED},
            target=S.ASSIGNED,
            who={LEVEL_STAFF},
            form=forms.AssignForm,
            service=services.petition_assign,
        ),
        action(
            "handle",
            _("Record the handling"),
            sources={S.ASSIGNED},
            target=S.HANDLED,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.OpinionForm,
            service=services.petition_handle,
        ),
        action(
            "reply",
            _("Reply"),
            sources={S.HANDLED},
            target=S.REPLIED,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.ReplyForm,
            service=services.petition_reply,
            style="success",
        ),
        action(
            "record_satisfied",
            _("Petitioner satisfied"),
            sources={S.REPLIED},
            target=S.SATISFIED,
            who={LEVEL_STAFF, ASSIGNEE},
            form=forms.SatisfactionForm,
            service=services.petition_record_satisfied,
            style="success",
        ),
        action(
            "request_review",
            _("Review requested"),
            sources={S.REPLIED},
            target=S.REVIEW_REQUESTED,
            who={LEVEL_STAFF, ASSIGNEE, SUPERIOR},
            form=forms.ReasonForm,
            service=services.petition_request_review,
            style="outline-warning",
        ),
        action(
            "review",
            _("Record the review"),
            sources={S.REVIEW_REQUESTED},
            target=S.REVIEWED,
            who={SUPERIOR},
            form=forms.OpinionForm,
            service=services.petition_review,
        ),
        action(
            "close",
            _("Close"),
            # A reply closes without the petitioner's word once no review was asked for in
            # time (the guard); otherwise it would stay open for ever.
            sources={S.SATISFIED, S.REVIEWED, S.NOT_ACCEPTED, S.REPLIED},
            target=S.CLOSED,
            who={LEVEL_STAFF, SUPERIOR},
            guard=can_close,
            form=forms.VersionedForm,
            service=services.petition_close,
            style="dark",
        ),
        action(
            "extend",
            _("Extend the conclusion deadline"),
            sources={S.ACCEPTED, S.ASSIGNED},
            target=STAYS,
            who={SUPERIOR},
            guard=can_extend,
            form=forms.ExtendForm,
            service=services.petition_extend,
            style="outline-secondary",
        ),
        action(
            "escalate",
            _("Escalate"),
            sources={S.RECEIVED, S.ACCEPTED, S.ASSIGNED},
            target=S.RECEIVED,
            who={LEVEL_STAFF},
            guard=can_escalate,
            form=forms.ReasonForm,
            service=services.petition_escalate,
            style="outline-warning",
        ),
        action(
            "send_down",
            _("Send down"),
            sources={S.RECEIVED, S.ACCEPTED},
            target=S.RECEIVED,
            who={LEVEL_STAFF},
            guard=can_send_down,
            form=forms.ReasonForm,
            service=services.petition_send_down,
            style="outline-secondary",
        ),
        action(
            "supervise",
            _("Supervise"),
            sources=WORKING | {S.REVIEW_REQUESTED},
            target=STAYS,
            who={SUPERIOR},
            form=forms.NoteForm,
            service=services.petition_supervise,
            style="outline-danger",
        ),
        action(
            "answer_supervision",
            _("Answer the supervision"),
            sources=WORKING | {S.REVIEW_REQUESTED, S.REPLIED},
            target=STAYS,
            who={LEVEL_STAFF, ASSIGNEE},
            guard=can_answer_supervision,
            form=forms.AnswerForm,
            service=services.petition_answer_supervision,
            style="secondary",
        ),
    ],
    status_labels=dict(PetitionStatus.choices),
)

PETITION = CaseType(
    model=Petition,
    event_model=PetitionEvent,
    keyword="petition",
    workflow=PETITION_ACTIONS,
    capabilities=capabilities_for,
    get_for_user_or_404=petition_get_for_user_or_404,
    template="petitions/detail.html",
    detail_url="petitions:detail",
    related=("area", "area__parent", "area__parent__parent"),
)

EVENT_LABELS = {
    "registered": _("Registered"),
    "linked": _("Linked to a dispute"),
    **{t.action: t.label for t in PETITION_ACTIONS},
}
