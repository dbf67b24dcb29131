"""Repeat detection across every kind of matter and case: the same phone number anywhere, or
the same name in the same area, within a window."""

from desk.models import Matter
from disputes.models import Dispute, Party
from infra.crypto import blind_indexes
from petitions.models import Petition, Petitioner


def earlier_of_person(*, area, name: str, phone: str, since) -> dict[str, list]:
    matters = Matter.objects.none()
    dispute_ids, petition_ids = set(), set()
    if phone:
        digests = blind_indexes(phone)
        matters = matters | Matter.objects.filter(requester_phone_digest__in=digests)
        dispute_ids |= set(
            Party.objects.filter(phone_digest__in=digests).values_list("dispute_id", flat=True)
        )
        # A petitioner's phone has no digest to look it up by: petitions are matched by name.
    if name:
        matters = matters | Matter.objects.filter(requester_name=name, area=area)
        dispute_ids |= set(
            Party.objects.filter(name=name, dispute__village=area).values_list(
                "dispute_id", flat=True
            )
        )
        petition_ids |= set(
            Petitioner.objects.filter(name=name, petition__area=area).values_list(
                "petition_id", flat=True
            )
        )
    return {
        "matters": list(matters.filter(received_at__gte=since).order_by("-received_at", "-pk")),
        "disputes": list(
            Dispute.objects.filter(pk__in=dispute_ids, registered_at__gte=since).order_by(
                "-registered_at"
            )
        ),
        "petitions": list(
            Petition.objects.filter(pk__in=petition_ids, registered_at__gte=since).order_by(
                "-registered_at"
            )
        ),
    }
