"""From the level above: supervision (督办) and its answer, and extensions of the deadline."""

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.supervision import manual_supervisions_open, supervision_open_manual
from disputes.models import Dispute
from disputes.services.common import _act, _required, _url, staff_of_level
from governance.notifications import notify
from governance.workdays import add_working_days


def dispute_supervise(*, actor, dispute, version=None, note: str) -> Dispute:
    """督办: a superior supervises the dispute (`cases.Supervision`, opened by hand); the
    handling level must answer."""
    _required(note, _("Write the instruction."))

    def change(locked):
        supervision_open_manual(case=locked, actor=actor, note=note)
        locked.under_supervision = True
        notify(
            recipients=staff_of_level(locked, locked.level),
            kind="supervision",
            text=_("Dispute %(number)s is under supervision.") % {"number": locked.number},
            url=_url(locked),
        )

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="supervise",
        change=change,
        note=note,
    )


def supervision_answer(*, actor, dispute, version=None, answer: str) -> Dispute:
    _required(answer, _("Write the answer."))

    def change(locked):
        pending = list(manual_supervisions_open(locked).select_related("instructed_by"))
        now = timezone.now()
        for supervision in pending:
            supervision.answer = answer
            supervision.answered_by = actor
            supervision.answered_at = now
            supervision.save(update_fields=["answer", "answered_by", "answered_at"])
        locked.under_supervision = False
        notify(
            recipients=[s.instructed_by for s in pending],
            kind="supervision_answer",
            text=_("Supervision of dispute %(number)s was answered.") % {"number": locked.number},
            url=_url(locked),
        )

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="answer_supervision",
        change=change,
        note=answer,
    )


def dispute_decide_extension(*, actor, dispute, version=None, approved: bool, note="") -> Dispute:
    def change(locked):
        # The registry's guard saw one pending, on the locked row.
        request = locked.extensions.filter(approved__isnull=True).first()
        request.approved = approved
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save(update_fields=["approved", "decided_by", "decided_at"])
        if approved:
            start = max(locked.due_on or timezone.localdate(), timezone.localdate())
            locked.due_on = add_working_days(start, request.working_days)
            locked.extended = True
        return {"request": request.pk, "approved": approved}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="decide_extension",
        change=change,
        note=note,
        event_kind="extension_approved" if approved else "extension_refused",
    )
