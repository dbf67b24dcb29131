"""Helpers of the dispute tests: register through the service, post an action as the page
would, and take a snapshot of everything an action could write."""

import re
from html import unescape

from django.urls import reverse

from cases.models import Supervision
from disputes import services
from disputes.models import (
    Assignment,
    Dispute,
    DisputeEvent,
    ExtensionRequest,
    Level,
    MediationSession,
    Revisit,
    Summons,
)
from governance.models import Area, Notification
from tests.conftest import DIANSHANG_VILLAGE
from tests.factories import VALID_ID_NUMBERS

# The two parties of most tests: their ID numbers and phones are what masking must hide.
APPLICANT = {
    "side": "applicant",
    "name": "刘建国",
    "id_number": VALID_ID_NUMBERS[0],
    "phone": "13912345678",
}
RESPONDENT = {
    "side": "respondent",
    "name": "陈秀英",
    "id_number": VALID_ID_NUMBERS[1],
    "phone": "15887654321",
}


def register(actor, *, level=Level.TOWNSHIP, village_code=DIANSHANG_VILLAGE, **fields) -> Dispute:
    """A dispute registered by `actor` through the service, at the township by default."""
    arguments = {
        "kind": "neighbour",
        "channel": "walk_in",
        "description": "两户因排水沟走向发生争执，多次口角",
        "people_involved": 2,
        "village": Area.objects.get(code=village_code),
        "level": level,
        "parties": [dict(APPLICANT), dict(RESPONDENT)],
        **fields,
    }
    return services.dispute_register(actor=actor, **arguments)


def make_revisitable(dispute: Dispute, *, days_ago: int = 30) -> Dispute:
    """Move a mediated dispute's end `days_ago` days back, past its county's waiting days."""
    from datetime import timedelta

    from django.utils import timezone

    Dispute.objects.filter(pk=dispute.pk).update(
        resolved_at=timezone.now() - timedelta(days=days_ago)
    )
    return fresh(dispute)


def fresh(dispute: Dispute) -> Dispute:
    return Dispute.objects.get(pk=dispute.pk)


def event_kinds(dispute: Dispute) -> list[str]:
    return list(
        DisputeEvent.objects.filter(dispute=dispute)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def snapshot(dispute: Dispute) -> dict:
    """Everything about a dispute that an action could change or write."""
    row = Dispute.objects.filter(pk=dispute.pk).values().get()
    return {
        "row": row,
        "events": DisputeEvent.objects.filter(dispute=dispute).count(),
        "all_events": DisputeEvent.objects.count(),
        "assignments": list(Assignment.objects.filter(dispute=dispute).values()),
        "summons": list(Summons.objects.filter(dispute=dispute).values()),
        "sessions": MediationSession.objects.filter(dispute=dispute).count(),
        "revisits": Revisit.objects.filter(dispute=dispute).count(),
        "extensions": list(ExtensionRequest.objects.filter(dispute=dispute).values()),
        "supervisions": list(
            Supervision.objects.filter(kind="dispute", object_id=dispute.pk).values()
        ),
        "notifications": Notification.objects.count(),
    }


def act_url(dispute: Dispute, action: str) -> str:
    return reverse("disputes:act", args=[dispute.pk, action])


def post_action(client, dispute: Dispute, action: str, /, version=None, **data):
    """Post an action's form as the dispute page does, with the version it was drawn from."""
    data = {"version": fresh(dispute).version if version is None else version, **data}
    return client.post(act_url(dispute, action), data)


def text_of(response) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def take(action, actor, dispute: Dispute, **arguments) -> Dispute:
    """Take `action` through its service as `actor`, from the dispute's current version."""
    from disputes.actions import DISPUTE_ACTIONS

    current = fresh(dispute)
    service = DISPUTE_ACTIONS.get(action).service
    return service(actor=actor, dispute=current, version=current.version, **arguments)


def bring_to_mediation(dispute: Dispute, *, staff, mediator) -> Dispute:
    """Accept, assign `mediator` as lead, and start people's mediation."""
    take("accept", staff, dispute)
    take("assign", staff, dispute, lead=mediator)
    take("start_mediation", mediator, dispute, route="peoples")
    return fresh(dispute)


def action_form_html(response, action: str) -> str:
    """The part of the dispute page that holds `action`'s form."""
    html = response.content.decode()
    match = re.search(rf'<details[^>]*data-action="{action}".*?</details>', html, flags=re.S)
    assert match, f"no {action} form on the page"
    return match.group(0)


def hidden_version(form_html: str) -> int:
    match = re.search(r'name="version" value="(\d+)"', form_html) or re.search(
        r'value="(\d+)"[^>]*name="version"', form_html
    )
    assert match, "no version in the form"
    return int(match.group(1))


def registration_form(*, village_code=DIANSHANG_VILLAGE, parties=None, **fields) -> dict:
    """What the registration page posts: the dispute and its parties (a formset)."""
    parties = [APPLICANT, RESPONDENT] if parties is None else parties
    data = {
        "kind": "neighbour",
        "channel": "walk_in",
        "people_involved": "2",
        "village": village_code,
        "grid": "",
        "level": "township",
        "description": "两户因排水沟走向发生争执，多次口角",
        "party-TOTAL_FORMS": str(len(parties)),
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "20",
    }
    for index, party in enumerate(parties):
        for key, value in party.items():
            data[f"party-{index}-{key}"] = value
    data.update(fields)
    return data


def timeline(response) -> list[tuple[str, str]]:
    """The timeline of a dispute page as (what, who) pairs, oldest first."""
    html = response.content.decode()
    labels = re.findall(r'data-testid="event-label">(.*?)</strong>', html, flags=re.S)
    actors = re.findall(r'data-testid="event-actor">(.*?)</span>', html, flags=re.S)
    assert len(labels) == len(actors)
    return [(unescape(a).strip(), unescape(b).strip()) for a, b in zip(labels, actors, strict=True)]
