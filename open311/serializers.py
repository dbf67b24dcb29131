"""What the API says of a work order: a GeoReport v2 service request, with the centre's own
states (签收, 退单, 办结) and the source's number and deadline added. Only what a resident
may see of the matter goes out (no names, no phone numbers, no internal notes)."""

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from desk.models import MatterEventKind, MatterStatus
from open311.services_catalogue import service_named

EVENT_NAMES = {
    MatterEventKind.RECEIVED: pgettext_lazy("work order event", "Received"),
    MatterEventKind.SIGNED_IN: pgettext_lazy("work order event", "Signed in"),
    MatterEventKind.RETURNED: pgettext_lazy("work order event", "Returned"),
    MatterEventKind.CLASSIFIED: pgettext_lazy("work order event", "Classified"),
    MatterEventKind.ANSWERED: pgettext_lazy("work order event", "Answered"),
    MatterEventKind.CASE_FINISHED: pgettext_lazy("work order event", "Handled"),
    MatterEventKind.REPLY_PUBLISHED: pgettext_lazy("work order event", "Reply published"),
}

# The GeoReport status: a returned or concluded matter is closed; anything else is open.
CLOSED_STATUSES = frozenset({MatterStatus.RETURNED, MatterStatus.ANSWERED})


def _time(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def service_request(work_order) -> dict:
    """One service request as GET requests.json lists it (the matter and its events read
    through `work_order.matter`; prefetch `matter__events` for a list)."""

    matter = work_order.matter
    events = list(matter.events.all())
    returned = next((e for e in events if e.kind == MatterEventKind.RETURNED), None)
    signed_in = next((e for e in events if e.kind == MatterEventKind.SIGNED_IN), None)
    service = service_named(work_order.service_code)
    return {
        "service_request_id": matter.number,
        "source_number": work_order.source_number,
        "status": "closed" if matter.status in CLOSED_STATUSES else "open",
        "detailed_status": matter.status,
        "detailed_status_name": str(MatterStatus(matter.status).label),
        "status_notes": returned.note if returned else "",
        "service_code": work_order.service_code,
        # The centre's own classification (pending until the desk classifies it).
        "matter_kind": matter.kind,
        "service_name": str(service["service_name"]) if service else "",
        "description": matter.description,
        "address": matter.place,
        "area_code": matter.area.code,
        "agency_responsible": matter.area.name,
        "requested_datetime": _time(work_order.received_at),
        "updated_datetime": _time(events[-1].at if events else work_order.received_at),
        "expected_datetime": _time(work_order.source_deadline),
        "signed_in_datetime": _time(signed_in.at if signed_in else None),
        "returned_datetime": _time(returned.at if returned else None),
        "return_until": _time(matter.return_by),
        "public_reply": matter.public_reply,
        "steps": [
            {
                "event": event.kind,
                "name": str(EVENT_NAMES.get(event.kind, event.kind)),
                "at": _time(event.at),
            }
            for event in events
        ],
    }
