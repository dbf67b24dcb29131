"""Who hears of a matter's events: open311 (the intake API) registers here, in its
`AppConfig.ready()`, to report each event back to the source system. Callbacks run on commit,
once per event row, so nothing is reported for a change that was rolled back."""

from collections.abc import Callable

from django.db import transaction

MATTER_EVENT_LISTENERS: list[Callable] = []


def on_matter_event(callback: Callable) -> None:
    """Call `callback(event)` on commit with each new `MatterEvent`."""
    if callback not in MATTER_EVENT_LISTENERS:
        MATTER_EVENT_LISTENERS.append(callback)


def announce(event) -> None:
    """Queue the listeners for `event` once the transaction that wrote it commits."""
    for callback in list(MATTER_EVENT_LISTENERS):
        transaction.on_commit(lambda callback=callback: callback(event))
