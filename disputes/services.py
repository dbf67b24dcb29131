"""The only writers of disputes. Each function is `dispute_<verb>(*, actor, dispute, version,
...)`: `actor` is the person acting (None: the system, e.g. the overdue escalation job),
`version` the dispute's version the person's form was drawn from.

Every function runs `_act`, which locks the row, refuses a stale version
(`CaseChangedUnderYou`), checks the workflow table (`TransitionNotAllowed`), applies the
change, bumps the version and writes one `DisputeEvent`; notifications are written when the
transaction commits.
"""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.attachments import MAX_ATTACHMENTS_PER_DISPUTE, check_attachment
from disputes.models import (
    DEFAULT_WORKING_DAYS,
    OPEN_STATUSES,
    Assignment,
    Attachment,
    Channel,
    DeadlineRule,
    Dispute,
    DisputeEvent,
    DisputeKind,
    ExtensionRequest,
    Level,
    MediationSession,
    Outcome,
    Party,
    Revisit,
    Risk,
    Route,
    Status,
    Summons,
    Supervision,
)
from disputes.selectors import capabilities_for, due_date
from disputes.workflow import (
    DISPUTE_WORKFLOW,
    LEVEL_STAFF,
    level_above,
    level_below,
)
from governance.cases import CaseType, take_action
from governance.configuration.services import (
    audit_setting_change,
    city_area,
    require_city_administrator,
    whole_number,
)
from governance.identity import clean_id_number, clean_phone
from governance.levels import is_handling, staff_at_level
from governance.models import Area, AreaLevel
from governance.notifications import notify
from governance.workdays import add_working_days
from governance.workflow import TransitionNotAllowed
from grids.models import GridAssignment

MAX_EXTENSION_WORKING_DAYS = 30
# Thresholds of the risk colour: a "group" dispute (群体性) involves ten people or more.
RED_PEOPLE = 10
YELLOW_PEOPLE = 3
SENSITIVE_KINDS = {DisputeKind.REQUISITION, DisputeKind.LAND, DisputeKind.LABOUR}


def risk_colour(*, people_involved: int, kind: str, is_repeat: bool) -> str:
    """Red for a group dispute, or a sensitive kind or a repeat involving five or more;
    yellow for three or more people, a sensitive kind, or a repeat; green otherwise."""
    sensitive = kind in SENSITIVE_KINDS
    if people_involved >= RED_PEOPLE or (people_involved >= 5 and (sensitive or is_repeat)):
        return Risk.RED
    if people_involved >= YELLOW_PEOPLE or sensitive or is_repeat:
        return Risk.YELLOW
    return Risk.GREEN


def staff_of_level(dispute: Dispute, level: str) -> list:
    """The people who staff `level` over `dispute`: whom a change at that level concerns."""
    if level == Level.GRID:
        if not dispute.grid_id:
            return []
        assignments = GridAssignment.objects.active_on(timezone.localdate()).filter(
            grid_id=dispute.grid_id
        )
        return [a.person for a in assignments.select_related("person")]
    return staff_at_level(dispute.village, level)


def _url(dispute: Dispute) -> str:
    return reverse("disputes:detail", args=[dispute.pk])


def _event(dispute, actor, kind, *, from_status, from_level="", note="", **details):
    return DisputeEvent.objects.create(
        dispute=dispute,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=dispute.status,
        from_level=from_level,
        to_level=dispute.level if from_level else "",
        note=note,
        details=details,
    )


def _level_change(before: dict, locked: Dispute) -> dict:
    """The event's own columns: the levels, when the action moved the dispute."""
    if before["level"] == locked.level:
        return {}
    return {"from_level": before["level"], "to_level": locked.level}


DISPUTE = CaseType(
    model=Dispute,
    event_model=DisputeEvent,
    event_case_field="dispute",
    workflow=DISPUTE_WORKFLOW,
    capabilities=lambda *, user, case: capabilities_for(user=user, dispute=case),
    related=("village", "village__parent", "village__parent__parent"),
    changed_message=gettext_lazy(
        "Someone else changed this dispute while you were working on it. "
        "Nothing was saved: look at its new state, then try again."
    ),
)


def _act(
    *,
    actor,
    dispute: Dispute,
    version: int | None,
    action: str,
    change: Callable[[Dispute], dict | None],
    note: str = "",
    event_kind: str | None = None,
) -> Dispute:
    """Apply `action` through the shared case machinery (see the module docstring)."""
    return take_action(
        DISPUTE,
        actor=actor,
        case=dispute,
        version=version,
        action=action,
        change=change,
        note=note,
        event_kind=event_kind,
        event_fields=_level_change,
    )


def _nothing(locked: Dispute) -> None:
    """The change of an action that only moves the status."""


def _required(value, message):
    if value in (None, "", [], ()) or (isinstance(value, str) and not value.strip()):
        raise ValidationError(message)


# ---------------------------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------------------------


def registration_levels(*, actor, village: Area, grid=None) -> list[str]:
    """The levels at which `actor` may register a dispute of `village` (and `grid`)."""
    probe = Dispute(village=village, grid=grid, level=Level.VILLAGE)
    levels = []
    for level in (Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY):
        if level == Level.GRID and grid is None:
            continue
        probe.level = level
        probe.active_assignments, probe.all_summons = [], []
        if LEVEL_STAFF in capabilities_for(user=actor, dispute=probe):
            levels.append(level)
    return levels


def _checked_party(party: dict) -> dict:
    """A party as the registration form would have let it through: the service is called by
    imports and scripts too, and a bad ID number must not be stored from there either."""
    checked = {
        "side": party.get("side", ""),
        "name": (party.get("name") or "").strip(),
        "id_number": clean_id_number(party.get("id_number", "")),
        "phone": clean_phone(party.get("phone", "")),
    }
    Party(**checked).full_clean(exclude=["dispute"])
    return checked


def dispute_register(
    *,
    actor,
    kind: str,
    channel: str,
    description: str,
    people_involved: int,
    village: Area,
    level: str,
    parties: list[dict],
    grid=None,
    source_finding=None,
    repeat_of: Dispute | None = None,
) -> Dispute:
    """Register a dispute at `level`, where `actor` must work. `parties` are dicts with side,
    name, id_number and phone; at least one is required."""
    if village.level != AreaLevel.VILLAGE:
        raise ValidationError(_("A dispute belongs to a village or community."))
    if grid is not None and grid.village_id != village.pk:
        raise ValidationError(_("The grid does not belong to this village."))
    if kind not in DisputeKind.values or channel not in Channel.values:
        raise ValidationError(_("Unknown kind or channel."))
    if level not in registration_levels(actor=actor, village=village, grid=grid):
        raise TransitionNotAllowed(_("You cannot register a dispute at this level."))
    if not parties:
        raise ValidationError(_("Name at least one party."))
    parties = [_checked_party(party) for party in parties]
    if (
        source_finding is not None
        and Dispute.objects.filter(source_finding=source_finding).exists()
    ):
        raise ValidationError(_("A dispute was already opened from this finding."))
    dispute = Dispute(
        kind=kind,
        channel=channel,
        description=description,
        people_involved=people_involved,
        village=village,
        grid=grid,
        source_finding=source_finding,
        level=level,
        status=Status.REGISTERED,
        repeat_of=repeat_of,
        risk=risk_colour(
            people_involved=people_involved, kind=kind, is_repeat=repeat_of is not None
        ),
        due_on=due_date(level=level, kind=kind),
        registered_by=actor,
    )
    dispute.full_clean(exclude=["number", "registered_by"])
    with transaction.atomic():
        dispute.save()
        dispute.number = f"JF{timezone.localdate():%Y}{dispute.pk:07d}"
        dispute.save(update_fields=["number"])
        for party in parties:
            Party.objects.create(
                dispute=dispute,
                side=party["side"],
                name=party["name"],
                id_number=party.get("id_number", ""),
                phone=party.get("phone", ""),
            )
        _event(
            dispute,
            actor,
            "registered",
            from_status="",
            repeat_of=repeat_of.number if repeat_of else None,
        )
    return dispute


# ---------------------------------------------------------------------------------------------
# Handling
# ---------------------------------------------------------------------------------------------


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


def _move_level(locked: Dispute, to_level: str, actor, text: str, start: date | None = None):
    """Hand the dispute to another level: its handlers are released, its clock restarts from
    `start` (today by default). The event row records both levels in its own columns."""
    from_level = locked.level
    locked.level = to_level
    locked.due_on = due_date(level=to_level, kind=locked.kind, start=start)
    locked.extended = False
    locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    notify(
        recipients=staff_of_level(locked, from_level) + staff_of_level(locked, to_level),
        kind="level_changed",
        text=text % {"number": locked.number, "level": Level(to_level).label},
        url=_url(locked),
        exclude=actor,
    )


def dispute_escalate(*, actor, dispute, version=None, reason: str) -> Dispute:
    """One level up, with a reason: "矛盾纠纷不上交" means it happens only when the level
    cannot resolve it, one level at a time."""
    _required(reason, _("Give a reason."))

    def change(locked):
        to_level = level_above(locked.level)
        if to_level is None:
            raise TransitionNotAllowed(_("The county is the highest level."))
        return _move_level(
            locked, to_level, actor, _("Dispute %(number)s was escalated to the %(level)s.")
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
        to_level = level_below(locked.level)
        if to_level is None or (to_level == Level.GRID and not locked.grid_id):
            raise TransitionNotAllowed(_("There is no lower level to send it to."))
        return _move_level(
            locked, to_level, actor, _("Dispute %(number)s was sent down to the %(level)s.")
        )

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="send_down",
        change=change,
        note=reason,
    )


def dispute_request_extension(
    *, actor, dispute, version=None, working_days: int, reason: str
) -> Dispute:
    """Ask the level above for more working days; one pending request at a time, and a
    dispute's deadline is extended at most once per level."""
    _required(reason, _("Give a reason."))
    if not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
        raise ValidationError(
            _("An extension is 1 to %(max)d working days.") % {"max": MAX_EXTENSION_WORKING_DAYS}
        )

    def change(locked):
        if locked.extended:
            raise TransitionNotAllowed(_("The deadline at this level was already extended."))
        if locked.extensions.filter(approved__isnull=True).exists():
            raise TransitionNotAllowed(_("An extension request is already pending."))
        request = ExtensionRequest.objects.create(
            dispute=locked, working_days=working_days, reason=reason, requested_by=actor
        )
        above = level_above(locked.level)
        if above:
            notify(
                recipients=staff_of_level(locked, above),
                kind="extension",
                text=_("Dispute %(number)s asks for an extension.") % {"number": locked.number},
                url=_url(locked),
            )
        return {"request": request.pk, "working_days": working_days}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="request_extension",
        change=change,
        note=reason,
    )


def dispute_decide_extension(*, actor, dispute, version=None, approved: bool, note="") -> Dispute:
    def change(locked):
        request = locked.extensions.filter(approved__isnull=True).first()
        if request is None:
            raise TransitionNotAllowed(_("There is no pending extension request."))
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


def dispute_summon(*, actor, dispute, version=None, departments, due_on: date, note="") -> Dispute:
    """街乡吹哨: summon named departments, each to acknowledge and report by `due_on`."""
    departments = list(departments)
    if not departments:
        raise ValidationError(_("Name at least one department."))
    if due_on < timezone.localdate():
        raise ValidationError(_("The report date has passed."))

    def change(locked):
        already = set(locked.summons.values_list("department_id", flat=True))
        added = [d for d in departments if d.pk not in already]
        if not added:
            raise ValidationError(_("These departments were already summoned."))
        for department in added:
            Summons.objects.create(
                dispute=locked, department=department, due_on=due_on, summoned_by=actor
            )
            notify(
                recipients=department.liaisons.all(),
                kind="summons",
                text=_("Your department is summoned to dispute %(number)s; report by %(date)s.")
                % {"number": locked.number, "date": due_on.isoformat()},
                url=_url(locked),
            )
        return {"departments": [d.name for d in added], "due_on": due_on.isoformat()}

    return _act(
        actor=actor, dispute=dispute, version=version, action="summon", change=change, note=note
    )


def _my_pending_summons(locked: Dispute, actor) -> Summons:
    summons = (
        locked.summons.filter(reported_at__isnull=True, department__liaisons=actor)
        .select_related("department")
        .first()
    )
    if summons is None:
        raise TransitionNotAllowed(_("Your department has no open summons on this dispute."))
    return summons


def summons_acknowledge(*, actor, dispute, version=None) -> Dispute:
    def change(locked):
        summons = _my_pending_summons(locked, actor)
        if summons.acknowledged_at is None:
            summons.acknowledged_at = timezone.now()
            summons.save(update_fields=["acknowledged_at"])
        return {"department": summons.department.name}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="acknowledge_summons",
        change=change,
    )


def summons_report(*, actor, dispute, version=None, report: str) -> Dispute:
    _required(report, _("Write the report."))

    def change(locked):
        summons = _my_pending_summons(locked, actor)
        now = timezone.now()
        summons.acknowledged_at = summons.acknowledged_at or now
        summons.reported_at = now
        summons.report = report
        summons.save(update_fields=["acknowledged_at", "reported_at", "report"])
        notify(
            recipients=[summons.summoned_by],
            kind="summons_report",
            text=_("%(department)s reported on dispute %(number)s.")
            % {"department": summons.department.name, "number": locked.number},
            url=_url(locked),
        )
        return {"department": summons.department.name}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="report_summons",
        change=change,
        note=report,
    )


def dispute_supervise(*, actor, dispute, version=None, note: str) -> Dispute:
    """督办: a superior flags the dispute; the handling level must answer."""
    _required(note, _("Write the instruction."))

    def change(locked):
        Supervision.objects.create(dispute=locked, note=note, flagged_by=actor)
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
        pending = list(locked.supervisions.filter(answered_at__isnull=True))
        if not pending:
            raise TransitionNotAllowed(_("There is no supervision to answer."))
        now = timezone.now()
        for supervision in pending:
            supervision.answer = answer
            supervision.answered_by = actor
            supervision.answered_at = now
            supervision.save(update_fields=["answer", "answered_by", "answered_at"])
        locked.under_supervision = False
        notify(
            recipients=[s.flagged_by for s in pending],
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


# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------


def escalate_overdue(*, today: date | None = None) -> int:
    """Escalate, one level, every open dispute whose deadline at its level has passed.

    Idempotent: an escalated dispute gets a fresh deadline at its new level, so running the
    job twice moves nothing twice; rows are locked and skipped if another run holds them.
    """
    today = today or timezone.localdate()
    moved = 0
    candidates = (
        Dispute.objects.overdue(on=today).exclude(level=Level.COUNTY).values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            locked = (
                Dispute.objects.select_for_update(skip_locked=True)
                .overdue(on=today)
                .filter(pk=pk)
                .exclude(level=Level.COUNTY)
                .first()
            )
            if locked is None:
                continue
            _act(
                actor=None,
                dispute=locked,
                version=locked.version,
                action="escalate",
                event_kind="auto_escalated",
                note=_("Overdue at the %(level)s since %(date)s.")
                % {"level": Level(locked.level).label, "date": locked.due_on.isoformat()},
                # The fresh deadline counts from the job's day, so a rerun for the same day
                # finds nothing overdue.
                change=lambda d: _move_level(
                    d,
                    level_above(d.level),
                    None,
                    _("Dispute %(number)s is overdue and was escalated to the %(level)s."),
                    start=today,
                ),
            )
            moved += 1
    return moved


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


DEADLINE_BOUNDS = (1, 365)


def deadline_rules_set(*, actor, working_days: dict) -> int:
    """Set the working days a level has to resolve a dispute, for every kind or for one:
    `working_days` maps (level, kind) — kind "" for any kind — to a number of working days,
    or to None to drop the rule (the default applies again). The rules hold for the whole
    city (the table has no county), so `actor` must administer the whole city. All or
    nothing: one bad value and nothing is written. Each change is audited with its old and
    new value. Returns how many rules changed; the next dispute registered uses them."""
    require_city_administrator(actor=actor)
    low, high = DEADLINE_BOUNDS
    clean, problems = {}, []
    for (level, kind), value in working_days.items():
        if level not in Level.values or (kind and kind not in DisputeKind.values):
            problems.append(_("Unknown level or kind of dispute."))
            continue
        label = f"{Level(level).label} · {DisputeKind(kind).label if kind else _('Any kind')}"
        if value is None:
            clean[(level, kind)] = None
            continue
        try:
            clean[(level, kind)] = whole_number(value, low=low, high=high, label=label)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems, code="invalid_deadline")
    changed = 0
    with transaction.atomic():
        current = {
            (rule.level, rule.kind): rule for rule in DeadlineRule.objects.select_for_update()
        }
        area = city_area()
        for (level, kind), value in clean.items():
            rule = current.get((level, kind))
            old = rule.working_days if rule else None
            if old == value:
                continue
            if value is None:
                rule.delete()
            elif rule is not None:
                rule.working_days = value
                rule.save(update_fields=["working_days"])
            else:
                DeadlineRule.objects.create(level=level, kind=kind, working_days=value)
            audit_setting_change(
                actor=actor,
                area=area,
                setting="dispute_deadline",
                key=f"{level}/{kind or '*'}",
                old=old,
                new=value,
                default=DEFAULT_WORKING_DAYS[level] if not kind else None,
            )
            changed += 1
    return changed
