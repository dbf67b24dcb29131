"""Which menu each role sees. Later modules add their entries to MENU."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from governance.models import Role

EVERYONE = frozenset(Role.values)


@dataclass(frozen=True)
class MenuEntry:
    label: str | Promise
    url_name: str
    roles: frozenset[str]


MENU = [
    MenuEntry(_("Home"), "home", EVERYONE),
    MenuEntry(_("Areas"), "area_root", EVERYONE),
    MenuEntry(_("People"), "people_list", frozenset({Role.ADMINISTRATOR})),
]

# A role whose daily work lives in another app opens that app's page as its home. The apps
# register their entries in their AppConfig.ready(), so governance depends on none of them.
ROLE_HOMES: dict[str, str] = {}


def register_menu_entry(entry: MenuEntry, *, position: int | None = None) -> None:
    if any(existing.url_name == entry.url_name for existing in MENU):
        return
    MENU.insert(len(MENU) if position is None else position, entry)


def register_role_home(role: str, url_name: str) -> None:
    ROLE_HOMES.setdefault(role, url_name)


@dataclass(frozen=True)
class HomePanel:
    """One part of the home page: the work of the roles it names. `render(request)` returns
    HTML, or an empty string when there is nothing to show."""

    key: str
    roles: frozenset[str]
    render: Callable
    order: int


# The home page is the person's work: each app registers the lists of what waits for which
# roles (my cases by light, the findings handed up, the workbench, the board, the dashboard)
# in its AppConfig.ready(), and the home page shows those of every role the person holds.
HOME_PANELS: list[HomePanel] = []


def register_home_panel(key: str, roles, render: Callable, *, order: int) -> None:
    if any(panel.key == key for panel in HOME_PANELS):
        return
    HOME_PANELS.append(HomePanel(key, frozenset(roles), render, order))
    HOME_PANELS.sort(key=lambda panel: panel.order)


def home_panels_for(roles: set[str]) -> list[HomePanel]:
    return [panel for panel in HOME_PANELS if panel.roles & roles]


# When a person holds several roles, the home page speaks to the first of these they hold.
HOME_ROLE_PRIORITY = [
    Role.ADMINISTRATOR,
    Role.CITY_OFFICIAL,
    Role.COUNTY_OFFICIAL,
    Role.TOWNSHIP_STAFF,
    Role.MEDIATOR,
    Role.DEPARTMENT_LIAISON,
    Role.VILLAGE_STAFF,
    Role.GRID_CHIEF,
    Role.POLICE_LIAISON,
    Role.GRID_WORKER,
    Role.REVISITOR,
]


def menu_for(roles: set[str]) -> list[dict]:
    return [
        {"label": entry.label, "url": reverse(entry.url_name), "url_name": entry.url_name}
        for entry in MENU
        if entry.roles & roles
    ]


def home_role(roles: set[str]) -> str | None:
    return next((role for role in HOME_ROLE_PRIORITY if role in roles), None)
