"""The beat schedule tells each rollup its period as the job falls due, so that a job kept in
the outbox while Redis was down, or delivered again after midnight, covers the period it was
due for rather than the day it finally ran."""

from datetime import date, timedelta

from celery.beat import _evaluate_entry_args
from django.conf import settings
from django.utils import timezone


def due_now(name: str) -> list:
    """The arguments beat would send the job `name` with, were it due now."""
    return list(_evaluate_entry_args(settings.CELERY_BEAT_SCHEDULE[name]["args"]))


def test_the_nightly_clear_is_sent_with_the_day_that_ended():
    assert due_now("daily-clear") == [(timezone.localdate() - timedelta(days=1)).isoformat()]


def test_the_weekly_review_is_sent_with_the_monday_of_last_week():
    (sent,) = due_now("weekly-review")
    monday = date.fromisoformat(sent)
    assert monday.weekday() == 0
    assert 7 <= (timezone.localdate() - monday).days <= 13


def test_the_monthly_assessment_is_sent_with_the_first_of_last_month():
    (sent,) = due_now("monthly-assessment")
    first = date.fromisoformat(sent)
    this_month = timezone.localdate().replace(day=1)
    assert first.day == 1
    assert first < this_month and (this_month - first).days <= 31
