"""Honest outcomes: a dispute ends mediated successfully (a written or oral agreement), the only
end that counts as resolved, or terminated (withdrawn, referred to a court or an arbitration
commission with its case number, no agreement), which is reported as what it is: on the page,
in the day's figures, the month's assessment and the cases per mediator."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from disputes.metrics import daily_counts, mediator_case_counts
from disputes.models import Dispute, DisputeEvent, Level, Outcome, Revisit, Status
from governance.models import Role
from governance.rollups.engine import run_daily, run_monthly
from governance.rollups.models import DailyStat, MonthlyMediatorCount, MonthlyScore, SubjectKind
from tests.conftest import DIANSHANG, LUCHENG
from tests.disputes.helpers import (
    bring_to_mediation,
    event_kinds,
    fresh,
    post_action,
    register,
    snapshot,
    take,
    text_of,
)
from tests.factories import area, person_with_role

AGREEMENT = "一、排水沟改走东侧；二、改道费用双方各半。"


@pytest.fixture
def in_mediation(dispute, township_staff, mediator):
    return bring_to_mediation(dispute, staff=township_staff, mediator=mediator)


def another(township_staff, mediator):
    return bring_to_mediation(register(township_staff), staff=township_staff, mediator=mediator)


# --- Ending a dispute -------------------------------------------------------------------------


def test_an_oral_agreement_is_a_success_with_its_content_recorded(client, in_mediation, mediator):
    client.force_login(mediator)
    response = post_action(
        client, in_mediation, "resolve", outcome="oral_agreement", agreement="东侧改道，各付一半"
    )

    assert response.status_code == 302
    dispute = fresh(in_mediation)
    assert (dispute.status, dispute.outcome) == (Status.RESOLVED, Outcome.ORAL_AGREEMENT)
    assert dispute.agreement == "东侧改道，各付一半"
    assert dispute.resolved_at is not None and dispute.terminated_at is None
    page = text_of(client.get(reverse("disputes:detail", args=[dispute.pk])))
    assert "调解成功" in page and "口头协议" in page


def test_a_withdrawn_dispute_is_terminated_not_resolved(client, in_mediation, mediator):
    client.force_login(mediator)
    response = post_action(
        client, in_mediation, "terminate", outcome="withdrawn", reason="双方已自行和解，申请撤回"
    )

    assert response.status_code == 302
    dispute = fresh(in_mediation)
    assert (dispute.status, dispute.outcome) == (Status.TERMINATED, Outcome.WITHDRAWN)
    assert dispute.resolved_at is None and dispute.terminated_at is not None
    assert dispute.agreement == ""
    assert event_kinds(dispute)[-1] == "terminate"
    page = text_of(client.get(reverse("disputes:detail", args=[dispute.pk])))
    assert "调解终止" in page and "当事人撤回" in page
    assert "调解协议书" not in page


def test_a_referral_to_court_records_the_court_and_its_case_number(client, in_mediation, mediator):
    client.force_login(mediator)
    response = post_action(
        client,
        in_mediation,
        "terminate",
        outcome="referred",
        reason="一方坚持起诉",
        referral_kind="court",
        referral_body="潞城区人民法院",
        # Typed with half-width brackets and a space: stored as the court writes it.
        referral_case_number="(2026)晋0406民初 123号",
    )

    assert response.status_code == 302
    dispute = fresh(in_mediation)
    assert (dispute.status, dispute.outcome) == (Status.TERMINATED, Outcome.REFERRED)
    assert (dispute.referral_kind, dispute.referral_body, dispute.referral_case_number) == (
        "court",
        "潞城区人民法院",
        "（2026）晋0406民初123号",
    )
    page = text_of(client.get(reverse("disputes:detail", args=[dispute.pk])))
    assert "潞城区人民法院 · （2026）晋0406民初123号" in page


def test_a_referral_to_arbitration_takes_the_commissions_own_numbering(in_mediation, mediator):
    take(
        "terminate",
        mediator,
        in_mediation,
        outcome="referred",
        reason="劳动争议，申请仲裁",
        referral_kind="arbitration",
        referral_body="潞城区劳动人事争议仲裁委员会",
        referral_case_number="潞劳人仲案字〔2026〕第15号",
    )
    assert fresh(in_mediation).referral_case_number == "潞劳人仲案字〔2026〕第15号"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"referral_kind": "", "referral_body": "", "referral_case_number": ""}, "请选择移送法院"),
        (
            {
                "referral_kind": "court",
                "referral_body": "潞城区人民法院",
                "referral_case_number": "",
            },
            "请填写接收单位编定的案号。",
        ),
        (
            {
                "referral_kind": "court",
                "referral_body": "潞城区司法局",
                "referral_case_number": "（2026）晋0406民初1号",
            },
            "法院名称中应有“法院”。",
        ),
        (
            {
                "referral_kind": "court",
                "referral_body": "潞城区人民法院",
                "referral_case_number": "民初123",
            },
            "这不是法院案号",
        ),
        (
            {
                "referral_kind": "arbitration",
                "referral_body": "长治仲裁委员会",
                "referral_case_number": "仲裁",
            },
            "这不是仲裁案号",
        ),
    ],
)
def test_a_referral_without_a_valid_body_and_case_number_is_refused(
    in_mediation, mediator, fields, message
):
    before = snapshot(in_mediation)
    with pytest.raises(ValidationError) as refusal:
        take("terminate", mediator, in_mediation, outcome="referred", reason="起诉", **fields)
    assert message in " ".join(refusal.value.messages)
    assert snapshot(in_mediation) == before


def test_a_dispute_can_end_before_mediation_starts(dispute, township_staff):
    take("accept", township_staff, dispute)
    take("terminate", township_staff, dispute, outcome="withdrawn", reason="申请人撤回")
    assert fresh(dispute).status == Status.TERMINATED


def test_only_a_dispute_without_agreement_goes_up_a_level(in_mediation, township_staff, mediator):
    take("terminate", mediator, in_mediation, outcome="withdrawn", reason="撤回")
    with pytest.raises(TransitionNotAllowed) as refusal:
        take("escalate", township_staff, in_mediation, reason="再试")
    assert str(refusal.value) == "已撤回或已移送的纠纷不再上报。"

    not_agreed = another(township_staff, mediator)
    take("terminate", mediator, not_agreed, outcome="not_agreed", reason="双方分歧较大")
    take("escalate", township_staff, not_agreed, reason="需区里协调")
    assert (fresh(not_agreed).level, fresh(not_agreed).status) == (Level.COUNTY, Status.REGISTERED)


def test_a_terminated_dispute_is_closed_without_a_revisit(
    in_mediation, township_staff, mediator, revisitor
):
    take("terminate", mediator, in_mediation, outcome="withdrawn", reason="撤回")
    with pytest.raises(TransitionNotAllowed):
        take("revisit", revisitor, in_mediation, satisfaction=5, fulfilment="carried_out")
    take("close", township_staff, in_mediation)
    assert fresh(in_mediation).status == Status.CLOSED


# --- What is counted as resolved ---------------------------------------------------------------


@pytest.fixture
def four_ends(township_staff, mediator):
    """Four disputes of 店上镇 mediated today: one agreement and three terminations."""
    disputes = [another(township_staff, mediator) for _ in range(4)]
    take("resolve", mediator, disputes[0], outcome="agreement", agreement=AGREEMENT)
    take("terminate", mediator, disputes[1], outcome="withdrawn", reason="撤回")
    take(
        "terminate",
        mediator,
        disputes[2],
        outcome="referred",
        reason="起诉",
        referral_kind="court",
        referral_body="潞城区人民法院",
        referral_case_number="（2026）晋0406民初7号",
    )
    take("terminate", mediator, disputes[3], outcome="not_agreed", reason="分歧较大")
    return disputes


def test_the_days_figures_count_only_the_agreement_as_resolved(four_ends):
    today = timezone.localdate()
    counts = daily_counts(today)[(four_ends[0].village_id, None)]

    assert counts["disputes_resolved"] == 1
    assert counts["disputes_resolved_township"] == 1
    assert counts["disputes_terminated_withdrawn"] == 1
    assert counts["disputes_terminated_referred"] == 1
    assert counts["disputes_terminated_not_agreed"] == 1


def test_the_mediator_is_counted_for_the_agreement_only(four_ends, mediator):
    today = timezone.localdate()
    assert mediator_case_counts(today, today) == {(mediator.pk, four_ends[0].village_id): 1}


def test_the_month_and_its_assessment_page_report_terminations_as_what_they_are(
    client, four_ends, mediator
):
    today = timezone.localdate()
    run_daily(today)
    run_monthly(today)

    township = DailyStat.objects.get(day=today, area=area(DIANSHANG), grid__isnull=True)
    assert township.disputes_new == 4
    assert township.disputes_resolved == 1
    assert (
        township.disputes_terminated_withdrawn,
        township.disputes_terminated_referred,
        township.disputes_terminated_not_agreed,
    ) == (1, 1, 1)
    score = MonthlyScore.objects.get(
        month=today.replace(day=1), kind=SubjectKind.TOWNSHIP, area=area(DIANSHANG)
    )
    # 化解率: one resolved of four new, not four of four.
    assert score.indicators["resolution_rate"]["value"] == 0.25
    assert MonthlyMediatorCount.objects.get(person=mediator).cases == 1

    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))
    page = client.get(reverse("dashboards:month", args=[LUCHENG]), {"month": f"{today:%Y-%m}"})
    text = text_of(page)
    assert "各乡镇纠纷办结情况" in text
    assert "店上镇 1 1 1 1 0" in text


def test_old_resolutions_by_withdrawal_or_referral_are_recounted_as_terminations(
    in_mediation, mediator
):
    """Events are never edited: an old `resolve` event whose outcome was a withdrawal, and an
    old `fail`, are read for what they were when the day is computed again."""
    dispute = fresh(in_mediation)
    for kind, details in (
        ("resolve", {"outcome": "withdrawn", "resolved_level": "township"}),
        ("resolve", {"outcome": "referred", "resolved_level": "township"}),
        ("fail", {}),
        ("resolve", {"outcome": "agreement", "resolved_level": "township"}),
    ):
        DisputeEvent.objects.create(
            dispute=dispute,
            actor=mediator,
            kind=kind,
            from_status="in_mediation",
            to_status="resolved",
            details=details,
        )
    counts = daily_counts(timezone.localdate())[(dispute.village_id, None)]

    assert counts["disputes_resolved"] == 1
    assert counts["disputes_terminated_withdrawn"] == 1
    assert counts["disputes_terminated_referred"] == 1
    assert counts["disputes_terminated_not_agreed"] == 1


# --- The data migration -----------------------------------------------------------------------


def test_the_migration_maps_old_ends_to_the_honest_ones(township_staff, mediator):
    migration = importlib.import_module("disputes.migrations.0007_map_old_outcomes_to_honest_ends")
    failed = another(township_staff, mediator)
    withdrawn = another(township_staff, mediator)
    agreed = another(township_staff, mediator)
    referred_closed = another(township_staff, mediator)
    ended = timezone.now()
    Dispute.objects.filter(pk=failed.pk).update(status="not_resolved", outcome="failed")
    DisputeEvent.objects.create(
        dispute=failed, actor=mediator, kind="fail", from_status="in_mediation", to_status="x"
    )
    Dispute.objects.filter(pk=withdrawn.pk).update(
        status="resolved", outcome="withdrawn", resolved_at=ended
    )
    Dispute.objects.filter(pk=agreed.pk).update(
        status="resolved", outcome="agreement", resolved_at=ended, agreement=AGREEMENT
    )
    Dispute.objects.filter(pk=referred_closed.pk).update(
        status="closed", outcome="referred", resolved_at=ended
    )
    old_revisit = Revisit.objects.create(dispute=agreed, satisfaction=5, visited_by=mediator)

    migration.forwards(apps, None)

    failed, withdrawn, agreed, referred_closed = (
        fresh(d) for d in (failed, withdrawn, agreed, referred_closed)
    )
    assert (failed.status, failed.outcome) == (Status.TERMINATED, Outcome.NOT_AGREED)
    assert failed.terminated_at is not None
    assert (withdrawn.status, withdrawn.resolved_at, withdrawn.terminated_at) == (
        Status.TERMINATED,
        None,
        ended,
    )
    assert (agreed.status, agreed.resolved_at) == (Status.RESOLVED, ended)
    assert (referred_closed.status, referred_closed.resolved_at) == (Status.CLOSED, None)
    assert referred_closed.terminated_at == ended
    old_revisit.refresh_from_db()
    assert old_revisit.independent is False
