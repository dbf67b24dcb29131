"""Classifying a matter at the desk: a consultation answered and concluded there; an incident,
a dispute or a petition registered on its own services and linked; all or nothing; and the
matter concluded when its case ends."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from desk.events import MATTER_EVENT_LISTENERS, on_matter_event
from desk.models import Matter, MatterChannel, MatterEvent, MatterKind, MatterStatus
from desk.services import (
    NotDeskStaff,
    matter_classify,
    matter_public_view,
    matter_receive,
)
from disputes.models import Dispute
from disputes.services.handling import dispute_accept, dispute_terminate
from governance.models import Role
from incidents.models import Incident
from petitions.models import Petition
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG, WEIZI
from tests.factories import area, person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def receive(clerk, **overrides):
    arguments = {
        "actor": clerk,
        "channel": MatterChannel.WALK_IN,
        "area": area(DIANSHANG_VILLAGE),
        "subject": "邻居院墙漏水",
        "description": "邻居家院墙漏水到我家，协商不成。",
        "requester_name": "张三",
        "requester_phone": "13800138000",
    }
    arguments.update(overrides)
    return matter_receive(**arguments)[0]


def test_a_consultation_is_answered_and_concluded_at_the_desk(clerk):
    matter = receive(clerk)
    matter = matter_classify(
        actor=clerk, matter=matter, kind=MatterKind.CONSULTATION, reply="可向司法所申请调解。"
    )
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.kind, stored.status) == (MatterKind.CONSULTATION, MatterStatus.ANSWERED)
    assert stored.public_reply == "可向司法所申请调解。"
    assert stored.case is None
    assert [e.kind for e in stored.events.all()] == ["received", "answered"]


def test_a_consultation_without_an_answer_is_refused(clerk):
    matter = receive(clerk)
    with pytest.raises(ValidationError):
        matter_classify(actor=clerk, matter=matter, kind=MatterKind.CONSULTATION, reply=" ")
    assert Matter.objects.get(pk=matter.pk).status == MatterStatus.RECEIVED


def test_a_dispute_is_registered_with_the_requester_as_applicant_and_linked(clerk):
    matter = receive(clerk)
    matter = matter_classify(
        actor=clerk,
        matter=matter,
        kind=MatterKind.DISPUTE,
        dispute_kind="neighbour",
        respondent_name="李四",
    )
    dispute = Dispute.objects.get()
    assert matter.dispute == dispute
    assert matter.status == MatterStatus.ROUTED
    assert dispute.village == matter.area
    assert dispute.channel == "walk_in"
    assert dispute.level == "township"
    parties = {(p.side, p.name, p.phone) for p in dispute.parties.all()}
    assert parties == {("applicant", "张三", "13800138000"), ("respondent", "李四", "")}
    event = matter.events.get(kind="classified")
    assert event.details == {"kind": "dispute", "case": dispute.number}


def test_a_court_referral_keeps_the_courts_case_number_and_deadline(clerk):
    matter = receive(clerk, channel=MatterChannel.COURT)
    due = timezone.localdate() + timedelta(days=30)
    matter_classify(
        actor=clerk,
        matter=matter,
        kind=MatterKind.DISPUTE,
        dispute_kind="debt",
        court_name="长治市潞城区人民法院",
        court_case_number="（2026）晋0406民诉前调15号",
        court_due_on=due,
    )
    dispute = Dispute.objects.get()
    assert dispute.channel == "court"
    assert dispute.court_case_number == "（2026）晋0406民诉前调15号"
    assert dispute.court_due_on == due == dispute.due_on


def test_a_petition_is_registered_at_the_township_with_the_requester_as_petitioner(clerk):
    matter = matter_classify(actor=clerk, matter=receive(clerk), kind=MatterKind.PETITION)
    petition = Petition.objects.get()
    assert matter.petition == petition
    assert petition.level == "township"
    assert petition.subject == "邻居院墙漏水"
    assert [p.name for p in petition.petitioners.all()] == ["张三"]


def test_an_incident_is_registered_and_linked(clerk):
    matter = receive(clerk, subject="路灯不亮", requester_name="", requester_phone="")
    matter = matter_classify(
        actor=clerk, matter=matter, kind=MatterKind.INCIDENT, category="safety_hazard"
    )
    incident = Incident.objects.get()
    assert matter.incident == incident
    assert incident.area == matter.area
    assert incident.level == "township"
    assert incident.events.get().details == {"matter": matter.number}


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("dispute", {"dispute_kind": ""}),
        ("dispute", {"dispute_kind": "neighbour", "people_involved": "many"}),
        ("incident", {"category": "dispute"}),
        ("incident", {"category": ""}),
        ("pending", {}),
        ("nonsense", {}),
    ],
)
def test_bad_input_leaves_the_matter_as_it_was_and_no_case(clerk, kind, fields):
    matter = receive(clerk)
    with pytest.raises(ValidationError):
        matter_classify(actor=clerk, matter=matter, kind=kind, **fields)
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.kind, stored.status) == (MatterKind.PENDING, MatterStatus.RECEIVED)
    assert not Dispute.objects.exists() and not Incident.objects.exists()
    assert stored.events.count() == 1


def test_a_court_referral_without_the_courts_number_creates_nothing(clerk):
    matter = receive(clerk, channel=MatterChannel.COURT)
    with pytest.raises(ValidationError):
        matter_classify(actor=clerk, matter=matter, kind="dispute", dispute_kind="debt")
    assert not Dispute.objects.exists()
    assert Matter.objects.get(pk=matter.pk).status == MatterStatus.RECEIVED


def test_a_dispute_without_a_name_is_refused(clerk):
    matter = receive(clerk, requester_name="")
    with pytest.raises(ValidationError):
        matter_classify(actor=clerk, matter=matter, kind="dispute", dispute_kind="neighbour")
    assert not Dispute.objects.exists()


def test_a_matter_is_classified_once(clerk):
    matter = receive(clerk)
    matter_classify(actor=clerk, matter=matter, kind="consultation", reply="已解答")
    with pytest.raises(TransitionNotAllowed):
        matter_classify(actor=clerk, matter=matter, kind="dispute", dispute_kind="neighbour")


def test_staff_of_another_township_cannot_classify(clerk):
    matter = receive(clerk)
    other = person_with_role(Role.TOWNSHIP_STAFF, WEIZI)
    with pytest.raises(NotDeskStaff):
        matter_classify(actor=other, matter=matter, kind="consultation", reply="已解答")


def test_county_staff_staff_the_desk_and_register_at_the_county(clerk):
    county = person_with_role(Role.COUNTY_OFFICIAL, LUCHENG)
    matter = receive(county)
    matter_classify(actor=county, matter=matter, kind="dispute", dispute_kind="neighbour")
    assert Dispute.objects.get().level == "county"


def test_the_matter_is_concluded_when_its_dispute_ends(clerk):
    matter = receive(clerk)
    matter_classify(actor=clerk, matter=matter, kind="dispute", dispute_kind="neighbour")
    dispute = dispute_accept(actor=clerk, dispute=Dispute.objects.get())
    dispute_terminate(actor=clerk, dispute=dispute, outcome="withdrawn", reason="双方撤回")
    stored = Matter.objects.get(pk=matter.pk)
    assert stored.status == MatterStatus.ANSWERED
    finished = stored.events.get(kind="case_finished")
    assert finished.details["case"] == dispute.number
    assert "调解终止" in stored.public_reply or "terminated" in stored.public_reply.lower()


def test_listeners_hear_each_event_on_commit(clerk, django_capture_on_commit_callbacks):
    heard = []
    on_matter_event(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            matter = receive(clerk)
        assert heard == [MatterEvent.objects.get(matter=matter)]
    finally:
        MATTER_EVENT_LISTENERS.remove(heard.append)


def test_the_public_view_has_no_names_no_phone_and_no_notes(clerk):
    matter = receive(clerk)
    matter = matter_classify(actor=clerk, matter=matter, kind="dispute", dispute_kind="neighbour")
    view = matter_public_view(matter)
    text = repr(view)
    assert view["number"] == matter.number
    assert [step["kind"] for step in view["steps"]] == ["received", "classified"]
    for private in ("张三", "13800138000", clerk.username, "院墙漏水到我家"):
        assert private not in text
