"""Deadlines with a source: people's mediation is "一般在一个月内调结" (30 calendar days, a period
ending on a day off ends on the next working day); longer only with the parties' consent,
recorded; a dispute a court refers (委派/委托调解) carries the court's case number and deadline,
which governs. The configuration page shows where each default comes from."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from disputes.configuration import ROWS
from disputes.models import DEFAULT_DAYS, MEDIATION_MONTH_DAYS, Dispute, ExtensionRequest, Level
from governance.models import Role
from governance.workdays import calendar_deadline
from tests.conftest import CITY, LUCHENG
from tests.disputes.helpers import (
    event_kinds,
    fresh,
    post_action,
    register,
    registration_form,
    snapshot,
    take,
    text_of,
)
from tests.factories import DayFromToday, person_with_role, with_days_resolved

CONSENT = "申请人刘建国、被申请人陈秀英当面签字同意延长"


# --- The defaults and their sources --------------------------------------------------------------


def test_the_mediation_levels_default_to_a_month_of_calendar_days():
    assert MEDIATION_MONTH_DAYS == 30
    for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY):
        assert DEFAULT_DAYS[level] == 30


def test_a_dispute_registered_at_the_township_is_due_in_a_month(township_staff):
    dispute = register(township_staff)
    assert dispute.due_on == calendar_deadline(timezone.localdate(), 30)


def test_the_settings_page_shows_the_source_of_each_default(client, changzhi_slice):
    client.force_login(person_with_role(Role.ADMINISTRATOR, CITY))
    page = client.get(reverse("county_settings", args=[LUCHENG])).content.decode()
    text = text_of(client.get(reverse("county_settings", args=[LUCHENG])))

    # One source per level's default row, next to it.
    assert page.count('data-testid="deadline-source"') == len(ROWS)
    assert text.count("人民调解委员会调解纠纷，一般在一个月内调结") == 3
    assert "《人民调解工作若干规定》" in text
    assert "平台默认值，无规章规定：微事不出网格" in text
    # And the two rules that override the days.
    assert "延期须经当事人同意并记录在案" in text
    assert "法院委派、委托调解的纠纷，无论在哪一层级办理，均以法院确定的期限为准" in text


def test_a_city_administrator_sets_a_levels_days(client, changzhi_slice, township_staff):
    client.force_login(person_with_role(Role.ADMINISTRATOR, CITY))
    response = client.post(
        reverse("disputes:deadline_settings", args=[LUCHENG]), {"township-any": "20"}
    )
    assert response.status_code == 302
    assert register(township_staff).due_on == calendar_deadline(timezone.localdate(), 20)


# --- Extension with the parties' consent ----------------------------------------------------------


def test_an_extension_with_the_parties_consent_moves_the_deadline_and_records_it(
    client, dispute, township_staff
):
    take("accept", township_staff, dispute)
    before = fresh(dispute).due_on
    client.force_login(township_staff)

    response = post_action(
        client,
        dispute,
        "extend",
        days="10",
        consent=CONSENT,
        consented_on=timezone.localdate().isoformat(),
        reason="等待土地确权结果",
    )

    assert response.status_code == 302
    dispute = fresh(dispute)
    assert dispute.extended
    assert dispute.due_on == calendar_deadline(before, 10)
    extension = ExtensionRequest.objects.get(dispute=dispute)
    assert (extension.days, extension.consent, extension.consented_on) == (
        10,
        CONSENT,
        timezone.localdate(),
    )
    assert (extension.approved, extension.decided_by) == (True, township_staff)
    assert event_kinds(dispute)[-1] == "extend"
    page = text_of(client.get(reverse("disputes:detail", args=[dispute.pk])))
    assert "经当事人同意的延期" in page and CONSENT in page


def test_no_extension_without_the_consent_and_only_once_a_level(dispute, township_staff):
    def extend(consent, reason="等"):
        take(
            "extend",
            township_staff,
            dispute,
            days=5,
            consent=consent,
            consented_on=timezone.localdate(),
            reason=reason,
        )

    take("accept", township_staff, dispute)
    before = snapshot(dispute)
    with pytest.raises(ValidationError) as refusal:
        extend("", reason="等待")
    assert refusal.value.messages == ["请记录当事人同意情况：谁同意、以何种方式同意。"]
    assert snapshot(dispute) == before

    extend(CONSENT)
    with pytest.raises(TransitionNotAllowed) as again:
        extend(CONSENT)
    assert str(again.value) == "本层级的办理期限已延长过一次。"


# --- A court's referral ---------------------------------------------------------------------


def court_form(**fields):
    return registration_form(
        channel="court",
        court_name="潞城区人民法院",
        court_case_number="（2026）晋0406民诉前调15号",
        court_due_on=(timezone.localdate() + timedelta(days=20)).isoformat(),
        **fields,
    )


def test_a_court_referral_carries_the_courts_case_number_and_deadline(client, township_staff):
    client.force_login(township_staff)
    response = client.post(reverse("disputes:register"), court_form())

    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.court_name, dispute.court_case_number) == (
        "潞城区人民法院",
        "（2026）晋0406民诉前调15号",
    )
    # The court's deadline governs, not the township's month.
    assert dispute.due_on == dispute.court_due_on == timezone.localdate() + timedelta(days=20)
    page = text_of(client.get(reverse("disputes:detail", args=[dispute.pk])))
    assert "潞城区人民法院 · （2026）晋0406民诉前调15号" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"court_name": ""}, "请填写委派（委托）调解的法院。"),
        ({"court_case_number": ""}, "请填写法院案号。"),
        ({"court_due_on": ""}, "请填写法院确定的期限。"),
        ({"court_case_number": "民初15号"}, "这不是法院案号"),
        ({"court_due_on": DayFromToday(-1)}, "法院确定的期限已过。"),
        ({"court_due_on": DayFromToday(400)}, "请核对"),
        ({"court_name": "潞城区司法局"}, "法院名称中应有“法院”。"),
    ],
)
def test_a_court_referral_without_its_particulars_is_refused(
    client, township_staff, fields, message
):
    client.force_login(township_staff)
    data = court_form()
    data.update(with_days_resolved(fields))

    response = client.post(reverse("disputes:register"), data)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not Dispute.objects.exists()


def test_the_courts_deadline_holds_when_the_dispute_changes_level(
    client, township_staff, county_official
):
    client.force_login(township_staff)
    client.post(reverse("disputes:register"), court_form())
    dispute = Dispute.objects.get()
    take("accept", township_staff, dispute)
    take("escalate", township_staff, dispute, reason="涉及多个乡镇")

    dispute = fresh(dispute)
    assert dispute.level == Level.COUNTY
    assert dispute.due_on == timezone.localdate() + timedelta(days=20)
    with pytest.raises(TransitionNotAllowed) as refusal:
        take("accept", county_official, dispute)
        take(
            "extend",
            county_official,
            dispute,
            days=5,
            consent=CONSENT,
            consented_on=timezone.localdate(),
            reason="等",
        )
    assert str(refusal.value) == "法院委派（委托）调解的纠纷以法院确定的期限为准。"
