"""The sections of a county's settings page. An app registers one in its AppConfig.ready():
`render(request, county, form)` returns the section's HTML; `form` is the section's own form
sent back with its errors (None otherwise). Sections show in the order of `order`."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SettingsSection:
    key: str
    render: Callable
    order: int


SECTIONS: list[SettingsSection] = []


def register_settings_section(key: str, render: Callable, *, order: int) -> None:
    if any(section.key == key for section in SECTIONS):
        return
    SECTIONS.append(SettingsSection(key, render, order))
    SECTIONS.sort(key=lambda section: section.order)
