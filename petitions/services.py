"""The only writers of petitions. Every action goes through `cases.actions.take_action`
(the machinery disputes use): row lock, stale-version refusal, the action's entry in
`petitions.actions` (status, who, guard), one event.
`actor` is the person acting; `version` the petition's version their form was drawn from.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.actions import take_action
from cases.levels import (
    LEVELS_UPWARD,
    area_at_level,
    is_handling,
    staff_at_level,
    works_at_level,
)
from cases.workflow import TransitionNotAllowed
from governance.configuration.services import (
    audit_setting_change,
    city_area,
    require_city_administrator,
    whole_number,
)
from governance.models import Area, Department
from governance.notifications import notify
from governance.selectors import covers
from petitions.models import (
    CLOCK_LABELS,
    DEFAULT_CLOCK_DAYS,
    PETITION_LEVEL_ORDER,
    Petition,
    PetitionAssignment,
    PetitionChannel,
    PetitionClock,
    Petitioner,
    PetitionEvent,
    ReferralChannel,
)
from petitions.selectors import (
    capabilities_for,
    clock_days,
    clock_due,
    conclusion_due,
    department_choices,
    handler_candidates,
)
from petitions.workflow import level_above, level_below, second_review_level


def _act(*, actor, petition, version, action, change=None, note="", event_kind=None):
    # The registry names the services it dispatches to, so it is read when called.
    from petitions.actions import PETITION

    return take_action(
        PETITION,
        actor=actor,
        case=petition,
        version=version,
        action=action,
        change=change or (lambda locked: None),
        note=note,
        event_kind=event_kind,
    )


def _required(value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError(message)
    return value.strip()


def _url(petition) -> str:
    return reverse("petitions:detail", args=[petition.pk])


def _staff(petition, level) -> list:
    return staff_at_level(petition.area, level)


def petition_register(
    *,
    actor,
    channel: str,
    subject: str,
    content: str,
    area: Area,
    level: str,
    petitioners: list[dict],
    group_size: int = 1,
    received_on: date | None = None,
    disputes=(),
    repeat_of: Petition | None = None,
) -> Petition:
    """Register a petition at `level`, where `actor` must work ("信访不上行": the lowest
    level that can handle it). The acceptance clock starts on `received_on`."""
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise ValidationError(_("The day received cannot be in the future."))
    if channel not in PetitionChannel.values:
        raise ValidationError(_("Unknown channel."))
    if level not in PETITION_LEVEL_ORDER:
        raise ValidationError(
            _("A petition is accepted and handled by a township or county centre, not a village.")
        )
    if area.level not in ("village", *PETITION_LEVEL_ORDER):
        raise ValidationError(_("A petition concerns a village, a township or a county."))
    if LEVELS_UPWARD.index(area.level) > LEVELS_UPWARD.index(level):
        raise ValidationError(_("The handling level cannot be below the area concerned."))
    unit = area_at_level(area, level)
    if not works_at_level(user=actor, area=unit, level=level):
        raise TransitionNotAllowed(_("You cannot register a petition at this level."))
    if not petitioners:
        raise ValidationError(_("Name at least one petitioner."))
    if any(not covers(area, dispute.village) for dispute in disputes):
        raise ValidationError(_("The dispute lies outside the area the petition concerns."))
    petition = Petition(
        channel=channel,
        subject=_required(subject, _("Give the subject.")),
        content=_required(content, _("Give the content.")),
        group_size=max(group_size, len(petitioners)),
        area=area,
        registering_unit=unit,
        level=level,
        repeat_of=repeat_of,
        received_on=received_on,
        acceptance_due=clock_due("acceptance", received_on),
        registered_by=actor,
    )
    petition.full_clean(exclude=["number", "registered_by"])
    with transaction.atomic():
        petition.save()
        petition.number = f"XF{today:%Y}{petition.pk:07d}"
        petition.save(update_fields=["number"])
        for person in petitioners:
            Petitioner.objects.create(
                petition=petition,
                name=person["name"],
                id_number=person.get("id_number", ""),
                phone=person.get("phone", ""),
            )
        if disputes:
            petition.disputes.add(*disputes)
        PetitionEvent.objects.create(
            petition=petition,
            actor=actor,
            kind="registered",
            to_status=petition.status,
            details={
                "repeat_of": repeat_of.number if repeat_of else None,
                "disputes": [d.number for d in disputes],
            },
        )
    return petition


def petition_accept(*, actor, petition, version=None) -> Petition:
    def change(locked):
        today = timezone.localdate()
        locked.decided_on = today
        locked.conclusion_due = conclusion_due(accepted_on=today)

    return _act(actor=actor, petition=petition, version=version, action="accept", change=change)


def petition_not_accept(*, actor, petition, version=None, reason: str) -> Petition:
    """Not accepted, with the reason the printable notice gives the petitioner."""
    reason = _required(reason, _("Give the reason."))

    def change(locked):
        locked.decided_on = timezone.localdate()
        locked.not_accepted_reason = reason

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="not_accept",
        change=change,
        note=reason,
    )


def petition_refer(
    *, actor, petition, version=None, channel: str, body: str, reason: str
) -> Petition:
    """诉访分离: the claim belongs to litigation, arbitration or administrative review, so it is
    not accepted as a petition but directed there, to the body named, with a printable notice
    (信访工作条例 art. 31). The acceptance clock is met."""
    if channel not in ReferralChannel.values:
        raise ValidationError(_("Choose the legal channel."))
    body = _required(body, _("Name the body to apply to."))
    reason = _required(reason, _("Give the reason."))

    def change(locked):
        locked.decided_on = timezone.localdate()
        locked.referral_channel = channel
        locked.referral_body = body
        locked.not_accepted_reason = reason
        return {"channel": channel, "body": body}

    return _act(
        actor=actor, petition=petition, version=version, action="refer", change=change, note=reason
    )


def petition_send_to_department(
    *, actor, petition, version=None, department: Department, note: str = ""
) -> Petition:
    """转送/交办: the centre sends the petition to a department of its county, which then
    accepts it (if not yet accepted), handles it and replies ("谁主管、谁负责"). Whoever the
    centre had assigned no longer handles it; the department's liaisons are told."""
    note = (note or "").strip()

    def change(locked):
        if not department_choices(petition=locked).filter(pk=department.pk).exists():
            raise ValidationError(_("The petition cannot be sent to this department."))
        locked.department = department
        locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
        notify(
            recipients=list(department.liaisons.filter(is_active=True)),
            kind="assigned",
            text=_("Petition %(number)s was sent to %(department)s.")
            % {"number": locked.number, "department": department.name},
            url=_url(locked),
            exclude=actor,
        )
        return {"department": department.name, "department_id": department.pk}

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="send_to_department",
        change=change,
        note=note or department.name,
    )


def petition_assist(*, actor, petition, version=None, what: str) -> Petition:
    """The village committee helps at the source (visits the petitioner, explains, gathers
    facts) and records what it did; it neither accepts, handles nor replies."""
    what = _required(what, _("Say what was done."))
    return _act(actor=actor, petition=petition, version=version, action="assist", note=what)


def petition_assign(*, actor, petition, version=None, person) -> Petition:
    """Give the petition to `person`, one of the staff over its area (`handler_candidates`);
    whoever had it before no longer does."""

    def change(locked):
        if not handler_candidates(petition=locked).filter(pk=person.pk).exists():
            raise ValidationError(_("This person cannot handle the petition."))
        locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
        PetitionAssignment.objects.create(petition=locked, person=person, assigned_by=actor)
        notify(
            recipients=[person],
            kind="assigned",
            text=_("Petition %(number)s was assigned to you.") % {"number": locked.number},
            url=_url(locked),
        )
        return {"person": person.first_name or person.username}

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="assign",
        change=change,
        note=person.first_name or person.username,
    )


def petition_handle(*, actor, petition, version=None, opinion: str) -> Petition:
    opinion = _required(opinion, _("Give the handling opinion."))

    def change(locked):
        locked.handling_opinion = opinion

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="handle",
        change=change,
        note=opinion,
    )


def petition_reply(*, actor, petition, version=None, reply: str) -> Petition:
    """The written reply (printable letter); the window to request a review opens."""
    reply = _required(reply, _("Write the reply."))

    def change(locked):
        today = timezone.localdate()
        locked.reply = reply
        locked.replied_on = today
        locked.review_request_due = clock_due("review_request", today)

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="reply",
        change=change,
        note=reply,
    )


def petition_record_satisfied(*, actor, petition, version=None, satisfaction: int) -> Petition:
    if satisfaction not in range(1, 6):
        raise ValidationError(_("Satisfaction is from 1 to 5."))

    def change(locked):
        locked.satisfaction = satisfaction
        return {"satisfaction": satisfaction}

    return _act(
        actor=actor, petition=petition, version=version, action="record_satisfied", change=change
    )


def petition_request_review(*, actor, petition, version=None, reason: str) -> Petition:
    """复查: requested within the window after the reply; the review has its own clock."""
    reason = _required(reason, _("Give the reason."))

    def change(locked):
        today = timezone.localdate()
        if locked.review_request_due and today > locked.review_request_due:
            raise TransitionNotAllowed(
                _("The period to request a review ended on %(date)s.")
                % {"date": locked.review_request_due.isoformat()}
            )
        locked.review_requested_on = today
        locked.review_due = clock_due("review", today)

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="request_review",
        change=change,
        note=reason,
    )


def petition_review(*, actor, petition, version=None, opinion: str) -> Petition:
    """复查: the level above the handling body gives its opinion; the window to request a
    second review opens, where the level above the reviewer is in the portal."""
    opinion = _required(opinion, _("Give the review opinion."))

    def change(locked):
        today = timezone.localdate()
        locked.review_opinion = opinion
        locked.reviewed_on = today
        if second_review_level(locked) is not None:
            locked.second_review_request_due = clock_due("second_review_request", today)

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="review",
        change=change,
        note=opinion,
    )


def petition_request_second_review(*, actor, petition, version=None, reason: str) -> Petition:
    """复核: requested within its window after the review's opinion; the second review has
    its own clock."""
    reason = _required(reason, _("Give the reason."))

    def change(locked):
        today = timezone.localdate()
        if locked.second_review_request_due and today > locked.second_review_request_due:
            raise TransitionNotAllowed(
                _("The period to request a second review ended on %(date)s.")
                % {"date": locked.second_review_request_due.isoformat()}
            )
        locked.second_review_requested_on = today
        locked.second_review_due = clock_due("second_review", today)

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="request_second_review",
        change=change,
        note=reason,
    )


def petition_second_review(*, actor, petition, version=None, opinion: str) -> Petition:
    """The second review's opinion, by the level above the reviewer: final. A later petition
    on the same matter is not accepted again."""
    opinion = _required(opinion, _("Give the second review opinion."))

    def change(locked):
        locked.second_review_opinion = opinion
        locked.second_reviewed_on = timezone.localdate()

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="second_review",
        change=change,
        note=opinion,
    )


def petition_close(*, actor, petition, version=None) -> Petition:
    """Close the file: once the petitioner is satisfied, the second review is done, it was not
    accepted or directed to a legal channel, or the reply (the review's opinion) stood
    because no review (second review) was requested in time."""

    return _act(actor=actor, petition=petition, version=version, action="close")


def petition_request_extension(
    *, actor, petition, version=None, days: int, reason: str
) -> Petition:
    """Ask for the one extension of the conclusion deadline, by up to 30 days, with its
    reason; the head of the handling body approves it (`petition_approve_extension`)."""
    reason = _required(reason, _("Give the reason."))
    maximum = clock_days("max_extension")
    if not 1 <= days <= maximum:
        raise ValidationError(_("An extension is 1 to %(max)d days.") % {"max": maximum})

    def change(locked):
        locked.extension_requested_days = days
        locked.extension_requested_by = actor
        locked.extension_reason = reason
        return {"days": days}

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="request_extension",
        change=change,
        note=reason,
    )


def petition_approve_extension(*, actor, petition, version=None) -> Petition:
    """The head of the handling body approves the extension asked for (信访工作条例 art. 32:
    经本机关负责人批准): the period becomes 60 + its days from acceptance. The one who asked
    cannot approve it."""

    def change(locked):
        if locked.extension_requested_by_id == actor.pk:
            raise TransitionNotAllowed(_("The one who asked for the extension cannot approve it."))
        before = locked.conclusion_due
        days = locked.extension_requested_days
        locked.extension_days = days
        locked.extension_requested_days = 0
        locked.conclusion_due = conclusion_due(accepted_on=locked.decided_on, extension_days=days)
        return {
            "days": days,
            "from": before.isoformat(),
            "to": locked.conclusion_due.isoformat(),
            "asked_by": locked.extension_requested_by_id,
        }

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="approve_extension",
        change=change,
    )


def petition_refuse_extension(*, actor, petition, version=None, reason: str) -> Petition:
    """The head refuses the extension asked for: the deadline stands, and it may be asked
    for again."""
    reason = _required(reason, _("Give the reason."))

    def change(locked):
        days = locked.extension_requested_days
        locked.extension_requested_days = 0
        locked.extension_requested_by = None
        locked.extension_reason = ""
        return {"days": days}

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="refuse_extension",
        change=change,
        note=reason,
    )


def _move(locked, to_level, actor, text) -> dict:
    from_level = locked.level
    locked.level = to_level
    locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    notify(
        recipients=_staff(locked, from_level) + _staff(locked, to_level),
        kind="level_changed",
        text=text % {"number": locked.number},
        url=_url(locked),
        exclude=actor,
    )
    return {"from_level": from_level, "to_level": to_level}


def petition_escalate(*, actor, petition, version=None, reason: str) -> Petition:
    reason = _required(reason, _("Give the reason."))

    def change(locked):
        return _move(
            locked, level_above(locked.level), actor, _("Petition %(number)s was escalated.")
        )

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="escalate",
        change=change,
        note=reason,
    )


def petition_send_down(*, actor, petition, version=None, reason: str) -> Petition:
    """ "信访不上行": hand it to the level below, which can handle it."""
    reason = _required(reason, _("Give the reason."))

    def change(locked):
        return _move(
            locked, level_below(locked.level), actor, _("Petition %(number)s was sent down.")
        )

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="send_down",
        change=change,
        note=reason,
    )


def petition_supervise(*, actor, petition, version=None, note: str) -> Petition:
    note = _required(note, _("Write the instruction."))

    def change(locked):
        locked.under_supervision = True
        notify(
            recipients=_staff(locked, locked.level),
            kind="supervision",
            text=_("Petition %(number)s is under supervision.") % {"number": locked.number},
            url=_url(locked),
        )

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="supervise",
        change=change,
        note=note,
    )


def petition_answer_supervision(*, actor, petition, version=None, answer: str) -> Petition:
    answer = _required(answer, _("Write the answer."))

    def change(locked):
        locked.under_supervision = False

    return _act(
        actor=actor,
        petition=petition,
        version=version,
        action="answer_supervision",
        change=change,
        note=answer,
    )


def petition_link_dispute(*, actor, petition, dispute) -> None:
    """A petition about a dispute is linked to it, not handled twice."""
    if not is_handling(capabilities_for(user=actor, case=petition)):
        raise TransitionNotAllowed(_("Only those handling the petition can link it."))
    if not covers(petition.area, dispute.village):
        raise ValidationError(_("The dispute lies outside the area the petition concerns."))
    with transaction.atomic():
        petition.disputes.add(dispute)
        PetitionEvent.objects.create(
            petition=petition,
            actor=actor,
            kind="linked",
            from_status=petition.status,
            to_status=petition.status,
            note=dispute.number,
            details={"dispute": dispute.pk},
        )


def petition_clocks_set(*, actor, days: dict) -> int:
    """Set the statutory periods, in days: `days` maps a clock's name (see
    `DEFAULT_CLOCK_DAYS`) to its days, or to None to go back to the statute's. The periods of
    the 信访工作条例 are the longest allowed: a clock may be shortened, never lengthened. The
    clocks hold for the whole city, so `actor` must administer the whole city. All or nothing;
    each change audited with its old and new value. Returns how many clocks changed; cases
    registered or moved from then on use them."""
    require_city_administrator(actor=actor)
    clean, problems = {}, []
    for name, value in days.items():
        if name not in DEFAULT_CLOCK_DAYS:
            problems.append(_("Unknown petition clock."))
            continue
        if value is None:
            clean[name] = None
            continue
        try:
            clean[name] = whole_number(
                value, low=1, high=DEFAULT_CLOCK_DAYS[name], label=str(CLOCK_LABELS[name])
            )
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems, code="invalid_clock")
    changed = 0
    with transaction.atomic():
        current = {clock.name: clock for clock in PetitionClock.objects.select_for_update()}
        area = city_area()
        for name, value in clean.items():
            clock = current.get(name)
            old = clock.days if clock else None
            if old == value:
                continue
            if value is None:
                clock.delete()
            elif clock is not None:
                clock.days = value
                clock.save(update_fields=["days"])
            else:
                PetitionClock.objects.create(name=name, days=value)
            audit_setting_change(
                actor=actor,
                area=area,
                setting="petition_clock",
                key=name,
                old=old,
                new=value,
                default=DEFAULT_CLOCK_DAYS[name],
            )
            changed += 1
    return changed
