"""The workbench, the list and the dispute page ask the database a fixed number of times,
however many disputes, events, sessions, summonses or merged disputes there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Supervision
from disputes.models import Assignment, Dispute, Status, Summons
from tests.disputes.helpers import bring_to_mediation, register, take
from tests.factories import DisputeFactory, PartyFactory

# Measured and kept tight: sign-in, session and memberships (3), the queues (one count each,
# in one query), the grids seen and their handed-up findings, the session's save (3), the
# counties' warning periods (the yellow queue, cases.lights).
WORKBENCH_BUDGET = 10
# Sign-in (3), the page of disputes with their areas, the counts by status, the session (3),
# the counties' warning periods (the lights of every row, read once).
LIST_BUDGET = 9
# For the township staff, who get every action's form: the dispute with its handlers and
# summonses (3), capabilities and guards (2), linked petitions, parties, timeline (2),
# extension, the assign and summon forms' choices (7), supervisions, sessions, revisits,
# attachments, the audit entry recording that the parties' numbers were shown whole, the
# counties' warning periods (the light), the supervisions a red light opened, and the incidents
# it was converted from or to (the incidents app's panel).
DETAIL_BUDGET = 31


def queries_for(client, url) -> int:
    """The queries of one view of `url`, once per-person caches (the bell's count) are warm."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def township_disputes(count, *, staff, mediator, department):
    """`count` disputes of 店上村 in every open and finished status, some assigned, summoned,
    supervised or overdue: what a township's workbench holds."""
    statuses = [Status.REGISTERED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION]
    statuses += [Status.RESOLVED, Status.CLOSED]
    today = timezone.localdate()
    for index in range(count):
        dispute = DisputeFactory(
            status=statuses[index % len(statuses)],
            registered_by=staff,
            due_on=today + timedelta(days=(index % 5) - 2),
            under_supervision=index % 3 == 0,
        )
        PartyFactory(dispute=dispute)
        Assignment.objects.create(dispute=dispute, person=mediator, lead=True, assigned_by=staff)
        Summons.objects.create(
            dispute=dispute, department=department, due_on=today, summoned_by=staff
        )


@pytest.mark.parametrize("page", ["disputes:workbench", "disputes:list"])
def test_the_workbench_and_the_list_cost_the_same_for_1_and_50_disputes(
    client, page, township_staff, mediator, justice_office
):
    budget = {"disputes:workbench": WORKBENCH_BUDGET, "disputes:list": LIST_BUDGET}[page]
    client.force_login(township_staff)
    township_disputes(1, staff=township_staff, mediator=mediator, department=justice_office)
    with_one = queries_for(client, reverse(page))
    township_disputes(49, staff=township_staff, mediator=mediator, department=justice_office)
    assert Dispute.objects.count() == 50

    with_fifty = queries_for(client, reverse(page))

    assert with_fifty == with_one
    assert with_fifty <= budget


def make_busy(dispute, rounds, *, staff, mediator, county_official, department):
    """Give a dispute in mediation `rounds` sessions, supervisions answered, summonses and
    merged disputes: each writes events to its timeline."""
    for index in range(rounds):
        take(
            "record_session",
            mediator,
            dispute,
            held_on=timezone.localdate(),
            participants=f"第{index + 1}次：双方当事人",
        )
        take("supervise", county_official, dispute, note=f"第{index + 1}次督办")
        take("answer_supervision", staff, dispute, answer="已落实")
        other = register(staff)
        take("merge", staff, other, target=Dispute.objects.get(pk=dispute.pk))
    take(
        "summon",
        staff,
        dispute,
        departments=[department],
        due_on=timezone.localdate() + timedelta(days=3),
    )


def test_the_dispute_page_costs_the_same_with_few_and_many_events(
    client, township_staff, mediator, county_official, justice_office
):
    people = {"staff": township_staff, "mediator": mediator, "county_official": county_official}
    small = bring_to_mediation(register(township_staff), staff=township_staff, mediator=mediator)
    make_busy(small, 1, department=justice_office, **people)
    large = bring_to_mediation(register(township_staff), staff=township_staff, mediator=mediator)
    make_busy(large, 12, department=justice_office, **people)
    assert large.events.count() + sum(d.events.count() for d in large.merged.all()) >= 50
    assert Supervision.objects.filter(kind="dispute", object_id=large.pk).count() == 12

    for person in (township_staff, county_official):
        client.force_login(person)
        few = queries_for(client, reverse("disputes:detail", args=[small.pk]))
        many = queries_for(client, reverse("disputes:detail", args=[large.pk]))
        assert many == few, person.first_name
        assert many <= DETAIL_BUDGET, person.first_name
