"""Escalation: one level at a time, by a person with a reason or by the overdue job, and the
job moves an overdue dispute exactly once however often it runs."""

from datetime import timedelta

from django.utils import timezone

from disputes import services
from disputes.models import Dispute, DisputeEvent, Level, Status
from disputes.tasks import escalate_overdue_disputes
from governance.models import Notification
from governance.workdays import calendar_deadline
from tests.disputes.helpers import event_kinds, fresh, register


def make_overdue(dispute, *, days=1):
    """Let time pass: the dispute's deadline at its level was `days` days ago."""
    Dispute.objects.filter(pk=dispute.pk).update(due_on=timezone.localdate() - timedelta(days=days))


def notified(person, kind="level_changed"):
    return list(
        Notification.objects.filter(recipient=person, kind=kind).values_list("text", flat=True)
    )


def test_an_overdue_dispute_is_escalated_one_level_once_even_if_the_job_runs_twice(
    village_staff, township_staff, django_capture_on_commit_callbacks
):
    dispute = register(village_staff, level=Level.VILLAGE)
    make_overdue(dispute)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.escalate_overdue()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.escalate_overdue()

    assert (first, second) == (1, 0)
    dispute = fresh(dispute)
    assert dispute.level == Level.TOWNSHIP
    assert dispute.status == Status.REGISTERED
    # A fresh clock at the new level: a township's month of 30 calendar days (no rule set).
    assert dispute.due_on == calendar_deadline(timezone.localdate(), 30)
    escalations = DisputeEvent.objects.filter(dispute=dispute, kind="auto_escalated")
    assert escalations.count() == 1
    event = escalations.get()
    assert event.actor is None
    assert (event.from_level, event.to_level) == (Level.VILLAGE, Level.TOWNSHIP)
    assert "超期" in event.note
    # Both levels are told: the one that let it run over, and the one that takes it.
    assert notified(village_staff) == [f"纠纷 {dispute.number} 已超期，自动上报至乡镇（街道）级。"]
    assert notified(township_staff) == notified(village_staff)


def test_the_celery_task_run_twice_escalates_once(
    village_staff, township_staff, django_capture_on_commit_callbacks
):
    # apply() runs the task in this process, as a worker would, broker or not: the worker
    # against Redis is exercised by tests/rollups.
    dispute = register(village_staff, level=Level.VILLAGE)
    make_overdue(dispute, days=3)

    with django_capture_on_commit_callbacks(execute=True):
        first = escalate_overdue_disputes.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = escalate_overdue_disputes.apply().get()

    assert (first, second) == (1, 0)
    assert fresh(dispute).level == Level.TOWNSHIP
    assert event_kinds(dispute) == ["registered", "auto_escalated"]
    assert len(notified(township_staff)) == 1
    assert len(notified(village_staff)) == 1


def test_a_rerun_for_the_same_day_does_not_escalate_again(village_staff):
    """The job may be run for a given day (catching up after an outage): the fresh deadline
    counts from that day, so a second run for it finds nothing overdue."""
    dispute = register(village_staff, level=Level.VILLAGE)
    job_day = timezone.localdate() + timedelta(days=40)

    assert services.escalate_overdue(today=job_day) == 1
    assert services.escalate_overdue(today=job_day) == 0
    assert fresh(dispute).level == Level.TOWNSHIP
    assert fresh(dispute).due_on > job_day


def test_the_job_leaves_alone_what_is_not_overdue_the_county_and_finished_disputes(
    village_staff, township_staff, county_official
):
    due_today = register(village_staff, level=Level.VILLAGE)
    Dispute.objects.filter(pk=due_today.pk).update(due_on=timezone.localdate())
    at_county = register(county_official, level=Level.COUNTY)
    make_overdue(at_county)
    resolved = register(township_staff)
    make_overdue(resolved)
    Dispute.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED)
    before = {d.pk: (d.level, d.version) for d in Dispute.objects.all()}

    assert services.escalate_overdue() == 0
    assert {d.pk: (d.level, d.version) for d in Dispute.objects.all()} == before
    assert not DisputeEvent.objects.filter(kind="auto_escalated").exists()


def test_a_person_escalates_one_level_with_a_reason_and_both_levels_are_told(
    village_staff, township_staff, mediator, django_capture_on_commit_callbacks
):
    dispute = register(village_staff, level=Level.VILLAGE)
    services.dispute_accept(actor=village_staff, dispute=dispute, version=dispute.version)
    dispute = fresh(dispute)

    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_escalate(
            actor=village_staff,
            dispute=dispute,
            version=dispute.version,
            reason="涉及三个村民小组，村里协调不了",
        )

    dispute = fresh(dispute)
    assert (dispute.level, dispute.status) == (Level.TOWNSHIP, Status.REGISTERED)
    event = DisputeEvent.objects.filter(dispute=dispute).latest("pk")
    assert (event.kind, event.actor, event.note) == (
        "escalate",
        village_staff,
        "涉及三个村民小组，村里协调不了",
    )
    assert (event.from_level, event.to_level) == (Level.VILLAGE, Level.TOWNSHIP)
    # The person who escalated is not told what they did; the township is.
    assert notified(village_staff) == []
    assert notified(township_staff) == [f"纠纷 {dispute.number} 已上报至乡镇（街道）级。"]
