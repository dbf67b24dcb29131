"""The now board (/board/): township and county staff see the red cases, the counts of red and
yellow, the supervisions with their answers, red-risk and group disputes, urgent findings of
the last 24 hours and repeat petitions of their jurisdiction, read live, at a fixed number of
queries however many rows there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Supervision
from cases.supervision import supervise_red_cases
from disputes.models import Dispute
from governance.models import Role
from grids.models import Finding, FindingStatus
from tests.conftest import DIANSHANG_VILLAGE
from tests.disputes.helpers import register
from tests.factories import PetitionFactory, log_finding, person_with_role

BOARD = reverse("cases:board")


def overdue(dispute, days=1):
    Dispute.objects.filter(pk=dispute.pk).update(due_on=timezone.localdate() - timedelta(days))


def test_the_board_is_for_township_and_county_staff(
    client, township_staff, county_official, village_staff, grid_worker, mediator
):
    for person, status in [
        (township_staff, 200),
        (county_official, 200),
        (village_staff, 404),
        (grid_worker, 404),
        (mediator, 404),
    ]:
        client.force_login(person)
        assert client.get(BOARD).status_code == status, person.first_name
        menu = client.get(reverse("home")).content.decode()
        assert (BOARD in menu) == (status == 200), person.first_name


def test_a_red_dispute_shows_on_the_boards_of_its_township_and_county_only(
    client, village_staff, township_staff, county_official, weizi_staff
):
    dispute = register(village_staff, level="village")
    overdue(dispute)
    green = register(township_staff)
    supervise_red_cases()

    for person in (township_staff, county_official):
        client.force_login(person)
        html = client.get(BOARD).content.decode()
        assert dispute.number in html
        assert green.number not in html
    client.force_login(weizi_staff)
    html = client.get(BOARD).content.decode()
    assert dispute.number not in html


def test_supervise_and_answer_from_the_board(client, village_staff, township_staff):
    """The township supervises the village's red dispute from its board; the village answers
    on the dispute's own terms (service checks); the board shows the answer."""
    dispute = register(village_staff, level="village")
    overdue(dispute)
    supervise_red_cases()
    supervision = Supervision.objects.get()
    instruct = reverse("cases:supervision_instruct", args=[supervision.pk])
    answer = reverse("cases:supervision_answer", args=[supervision.pk])

    client.force_login(township_staff)
    response = client.post(instruct, {"note": ""}, follow=True)
    assert "请填写督办意见。" in response.content.decode()
    supervision.refresh_from_db()
    assert supervision.note == ""
    client.post(instruct, {"note": "本周内化解"})
    # The township may not answer for the village.
    assert client.post(answer, {"answer": "已办"}).status_code == 403
    supervision.refresh_from_db()
    assert (supervision.note, supervision.answered_at) == ("本周内化解", None)

    client.force_login(village_staff)
    assert client.post(answer, {"answer": "已调解，双方签字"}).status_code == 302
    client.force_login(township_staff)
    html = client.get(BOARD).content.decode()
    assert "已调解，双方签字" in html and "已答复" in html


def test_urgent_findings_of_the_last_day_red_risk_groups_and_repeat_petitions_show(
    client, grid, grid_worker, township_staff, county_official
):
    urgent = log_finding(actor=grid_worker, grid=grid, urgent=True, status=FindingStatus.HANDED_UP)
    old = log_finding(actor=grid_worker, grid=grid, urgent=True)
    Finding.objects.filter(pk=old.pk).update(found_at=timezone.now() - timedelta(hours=25))
    group = register(township_staff, people_involved=12)
    first = PetitionFactory(subject="反映村道路灯不亮")
    repeat = PetitionFactory(subject="再次反映路灯", repeat_of=first)

    client.force_login(county_official)
    html = client.get(BOARD).content.decode()
    assert reverse("grids:finding_detail", args=[urgent.pk]) in html
    assert reverse("grids:finding_detail", args=[old.pk]) not in html
    assert group.number in html
    assert repeat.number in html and first.number not in html


def _queries(client, person) -> int:
    client.force_login(person)
    client.get(BOARD)  # warm: the session, the cached unread count
    with CaptureQueriesContext(connection) as captured:
        assert client.get(BOARD).status_code == 200
    return len(captured)


# Sign-in, session and memberships (3), the warning periods (1), per kind of case the red rows
# and the counts (2 × 4), the supervisions (1), the panels: urgent findings, red-risk and group
# disputes, repeat petitions with their petitioners and the person's assignments (5), the
# session's save (3).
BOARD_BUDGET = 21


@pytest.mark.parametrize("many", [False, True])
def test_the_board_costs_the_same_for_one_and_for_many_rows(
    client, village_staff, township_staff, grid, grid_worker, many
):
    count = 12 if many else 1
    for n in range(count):
        dispute = register(village_staff, level="village", people_involved=6)
        overdue(dispute, days=n + 1)
        log_finding(actor=grid_worker, grid=grid, urgent=True)
        PetitionFactory(repeat_of=PetitionFactory())
    supervise_red_cases()
    assert Supervision.objects.count() == count

    assert _queries(client, township_staff) <= BOARD_BUDGET


def test_the_board_query_count_does_not_grow_with_rows(
    client, village_staff, township_staff, grid, grid_worker
):
    def fill(n):
        for _ in range(n):
            dispute = register(village_staff, level="village", people_involved=6)
            overdue(dispute)
            log_finding(actor=grid_worker, grid=grid, urgent=True)
            PetitionFactory(repeat_of=PetitionFactory())
        supervise_red_cases()

    fill(1)
    one = _queries(client, township_staff)
    fill(10)
    assert _queries(client, township_staff) == one


def test_an_outsider_cannot_answer_or_instruct_a_supervision_they_cannot_see(
    client, village_staff, weizi_staff
):
    dispute = register(village_staff, level="village")
    overdue(dispute)
    supervise_red_cases()
    supervision = Supervision.objects.get()
    client.force_login(weizi_staff)
    for name in ("cases:supervision_instruct", "cases:supervision_answer"):
        url = reverse(name, args=[supervision.pk])
        assert client.post(url, {"note": "x", "answer": "x"}).status_code == 404
    client.force_login(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG_VILLAGE[:9]))
    response = client.post(
        reverse("cases:supervision_instruct", args=[supervision.pk]), {"note": "x"}
    )
    assert response.status_code == 302


def test_a_superiors_own_supervision_shows_on_the_board_and_is_answered_on_the_case(
    client, village_staff, township_staff
):
    """督办 by hand is the same supervision as a red light's: the board lists it with who gave
    it; its answer is the case's own action, so the board offers no answer form and refuses
    one posted."""
    from disputes.services import dispute_supervise

    dispute = register(village_staff, level="village")
    dispute_supervise(actor=township_staff, dispute=dispute, note="请本周内化解")
    supervision = Supervision.objects.get()

    client.force_login(township_staff)
    board = client.get(BOARD).content.decode()
    assert dispute.number in board
    assert "请本周内化解" in board
    assert "赵镇干" in board

    client.force_login(village_staff)
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert "请本周内化解" in page
    assert 'data-testid="answer-form"' not in page
    answer = reverse("cases:supervision_answer", args=[supervision.pk])
    response = client.post(answer, {"answer": "已化解"}, follow=True)
    assert "请用案件页面上的操作答复此督办。" in response.content.decode()
    supervision.refresh_from_db()
    assert supervision.answered_at is None
