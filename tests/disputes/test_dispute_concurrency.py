"""Two people acting on the same dispute: the one whose form is out of date is told, keeps what
they typed, and nothing of theirs is written; no event is lost."""

import queue
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Supervision
from cases.supervision import supervise_red_cases
from cases.workflow import CaseChangedUnderYou
from disputes import services
from disputes.models import Dispute, DisputeEvent, Level, MediationSession
from tests.disputes.helpers import (
    action_form_html,
    bring_to_mediation,
    event_kinds,
    fresh,
    hidden_version,
    register,
    snapshot,
    take,
)

CHANGED_UNDER_YOU = (
    "在您操作期间，他人已更新了这件纠纷。您的操作未保存：请查看最新状态后重试，"
    "您填写的内容仍在表单中。"
)


def test_the_second_of_two_people_on_the_same_version_is_refused_and_nothing_is_written(
    dispute, township_staff, second_township_staff, mediator
):
    dispute = bring_to_mediation(dispute, staff=township_staff, mediator=mediator)
    loaded_by_both = dispute.version

    services.dispute_record_session(
        actor=township_staff,
        dispute=fresh(dispute),
        version=loaded_by_both,
        held_on=timezone.localdate(),
        participants="赵镇干、双方当事人",
    )
    after_first = snapshot(dispute)
    with pytest.raises(CaseChangedUnderYou) as refusal:
        services.dispute_record_session(
            actor=second_township_staff,
            dispute=fresh(dispute),
            version=loaded_by_both,
            held_on=timezone.localdate(),
            participants="冯镇干、双方当事人",
        )

    assert str(refusal.value) == CHANGED_UNDER_YOU
    assert snapshot(dispute) == after_first
    assert fresh(dispute).version == loaded_by_both + 1
    assert list(MediationSession.objects.values_list("participants", flat=True)) == [
        "赵镇干、双方当事人"
    ]


def test_through_the_page_the_second_person_gets_their_input_back_with_the_message(
    client, dispute, township_staff, second_township_staff, mediator
):
    dispute = bring_to_mediation(dispute, staff=township_staff, mediator=mediator)
    page = reverse("disputes:detail", args=[dispute.pk])
    url = reverse("disputes:act", args=[dispute.pk, "record_session"])
    client.force_login(second_township_staff)
    version_on_screen = hidden_version(action_form_html(client.get(page), "record_session"))
    take(
        "record_session",
        township_staff,
        dispute,
        held_on=timezone.localdate(),
        participants="赵镇干、双方当事人",
    )
    after_first = snapshot(dispute)
    typed = {
        "version": version_on_screen,
        "held_on": timezone.localdate().isoformat(),
        "participants": "冯镇干、刘建国、陈秀英",
        "agreed": "双方同意下周再谈排水沟改道",
    }

    response = client.post(url, typed)

    assert response.status_code == 400
    form = action_form_html(response, "record_session")
    assert CHANGED_UNDER_YOU in form
    assert 'value="冯镇干、刘建国、陈秀英"' in form
    assert "双方同意下周再谈排水沟改道</textarea>" in form
    assert snapshot(dispute) == after_first
    # The form now carries the new version: sending the kept input again acts on the new state.
    assert hidden_version(form) == fresh(dispute).version
    again = client.post(url, {**typed, "version": hidden_version(form)})
    assert again.status_code == 302
    assert MediationSession.objects.filter(dispute=dispute).count() == 2
    assert event_kinds(dispute).count("record_session") == 2


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


def backend_pid() -> int:
    """This thread's PostgreSQL backend."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def waits_on_a_lock(pid: int, timeout=10.0) -> bool:
    """True once the backend `pid` waits on a lock (polled from this thread's connection)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
            time.sleep(0.05)
    return False


def in_thread(target, results, name):
    """Run `target` on its own thread and database connection; keep what it returned or
    raised in `results[name]`."""

    def run():
        try:
            results[name] = target()
        except Exception as error:  # the test inspects what each side met
            results[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_second_writer_waits_for_the_first_and_is_then_told(
    township_staff, second_township_staff, mediator
):
    """The first writer's transaction is still open when the second, from the same version,
    arrives: the second must wait on the row lock (not read the old version and write past
    it) and, once the first commits, be told the dispute changed."""
    dispute = bring_to_mediation(register(township_staff), staff=township_staff, mediator=mediator)
    loaded_by_both = dispute.version
    first_holds_the_row = threading.Event()
    release = threading.Event()
    second_pid = queue.Queue()
    results = {}

    def first():
        with transaction.atomic():
            services.dispute_record_session(
                actor=township_staff,
                dispute=Dispute.objects.get(pk=dispute.pk),
                version=loaded_by_both,
                held_on=timezone.localdate(),
                participants="赵镇干、双方当事人",
            )
            first_holds_the_row.set()
            assert release.wait(10)
        return "saved"

    def second():
        assert first_holds_the_row.wait(10)
        second_pid.put(backend_pid())
        services.dispute_record_session(
            actor=second_township_staff,
            dispute=Dispute.objects.get(pk=dispute.pk),
            version=loaded_by_both,
            held_on=timezone.localdate(),
            participants="冯镇干、双方当事人",
        )
        return "saved"

    threads = [in_thread(first, results, "first")]
    assert first_holds_the_row.wait(10)
    threads.append(in_thread(second, results, "second"))
    try:
        pid = second_pid.get(timeout=10)
        assert waits_on_a_lock(pid), "the second writer never waited for the row lock"
    finally:
        release.set()
        for thread in threads:
            thread.join(20)

    assert results["first"] == "saved"
    assert isinstance(results["second"], CaseChangedUnderYou), results["second"]
    assert fresh(dispute).version == loaded_by_both + 1
    assert list(MediationSession.objects.values_list("participants", flat=True)) == [
        "赵镇干、双方当事人"
    ]
    assert event_kinds(dispute).count("record_session") == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_two_supervision_jobs_at_once_open_one_supervision(
    village_staff, township_staff
):
    dispute = register(village_staff, level=Level.VILLAGE)
    Dispute.objects.filter(pk=dispute.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    start = threading.Barrier(2)
    results = {}

    def job():
        start.wait(10)
        return supervise_red_cases()

    threads = [in_thread(job, results, name) for name in ("a", "b")]
    for thread in threads:
        thread.join(30)

    assert sorted(results.values()) == [0, 1], results
    # It stays at its level: the level above supervises it.
    assert fresh(dispute).level == Level.VILLAGE
    assert Supervision.objects.filter(kind="dispute", object_id=dispute.pk).count() == 1
    assert DisputeEvent.objects.filter(dispute=dispute, kind="supervision_opened").count() == 1
