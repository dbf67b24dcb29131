"""The warning periods on the county's settings page (the county's administrator sets them,
audited; bad input refused whole), urgent findings (重大事项直报) told to the township and the
county at once, and the nightly rollup's count of red and yellow."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cases.models import LightRule
from disputes.models import Dispute
from governance.audit.models import AuditEntry, AuditKind
from governance.models import Role
from governance.rollups.engine import run_daily
from governance.rollups.models import DailyStat
from grids.forms import FindingForm
from grids.models import Grid, Severity
from tests.conftest import LUCHENG, SHANGDANG
from tests.disputes.helpers import register
from tests.factories import area, log_finding, person_with_role

SETTINGS = reverse("cases:light_settings", args=[LUCHENG])


def test_the_county_administrator_sets_the_warning_periods_and_each_change_is_audited(
    client, county_admin
):
    client.force_login(county_admin)
    html = client.get(reverse("county_settings", args=[LUCHENG])).content.decode()
    assert "预警灯" in html and SETTINGS in html

    response = client.post(SETTINGS, {"dispute": "4", "petition": "", "incident": "1"})
    assert response.status_code == 302
    assert dict(LightRule.objects.values_list("kind", "working_days")) == {
        "dispute": 4,
        "incident": 1,
    }
    entries = AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).order_by("pk")
    assert [(e.detail["key"], e.detail["old"], e.detail["new"]) for e in entries] == [
        (f"{LUCHENG}/dispute", None, 4),
        (f"{LUCHENG}/incident", None, 1),
    ]
    # Saved again unchanged: nothing new is audited; emptied: the default applies again.
    client.post(SETTINGS, {"dispute": "4", "incident": "1"})
    client.post(SETTINGS, {"dispute": "", "incident": "1"})
    assert dict(LightRule.objects.values_list("kind", "working_days")) == {"incident": 1}
    assert AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).count() == 3


def test_bad_warning_periods_are_refused_whole_with_a_message(client, county_admin):
    client.force_login(county_admin)
    response = client.post(SETTINGS, {"dispute": "3", "petition": "99", "incident": "abc"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert not LightRule.objects.exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).exists()


def test_another_countys_administrator_gets_a_404(client, changzhi_slice):
    client.force_login(person_with_role(Role.ADMINISTRATOR, SHANGDANG))
    assert client.post(SETTINGS, {"dispute": "3"}).status_code == 404
    assert not LightRule.objects.exists()


def test_an_urgent_finding_is_told_to_the_township_and_the_county_at_once(
    grid,
    grid_worker,
    village_staff,
    township_staff,
    county_official,
    weizi_staff,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        log_finding(actor=grid_worker, grid=grid, description="河堤出现管涌")
    assert not township_staff.notifications.exists()

    with django_capture_on_commit_callbacks(execute=True):
        finding = log_finding(actor=grid_worker, grid=grid, urgent=True, description="河堤管涌")
    assert finding.urgent
    for person in (township_staff, county_official):
        texts = list(person.notifications.filter(kind="urgent_finding").values_list("text", "url"))
        assert texts == [
            (
                f"店上村村委会 重大事项直报：安全隐患，{grid.name}。",
                reverse("grids:finding_detail", args=[finding.pk]),
            )
        ], person.first_name
    # The village is not the level told, nor the neighbouring township; the text has no names.
    assert not village_staff.notifications.exists()
    assert not weizi_staff.notifications.exists()


def test_the_finding_form_offers_the_urgent_box(grid):
    form = FindingForm(grids=Grid.objects.filter(pk=grid.pk))
    assert "urgent" in form.fields
    assert "重大事项直报" in str(form["urgent"].label)


def test_the_nightly_rollup_counts_red_and_yellow_per_area(township_staff):
    today = timezone.localdate()
    red = register(township_staff)
    Dispute.objects.filter(pk=red.pk).update(due_on=today - timedelta(days=2))
    yellow = register(township_staff)
    Dispute.objects.filter(pk=yellow.pk).update(due_on=today)
    register(township_staff)  # green: 15 working days

    run_daily(today)

    county = DailyStat.objects.get(area=area(LUCHENG), grid__isnull=True, day=today)
    village = DailyStat.objects.get(area=red.village, grid__isnull=True, day=today)
    assert (county.cases_red, county.cases_yellow) == (1, 1)
    assert (village.cases_red, village.cases_yellow) == (1, 1)


def test_a_major_matter_and_an_urgent_severity_are_told_apart_on_the_finding_page(
    client, grid, grid_worker, township_staff
):
    """The box 重大事项直报 is a duty to report, not a degree of severity: a minor finding
    reported at once says 重大事项直报; a finding of urgent (紧急) severity that is not says
    only its severity."""
    reported = log_finding(actor=grid_worker, grid=grid, urgent=True, description="河堤管涌")
    grave = log_finding(
        actor=grid_worker, grid=grid, severity=Severity.HIGH, description="电线裸露"
    )
    client.force_login(township_staff)

    page = client.get(reverse("grids:finding_detail", args=[reported.pk])).content.decode()
    assert (
        '<span class="badge text-bg-danger" data-testid="finding-urgent">重大事项直报</span>'
        in page
    )
    assert "紧急" not in page

    page = client.get(reverse("grids:finding_detail", args=[grave.pk])).content.decode()
    assert 'data-testid="finding-urgent"' not in page
    assert "紧急" in page
