"""Overdue does not move a dispute ("矛盾纠纷不上交"): it stays at its level, its light turns
red, and the nightly job opens exactly one supervision (督办) by the level above, however often
it runs. Escalation stays a person's decision with a reason."""

from datetime import timedelta

from django.utils import timezone

from cases.clocks import Light
from cases.lights import light_of
from cases.models import Supervision
from cases.supervision import ANSWER_WORKING_DAYS, supervise_red_cases
from cases.tasks import supervise_red_cases as supervise_task
from disputes import services
from disputes.models import Dispute, DisputeEvent, Level, Status
from governance.models import Notification
from governance.workdays import working_days_between
from tests.disputes.helpers import event_kinds, fresh, register


def make_overdue(dispute, *, days=1):
    """Let time pass: the dispute's deadline at its level was `days` days ago."""
    Dispute.objects.filter(pk=dispute.pk).update(due_on=timezone.localdate() - timedelta(days=days))


def notified(person, kind="supervision"):
    return list(
        Notification.objects.filter(recipient=person, kind=kind).values_list("text", flat=True)
    )


def test_an_overdue_dispute_stays_at_its_level_turns_red_and_opens_one_supervision_when_the_job_runs_twice(  # noqa: E501
    village_staff, township_staff, county_official, django_capture_on_commit_callbacks
):
    dispute = register(village_staff, level=Level.VILLAGE)
    make_overdue(dispute)
    before = fresh(dispute)

    with django_capture_on_commit_callbacks(execute=True):
        first = supervise_red_cases()
    with django_capture_on_commit_callbacks(execute=True):
        second = supervise_red_cases()

    assert (first, second) == (1, 0)
    dispute = fresh(dispute)
    # It stays where it is, with its deadline, status and version: nothing moved it.
    assert (dispute.level, dispute.status, dispute.due_on) == (
        Level.VILLAGE,
        Status.REGISTERED,
        before.due_on,
    )
    assert dispute.version == before.version
    assert light_of(dispute, on=timezone.localdate()) == Light.RED
    supervision = Supervision.objects.get(kind="dispute", object_id=dispute.pk)
    # The level above the village supervises, with its own due date for the answer.
    assert (supervision.level, supervision.case_level) == (Level.TOWNSHIP, Level.VILLAGE)
    assert supervision.clock_due == before.due_on
    assert working_days_between(timezone.localdate(), supervision.due_on) == ANSWER_WORKING_DAYS
    assert supervision.answered_at is None
    assert event_kinds(dispute) == ["registered", "supervision_opened"]
    assert DisputeEvent.objects.get(dispute=dispute, kind="supervision_opened").actor is None
    assert not DisputeEvent.objects.filter(kind__in=["escalate", "auto_escalated"]).exists()
    # The level above is told, and the level that handles it; the county is not.
    text = f"{dispute.number} 已超期：由上级督办。"
    assert notified(township_staff) == [text]
    assert notified(village_staff) == [text]
    assert notified(county_official) == []


def test_the_celery_task_run_twice_opens_one_supervision(
    village_staff, township_staff, django_capture_on_commit_callbacks
):
    # apply() runs the task in this process, as a worker would, broker or not.
    dispute = register(village_staff, level=Level.VILLAGE)
    make_overdue(dispute, days=3)

    with django_capture_on_commit_callbacks(execute=True):
        first = supervise_task.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = supervise_task.apply().get()

    assert (first, second) == (1, 0)
    assert fresh(dispute).level == Level.VILLAGE
    assert Supervision.objects.filter(object_id=dispute.pk).count() == 1
    assert len(notified(township_staff)) == 1


def test_the_job_leaves_alone_what_is_not_red_and_the_county_is_supervised_by_the_city(
    village_staff, township_staff, county_official, city_official
):
    due_today = register(village_staff, level=Level.VILLAGE)
    Dispute.objects.filter(pk=due_today.pk).update(due_on=timezone.localdate())
    resolved = register(township_staff)
    make_overdue(resolved)
    Dispute.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED)
    at_county = register(county_official, level=Level.COUNTY)
    make_overdue(at_county)

    assert supervise_red_cases() == 1
    supervision = Supervision.objects.get()
    assert supervision.object_id == at_county.pk
    assert supervision.level == "city"
    assert light_of(fresh(due_today), on=timezone.localdate()) == Light.YELLOW
    assert light_of(fresh(resolved), on=timezone.localdate()) is None


def test_a_new_deadline_missed_again_opens_a_new_supervision(village_staff):
    """One supervision per missed deadline: extended, then overdue again, it is supervised
    again; the first stays on record."""
    dispute = register(village_staff, level=Level.VILLAGE)
    make_overdue(dispute, days=5)
    assert supervise_red_cases() == 1
    make_overdue(dispute, days=1)
    assert supervise_red_cases() == 1
    assert supervise_red_cases() == 0
    assert Supervision.objects.filter(object_id=dispute.pk).count() == 2


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
    assert notified(village_staff, "level_changed") == []
    assert notified(township_staff, "level_changed") == [
        f"纠纷 {dispute.number} 已上报至乡镇（街道）级。"
    ]


def test_the_beat_schedule_has_no_automatic_escalation_and_runs_the_supervision_job(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "cases.tasks.supervise_red_cases" in tasks
    assert not any("escalat" in task for task in tasks)
