"""When the case a matter was routed to reaches its end, the matter is concluded and its
source told (`matter_record_case_finished`, whose event the listeners hear).

The case kit has no registry of its own for "a case changed"; every change to a case is one
event row, so the desk listens to the rows of the three case types' event tables being
written (Django's `post_save`, connected in the desk's `AppConfig.ready()`): the case apps
know nothing of the desk, and the matter moves in the same transaction as its case."""

from django.db.models.signals import post_save

from disputes.models import DisputeEvent, Status
from incidents.models import IncidentEvent, IncidentStatus
from petitions.models import PetitionEvent, PetitionStatus

# Per event model: the matter's field that links the case, and the case's statuses that end it.
FINISHING = {
    DisputeEvent: ("dispute", {Status.RESOLVED, Status.TERMINATED}),
    PetitionEvent: ("petition", {PetitionStatus.REPLIED, PetitionStatus.CLOSED}),
    IncidentEvent: ("incident", {IncidentStatus.CLOSED}),
}


def _case_event_written(sender, instance, created, **_signal_arguments):
    if not created:
        return
    field, ends = FINISHING[sender]
    if instance.to_status not in ends or instance.from_status == instance.to_status:
        return
    from desk.models import Matter, MatterStatus
    from desk.services import matter_record_case_finished

    case_id = getattr(instance, f"{field}_id")
    matters = Matter.objects.filter(**{f"{field}_id": case_id}, status=MatterStatus.ROUTED)
    for matter in matters:
        case = getattr(instance, field)
        matter_record_case_finished(
            matter=matter,
            outcome=str(case.get_status_display()),
            case_number=case.number,
        )


def connect_case_finishing() -> None:
    for model in FINISHING:
        post_save.connect(_case_event_written, sender=model, dispatch_uid=f"desk.finish.{model}")
