"""The dispute's journeys through the pages, as the township centre, the mediator, the
departments and the county walk them."""

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import EventRowIsPermanent, Supervision, SupervisionOrigin
from disputes.models import (
    Assignment,
    Dispute,
    DisputeEvent,
    Level,
    MediationSession,
    Revisit,
    Status,
    Summons,
)
from governance.models import Notification
from tests.conftest import WEIZI_VILLAGE
from tests.disputes.helpers import (
    event_kinds,
    fresh,
    make_revisitable,
    post_action,
    register,
    registration_form,
    snapshot,
    take,
    text_of,
    timeline,
)
from tests.factories import DisputeFactory


def last_message(response) -> str:
    """The message flashed by this response (earlier ones may still wait in the session)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def detail(client, dispute):
    return client.get(reverse("disputes:detail", args=[dispute.pk]))


# --- The whole way, walk-in to closed --------------------------------------------------------


def test_a_walk_in_dispute_from_registration_to_closed(
    client,
    township_staff,
    mediator,
    justice_office,
    justice_liaison,
    revisitor,
    django_capture_on_commit_callbacks,
):
    client.force_login(township_staff)
    response = client.post(reverse("disputes:register"), registration_form())
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert response.url == reverse("disputes:detail", args=[dispute.pk])
    assert (dispute.status, dispute.level, dispute.registered_by) == (
        Status.REGISTERED,
        Level.TOWNSHIP,
        township_staff,
    )
    assert list(dispute.parties.values_list("name", "id_number", "phone")) == [
        ("刘建国", "11010519491231002X", "13912345678"),
        ("陈秀英", "440524188001010014", "15887654321"),
    ]

    assert post_action(client, dispute, "accept").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(
            client, dispute, "assign", lead=mediator.pk, co_departments=[justice_office.pk]
        )
    assert response.status_code == 302
    handlers = Assignment.objects.filter(dispute=dispute, ended_at__isnull=True)
    assert {(a.person, a.department, a.lead) for a in handlers} == {
        (mediator, None, True),
        (None, justice_office, False),
    }
    # The lead and the co-handling department's liaison are both told.
    assert Notification.objects.filter(recipient=mediator, kind="assigned").count() == 1
    assert Notification.objects.filter(recipient=justice_liaison, kind="assigned").count() == 1

    client.force_login(mediator)
    assert post_action(client, dispute, "start_mediation", route="peoples").status_code == 302
    assert fresh(dispute).route == "peoples"
    response = post_action(
        client,
        dispute,
        "record_session",
        held_on=timezone.localdate().isoformat(),
        participants="刘建国、陈秀英、李调解",
        agreed="排水沟改走东侧",
    )
    assert response.status_code == 302
    assert MediationSession.objects.get(dispute=dispute).participants == "刘建国、陈秀英、李调解"
    response = post_action(
        client,
        dispute,
        "resolve",
        outcome="agreement",
        agreement="一、排水沟改走东侧；\n二、改道费用双方各半。",
    )
    assert response.status_code == 302
    dispute = fresh(dispute)
    assert dispute.status == Status.RESOLVED
    assert dispute.resolved_level == Level.TOWNSHIP
    assert dispute.resolved_at is not None

    agreement = client.get(reverse("disputes:agreement", args=[dispute.pk]))
    assert agreement.status_code == 200
    printed = text_of(agreement)
    assert "调解协议书" in printed
    assert "一、排水沟改走东侧； 二、改道费用双方各半。" in printed
    assert "刘建国" in printed and "陈秀英" in printed
    assert dispute.number in printed

    # The revisit: by the county's revisit officer, independent of the case, once the
    # county's days after the agreement have passed.
    dispute = make_revisitable(dispute)
    client.force_login(revisitor)
    response = post_action(
        client, dispute, "revisit", satisfaction="5", fulfilment="carried_out", remarks="双方满意"
    )
    assert response.status_code == 302
    revisit = Revisit.objects.get(dispute=dispute)
    assert (revisit.satisfaction, revisit.fulfilment, revisit.independent) == (
        5,
        "carried_out",
        True,
    )
    client.force_login(township_staff)
    assert post_action(client, dispute, "close").status_code == 302
    dispute = fresh(dispute)
    assert dispute.status == Status.CLOSED

    steps = [
        ("registered", township_staff),
        ("accept", township_staff),
        ("assign", township_staff),
        ("start_mediation", mediator),
        ("record_session", mediator),
        ("resolve", mediator),
        ("revisit", revisitor),
        ("close", township_staff),
    ]
    events = list(DisputeEvent.objects.filter(dispute=dispute).order_by("at", "pk"))
    assert [(e.kind, e.actor) for e in events] == steps
    assert all(e.at is not None for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert [e.to_status for e in events] == [
        "registered",
        "accepted",
        "assigned",
        "in_mediation",
        "in_mediation",
        "resolved",
        "revisited",
        "closed",
    ]
    # The page tells the same story in Chinese, each step with who took it.
    shown = timeline(detail(client, dispute))
    assert [who for _what, who in shown] == [person.first_name for _kind, person in steps]
    assert [what for what, _who in shown] == [
        "已登记",
        "受理",
        "分派",
        "开始调解",
        "记录调解",
        "调解成功",
        "回访",
        "结案",
    ]


# --- Summons ---------------------------------------------------------------------------------


def test_the_township_summons_two_departments_and_the_queue_counts_until_both_report(
    client,
    dispute,
    township_staff,
    justice_office,
    justice_liaison,
    resources_office,
    resources_liaison,
    django_capture_on_commit_callbacks,
):
    register(township_staff)  # another dispute, with no summons: never "outstanding"
    client.force_login(township_staff)
    take("accept", township_staff, dispute)
    due = timezone.localdate() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(
            client,
            dispute,
            "summon",
            departments=[justice_office.pk, resources_office.pk],
            due_on=due.isoformat(),
            note="排水沟涉及集体土地，请司法所、自然资源所到场",
        )
    assert response.status_code == 302
    assert set(Summons.objects.filter(dispute=dispute).values_list("department", "due_on")) == {
        (justice_office.pk, due),
        (resources_office.pk, due),
    }
    for liaison in (justice_liaison, resources_liaison):
        assert Notification.objects.filter(recipient=liaison, kind="summons").count() == 1

    def outstanding():
        client.force_login(township_staff)
        return client.get(reverse("disputes:workbench")).context["counts"]["summons_outstanding"]

    assert outstanding() == 1

    client.force_login(justice_liaison)
    page = detail(client, dispute)
    assert page.status_code == 200
    assert 'data-action="acknowledge_summons"' in page.content.decode()
    assert post_action(client, dispute, "acknowledge_summons").status_code == 302
    justice = Summons.objects.get(dispute=dispute, department=justice_office)
    assert justice.acknowledged_at is not None and justice.reported_at is None
    assert outstanding() == 1

    client.force_login(justice_liaison)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(client, dispute, "report_summons", report="已到现场，土地权属清楚")
    assert response.status_code == 302
    justice.refresh_from_db()
    assert justice.report == "已到现场，土地权属清楚" and justice.reported_at is not None
    assert Notification.objects.filter(recipient=township_staff, kind="summons_report").count() == 1
    assert outstanding() == 1  # the resources office has not reported yet

    client.force_login(resources_liaison)
    assert post_action(client, dispute, "report_summons", report="已核实").status_code == 302
    assert outstanding() == 0
    assert event_kinds(dispute)[-4:] == [
        "summon",
        "acknowledge_summons",
        "report_summons",
        "report_summons",
    ]


# --- Supervision -----------------------------------------------------------------------------


def test_the_county_supervises_a_township_dispute_and_the_township_answers(
    client, dispute, township_staff, county_official, django_capture_on_commit_callbacks
):
    take("accept", township_staff, dispute)
    client.force_login(county_official)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(client, dispute, "supervise", note="群众反映强烈，请三日内调处")
    assert response.status_code == 302
    assert fresh(dispute).under_supervision
    assert Notification.objects.filter(recipient=township_staff, kind="supervision").count() == 1

    client.force_login(township_staff)
    assert client.get(reverse("disputes:workbench")).context["counts"]["supervised"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(
            client, dispute, "answer_supervision", answer="已约双方周四到镇综治中心调解"
        )
    assert response.status_code == 302

    dispute = fresh(dispute)
    assert not dispute.under_supervision
    supervision = Supervision.objects.get(kind="dispute", object_id=dispute.pk)
    assert (supervision.origin, supervision.note, supervision.instructed_by) == (
        SupervisionOrigin.MANUAL,
        "群众反映强烈，请三日内调处",
        county_official,
    )
    assert (supervision.answer, supervision.answered_by) == (
        "已约双方周四到镇综治中心调解",
        township_staff,
    )
    assert (
        Notification.objects.filter(recipient=county_official, kind="supervision_answer").count()
        == 1
    )
    assert client.get(reverse("disputes:workbench")).context["counts"]["supervised"] == 0
    assert event_kinds(dispute)[-2:] == ["supervise", "answer_supervision"]


# --- Merge -----------------------------------------------------------------------------------


def test_a_merged_dispute_keeps_its_history_and_the_target_shows_it_too(
    client, township_staff, mediator
):
    kept = register(township_staff)
    take("accept", township_staff, kept)
    duplicate = register(township_staff, description="同一排水沟，另一户又来反映")
    take("accept", township_staff, duplicate)
    client.force_login(township_staff)

    response = post_action(client, duplicate, "merge", target=kept.number)

    assert response.status_code == 302
    duplicate = fresh(duplicate)
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, kept)
    assert event_kinds(duplicate) == ["registered", "accept", "merge"]
    assert event_kinds(kept) == ["registered", "accept", "merged_in"]
    kept_page = detail(client, kept)
    page = kept_page.content.decode()
    assert duplicate.number in page
    # The target's timeline holds both histories: its own three steps and the duplicate's.
    assert len(timeline(kept_page)) == 6
    assert len(timeline(detail(client, duplicate))) == 3


def test_a_dispute_cannot_be_merged_into_itself_nor_into_one_of_another_township(
    client, dispute, township_staff, weizi_staff
):
    elsewhere = register(weizi_staff, village_code=WEIZI_VILLAGE)
    before = snapshot(dispute)
    with pytest.raises(ValidationError):
        take("merge", township_staff, dispute, target=fresh(dispute))
    client.force_login(township_staff)

    response = post_action(client, dispute, "merge", target=elsewhere.number)

    assert response.status_code == 400
    assert "您可见的纠纷中没有这个编号。" in text_of(response)
    assert snapshot(dispute) == before


# --- The list and its export ----------------------------------------------------------------


class TableReader(HTMLParser):
    """The header and body cells of the table with data-testid="dispute-list"."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("data-testid", "dispute-list") in attrs:
            self.inside = True
        if not self.inside:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def list_table(response) -> list[list[str]]:
    reader = TableReader()
    reader.feed(response.content.decode())
    return reader.rows


def test_the_excel_export_has_exactly_the_rows_and_columns_of_the_filtered_list(
    client, township_staff, weizi_staff
):
    for status, kind in [
        (Status.ACCEPTED, "neighbour"),
        (Status.ACCEPTED, "debt"),
        (Status.ACCEPTED, "neighbour"),
        (Status.REGISTERED, "neighbour"),
        (Status.CLOSED, "neighbour"),
    ]:
        DisputeFactory(status=status, kind=kind, registered_by=township_staff)
    DisputeFactory(status=Status.ACCEPTED, due_on=None, registered_by=township_staff)
    register(weizi_staff, village_code=WEIZI_VILLAGE)
    client.force_login(township_staff)
    query = {"status": "accepted", "kind": "neighbour"}

    shown = list_table(client.get(reverse("disputes:list"), query))
    export = client.get(reverse("disputes:export"), query)

    assert export.status_code == 200
    assert export["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    exported = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    header, *rows = shown
    assert exported[0] == header
    assert len(exported) - 1 == len(rows) == 3
    for on_screen, in_file in zip(rows, exported[1:], strict=True):
        # The list marks an empty deadline with a dash; the file leaves the cell empty.
        assert [cell if cell != "—" else "" for cell in on_screen] == in_file


# --- From a grid finding ---------------------------------------------------------------------


def test_the_history_cannot_be_edited_or_deleted(dispute, township_staff):
    take("accept", township_staff, dispute)
    event = DisputeEvent.objects.filter(dispute=dispute).latest("pk")

    event.note = "改写历史"
    with pytest.raises(EventRowIsPermanent):
        event.save()
    with pytest.raises(EventRowIsPermanent):
        event.delete()
    with pytest.raises(ProtectedError):
        Dispute.objects.filter(pk=dispute.pk).delete()
    assert event_kinds(dispute) == ["registered", "accept"]
    assert DisputeEvent.objects.get(pk=event.pk).note == ""
