"""Workflows as data (ARCHITECTURE.md rule 3), shared by every case type.

A case module declares its statuses and a table of `Transition`s: the action's name, the
statuses it may start from, the status it leads to (or None: unchanged), who may take it
(capabilities the case module computes for a person and a case), and what must be given.
Services call `Workflow.check`, which raises a named exception; templates ask
`Workflow.available` which buttons to show. Both read the same table.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _

# The capabilities a person can hold over one case, shared by every case type: works at the
# level that now handles it; is an active handler; works at a level above it.
LEVEL_STAFF = "level_staff"
ASSIGNEE = "assignee"
SUPERIOR = "superior"


class TransitionNotAllowed(Exception):
    """The action cannot be taken: from this status, or by this person. The message says why
    in the person's language."""


class CaseChangedUnderYou(Exception):
    """Someone else changed the case since the person loaded it; nothing was written."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None
    who: frozenset[str]
    requires: tuple[str, ...] = ()
    # Bootstrap button style, for the templates.
    style: str = "primary"


def transition(action, label, sources, target, who, requires=(), style="primary") -> Transition:
    """A row of a transitions table, written compactly."""
    return Transition(
        action=action,
        label=label,
        sources=frozenset(sources),
        target=target,
        who=frozenset(who),
        requires=tuple(requires),
        style=style,
    )


@dataclass
class Workflow:
    transitions: list[Transition]
    status_labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self._by_action = {t.action: t for t in self.transitions}

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

    def available(self, *, status: str, capabilities: Iterable[str]) -> list[Transition]:
        held = set(capabilities)
        return [t for t in self.transitions if status in t.sources and t.who & held]
