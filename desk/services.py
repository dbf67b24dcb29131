"""The only writers of matters (一窗受理): receiving, signing in, returning, classifying and
routing, answering. Each is atomic, checks what it is given, writes one `MatterEvent` and
announces it on commit (`desk.events`)."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.identity import clean_phone
from cases.levels import works_at_level
from cases.workflow import TransitionNotAllowed
from desk.events import announce
from desk.models import (
    MATTER_AREA_LEVELS,
    UNROUTED_STATUSES,
    Matter,
    MatterAttachment,
    MatterChannel,
    MatterEvent,
    MatterEventKind,
    MatterKind,
    MatterSequence,
    MatterStatus,
)
from desk.repeats import earlier_of_person
from governance.models import Area, AreaLevel

# The query code's letters: no 0/O, 1/I/L, which a resident reading a receipt confuses.
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 6
MAX_ATTACHMENTS = 10
# How far back an earlier matter or case of the same person counts as a possible repeat.
REPEAT_WINDOW_DAYS = 90


class NotDeskStaff(TransitionNotAllowed):
    """The person does not staff the desk over the matter's area."""


def staffs_desk(*, user, area: Area) -> bool:
    """`user` staffs the front desk over `area`: the township's centre staff or the county's,
    as the case kit's one table of who staffs a level says (`desk.models.desk_roles`)."""
    return any(
        works_at_level(user=user, area=area, level=level)
        for level in (AreaLevel.TOWNSHIP, AreaLevel.COUNTY)
    )


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def _county_code(area: Area) -> str:
    # The first six digits of a statistical division code are its county's code.
    return area.code[:6]


def _next_number(area: Area) -> str:
    """The receipt number: county code, day, and the day's sequence in that county, taken
    under a row lock (inside the caller's transaction)."""
    today = timezone.localdate()
    county = _county_code(area)
    MatterSequence.objects.get_or_create(county_code=county, day=today)
    sequence = MatterSequence.objects.select_for_update().get(county_code=county, day=today)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{county}-{today:%Y%m%d}-{sequence.last:04d}"


def _event(matter, actor, event_kind, *, from_status="", note="", **details) -> MatterEvent:
    event = MatterEvent.objects.create(
        matter=matter,
        actor=actor,
        kind=event_kind,
        from_status=from_status,
        to_status=matter.status,
        note=note,
        details=details,
    )
    announce(event)
    return event


def _text(value, *, label, max_length, required=True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(_("Fill in %(field)s.") % {"field": label})
    if len(text) > max_length:
        raise ValidationError(
            _("%(field)s is at most %(limit)d characters.") % {"field": label, "limit": max_length}
        )
    return text


def _check_area(*, actor, area) -> None:
    if not isinstance(area, Area) or area.level not in MATTER_AREA_LEVELS:
        raise ValidationError(_("A matter is about a village, a community or a township."))
    if actor is not None and not staffs_desk(user=actor, area=area):
        raise NotDeskStaff(_("You do not staff the desk for this area."))


def find_repeats(*, area: Area, requester_name: str = "", requester_phone: str = "", before=None):
    """The earlier matters and cases of the same person within `REPEAT_WINDOW_DAYS`: the
    same phone anywhere, or the same name in the same area. Returns a dict of lists:
    `matters`, `disputes`, `petitions` (newest first)."""
    return earlier_of_person(
        area=area,
        name=(requester_name or "").strip(),
        phone=clean_phone(requester_phone),
        since=(before or timezone.now()) - timedelta(days=REPEAT_WINDOW_DAYS),
    )


def matter_receive(
    *,
    actor,
    channel: str,
    area: Area,
    subject: str,
    description: str,
    place: str = "",
    requester_name: str = "",
    requester_phone: str = "",
    due_at=None,
    return_by=None,
    attachments=(),
) -> tuple[Matter, str]:
    """Receive a matter at the desk (or from a source system, `actor` None): number it, give
    it a query code, note a possible repeat. Returns the matter and the clear query code,
    which is stored only as a digest and so can be shown this once."""
    from disputes.attachments import check_attachment

    if channel not in MatterChannel.values:
        raise ValidationError(_("Unknown channel."))
    _check_area(actor=actor, area=area)
    subject = _text(subject, label=_("the subject"), max_length=100)
    description = _text(description, label=_("the description"), max_length=5000)
    place = _text(place, label=_("the place"), max_length=200, required=False)
    requester_name = _text(requester_name, label=_("the name"), max_length=50, required=False)
    requester_phone = clean_phone(requester_phone)
    if due_at is not None and due_at <= timezone.now():
        raise ValidationError(_("The source's deadline has already passed."))
    attachments = list(attachments or ())
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("At most %(count)d attachments per matter.") % {"count": MAX_ATTACHMENTS}
        )
    checked = [check_attachment(upload) for upload in attachments]
    repeats = find_repeats(
        area=area, requester_name=requester_name, requester_phone=requester_phone
    )
    repeat_of = repeats["matters"][0] if repeats["matters"] else None
    code = new_query_code()
    # Files are not part of the transaction: those written before a rollback are removed, so
    # a refused intake leaves no file on disk that no row points to.
    written = []
    try:
        with transaction.atomic():
            matter = Matter(
                number=_next_number(area),
                channel=channel,
                area=area,
                subject=subject,
                description=description,
                place=place,
                requester_name=requester_name,
                requester_phone=requester_phone,
                received_by=actor,
                due_at=due_at,
                return_by=return_by,
                repeat_of=repeat_of,
            )
            matter.set_query_code(code)
            matter.save()
            for attachment in checked:
                stored = MatterAttachment(
                    matter=matter,
                    stored_name=attachment.stored_name,
                    original_name=attachment.original_name,
                    content_type=attachment.content_type,
                    uploaded_by=actor,
                )
                stored.file.save(attachment.stored_name, attachment.content, save=False)
                written.append(stored.file)
                stored.save()
            _event(
                matter,
                actor,
                MatterEventKind.RECEIVED,
                channel=channel,
                repeat_of=repeat_of.number if repeat_of else None,
                earlier_cases=[case.number for case in repeats["disputes"] + repeats["petitions"]],
            )
    except BaseException:
        for file in written:
            file.storage.delete(file.name)
        raise
    return matter, code


def _locked(matter: Matter) -> Matter:
    return Matter.objects.select_for_update().get(pk=matter.pk)


def matter_sign_in(*, actor, matter: Matter) -> Matter:
    """Sign in a work order from a source system (签收)."""
    with transaction.atomic():
        locked = _locked(matter)
        if actor is not None:
            _check_area(actor=actor, area=locked.area)
        if not locked.is_work_order:
            raise TransitionNotAllowed(_("Only a work order from another system is signed in."))
        if locked.status != MatterStatus.RECEIVED:
            raise TransitionNotAllowed(_("Only a matter just received can be signed in."))
        locked.status = MatterStatus.SIGNED_IN
        locked.save(update_fields=["status"])
        _event(locked, actor, MatterEventKind.SIGNED_IN, from_status=MatterStatus.RECEIVED)
    return locked


def matter_return(*, actor, matter: Matter, reason: str) -> Matter:
    """Send a work order back to its source as not the centre's (退单), before it is routed
    and within the source's time limit for returning."""
    reason = _text(reason, label=_("the reason"), max_length=1000)
    with transaction.atomic():
        locked = _locked(matter)
        if actor is not None:
            _check_area(actor=actor, area=locked.area)
        if not locked.is_work_order:
            raise TransitionNotAllowed(_("Only a work order from another system is returned."))
        if locked.status not in UNROUTED_STATUSES:
            raise TransitionNotAllowed(
                _("A matter already routed or concluded cannot be returned.")
            )
        if timezone.now() > locked.return_by:
            raise ValidationError(
                _("The time for returning this work order ended at %(deadline)s.")
                % {"deadline": timezone.localtime(locked.return_by).strftime("%Y-%m-%d %H:%M")}
            )
        before = locked.status
        locked.status = MatterStatus.RETURNED
        locked.save(update_fields=["status"])
        _event(locked, actor, MatterEventKind.RETURNED, from_status=before, note=reason)
    return locked


def matter_publish_reply(*, actor, matter: Matter, reply: str) -> Matter:
    """Set the reply a resident sees on the query page (and the source is told)."""
    reply = _text(reply, label=_("the reply"), max_length=2000)
    with transaction.atomic():
        locked = _locked(matter)
        if actor is not None:
            _check_area(actor=actor, area=locked.area)
        if locked.status == MatterStatus.RETURNED:
            raise TransitionNotAllowed(_("A returned matter has no reply."))
        locked.public_reply = reply
        locked.save(update_fields=["public_reply"])
        _event(locked, actor, MatterEventKind.REPLY_PUBLISHED, from_status=locked.status)
    return locked


# The channel a routed case records for each channel a matter came in by.
DISPUTE_CHANNELS = {
    MatterChannel.WALK_IN: "walk_in",
    MatterChannel.PHONE: "hotline",
    MatterChannel.HOTLINE_12345: "hotline",
    MatterChannel.POLICE_110: "police",
    MatterChannel.COURT: "court",
    MatterChannel.PETITION_REFERRAL: "department",
    MatterChannel.ONLINE: "online",
}
PETITION_CHANNELS = {
    MatterChannel.WALK_IN: "visit",
    MatterChannel.ONLINE: "online",
}


def _desk_level(*, actor, area: Area, levels) -> str:
    """The level the clerk registers a case at: the lowest of `levels` they staff."""
    for level in levels:
        if works_at_level(user=actor, area=area, level=level):
            return level
    raise NotDeskStaff(_("You do not staff the desk for this area."))


def _requester(matter: Matter) -> dict:
    return {"name": matter.requester_name, "phone": matter.requester_phone}


def _route_dispute(*, actor, matter: Matter, fields: dict):
    from disputes.services.intake import dispute_register

    if matter.area.level != AreaLevel.VILLAGE:
        raise ValidationError(_("A dispute belongs to a village or community: choose one."))
    if not matter.requester_name:
        raise ValidationError(_("A dispute needs the requester's name as its first party."))
    from disputes.models import DisputeKind

    if fields.get("dispute_kind") not in DisputeKind.values:
        raise ValidationError(_("Choose the kind of dispute."))
    try:
        people_involved = int(fields.get("people_involved") or 1)
    except (TypeError, ValueError):
        raise ValidationError(_("The number of people involved is a whole number.")) from None
    parties = [{"side": "applicant", **_requester(matter)}]
    respondent = (fields.get("respondent_name") or "").strip()
    if respondent:
        parties.append({"side": "respondent", "name": respondent, "phone": ""})
    return dispute_register(
        actor=actor,
        kind=fields["dispute_kind"],
        channel=DISPUTE_CHANNELS[matter.channel],
        description=f"{matter.subject}\n{matter.description}",
        people_involved=max(people_involved, len(parties)),
        village=matter.area,
        level=fields.get("level")
        or _desk_level(actor=actor, area=matter.area, levels=("township", "county")),
        parties=parties,
        court_name=fields.get("court_name", ""),
        court_case_number=fields.get("court_case_number", ""),
        court_due_on=fields.get("court_due_on"),
    )


def _route_petition(*, actor, matter: Matter, fields: dict):
    from petitions.services import petition_register

    if not matter.requester_name:
        raise ValidationError(_("A petition needs the petitioner's name."))
    return petition_register(
        actor=actor,
        channel=PETITION_CHANNELS.get(matter.channel, "phone"),
        subject=matter.subject,
        content=matter.description,
        area=matter.area,
        level=fields.get("level")
        or _desk_level(actor=actor, area=matter.area, levels=("township", "county")),
        petitioners=[_requester(matter)],
        received_on=timezone.localtime(matter.received_at).date(),
    )


def _route_incident(*, actor, matter: Matter, fields: dict):
    from incidents.services import incident_register

    return incident_register(
        actor=actor,
        area=matter.area,
        category=fields.get("category") or "",
        severity=fields.get("severity") or "low",
        description=f"{matter.subject}\n{matter.description}",
        place=matter.place,
        details={"matter": matter.number},
    )


ROUTES = {
    MatterKind.DISPUTE: ("dispute", _route_dispute),
    MatterKind.PETITION: ("petition", _route_petition),
    MatterKind.INCIDENT: ("incident", _route_incident),
}


def matter_classify(*, actor, matter: Matter, kind: str, **case_fields) -> Matter:
    """Classify a matter not yet routed. A consultation is answered at the desk (`reply`,
    which the resident sees) and concluded; an incident, a dispute or a petition is
    registered on its own services from the matter (the requester as the first party or the
    petitioner) and the matter is linked to it. All or nothing: a case the services refuse
    leaves the matter as it was."""
    if kind != MatterKind.CONSULTATION and kind not in ROUTES:
        raise ValidationError(_("Choose what kind of matter this is."))
    with transaction.atomic():
        locked = _locked(matter)
        _check_area(actor=actor, area=locked.area)
        if locked.status not in UNROUTED_STATUSES:
            raise TransitionNotAllowed(_("This matter was already classified."))
        before = locked.status
        locked.kind = kind
        if kind == MatterKind.CONSULTATION:
            locked.public_reply = _text(
                case_fields.get("reply"), label=_("the answer"), max_length=2000
            )
            locked.status = MatterStatus.ANSWERED
            locked.save(update_fields=["kind", "public_reply", "status"])
            _event(locked, actor, MatterEventKind.ANSWERED, from_status=before, kind=kind)
            return locked
        field, route = ROUTES[kind]
        case = route(actor=actor, matter=locked, fields=case_fields)
        setattr(locked, field, case)
        locked.status = MatterStatus.ROUTED
        locked.save(update_fields=["kind", field, "status"])
        _event(
            locked,
            actor,
            MatterEventKind.CLASSIFIED,
            from_status=before,
            kind=kind,
            case=case.number,
        )
    return locked


def matter_record_case_finished(*, matter: Matter, outcome: str, case_number: str) -> Matter:
    """The case a matter was routed to reached its end: the matter is concluded, and the
    resident's reply says so unless the desk already published one."""
    with transaction.atomic():
        locked = _locked(matter)
        if locked.status != MatterStatus.ROUTED:
            return locked
        locked.status = MatterStatus.ANSWERED
        if not locked.public_reply:
            locked.public_reply = _("Your matter has been handled: %(outcome)s.") % {
                "outcome": outcome
            }
        locked.save(update_fields=["status", "public_reply"])
        _event(
            locked,
            None,
            MatterEventKind.CASE_FINISHED,
            from_status=MatterStatus.ROUTED,
            case=case_number,
            outcome=outcome,
        )
    return locked


def matter_public_view(matter: Matter) -> dict:
    """What a resident (the query page) or a source system (the intake API) is told of a
    matter: its number, status, kind, when it was received, the public reply, and its steps
    as dates and public labels. No names, no phone, no notes: nothing a clerk wrote for the
    centre."""
    steps = []
    for event in matter.events.order_by("at", "pk"):
        label = str(MatterEventKind(event.kind).label)
        if event.kind == MatterEventKind.CLASSIFIED and event.details.get("kind"):
            label = _("Routed as: %(kind)s") % {"kind": MatterKind(event.details["kind"]).label}
        steps.append({"kind": event.kind, "label": label, "at": event.at})
    return {
        "number": matter.number,
        "status": matter.status,
        "status_label": str(matter.get_status_display()),
        "kind": matter.kind,
        "kind_label": str(matter.get_kind_display()),
        "channel_label": str(matter.get_channel_display()),
        "received_at": matter.received_at,
        "public_reply": matter.public_reply,
        "steps": steps,
    }


def matter_find_by_code(*, number: str, code: str) -> Matter | None:
    """The matter with `number` if `code` is its query code; None for an unknown number and
    for a wrong code alike, so that the answer tells a guesser nothing."""
    number = (number or "").strip()
    matter = Matter.objects.filter(number=number).first() if number else None
    if matter is None:
        # Spend the same work on a digest, so that timing does not tell the two apart.
        Matter.digest_query_code(number, code)
        return None
    return matter if matter.check_query_code(code) else None
