"""What the desk registers with the lower packages when the portal starts: its menu entry,
its daily counts by channel, and the hook that hears when a linked case finishes."""

from django.utils.translation import gettext_lazy as _


def register_desk() -> None:
    from desk.finishing import connect_case_finishing
    from desk.models import desk_roles
    from governance.navigation import MenuEntry, register_menu_entry

    register_menu_entry(MenuEntry(_("Front desk"), "desk:intake", desk_roles()))
    connect_case_finishing()

    from desk.metrics import daily_counts
    from governance.rollups.engine import register_counter

    register_counter(daily_counts)
