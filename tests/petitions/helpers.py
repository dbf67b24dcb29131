"""Helpers of the petition tests: register through the service, post an action as the page
would, and take a snapshot of everything an action could write."""

import re
from html import unescape

from django.urls import reverse

from governance.models import Area, Notification
from petitions import services
from petitions.models import Petition, PetitionAssignment, Petitioner, PetitionEvent
from tests.conftest import DIANSHANG_VILLAGE

# Resident ID numbers of 潞城区 whose GB 11643 check digit is right.
PETITIONER = {"name": "郭春生", "id_number": "140406198001011236", "phone": "13935501234"}
OTHER_PETITIONER = {"name": "牛秀兰", "id_number": "140406197512124561", "phone": "15935507788"}
SUBJECT = "店上村村道路灯长期不亮"


def register(actor, *, area_code=DIANSHANG_VILLAGE, level="township", **fields) -> Petition:
    """A letter registered by `actor` through the service, at the township by default."""
    arguments = {
        "channel": "letter",
        "subject": SUBJECT,
        "content": "村道路灯已坏三个月，夜间出行不便，多次向村里反映未解决。",
        "area": Area.objects.get(code=area_code),
        "level": level,
        "petitioners": [dict(PETITIONER)],
        **fields,
    }
    return services.petition_register(actor=actor, **arguments)


def fresh(petition: Petition) -> Petition:
    return Petition.objects.get(pk=petition.pk)


def event_kinds(petition: Petition) -> list[str]:
    return list(
        PetitionEvent.objects.filter(petition=petition)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def snapshot(petition: Petition | None = None) -> dict:
    """Everything about a petition (or, without one, about all petitions) that an action
    could change or write."""
    rows = Petition.objects.filter(pk=petition.pk) if petition else Petition.objects.all()
    return {
        "rows": list(rows.order_by("pk").values()),
        "petitions": Petition.objects.count(),
        "petitioners": list(Petitioner.objects.order_by("pk").values()),
        "events": PetitionEvent.objects.count(),
        "assignments": list(PetitionAssignment.objects.order_by("pk").values()),
        "links": list(Petition.disputes.through.objects.order_by("pk").values()),
        "notifications": Notification.objects.count(),
    }


def act_url(petition: Petition, action: str) -> str:
    return reverse("petitions:act", args=[petition.pk, action])


def post_action(client, petition: Petition, action: str, /, version=None, **data):
    """Post an action's form as the petition page does, with the version it was drawn from."""
    data = {"version": fresh(petition).version if version is None else version, **data}
    return client.post(act_url(petition, action), data)


def text_of(response) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def has_latin_letters(text: str) -> bool:
    """A message shown to a Chinese user that still has Latin letters was not translated."""
    return re.search(r"[A-Za-z]", text) is not None


def register_form(petitioners=(PETITIONER,), **fields) -> dict:
    """The registration form as a township's staff fill it in: a letter about 店上村."""
    data = {
        "channel": "letter",
        "received_on": "",
        "area": DIANSHANG_VILLAGE,
        "level": "township",
        "subject": SUBJECT,
        "content": "村道路灯已坏三个月，夜间出行不便。",
        "group_size": "1",
        "disputes": "",
        "petitioner-TOTAL_FORMS": str(len(petitioners)),
        "petitioner-INITIAL_FORMS": "0",
        "petitioner-MIN_NUM_FORMS": "1",
        "petitioner-MAX_NUM_FORMS": "50",
    }
    for index, person in enumerate(petitioners):
        for key, value in person.items():
            data[f"petitioner-{index}-{key}"] = value
    data.update(fields)
    return data


def dispute_in(actor, village_code=DIANSHANG_VILLAGE):
    """A neighbours' dispute of the village, registered by `actor` through the disputes'
    own service at the township."""
    from disputes.services import dispute_register

    return dispute_register(
        actor=actor,
        kind="neighbour",
        channel="walk_in",
        description="两户因路灯电线走向发生争执",
        people_involved=2,
        village=Area.objects.get(code=village_code),
        level="township",
        parties=[{"side": "applicant", "name": "郭春生", "id_number": "", "phone": ""}],
    )
