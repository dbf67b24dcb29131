"""The services a source system may send (GET services.json): the kinds of matter the centre
handles. The source's choice is its suggestion; the desk classifies every matter itself."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from desk.models import MatterKind

SERVICES = [
    {
        "service_code": MatterKind.CONSULTATION.value,
        "service_name": pgettext_lazy("open311 service", "Consultation"),
        "description": _("A question about a policy or a procedure, answered by the centre."),
        "group": _("Comprehensive governance"),
    },
    {
        "service_code": MatterKind.INCIDENT.value,
        "service_name": pgettext_lazy("open311 service", "Incident"),
        "description": _(
            "Something to be put right in a village or a community: a hazard, a nuisance, "
            "a public facility out of order."
        ),
        "group": _("Comprehensive governance"),
    },
    {
        "service_code": MatterKind.DISPUTE.value,
        "service_name": pgettext_lazy("open311 service", "Dispute"),
        "description": _(
            "A dispute between neighbours, family members, a debtor and a creditor and the "
            "like, to be mediated."
        ),
        "group": _("Comprehensive governance"),
    },
    {
        "service_code": MatterKind.PETITION.value,
        "service_name": pgettext_lazy("open311 service", "Petition"),
        "description": _("A request, complaint or opinion under the petition regulations."),
        "group": _("Comprehensive governance"),
    },
]


def service_named(code: str) -> dict | None:
    return next((service for service in SERVICES if service["service_code"] == code), None)


def services_list() -> list[dict]:
    """services.json: GeoReport v2's fields; every service takes no extra attributes."""
    return [
        {
            "service_code": service["service_code"],
            "service_name": str(service["service_name"]),
            "description": str(service["description"]),
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": str(service["group"]),
        }
        for service in SERVICES
    ]
