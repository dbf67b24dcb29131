from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Grids")

    def ready(self):
        from governance.demo import DEMO_EXTENSIONS
        from governance.models import Role
        from governance.navigation import (
            EVERYONE,
            MenuEntry,
            register_menu_entry,
            register_role_home,
        )

        register_menu_entry(MenuEntry(_("Grids"), "grids:overview", EVERYONE), position=1)
        register_menu_entry(
            MenuEntry(
                _("Import grids and teams"), "grids:grid_import", frozenset({Role.ADMINISTRATOR})
            )
        )
        register_role_home(Role.GRID_WORKER, "grids:worker_home")
        register_role_home(Role.POLICE_LIAISON, "grids:worker_home")

        from grids.demo import seed_demo_grids

        if seed_demo_grids not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_demo_grids)

        from governance.demo import register_demo_activity
        from grids.demo import make_demo_patrols

        register_demo_activity("patrols", make_demo_patrols, order=10)

        from governance.rollups.engine import (
            register_clear_lister,
            register_counter,
            register_worker_assignments,
        )
        from grids.metrics import daily_clear_items, daily_counts, worker_assignments

        register_counter(daily_counts)
        register_clear_lister(daily_clear_items)
        register_worker_assignments(worker_assignments)

        from governance.configuration.sections import register_settings_section
        from grids.configuration import SECTION, render_section

        register_settings_section(SECTION, render_section, order=10)

        # Urgent findings (重大事项直报) of the last 24 hours on the now board.
        from cases.panels import register_panel
        from grids.board import board_panel

        register_panel("board", board_panel)

        # Sets Pillow's pixel limit to the photos' own, for whatever opens an image.
        import grids.photos  # noqa: F401
