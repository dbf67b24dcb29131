from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self):
        from governance.models import Role
        from governance.navigation import MenuEntry, register_menu_entry

        handlers = frozenset(
            {
                Role.VILLAGE_STAFF,
                Role.GRID_CHIEF,
                Role.TOWNSHIP_STAFF,
                Role.DEPARTMENT_LIAISON,
                Role.COUNTY_OFFICIAL,
                Role.CITY_OFFICIAL,
            }
        )
        register_menu_entry(MenuEntry(_("Petitions"), "petitions:list", handlers))

        from cases.panels import register_panel
        from petitions.panels import linked_petitions_panel

        register_panel("dispute", linked_petitions_panel)

        from governance.rollups.engine import register_counter
        from petitions.metrics import daily_counts

        register_counter(daily_counts)

        from governance.configuration.sections import register_settings_section
        from petitions.configuration import SECTION, render_section

        register_settings_section(SECTION, render_section, order=30)

        from governance.demo import DEMO_EXTENSIONS
        from petitions.demo import seed_demo_heads

        if seed_demo_heads not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_demo_heads)

        from governance.demo import register_demo_activity
        from petitions.demo import make_demo_petitions

        register_demo_activity("petitions", make_demo_petitions, order=40)
        # The warning light of petitions, and the repeat petitions on the board.
        from cases.lights import register_watched
        from petitions.board import board_panel
        from petitions.lights import PETITIONS

        register_watched(PETITIONS)
        register_panel("board", board_panel)
