"""Workflows as data (docs/architecture.md, rule 3), shared by every case type.

A case type declares its statuses and one registry (a `Workflow`) of `Transition`s, one entry
per action, naming in one place: the statuses it may start from, the status it leads to (or
`STAYS`), who may take it (capabilities the case type computes for a person and a case), the
guard (a further condition of the case: a refusal message, or None), the page's form and the
service that performs it. `cases.actions.take_action` checks an entry (status, who, guard)
before a service writes; the page asks `Workflow.available` which forms to show, and the view
dispatches to the entry's form and service. All read the same registry.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _

# The capabilities a person can hold over one case, shared by every case type: works at the
# level that now handles it; is an active handler; works at a level above it.
LEVEL_STAFF = "level_staff"
ASSIGNEE = "assignee"
SUPERIOR = "superior"

# The target of an action that leaves the status as it is.
STAYS = None


class TransitionNotAllowed(Exception):
    """The action cannot be taken: from this status, or by this person. The message says why
    in the person's language."""


class CaseChangedUnderYou(Exception):
    """Someone else changed the case since the person loaded it; nothing was written."""


@dataclass(frozen=True)
class Transition:
    """One action of a case type, declared once."""

    action: str
    label: str | Promise
    sources: frozenset[str]
    # None (`STAYS`): the status is unchanged.
    target: str | None
    who: frozenset[str]
    # The page's form: built with (data, user=..., <case keyword>=case).
    form: type | None = None
    # The service: called with (actor=..., version=..., <case keyword>=case, **form data).
    service: Callable | None = None
    # guard(case) -> a refusal message, or None when the action makes sense for this case.
    guard: Callable[..., str | Promise | None] | None = None
    # Bootstrap button style, for the templates.
    style: str = "primary"

    def refusal(self, case) -> str | None:
        """Why the guard refuses the action on `case`, or None."""
        message = self.guard(case) if self.guard is not None else None
        return str(message) if message else None


def action(
    name, label, *, sources, target, who, form, service, guard=None, style="primary"
) -> Transition:
    """One entry of a case type's registry, written compactly."""
    return Transition(
        action=name,
        label=label,
        sources=frozenset(sources),
        target=target,
        who=frozenset(who),
        form=form,
        service=service,
        guard=guard,
        style=style,
    )


@dataclass
class Workflow:
    transitions: list[Transition]
    status_labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self._by_action = {t.action: t for t in self.transitions}
        if len(self._by_action) != len(self.transitions):
            raise ValueError("An action is declared twice.")

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions)

    def get(self, action: str) -> Transition:
        try:
            return self._by_action[action]
        except KeyError:
            raise TransitionNotAllowed(_("Unknown action.")) from None

    def check(self, *, action: str, status: str, capabilities: Iterable[str]) -> Transition:
        transition = self.get(action)
        if status not in transition.sources:
            raise TransitionNotAllowed(
                _("“%(action)s” is not possible while the case is “%(status)s”.")
                % {"action": transition.label, "status": self.status_labels.get(status, status)}
            )
        if not transition.who & set(capabilities):
            raise TransitionNotAllowed(
                _("You may not “%(action)s” on this case.") % {"action": transition.label}
            )
        return transition

    def available(self, *, case, capabilities: Iterable[str]) -> list[Transition]:
        """The actions a person holding `capabilities` may take on `case` now: its status
        allows them, and their guard does not refuse."""
        held = set(capabilities)
        return [
            t
            for t in self.transitions
            if case.status in t.sources and t.who & held and t.refusal(case) is None
        ]
