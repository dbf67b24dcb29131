"""The registry of petition actions: one entry per action names the statuses it starts from,
the status it leads to, who may take it, its guard, the page's form and the service that
performs it. The services check an entry through `cases.actions.take_action`, the page
shows the entries `available` to the person, and `petition_act` dispatches to them.

Capabilities (see `petitions.workflow`): `level_staff` (the handling body), `centre`,
`assignee`, `head`, `superior`, `reviewer`, `second_reviewer`, `assisting` (a village).
"""

from django.utils.translation import gettext_lazy as _

from cases.actions import CaseType
from cases.workflow import STAYS, Workflow, action
from petitions import forms, services
from petitions.models import Petition, PetitionEvent, PetitionStatus
from petitions.selectors import (
    capabilities_for,
    concluded_by_second_review,
    petition_get_for_user_or_404,
)
from petitions.workflow import (
    ASSIGNEE,
    ASSISTING,
    CENTRE,
    HEAD,
    LEVEL_STAFF,
    REVIEWER,
    SECOND_REVIEWER,
    SUPERIOR,
    WORKING,
    can_go_down,
    level_above,
    review_window_over,
    second_review_level,
)

S = PetitionStatus

# --- Guards: a refusal message, or None when the action makes sense for the petition --------


def can_accept(petition):
    final = concluded_by_second_review(petition)
    if final is not None:
        return _(
            "The matter was concluded by the second review of petition %(number)s on "
            "%(date)s; it is not accepted again."
        ) % {"number": final.number, "date": final.second_reviewed_on.isoformat()}
    return None


def at_the_centre(petition):
    if petition.department_id:
        return _("The petition was sent to a department, which handles it.")
    return None


def can_escalate(petition):
    if level_above(petition.level) is None:
        return _("The county is the highest level.")
    return at_the_centre(petition)


def can_send_down(petition):
    if not can_go_down(petition):
        return _("There is no lower level to send it to.")
    return at_the_centre(petition)


def can_request_extension(petition):
    if petition.extension_days:
        return _("The deadline was already extended once.")
    if petition.extension_requested_days:
        return _("An extension was already asked for and awaits the head's approval.")
    return None


def extension_awaits(petition):
    if not petition.extension_requested_days:
        return _("No extension was asked for.")
    return None


def can_request_second_review(petition):
    if second_review_level(petition) is None:
        return _("The second review is by the provincial level, outside the portal.")
    return None


def can_close(petition):
    if review_window_over(petition):
        return None
    if petition.status == S.REVIEWED:
        due = petition.second_review_request_due
        if due is None:
            return _("The petitioner may still request a second review.")
        return _("The petitioner may still request a second review until %(date)s.") % {
            "date": due.isoformat()
        }
    if petition.review_request_due is None:
        return _("The petitioner may still request a review.")
    return _("The petitioner may still request a review until %(date)s.") % {
        "date": petition.review_request_due.isoformat()
    }


def can_answer_supervision(petition):
    if not petition.under_supervision:
        return _("There is no supervision to answer.")
    return None


# Acceptance, handling and reply: the handling body (the centre, or the department it sent
# the petition to) and those it assigned; never a village committee, which assists.
PETITION_ACTIONS = Workflow(
    transitions=[
        action(
            "accept",
            _("Accept"),
            sources={S.RECEIVED},
            target=S.ACCEPTED,
            who={LEVEL_STAFF},
            guard=can_accept,
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
            "refer",
            _("Direct to a legal channel"),
            sources={S.RECEIVED},
            target=S.REFERRED,
            who={LEVEL_STAFF},
            form=forms.ReferForm,
            service=services.petition_refer,
            style="outline-danger",
        ),
        action(
            "send_to_department",
            _("Send to a department"),
            sources={S.RECEIVED, S.ACCEPTED, S.ASSIGNED},
            target=STAYS,
            who={CENTRE},
            guard=at_the_centre,
            form=forms.DepartmentForm,
            service=services.petition_send_to_department,
            style="outline-primary",
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
            "assist",
            _("Record the village's help"),
            sources=set(S.values) - {S.CLOSED},
            target=STAYS,
            who={ASSISTING},
            form=forms.AssistForm,
            service=services.petition_assist,
            style="outline-secondary",
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
            who={LEVEL_STAFF, ASSIGNEE, REVIEWER},
            form=forms.ReasonForm,
            service=services.petition_request_review,
            style="outline-warning",
        ),
        action(
            "review",
            _("Record the review"),
            sources={S.REVIEW_REQUESTED},
            target=S.REVIEWED,
            who={REVIEWER},
            form=forms.OpinionForm,
            service=services.petition_review,
        ),
        action(
            "request_second_review",
            _("Second review requested"),
            sources={S.REVIEWED},
            target=S.SECOND_REVIEW_REQUESTED,
            who={REVIEWER, SECOND_REVIEWER},
            guard=can_request_second_review,
            form=forms.ReasonForm,
            service=services.petition_request_second_review,
            style="outline-warning",
        ),
        action(
            "second_review",
            _("Record the second review"),
            sources={S.SECOND_REVIEW_REQUESTED},
            target=S.SECOND_REVIEWED,
            who={SECOND_REVIEWER},
            form=forms.OpinionForm,
            service=services.petition_second_review,
        ),
        action(
            "close",
            _("Close"),
            # A reply (a review's opinion) closes without the petitioner's word once no review
            # (second review) was asked for in time (the guard); else it would stay open.
            sources={
                S.SATISFIED,
                S.REVIEWED,
                S.SECOND_REVIEWED,
                S.NOT_ACCEPTED,
                S.REFERRED,
                S.REPLIED,
            },
            target=S.CLOSED,
            who={LEVEL_STAFF, CENTRE, SUPERIOR},
            guard=can_close,
            form=forms.VersionedForm,
            service=services.petition_close,
            style="dark",
        ),
        action(
            "request_extension",
            _("Ask to extend the conclusion deadline"),
            sources={S.ACCEPTED, S.ASSIGNED, S.HANDLED},
            target=STAYS,
            who={LEVEL_STAFF, ASSIGNEE},
            guard=can_request_extension,
            form=forms.ExtendForm,
            service=services.petition_request_extension,
            style="outline-secondary",
        ),
        action(
            "approve_extension",
            _("Approve the extension"),
            sources={S.ACCEPTED, S.ASSIGNED, S.HANDLED},
            target=STAYS,
            who={HEAD},
            guard=extension_awaits,
            form=forms.VersionedForm,
            service=services.petition_approve_extension,
            style="outline-success",
        ),
        action(
            "refuse_extension",
            _("Refuse the extension"),
            sources={S.ACCEPTED, S.ASSIGNED, S.HANDLED},
            target=STAYS,
            who={HEAD},
            guard=extension_awaits,
            form=forms.ReasonForm,
            service=services.petition_refuse_extension,
            style="outline-danger",
        ),
        action(
            "escalate",
            _("Escalate"),
            sources={S.RECEIVED, S.ACCEPTED, S.ASSIGNED},
            target=S.RECEIVED,
            who={CENTRE},
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
            who={CENTRE},
            guard=can_send_down,
            form=forms.ReasonForm,
            service=services.petition_send_down,
            style="outline-secondary",
        ),
        action(
            "supervise",
            _("Supervise"),
            sources=WORKING | {S.REVIEW_REQUESTED, S.SECOND_REVIEW_REQUESTED},
            target=STAYS,
            who={SUPERIOR},
            form=forms.NoteForm,
            service=services.petition_supervise,
            style="outline-danger",
        ),
        action(
            "answer_supervision",
            _("Answer the supervision"),
            sources=WORKING | {S.REVIEW_REQUESTED, S.SECOND_REVIEW_REQUESTED, S.REPLIED},
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
    related=("area", "area__parent", "area__parent__parent", "department__area"),
)

EVENT_LABELS = {
    "registered": _("Registered"),
    "linked": _("Linked to a dispute"),
    "level_changed": _("Moved to the township: a village does not handle petitions"),
    **{t.action: t.label for t in PETITION_ACTIONS},
}
