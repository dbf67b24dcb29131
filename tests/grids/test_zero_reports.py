"""Zero reports (零报告): a grid with nothing to report says so, once a day; the village and the
township see which grids have reported, on Beijing days."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from grids import selectors, services
from grids.models import ZeroReport
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.factories import GridFactory, area, log_finding, person_with_role, team_member
from tests.grids.helpers import beijing, days_ago

# 河湃村, another village of 店上镇.
HEPAI_VILLAGE = "140406100201"


def confirmed() -> dict:
    """The zero report's confirmation form, as its page sends it."""
    return {"confirm": "1", "day": timezone.localdate().isoformat()}


def test_a_grid_worker_files_todays_zero_report(grid, worker):
    report, created = services.zero_report_file(actor=worker, grid=grid)

    assert created
    assert (report.grid, report.day, report.reporter) == (grid, timezone.localdate(), worker)


def test_a_second_zero_report_the_same_day_changes_nothing(grid, worker):
    first, _ = services.zero_report_file(actor=worker, grid=grid)
    colleague = team_member(grid)

    again, created = services.zero_report_file(actor=colleague, grid=grid)

    assert not created
    assert again.pk == first.pk and again.reporter == worker
    assert ZeroReport.objects.count() == 1


def test_a_grid_with_findings_that_day_cannot_file_a_zero_report(grid, worker):
    log_finding(actor=worker, grid=grid)

    with pytest.raises(ValidationError) as refused:
        services.zero_report_file(actor=worker, grid=grid)

    assert refused.value.code == "has_findings"
    assert not ZeroReport.objects.exists()


def test_a_zero_report_for_a_future_day_is_refused(grid, worker):
    with pytest.raises(ValidationError):
        services.zero_report_file(actor=worker, grid=grid, day=days_ago(-1))
    assert not ZeroReport.objects.exists()


def test_only_the_team_files_a_grids_zero_report(grid, other_worker):
    with pytest.raises(PermissionDenied):
        services.zero_report_file(actor=other_worker, grid=grid)
    assert not ZeroReport.objects.exists()


def test_a_zero_report_from_the_home_page_and_a_repeat_is_told_it_was_filed(client, grid, worker):
    client.force_login(worker)

    first = client.post(reverse("grids:zero_report", args=[grid.pk]), confirmed(), follow=True)
    second = client.post(reverse("grids:zero_report", args=[grid.pk]), confirmed(), follow=True)

    assert "已为店上村第一网格提交零报告。" in first.content.decode()
    assert "店上村第一网格今天已提交零报告。" in second.content.decode()
    assert ZeroReport.objects.count() == 1
    assert "今日无事可报" not in second.content.decode()


def test_the_page_says_why_a_grid_with_findings_has_no_zero_report(client, grid, worker):
    log_finding(actor=worker, grid=grid)
    client.force_login(worker)

    response = client.post(reverse("grids:zero_report", args=[grid.pk]), confirmed(), follow=True)

    assert "店上村第一网格当天已有发现事项，无需零报告。" in response.content.decode()
    assert not ZeroReport.objects.exists()


def zero_statement() -> str:
    """Which grid and day are reported as having nothing, as the confirmation page says it."""
    return f"将为店上村第一网格报告 {timezone.localdate():%Y-%m-%d} 无事可报（零报告）。"


def test_the_home_page_leads_to_the_confirmation_which_names_grid_and_day(client, grid, worker):
    client.force_login(worker)
    home = client.get(reverse("grids:worker_home")).content.decode()
    assert f'href="{reverse("grids:zero_report", args=[grid.pk])}"' in home

    confirmation = client.get(reverse("grids:zero_report", args=[grid.pk]))

    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert zero_statement() in text
    assert 'name="confirm"' in text
    assert f'name="day" value="{timezone.localdate():%Y-%m-%d}"' in text
    assert f'href="{reverse("grids:worker_home")}"' in text  # cancel
    assert not ZeroReport.objects.exists()


def test_a_zero_report_posted_without_confirmation_changes_nothing_and_asks(client, grid, worker):
    client.force_login(worker)

    response = client.post(reverse("grids:zero_report", args=[grid.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("grids:zero_report", args=[grid.pk])
    assert zero_statement() in response.content.decode()
    assert not ZeroReport.objects.exists()


def test_the_confirmed_zero_report_files_the_day_it_names(client, grid, worker):
    client.force_login(worker)

    client.post(reverse("grids:zero_report", args=[grid.pk]), confirmed())

    report = ZeroReport.objects.get()
    assert (report.grid, report.day, report.reporter) == (grid, timezone.localdate(), worker)


def test_a_confirmation_of_another_day_files_nothing_and_asks_again(client, grid, worker):
    """The page was opened before midnight and confirmed after: what it named is not today."""
    client.force_login(worker)

    response = client.post(
        reverse("grids:zero_report", args=[grid.pk]),
        {"confirm": "1", "day": days_ago(1).isoformat()},
        follow=True,
    )

    text = response.content.decode()
    assert "打开页面后日期已变，请重新确认今天的零报告。" in text
    assert zero_statement() in text
    assert not ZeroReport.objects.exists()


def test_another_grids_zero_report_answers_404(client, grid, other_worker):
    client.force_login(other_worker)
    assert client.get(reverse("grids:zero_report", args=[grid.pk])).status_code == 404
    response = client.post(reverse("grids:zero_report", args=[grid.pk]), confirmed())
    assert response.status_code == 404
    assert not ZeroReport.objects.exists()


# --- Beijing days ----------------------------------------------------------------------------


def test_a_finding_at_2330_beijing_time_counts_for_that_day_and_one_at_0010_for_the_next(
    grid, worker
):
    evening, next_day = days_ago(3), days_ago(2)
    log_finding(actor=worker, grid=grid, found_at=beijing(evening, 23, 30))
    log_finding(actor=worker, grid=grid, found_at=beijing(next_day, 0, 10))
    log_finding(actor=worker, grid=grid, found_at=beijing(next_day, 0, 20))

    assert selectors.worker_day(user=worker, day=evening).findings_today == 1
    assert selectors.worker_day(user=worker, day=next_day).findings_today == 2
    assert selectors.worker_day(user=worker, day=days_ago(4)).findings_today == 0
    states = {
        day: selectors.village_grid_states(user=worker, village=grid.village, day=day)[0]
        for day in (evening, next_day)
    }
    assert states[evening].findings_count == 1 and states[next_day].findings_count == 2


def test_a_late_evening_finding_blocks_that_days_zero_report_but_not_the_next_days(grid, worker):
    evening = days_ago(3)
    log_finding(actor=worker, grid=grid, found_at=beijing(evening, 23, 30))

    with pytest.raises(ValidationError):
        services.zero_report_file(actor=worker, grid=grid, day=evening)
    _, created = services.zero_report_file(actor=worker, grid=grid, day=days_ago(2))

    assert created


def test_a_finding_just_after_midnight_blocks_only_the_new_days_zero_report(grid, worker):
    morning = days_ago(2)
    log_finding(actor=worker, grid=grid, found_at=beijing(morning, 0, 10))

    _, created = services.zero_report_file(actor=worker, grid=grid, day=days_ago(3))
    with pytest.raises(ValidationError):
        services.zero_report_file(actor=worker, grid=grid, day=morning)

    assert created


# --- Village and township pages --------------------------------------------------------------


@pytest.fixture
def third_grid(village):
    return GridFactory(village=village, code="140406100200-03", name="店上小学专属网格")


def village_rows(page: str) -> dict[str, str]:
    """Grid name → the report cell of the village page's table."""
    table = page[page.index('data-testid="village-grids"') : page.index("</table>")]
    rows = {}
    for row in table.split("<tr>")[2:]:
        cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
        name = cells[0].split(">")[1].split("<")[0]
        rows[name] = cells[3]
    return rows


def test_the_village_page_shows_which_grids_have_not_reported_today(
    client, grid, other_grid, third_grid, worker, other_worker, village_staff
):
    log_finding(actor=worker, grid=grid)
    services.zero_report_file(actor=other_worker, grid=other_grid)
    client.force_login(village_staff)

    page = client.get(reverse("grids:village_grids", args=[DIANSHANG_VILLAGE])).content.decode()

    rows = village_rows(page)
    assert rows["店上村第一网格"] == "已报告"
    assert rows["店上村第二网格"] == "已零报告"
    assert "未报告" in rows["店上小学专属网格"]


def test_a_zero_report_of_yesterday_does_not_count_for_today(client, grid, worker, village_staff):
    services.zero_report_file(actor=worker, grid=grid, day=days_ago(1))
    client.force_login(village_staff)

    page = client.get(reverse("grids:village_grids", args=[DIANSHANG_VILLAGE])).content.decode()

    assert "未报告" in village_rows(page)["店上村第一网格"]


def test_the_township_page_counts_reported_and_unreported_grids_per_village(
    client, grid, other_grid, third_grid, worker, other_worker
):
    hepai_grid = GridFactory(village=area(HEPAI_VILLAGE), name="河湃村网格")
    hepai_worker = team_member(hepai_grid)
    log_finding(actor=worker, grid=grid)
    services.zero_report_file(actor=other_worker, grid=other_grid)
    services.zero_report_file(actor=hepai_worker, grid=hepai_grid)
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)

    rows = selectors.township_village_states(user=staff, township=area(DIANSHANG))

    assert [
        (row["village__name"], row["grid_count"], row["reported_count"], row["unreported_count"])
        for row in rows
    ] == [("店上村村委会", 3, 2, 1), ("河湃村村委会", 1, 1, 0)]
    client.force_login(staff)
    page = client.get(reverse("grids:township_villages", args=[DIANSHANG])).content.decode()
    assert "<td>3</td>\n        <td>2</td>\n        <td>1</td>" in page
    assert "<td>1</td>\n        <td>1</td>\n        <td>0</td>" in page


def test_a_grid_with_two_findings_counts_once_as_reported(grid, other_grid, worker):
    log_finding(actor=worker, grid=grid)
    log_finding(actor=worker, grid=grid)
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)

    (row,) = selectors.township_village_states(user=staff, township=area(DIANSHANG))

    assert (row["grid_count"], row["reported_count"], row["unreported_count"]) == (2, 1, 1)


def test_the_village_and_township_pages_answer_404_outside_ones_jurisdiction(
    client, grid, village_staff, changzhi_slice
):
    client.force_login(village_staff)

    assert client.get(reverse("grids:village_grids", args=[HEPAI_VILLAGE])).status_code == 404
    assert client.get(reverse("grids:township_villages", args=[DIANSHANG])).status_code == 404
