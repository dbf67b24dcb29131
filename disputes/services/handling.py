"""Handling a dispute: accept, assign, mediation sessions, resolve or fail, hand back, move
between levels, revisit, close, reopen, merge, and its attachments."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.levels import is_handling
from disputes.attachments import MAX_ATTACHMENTS_PER_DISPUTE, check_attachment
from disputes.models import (
    OPEN_STATUSES,
    Assignment,
    Attachment,
    Dispute,
    DisputeEvent,
    MediationSession,
    Outcome,
    Revisit,
    Route,
    Status,
)
from disputes.selectors import capabilities_for, due_date
from disputes.services.common import _act, _event, _move_level, _required, _url, staff_of_level
from disputes.workflow import level_above, level_below
from governance.notifications import notify


def dispute_accept(*, actor, dispute, version=None) -> Dispute:
    return _act(
        actor=actor, dispute=dispute, version=version, action="accept", change=lambda d: None
    )


def dispute_assign(
    *,
    actor,
    dispute,
    version=None,
    lead=None,
    co_handlers=(),
    lead_department=None,
    co_departments=(),
) -> Dispute:
    """Give the dispute one lead handler (a person or a department) and any number of
    co-handlers; the handlers before are released."""
    if (lead is None) == (lead_department is None):
        raise ValidationError(_("Choose one lead handler: a person or a department."))

    def change(locked):
        now = timezone.now()
        locked.assignments.filter(ended_at__isnull=True).update(ended_at=now)
        handlers = [(lead, lead_department, True)]
        handlers += [(person, None, False) for person in co_handlers if person != lead]
        handlers += [
            (None, department, False)
            for department in co_departments
            if department != lead_department
        ]
        names = []
        for person, department, is_lead in handlers:
            assignment = Assignment.objects.create(
                dispute=locked,
                person=person,
                department=department,
                lead=is_lead,
                assigned_by=actor,
            )
            names.append(assignment.handler_name)
            recipients = [person] if person else list(department.liaisons.all())
            notify(
                recipients=recipients,
                kind="assigned",
                text=_("Dispute %(number)s was assigned to you.") % {"number": locked.number},
                url=_url(locked),
            )
        return {"handlers": names, "lead": names[0]}

    return _act(actor=actor, dispute=dispute, version=version, action="assign", change=change)


def dispute_start_mediation(*, actor, dispute, version=None, route: str) -> Dispute:
    if route not in Route.values:
        raise ValidationError(_("Choose a handling route."))

    def change(locked):
        locked.route = route
        return {"route": route}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="start_mediation",
        change=change,
        note=str(Route(route).label),
    )


def dispute_record_session(
    *, actor, dispute, version=None, held_on: date, participants: str, agreed: str = ""
) -> Dispute:
    _required(participants, _("Say who took part."))
    if held_on > timezone.localdate():
        raise ValidationError(_("A session cannot be recorded for a future day."))

    def change(locked):
        session = MediationSession.objects.create(
            dispute=locked,
            held_on=held_on,
            participants=participants,
            agreed=agreed,
            recorded_by=actor,
        )
        return {"session": session.pk, "held_on": held_on.isoformat()}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="record_session",
        change=change,
        note=f"{participants}\n{agreed}".strip(),
    )


def dispute_resolve(*, actor, dispute, version=None, outcome: str, agreement: str = "") -> Dispute:
    if outcome not in {Outcome.AGREEMENT, Outcome.WITHDRAWN, Outcome.REFERRED}:
        raise ValidationError(_("Choose how the dispute was resolved."))
    if outcome == Outcome.AGREEMENT:
        _required(agreement, _("Write down the agreement."))

    def change(locked):
        locked.outcome = outcome
        locked.agreement = agreement.strip() if outcome == Outcome.AGREEMENT else ""
        locked.resolved_level = locked.level
        locked.resolved_at = timezone.now()
        return {"outcome": outcome, "resolved_level": locked.level}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="resolve",
        change=change,
        note=str(Outcome(outcome).label),
    )


def dispute_fail(*, actor, dispute, version=None, reason: str) -> Dispute:
    _required(reason, _("Give a reason."))

    def change(locked):
        locked.outcome = Outcome.FAILED

    return _act(
        actor=actor, dispute=dispute, version=version, action="fail", change=change, note=reason
    )


def dispute_hand_back(*, actor, dispute, version=None, reason: str) -> Dispute:
    _required(reason, _("Give a reason."))

    def change(locked):
        locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
        notify(
            recipients=staff_of_level(locked, locked.level),
            kind="handed_back",
            text=_("Dispute %(number)s was handed back.") % {"number": locked.number},
            url=_url(locked),
            exclude=actor,
        )

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="hand_back",
        change=change,
        note=reason,
    )


def dispute_escalate(*, actor, dispute, version=None, reason: str) -> Dispute:
    """One level up, with a reason: "矛盾纠纷不上交" means it happens only when the level
    cannot resolve it, one level at a time."""
    _required(reason, _("Give a reason."))

    def change(locked):
        return _move_level(
            locked,
            level_above(locked.level),
            actor,
            _("Dispute %(number)s was escalated to the %(level)s."),
        )

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="escalate",
        change=change,
        note=reason,
    )


def dispute_send_down(*, actor, dispute, version=None, reason: str) -> Dispute:
    _required(reason, _("Give a reason."))

    def change(locked):
        return _move_level(
            locked,
            level_below(locked.level),
            actor,
            _("Dispute %(number)s was sent down to the %(level)s."),
        )

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="send_down",
        change=change,
        note=reason,
    )


def dispute_revisit(*, actor, dispute, version=None, satisfaction: int, remarks="") -> Dispute:
    if satisfaction not in range(1, 6):
        raise ValidationError(_("Satisfaction is from 1 to 5."))

    def change(locked):
        Revisit.objects.create(
            dispute=locked, satisfaction=satisfaction, remarks=remarks, visited_by=actor
        )
        return {"satisfaction": satisfaction}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="revisit",
        change=change,
        note=remarks,
    )


def dispute_close(*, actor, dispute, version=None) -> Dispute:
    return _act(
        actor=actor, dispute=dispute, version=version, action="close", change=lambda d: None
    )


def dispute_reopen(*, actor, dispute, version=None, reason: str) -> Dispute:
    _required(reason, _("Give a reason."))

    def change(locked):
        locked.outcome = ""
        locked.resolved_level = ""
        locked.resolved_at = None
        locked.due_on = due_date(level=locked.level, kind=locked.kind)

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="reopen",
        change=change,
        note=reason,
    )


def dispute_merge(*, actor, dispute, version=None, target: Dispute) -> Dispute:
    """Merge `dispute` into `target`: the merged one closes as merged, both keep their
    histories, and the target's timeline shows the merged one's events too."""
    if target.pk == dispute.pk:
        raise ValidationError(_("A dispute cannot be merged into itself."))
    if target.status not in OPEN_STATUSES | {Status.NOT_RESOLVED}:
        raise ValidationError(_("The target dispute is no longer open."))

    def change(locked):
        locked.merged_into = target
        locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
        DisputeEvent.objects.create(
            dispute=target,
            actor=actor,
            kind="merged_in",
            from_status=target.status,
            to_status=target.status,
            note=locked.number,
            details={"merged": locked.pk},
        )
        return {"target": target.number}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="merge",
        change=change,
        note=target.number,
    )


def dispute_attach(*, actor, dispute: Dispute, upload) -> Attachment:
    """Attach a checked file (a photo or a PDF) to `dispute` as evidence. Only those handling
    it may; the timeline records who attached what."""
    if not is_handling(capabilities_for(user=actor, dispute=dispute)):
        raise PermissionDenied(_("Only those handling the dispute can attach files."))
    checked = check_attachment(upload)
    attachment = Attachment(
        dispute=dispute,
        stored_name=checked.stored_name,
        original_name=checked.original_name,
        content_type=checked.content_type,
        uploaded_by=actor,
    )
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if locked.attachments.count() >= MAX_ATTACHMENTS_PER_DISPUTE:
            raise ValidationError(
                _("A dispute holds at most %(count)d attachments.")
                % {"count": MAX_ATTACHMENTS_PER_DISPUTE},
                code="too_many_attachments",
            )
        attachment.file.save(checked.stored_name, checked.content, save=False)
        try:
            attachment.save()
            _event(
                locked,
                actor,
                "attachment",
                from_status=locked.status,
                note=checked.original_name,
                attachment=attachment.pk,
            )
        except BaseException:
            # The file is not part of the transaction: no row, no file.
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment
