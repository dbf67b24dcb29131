"""Handling a dispute: accept, assign, mediation sessions, the two ends (mediated
successfully, or terminated), hand back, move between levels, extend with the parties'
consent, the independent revisit and its 回头办, close, reopen, merge, and its attachments."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.levels import is_handling
from disputes.attachments import MAX_ATTACHMENTS_PER_DISPUTE, check_attachment
from disputes.models import (
    OPEN_STATUSES,
    SUCCESS_OUTCOMES,
    TERMINATION_OUTCOMES,
    Assignment,
    Attachment,
    Dispute,
    DisputeEvent,
    ExtensionRequest,
    Fulfilment,
    MediationSession,
    Outcome,
    ReferralKind,
    Revisit,
    Route,
    Status,
)
from disputes.selectors import capabilities_for, dispute_due_date, revisit_sends_back
from disputes.services.common import _act, _event, _move_level, _required, _url, staff_of_level
from disputes.services.intake import clean_body_name, clean_case_number
from disputes.workflow import level_above, level_below
from governance.notifications import notify
from governance.workdays import calendar_deadline


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
    """Mediated successfully (调解成功): the parties reached an agreement, written (调解协议书)
    or oral (口头协议, its content recorded here). The only end that counts as resolved."""
    if outcome not in SUCCESS_OUTCOMES:
        raise ValidationError(_("Choose the kind of agreement: written or oral."))
    _required(agreement, _("Write down what the parties agreed."))

    def change(locked):
        locked.outcome = outcome
        locked.agreement = agreement.strip()
        locked.resolved_level = locked.level
        locked.resolved_at = timezone.now()
        locked.terminated_at = None
        return {"outcome": outcome, "resolved_level": locked.level}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="resolve",
        change=change,
        note=str(Outcome(outcome).label),
    )


def dispute_terminate(
    *,
    actor,
    dispute,
    version=None,
    outcome: str,
    reason: str,
    referral_kind: str = "",
    referral_body: str = "",
    referral_case_number: str = "",
) -> Dispute:
    """The mediation ends without an agreement (调解终止): the parties withdrew, the dispute was
    referred to a court or an arbitration commission (which received it under its own case
    number), or no agreement was reached. Reported as what it is, never as resolved."""
    if outcome not in TERMINATION_OUTCOMES:
        raise ValidationError(_("Choose why the mediation ends."))
    _required(reason, _("Give a reason."))
    referral = {}
    if outcome == Outcome.REFERRED:
        if referral_kind not in ReferralKind.values:
            raise ValidationError(_("Say whether it went to a court or to arbitration."))
        referral = {
            "referral_kind": referral_kind,
            "referral_body": clean_body_name(referral_body, kind=referral_kind),
            "referral_case_number": clean_case_number(referral_case_number, kind=referral_kind),
        }

    def change(locked):
        locked.outcome = outcome
        locked.agreement = ""
        locked.resolved_level = locked.level
        locked.resolved_at = None
        locked.terminated_at = timezone.now()
        locked.referral_kind = referral.get("referral_kind", "")
        locked.referral_body = referral.get("referral_body", "")
        locked.referral_case_number = referral.get("referral_case_number", "")
        locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
        return {"outcome": outcome, "level": locked.level, **referral}

    note = str(Outcome(outcome).label)
    if referral:
        note += f"：{referral['referral_body']} {referral['referral_case_number']}"
    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="terminate",
        change=change,
        note=f"{note}\n{reason.strip()}",
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


MAX_EXTENSION_DAYS = 30


def dispute_extend(
    *, actor, dispute, version=None, days: int, consent: str, consented_on: date, reason: str
) -> Dispute:
    """Extend the deadline at this level with the parties' consent (people's mediation is
    "一般在一个月内调结"; a longer one needs the parties to agree): who agreed, how and on
    which day is recorded with the extension. Once per level; never for a court-referred
    dispute, which works to the court's deadline."""
    _required(reason, _("Give a reason."))
    _required(consent, _("Record the parties' consent: who agreed, and how."))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(_("An extension is 1 to %(max)d days.") % {"max": MAX_EXTENSION_DAYS})
    if consented_on is None or consented_on > timezone.localdate():
        raise ValidationError(_("The parties' consent cannot be dated in the future."))

    def change(locked):
        now = timezone.now()
        extension = ExtensionRequest.objects.create(
            dispute=locked,
            days=days,
            consent=consent.strip(),
            consented_on=consented_on,
            reason=reason.strip(),
            requested_by=actor,
            approved=True,
            decided_by=actor,
            decided_at=now,
        )
        start = max(locked.due_on or timezone.localdate(), timezone.localdate())
        locked.due_on = calendar_deadline(start, days)
        locked.extended = True
        return {
            "extension": extension.pk,
            "days": days,
            "consented_on": consented_on.isoformat(),
            "due_on": locked.due_on.isoformat(),
        }

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="extend",
        change=change,
        note=f"{consent.strip()}\n{reason.strip()}",
    )


def dispute_revisit(
    *, actor, dispute, version=None, satisfaction: int, fulfilment: str, remarks=""
) -> Dispute:
    """回访, by a revisit officer independent of the case (the registry's `revisitor`), no
    earlier than the county's days after it ended: the parties' satisfaction and whether the
    agreement was carried out. Dissatisfied parties (1 or 2 of 5) or an agreement not carried
    out send the dispute back to work (回头办) in the same transaction."""
    if satisfaction not in range(1, 6):
        raise ValidationError(_("Satisfaction is from 1 to 5."))
    if fulfilment not in Fulfilment.values:
        raise ValidationError(_("Say whether the agreement was carried out."))

    def change(locked):
        Revisit.objects.create(
            dispute=locked,
            satisfaction=satisfaction,
            fulfilment=fulfilment,
            independent=True,
            remarks=remarks,
            visited_by=actor,
        )
        return {"satisfaction": satisfaction, "fulfilment": fulfilment}

    with transaction.atomic():
        revisited = _act(
            actor=actor,
            dispute=dispute,
            version=version,
            action="revisit",
            change=change,
            note=remarks,
        )
        if revisit_sends_back(revisited):
            return dispute_return(actor=actor, dispute=revisited, version=revisited.version)
    return revisited


def dispute_return(*, actor, dispute, version=None) -> Dispute:
    """回头办: the revisit found the parties dissatisfied or the agreement not carried out; the
    dispute goes back to work at its level with a new deadline of its own, and is counted."""

    def change(locked):
        locked.outcome = ""
        locked.resolved_at = None
        locked.terminated_at = None
        locked.resolved_level = ""
        locked.due_on = dispute_due_date(locked, level=locked.level)
        locked.extended = False
        locked.returned_count += 1
        notify(
            recipients=staff_of_level(locked, locked.level),
            kind="returned",
            text=_("Dispute %(number)s was sent back to work after its revisit.")
            % {"number": locked.number},
            url=_url(locked),
            exclude=actor,
        )
        return {"due_on": locked.due_on.isoformat(), "times": locked.returned_count}

    return _act(actor=actor, dispute=dispute, version=version, action="return", change=change)


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
        locked.terminated_at = None
        locked.due_on = dispute_due_date(locked, level=locked.level)

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
    if target.status not in OPEN_STATUSES and not (
        target.status == Status.TERMINATED and target.outcome == Outcome.NOT_AGREED
    ):
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
