"""The registry of incident actions: one entry per action names the statuses it starts from,
the status it leads to, who may take it, its guard, the page's form and the service that
performs it (docs/architecture.md, rule 3).

    new / returned ──dispatch──▶ dispatched ──sign_in──▶ signed_in ──handle──▶ handled
    dispatched ──return (before the sign-in due)──▶ returned
    handled ──check: passed──▶ closed;  failed──▶ signed_in (rework, counted)
    dispatched / signed_in ──dispatch (taken over)──▶ dispatched
    any open status ──convert_to_dispute──▶ converted (a dispute goes on: incidents.conversion)
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.actions import CaseType
from cases.workflow import STAYS, Workflow, action
from incidents import conversion, forms, services
from incidents.models import OPEN_INCIDENT_STATUSES, Incident, IncidentEvent, IncidentStatus
from incidents.selectors import capabilities_for, incident_get_for_user_or_404
from incidents.workflow import CHECKER, DISPATCHER, UNIT

S = IncidentStatus


def within_sign_in_clock(incident):
    if incident.sign_in_due is not None and timezone.localdate() > incident.sign_in_due:
        return _("The time to return it has passed (%(date)s): handle it.") % {
            "date": incident.sign_in_due.isoformat()
        }
    return None


INCIDENT_ACTIONS = Workflow(
    transitions=[
        action(
            "dispatch",
            _("Dispatch"),
            sources={S.NEW, S.RETURNED, S.DISPATCHED, S.SIGNED_IN},
            target=S.DISPATCHED,
            who={DISPATCHER},
            form=forms.DispatchForm,
            service=services.incident_dispatch,
        ),
        action(
            "sign_in",
            _("Sign for it"),
            sources={S.DISPATCHED},
            target=S.SIGNED_IN,
            who={UNIT},
            form=forms.VersionedForm,
            service=services.incident_sign_in,
            style="success",
        ),
        action(
            "return",
            _("Return: not ours"),
            sources={S.DISPATCHED},
            target=S.RETURNED,
            who={UNIT},
            guard=within_sign_in_clock,
            form=forms.ReasonForm,
            service=services.incident_return,
            style="outline-warning",
        ),
        action(
            "handle",
            _("Record what was done"),
            sources={S.SIGNED_IN},
            target=S.HANDLED,
            who={UNIT},
            form=forms.HandleForm,
            service=services.incident_handle,
        ),
        action(
            "check",
            _("Check on the spot"),
            sources={S.HANDLED},
            target=STAYS,
            who={CHECKER},
            form=forms.CheckForm,
            service=services.incident_check,
            style="success",
        ),
        action(
            "convert_to_dispute",
            _("Convert to a dispute"),
            sources=OPEN_INCIDENT_STATUSES,
            target=S.CONVERTED,
            who={DISPATCHER},
            guard=conversion.finding_not_yet_a_dispute,
            form=conversion.ConvertToDisputeForm,
            service=conversion.incident_convert_to_dispute,
            style="outline-secondary",
        ),
    ],
    status_labels=dict(IncidentStatus.choices),
)

INCIDENT = CaseType(
    model=Incident,
    event_model=IncidentEvent,
    keyword="incident",
    workflow=INCIDENT_ACTIONS,
    capabilities=capabilities_for,
    get_for_user_or_404=incident_get_for_user_or_404,
    template="incidents/detail.html",
    detail_url="incidents:detail",
    related=("area", "area__parent", "area__parent__parent", "grid", "department", "reporter"),
)

EVENT_LABELS = {
    "registered": _("Registered from a grid finding"),
    "check_passed": _("Check passed"),
    "check_failed": _("Check failed: rework"),
    "converted_to_dispute": _("Converted to a dispute"),
    "converted_from_dispute": _("Converted from a dispute"),
    **{t.action: t.label for t in INCIDENT_ACTIONS},
}
