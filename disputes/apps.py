from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")

    def ready(self):
        from governance.models import Role
        from governance.navigation import MenuEntry, register_menu_entry

        handlers = frozenset(
            {
                Role.GRID_CHIEF,
                Role.VILLAGE_STAFF,
                Role.TOWNSHIP_STAFF,
                Role.MEDIATOR,
                Role.DEPARTMENT_LIAISON,
                Role.COUNTY_OFFICIAL,
                Role.CITY_OFFICIAL,
                Role.POLICE_LIAISON,
                Role.GRID_WORKER,
                Role.REVISITOR,
            }
        )
        register_menu_entry(MenuEntry(_("Disputes"), "disputes:workbench", handlers))

        from disputes.demo import seed_demo_departments
        from governance.demo import DEMO_EXTENSIONS

        if seed_demo_departments not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_demo_departments)

        from disputes.demo import make_demo_disputes
        from governance.demo import register_demo_activity

        register_demo_activity("disputes", make_demo_disputes, order=20)

        from disputes.metrics import daily_clear_items, daily_counts, mediator_case_counts
        from governance.rollups.engine import (
            register_clear_lister,
            register_counter,
            register_mediator_counter,
        )

        register_counter(daily_counts)
        register_clear_lister(daily_clear_items)
        register_mediator_counter(mediator_case_counts)

        # A department liaison sees the grid finding a case of their department came from.
        from disputes.selectors import findings_handled_by_department_of
        from grids.models import register_finding_access

        register_finding_access(findings_handled_by_department_of)

        from disputes.configuration import (
            REVISIT_SECTION,
            SECTION,
            render_revisit_section,
            render_section,
        )
        from governance.configuration.sections import register_settings_section

        register_settings_section(SECTION, render_section, order=20)

        # The warning lights of disputes and summonses, and their panel on the board.
        from cases.lights import register_watched
        from cases.panels import register_panel
        from disputes.board import board_panel
        from disputes.lights import DISPUTES, SUMMONSES

        register_watched(DISPUTES)
        register_watched(SUMMONSES)
        register_panel("board", board_panel)
        register_settings_section(REVISIT_SECTION, render_revisit_section, order=21)

        # On the home page: the township's workbench; the village's handed-up findings.
        from disputes.home import findings_panel, revisits_panel, workbench_panel
        from governance.navigation import register_home_panel

        register_home_panel("workbench", {Role.TOWNSHIP_STAFF}, workbench_panel, order=30)
        register_home_panel(
            "dispute_findings", {Role.GRID_CHIEF, Role.VILLAGE_STAFF}, findings_panel, order=31
        )
        register_home_panel("revisits", {Role.REVISITOR}, revisits_panel, order=33)
