"""`manage.py rollup`: back-fills a range with a progress line per period, and refuses dates
that are not dates or periods that have not ended, saying why."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from governance.rollups.engine import previous_month
from governance.rollups.models import DailyStat, JobRun, MonthlyScore, WeeklyRanking
from tests.rollups.small import finding_at, village_with_a_grid
from tests.rollups.world import moment

pytestmark = pytest.mark.django_db


def rollup(*args) -> list[str]:
    """The command's lines, in English (the messages' msgids; zh-hans is the default)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("rollup", *args, stdout=out)
    return out.getvalue().splitlines()


def test_back_fill_of_days_shows_progress(changzhi_slice):
    place = village_with_a_grid(since=date(2026, 1, 1))
    finding_at(place, moment(date(2026, 3, 2), 10))
    lines = rollup("--from", "2026-03-01", "--to", "2026-03-03")
    assert len(lines) == 3
    assert lines[0].startswith("[1/3] 2026-03-01: ")
    assert lines[2].startswith("[3/3] 2026-03-03: ")
    assert all(line.endswith(" rows") for line in lines)
    assert DailyStat.objects.get(day=date(2026, 3, 2), grid=place.grid).findings_new == 1
    assert JobRun.objects.filter(job="daily", outcome="done").count() == 3


def test_weekly_back_fill_runs_each_week_holding_a_day_of_the_range(changzhi_slice):
    village_with_a_grid(since=date(2026, 1, 1))
    rollup("--from", "2026-02-23", "--to", "2026-03-15")
    # Wednesday 4 March to Tuesday 10 March: the weeks from Monday 2 and Monday 9 March.
    lines = rollup("--job", "weekly", "--from", "2026-03-04", "--to", "2026-03-10")
    assert [line.split(":")[0] for line in lines] == ["[1/2] 2026-03-02", "[2/2] 2026-03-09"]
    assert set(WeeklyRanking.objects.values_list("week_start", flat=True)) == {
        date(2026, 3, 2),
        date(2026, 3, 9),
    }


def test_monthly_back_fill_takes_months(changzhi_slice):
    village_with_a_grid(since=date(2026, 1, 1))
    rollup("--from", "2026-02-01", "--to", "2026-03-31")
    lines = rollup("--job", "monthly", "--from", "2026-02", "--to", "2026-03")
    assert [line.split(":")[0] for line in lines] == ["[1/2] 2026-02", "[2/2] 2026-03"]
    assert MonthlyScore.objects.filter(month=date(2026, 3, 1), kind="grid_worker").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-02-30"], "“2026-02-30” is not a date (YYYY-MM-DD)."),
        (["--from", "yesterday"], "“yesterday” is not a date (YYYY-MM-DD)."),
        (["--from", "2026-03-05", "--to", "2026-03-01"], "The last day comes before the first."),
        (["--job", "monthly", "--from", "2026-13"], "“2026-13” is not a month (YYYY-MM)."),
        (
            ["--job", "monthly", "--from", "2026-03", "--to", "2026-02"],
            "The last month comes before the first.",
        ),
    ],
)
def test_bad_dates_are_refused_with_a_clear_message(db, args, message):
    with pytest.raises(CommandError) as refused:
        rollup(*args)
    assert str(refused.value) == message
    assert not JobRun.objects.exists()


def test_periods_that_have_not_ended_are_refused(db):
    today = timezone.localdate()
    refusals = {
        "daily": (today.isoformat(), "Only days that have ended can be rolled up."),
        "weekly": (
            (today - timedelta(days=1)).isoformat() if today.weekday() else today.isoformat(),
            "Only weeks that have ended (Monday to Sunday) can be reviewed.",
        ),
        "monthly": (f"{today:%Y-%m}", "Only months that have ended can be assessed."),
    }
    for job, (first, message) in refusals.items():
        with pytest.raises(CommandError) as refused:
            rollup("--job", job, "--from", first)
        assert str(refused.value) == message
    assert not JobRun.objects.exists()


def test_without_dates_each_job_runs_its_last_ended_period(db):
    today = timezone.localdate()
    assert rollup()[0].startswith(f"[1/1] {today - timedelta(days=1)}: ")
    last_monday = today - timedelta(days=today.weekday() + 7)
    assert rollup("--job", "weekly")[0].startswith(f"[1/1] {last_monday}: ")
    assert rollup("--job", "monthly")[0].startswith(f"[1/1] {previous_month(today):%Y-%m}: ")
