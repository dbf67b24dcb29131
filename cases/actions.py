"""The machinery every case type shares: taking one action of its registry.

A case model has `status` and `version`; its event model subclasses `CaseEvent` with a
foreign key named after the case. `take_action` locks the row, refuses a stale version
(`CaseChangedUnderYou`), checks the registry's entry (status, who, guard:
`TransitionNotAllowed`), applies the change, moves the status, bumps the version and writes
exactly one event, all in one transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext as _

from cases.workflow import CaseChangedUnderYou, TransitionNotAllowed, Workflow


@dataclass(frozen=True)
class CaseType:
    """One kind of case, as the shared machinery (`take_action`, and the case page's
    `cases.views.act_on_case`) needs to know it."""

    model: type[models.Model]
    event_model: type[models.Model]
    # The case's name in keyword arguments: the event's foreign key, the forms' and the
    # services' argument (`dispute`, `petition`).
    keyword: str
    # The registry of actions.
    workflow: Workflow
    # capabilities(user=..., case=...) -> set of capability names
    capabilities: Callable[..., set[str]]
    # get_for_user_or_404(user=..., pk=...) -> the case, if the person may see it.
    get_for_user_or_404: Callable[..., models.Model]
    # The case page: its template and its URL's name (with the case's pk).
    template: str
    detail_url: str
    # Related objects loaded with the locked row (select_related paths).
    related: tuple[str, ...] = ()
    # What a person is told when the case changed under them (lazy: translated when raised).
    changed_message: str = ""


def take_action(
    case_type: CaseType,
    *,
    actor,
    case: models.Model,
    version: int | None,
    action: str,
    change: Callable[[models.Model], dict | None],
    note: str = "",
    event_kind: str | None = None,
    event_fields: Callable[[models.Model, models.Model], dict] | None = None,
) -> models.Model:
    """Apply `action` to `case` as `actor` (None: the system, which the entry's `who` does
    not restrict; its status and its guard do). `change(locked)` mutates the locked row and
    may return details for the event; `event_fields(before, locked)` may add columns of the
    case type's own event."""
    with transaction.atomic():
        locked = (
            case_type.model.objects.select_for_update(of=("self",))
            .select_related(*case_type.related)
            .get(pk=case.pk)
        )
        if version is not None and locked.version != version:
            raise CaseChangedUnderYou(
                str(case_type.changed_message)
                or _(
                    "Someone else changed this case while you were working on it. "
                    "Nothing was saved: look at its new state, then try again."
                )
            )
        if actor is not None:
            transition = case_type.workflow.check(
                action=action,
                status=locked.status,
                capabilities=case_type.capabilities(user=actor, case=locked),
            )
        else:
            transition = case_type.workflow.get(action)
            if locked.status not in transition.sources:
                raise TransitionNotAllowed(_("Not possible in this status."))
        refusal = transition.refusal(locked)
        if refusal:
            raise TransitionNotAllowed(refusal)
        before = {field.attname: getattr(locked, field.attname) for field in locked._meta.fields}
        details = change(locked) or {}
        if transition.target is not None:
            locked.status = transition.target
        locked.version += 1
        locked.save()
        extra = event_fields(before, locked) if event_fields else {}
        case_type.event_model.objects.create(
            **{case_type.keyword: locked},
            actor=actor,
            kind=event_kind or action,
            from_status=before["status"],
            to_status=locked.status,
            note=note,
            details=details,
            **extra,
        )
    # The caller's object sees the new state too.
    for field in locked._meta.fields:
        setattr(case, field.attname, getattr(locked, field.attname))
    return locked


def record_event(case_type: CaseType, *, case: models.Model, actor, kind: str, note: str = ""):
    """One event on the case's timeline that changes nothing of the case (its status stays):
    what was done about it, such as a supervision of its light."""
    return case_type.event_model.objects.create(
        **{case_type.keyword: case},
        actor=actor,
        kind=kind,
        from_status=case.status,
        to_status=case.status,
        note=note,
    )
