"""Independent revisits (回访): recorded by a revisit officer who neither handled the dispute
nor staffs its level, no earlier than the county's days after it was mediated; satisfaction and
whether the agreement was carried out; dissatisfied parties or an agreement not carried out send
it back to work (回头办). Only independent revisits count in the assessment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from disputes.metrics import daily_counts
from disputes.models import DEFAULT_REVISIT_AFTER_DAYS, Dispute, Revisit, RevisitSetting, Status
from disputes.services import revisit_setting_set
from governance.audit.models import AuditEntry
from governance.demo import DEMO_PEOPLE
from governance.models import Notification, Role
from governance.selectors import user_roles
from governance.workdays import calendar_deadline
from grids.models import Grid
from tests.conftest import DIANSHANG, LUCHENG, SHANGDANG
from tests.disputes.helpers import (
    bring_to_mediation,
    event_kinds,
    fresh,
    make_revisitable,
    post_action,
    snapshot,
    take,
    text_of,
)
from tests.factories import area, person_with_role

AGREEMENT = "排水沟改走东侧，费用双方各半。"


@pytest.fixture
def mediated(dispute, township_staff, mediator):
    """A township dispute mediated successfully today, with a written agreement."""
    bring_to_mediation(dispute, staff=township_staff, mediator=mediator)
    take("resolve", mediator, dispute, outcome="agreement", agreement=AGREEMENT)
    return fresh(dispute)


def not_yours() -> str:
    return "您无权对此案件进行“回访”。"


def refused(actor, dispute, **arguments) -> str:
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed) as refusal:
        take("revisit", actor, dispute, **arguments)
    assert snapshot(dispute) == before
    return str(refusal.value)


SATISFIED = {"satisfaction": 5, "fulfilment": "carried_out"}


# --- Who may revisit --------------------------------------------------------------------------


def test_those_who_handled_the_dispute_or_staff_its_level_cannot_revisit_it(
    mediated, township_staff, second_township_staff, mediator
):
    dispute = make_revisitable(mediated)
    for person in (mediator, township_staff, second_township_staff):
        assert refused(person, dispute, **SATISFIED) == not_yours()


def test_a_revisit_officer_who_also_staffs_the_level_is_not_independent(mediated):
    dispute = make_revisitable(mediated)
    both = person_with_role(Role.REVISITOR, DIANSHANG, first_name="钱兼职")
    # The same person also works at the township centre that handled it.
    person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, username=both.username)

    assert refused(both, dispute, **SATISFIED) == not_yours()


def test_a_revisit_officer_once_assigned_to_the_dispute_is_not_independent(
    dispute, township_staff, mediator
):
    was_handler = person_with_role(Role.REVISITOR, LUCHENG, first_name="曾承办")
    take("accept", township_staff, dispute)
    take("assign", township_staff, dispute, lead=was_handler)
    take("assign", township_staff, dispute, lead=mediator)
    take("start_mediation", mediator, dispute, route="peoples")
    take("resolve", mediator, dispute, outcome="agreement", agreement=AGREEMENT)

    assert refused(was_handler, make_revisitable(dispute), **SATISFIED) == not_yours()


def test_a_revisit_officer_of_another_county_does_not_even_see_the_dispute(client, mediated):
    other = person_with_role(Role.REVISITOR, SHANGDANG)
    client.force_login(other)
    assert client.get(reverse("disputes:detail", args=[mediated.pk])).status_code == 404


def test_a_revisit_officer_sees_disputes_and_nothing_else_of_the_county(
    client, mediated, revisitor, grid
):
    client.force_login(revisitor)
    assert client.get(reverse("disputes:detail", args=[mediated.pk])).status_code == 200
    assert Dispute.objects.visible_to(revisitor).filter(pk=mediated.pk).exists()
    # The grid of the same village is there, and is not theirs to browse.
    assert Grid.objects.visible_to(revisitor).count() == 0


# --- When ---------------------------------------------------------------------------------------


def test_the_revisit_waits_the_countys_days_after_the_agreement(client, mediated, revisitor):
    due = timezone.localdate() + timedelta(days=DEFAULT_REVISIT_AFTER_DAYS)
    assert refused(revisitor, mediated, **SATISFIED) == f"最早可于{due.isoformat()}回访。"
    client.force_login(revisitor)
    page = text_of(client.get(reverse("disputes:detail", args=[mediated.pk])))
    assert f"可回访日期 {due.isoformat()}" in page

    take("revisit", revisitor, make_revisitable(mediated), **SATISFIED)
    assert fresh(mediated).status == Status.REVISITED


def test_the_county_sets_its_own_days(mediated, revisitor):
    admin = person_with_role(Role.ADMINISTRATOR, LUCHENG)
    revisit_setting_set(actor=admin, county=area(LUCHENG), after_days=0)

    take("revisit", revisitor, mediated, satisfaction=4, fulfilment="partly")

    dispute = fresh(mediated)
    # Partly carried out, and satisfied: it stays revisited.
    assert dispute.status == Status.REVISITED
    revisit = Revisit.objects.get(dispute=dispute)
    assert (revisit.fulfilment, revisit.independent, revisit.visited_by) == (
        "partly",
        True,
        revisitor,
    )


# --- 回头办 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("satisfaction", "fulfilment"), [(2, "carried_out"), (1, "partly"), (5, "not_carried_out")]
)
def test_dissatisfied_or_not_carried_out_sends_it_back_to_work(
    mediated,
    revisitor,
    township_staff,
    satisfaction,
    fulfilment,
    django_capture_on_commit_callbacks,
):
    dispute = make_revisitable(mediated)
    with django_capture_on_commit_callbacks(execute=True):
        take("revisit", revisitor, dispute, satisfaction=satisfaction, fulfilment=fulfilment)

    dispute = fresh(dispute)
    assert dispute.status == Status.ACCEPTED
    assert dispute.returned_count == 1
    assert dispute.outcome == "" and dispute.resolved_at is None
    # A deadline of its own, counted from today at its level: the township's month.
    assert dispute.due_on == calendar_deadline(timezone.localdate(), 30)
    assert event_kinds(dispute)[-2:] == ["revisit", "return"]
    assert Notification.objects.filter(recipient=township_staff, kind="returned").exists()
    counts = daily_counts(timezone.localdate())[(dispute.village_id, None)]
    assert counts["disputes_returned"] == 1


def test_a_returned_dispute_shows_it_and_can_be_mediated_again(
    client, mediated, revisitor, township_staff, mediator
):
    dispute = make_revisitable(mediated)
    take("revisit", revisitor, dispute, satisfaction=5, fulfilment="not_carried_out")
    client.force_login(township_staff)
    page = text_of(client.get(reverse("disputes:detail", args=[dispute.pk])))
    assert "回头办 1" in page

    take("assign", township_staff, dispute, lead=mediator)
    take("start_mediation", mediator, dispute, route="peoples")
    take("resolve", mediator, dispute, outcome="agreement", agreement="重新约定履行期限")
    assert fresh(dispute).status == Status.RESOLVED


# --- Only independent revisits count --------------------------------------------------------------


def test_only_independent_revisits_count_in_the_days_figures(mediated, mediator, revisitor):
    # A revisit recorded by a handler before the rule: kept, not counted.
    Revisit.objects.create(dispute=mediated, satisfaction=1, visited_by=mediator, independent=False)
    take("revisit", revisitor, make_revisitable(mediated), **SATISFIED)

    counts = daily_counts(timezone.localdate())[(mediated.village_id, None)]
    assert (counts["revisits"], counts["satisfaction_total"]) == (1, 5)


def test_the_page_offers_the_revisit_form_to_the_revisit_officer_only(
    client, mediated, revisitor, township_staff
):
    dispute = make_revisitable(mediated)
    client.force_login(revisitor)
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert 'data-action="revisit"' in page
    assert 'name="fulfilment"' in page
    client.force_login(township_staff)
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert 'data-action="revisit"' not in page


def test_a_revisit_posted_without_the_fulfilment_is_refused(client, mediated, revisitor):
    dispute = make_revisitable(mediated)
    before = snapshot(dispute)
    client.force_login(revisitor)
    response = post_action(client, dispute, "revisit", satisfaction="4")
    assert response.status_code == 400
    assert "这个字段是必填项。" in text_of(response)
    assert snapshot(dispute) == before


# --- The setting and the demo ---------------------------------------------------------------------


def settings_url(code=LUCHENG):
    return reverse("disputes:revisit_settings", args=[code])


def test_the_county_administrator_sets_the_days_on_the_settings_page(client, changzhi_slice):
    admin = person_with_role(Role.ADMINISTRATOR, LUCHENG)
    client.force_login(admin)
    page = text_of(client.get(reverse("county_settings", args=[LUCHENG])))
    assert "纠纷回访" in page and "平台默认值" in page

    response = client.post(settings_url(), {"after_days": "7"})

    assert response.status_code == 302
    assert RevisitSetting.objects.get(county__code=LUCHENG).after_days == 7
    entry = AuditEntry.objects.filter(target__startswith="dispute_revisit_after").get()
    assert (entry.detail["old"], entry.detail["new"]) == (None, 7)


@pytest.mark.parametrize("value", ["abc", "-1", "181", "3.5"])
def test_a_bad_number_of_days_is_refused_and_nothing_is_saved(client, changzhi_slice, value):
    client.force_login(person_with_role(Role.ADMINISTRATOR, LUCHENG))
    response = client.post(settings_url(), {"after_days": value})
    assert response.status_code == 200
    assert 'data-testid="settings-dispute-revisits"' in response.content.decode()
    assert not RevisitSetting.objects.exists()


def test_another_countys_administrator_cannot_set_it(client, changzhi_slice):
    client.force_login(person_with_role(Role.ADMINISTRATOR, SHANGDANG))
    assert client.post(settings_url(), {"after_days": "3"}).status_code == 404
    assert not RevisitSetting.objects.exists()


def test_the_demo_has_a_revisit_officer_of_the_county(changzhi_slice):
    from governance.demo import seed_demo_people

    seed_demo_people()
    person = next(p for p in DEMO_PEOPLE if p.role == Role.REVISITOR)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=person.username)
    assert Role.REVISITOR in user_roles(user=user)
    assert person.area_code == LUCHENG


def test_the_revisit_officers_workbench_lists_what_awaits_a_revisit(client, mediated, revisitor):
    client.force_login(revisitor)
    workbench = client.get(reverse("disputes:workbench"))
    assert workbench.context["counts"]["awaiting_revisit"] == 1
    listed = client.get(reverse("disputes:list"), {"queue": "awaiting_revisit"})
    assert mediated.number in text_of(listed)
