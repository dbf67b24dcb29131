"""督办 when a light turns red, for every kind of case with a light (`cases.lights`).

Being overdue does not move a case ("矛盾不上交"): it stays at its level, its light turns red,
and the level above supervises it. The nightly job (`supervise_red_cases`) opens one
supervision per case and missed deadline, with its own due date, and tells the level above
and the handling level; running it twice opens nothing twice (a unique constraint, the rows
locked while each is opened). The level above may write its instruction; the handling level
answers. Escalating stays a person's action with a reason, on the case's own page.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.levels import level_above, works_above_level, works_at_level
from cases.lights import WATCHED, Watched, watched_for
from cases.models import Supervision, SupervisionOrigin
from governance.notifications import notify
from governance.workdays import add_working_days

# The supervising level's own deadline for the handling level's answer.
ANSWER_WORKING_DAYS = 3


def _already_supervised_q(watched: Watched) -> Q:
    """The rows whose running clock already has its supervision."""
    already, earlier = Q(), Q()
    for spec in watched.clocks.clocks:
        opened = Supervision.objects.filter(
            kind=watched.key,
            object_id=OuterRef("pk"),
            clock=spec.name,
            clock_due=OuterRef(spec.due_field),
        )
        already |= spec.running_q() & ~earlier & Q(Exists(opened))
        earlier |= spec.running_q()
    return already


def red_without_supervision(watched: Watched, *, today: date):
    return (
        watched.model.objects.filter(watched.clocks.overdue_q(on=today))
        .exclude(_already_supervised_q(watched))
        .order_by("pk")
    )


def supervise_red_cases(*, today: date | None = None) -> int:
    """Open a supervision for every case whose light is red on `today` and that has none for
    the deadline it missed; returns how many were opened."""
    today = today or timezone.localdate()
    opened = 0
    for watched in WATCHED.values():
        for pk in list(red_without_supervision(watched, today=today).values_list("pk", flat=True)):
            if _open_one(watched, pk, today=today):
                opened += 1
    return opened


def _open_one(watched: Watched, pk: int, *, today: date) -> bool:
    with transaction.atomic():
        obj = (
            watched.model.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*watched.related)
            .filter(pk=pk)
            .first()
        )
        if obj is None:
            return False
        clock = watched.clocks.running(obj)
        if clock is None or not clock.overdue(today):
            return False
        level = watched.supervising_level(obj)
        area = watched.area(obj)
        supervision, created = Supervision.objects.get_or_create(
            kind=watched.key,
            object_id=obj.pk,
            clock=clock.name,
            clock_due=clock.due,
            defaults={
                "number": _number(obj),
                "url": watched.url(obj),
                "area": area,
                "case_level": watched.level_of(obj),
                "level": level,
                "due_on": add_working_days(today, ANSWER_WORKING_DAYS),
            },
        )
        if not created:
            return False
        note = _("“%(clock)s” was due on %(due)s. The answer is due on %(answer)s.") % {
            "clock": clock.label,
            "due": clock.due.isoformat(),
            "answer": supervision.due_on.isoformat(),
        }
        watched.record(obj, None, "supervision_opened", note)
        text = _("%(number)s is overdue: the level above supervises it.") % {
            "number": supervision.number
        }
        notify(
            recipients=[*watched.staff(obj, level), *watched.staff(obj, supervision.case_level)],
            kind="supervision",
            text=text,
            url=watched.url(obj),
        )
    return True


def _number(obj) -> str:
    return str(getattr(obj, "number", "") or obj)


def supervision_open_manual(*, case, actor, note: str) -> Supervision:
    """督办 by hand: a superior supervises `case` (already locked by the case type's action,
    which validates, writes the event and tells the handling level). It has no missed deadline
    and no due date; the case's own action answers it (`manual_supervisions_open`)."""
    watched = watched_for(case)
    level_of = watched.level_of(case)
    return Supervision.objects.create(
        origin=SupervisionOrigin.MANUAL,
        kind=watched.key,
        object_id=case.pk,
        number=_number(case),
        url=watched.url(case),
        area=watched.area(case),
        case_level=level_of,
        level=level_above(level_of),
        note=note,
        instructed_by=actor,
        instructed_at=timezone.now(),
    )


def manual_supervisions_open(case):
    """The supervisions of `case` opened by hand and not answered yet."""
    return Supervision.objects.filter(
        origin=SupervisionOrigin.MANUAL,
        kind=watched_for(case).key,
        object_id=case.pk,
        answered_at__isnull=True,
    )


def case_of(supervision: Supervision):
    watched = WATCHED[supervision.kind]
    return watched, watched.model.objects.select_related(*watched.related).get(
        pk=supervision.object_id
    )


def may_instruct(*, user, supervision: Supervision) -> bool:
    """Staff of the supervising level over the case, or of a level above it."""
    area = supervision.area
    return works_at_level(user=user, area=area, level=supervision.level) or works_above_level(
        user=user, area=area, level=supervision.level
    )


def may_answer(*, user, supervision: Supervision, obj=None) -> bool:
    """Here (the board, the case's panel): a superior's own supervision is answered with the
    case's action instead."""
    if supervision.origin == SupervisionOrigin.MANUAL:
        return False
    watched = WATCHED[supervision.kind]
    if obj is None:
        obj = watched.model.objects.select_related(*watched.related).get(pk=supervision.object_id)
    return bool(watched.answers(user, obj))


def _required(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def supervision_instruct(*, actor, supervision: Supervision, note: str) -> Supervision:
    """The supervising level writes (or rewrites) its instruction; the handling level is
    told. Who may is checked before what they wrote."""
    with transaction.atomic():
        locked = (
            Supervision.objects.select_for_update().select_related("area").get(pk=supervision.pk)
        )
        if not may_instruct(user=actor, supervision=locked):
            raise PermissionDenied(_("Only the supervising level can write the instruction."))
        note = _required(note, _("Write the instruction."))
        if locked.answered_at is not None:
            raise ValidationError(_("This supervision is already answered."))
        watched, obj = case_of(locked)
        locked.note = note
        locked.instructed_by = actor
        locked.instructed_at = timezone.now()
        locked.save(update_fields=["note", "instructed_by", "instructed_at"])
        watched.record(obj, actor, "supervision_instructed", note)
        notify(
            recipients=watched.staff(obj, locked.case_level),
            kind="supervision",
            text=_("Supervision of %(number)s: %(note)s") % {"number": locked.number, "note": note},
            url=watched.url(obj),
            exclude=actor,
        )
    return locked


def supervision_answer(*, actor, supervision: Supervision, answer: str) -> Supervision:
    """The handling level answers the supervision; the supervising level is told. Who may is
    checked before what they wrote."""
    with transaction.atomic():
        locked = (
            Supervision.objects.select_for_update().select_related("area").get(pk=supervision.pk)
        )
        if locked.origin == SupervisionOrigin.MANUAL:
            raise ValidationError(_("Answer this supervision with the action on the case's page."))
        watched, obj = case_of(locked)
        if not may_answer(user=actor, supervision=locked, obj=obj):
            raise PermissionDenied(_("Only the level handling the case can answer."))
        answer = _required(answer, _("Write the answer."))
        if locked.answered_at is not None:
            raise ValidationError(_("This supervision is already answered."))
        locked.answer = answer
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "answered_by", "answered_at"])
        watched.record(obj, actor, "supervision_answered", answer)
        notify(
            recipients=[*watched.staff(obj, locked.level), locked.instructed_by],
            kind="supervision_answer",
            text=_("Supervision of %(number)s was answered.") % {"number": locked.number},
            url=watched.url(obj),
            exclude=actor,
        )
    return locked
