from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db.models.signals import post_migrate

        from cases.append_only import install_append_only_guards

        # After every migrate, so that a new case type's event table gets its guard too.
        post_migrate.connect(install_append_only_guards, sender=self)

        # The now board, beside the dashboards in the menu.
        from cases.board import BOARD_ROLES
        from governance.navigation import MENU, MenuEntry, register_menu_entry

        after = next(
            (i + 1 for i, entry in enumerate(MENU) if entry.url_name == "dashboards:root"), None
        )
        register_menu_entry(MenuEntry(_("Now"), "cases:board", BOARD_ROLES), position=after)

        # The warning periods on the county's settings page.
        from cases.configuration import SECTION, render_section
        from governance.configuration.sections import register_settings_section

        register_settings_section(SECTION, render_section, order=5)

        # Red and yellow, counted every night.
        from cases.metrics import daily_counts
        from governance.rollups.engine import register_counter

        register_counter(daily_counts)

        # On the home page: the cases given to the person, by light; the board at a glance.
        from cases.home import HANDLER_ROLES, board_panel, my_cases_panel
        from governance.navigation import register_home_panel

        register_home_panel("my_cases", HANDLER_ROLES, my_cases_panel, order=20)
        register_home_panel("board", BOARD_ROLES, board_panel, order=50)
