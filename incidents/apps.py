from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from governance.models import Role
        from governance.navigation import MenuEntry, register_menu_entry

        users = frozenset(
            {
                Role.VILLAGE_STAFF,
                Role.GRID_CHIEF,
                Role.TOWNSHIP_STAFF,
                Role.DEPARTMENT_LIAISON,
                Role.COUNTY_OFFICIAL,
                Role.CITY_OFFICIAL,
            }
        )
        register_menu_entry(MenuEntry(_("Incidents"), "incidents:list", users))

        from cases.panels import register_panel
        from incidents.views import workbench_panel

        register_panel("workbench", workbench_panel)

        from incidents.views import worker_home_panel

        register_panel("worker_home", worker_home_panel)

        # A wrongly typed case converted either way: each page shows the other, and the
        # dispute page holds the form that converts it into an incident.
        from incidents.conversion import dispute_conversion_panel, incident_conversion_panel

        register_panel("dispute", dispute_conversion_panel)
        register_panel("incident", incident_conversion_panel)

        from grids.models import register_finding_access
        from incidents.selectors import findings_sent_to_department_of

        register_finding_access(findings_sent_to_department_of)

        from governance.configuration.sections import register_settings_section
        from incidents.configuration import SECTION, render_section

        register_settings_section(SECTION, render_section, order=15)

        from governance.rollups.engine import (
            register_clear_lister,
            register_counter,
            register_department_counter,
        )
        from incidents.rollups import daily_clear_items, daily_counts, department_counts

        register_counter(daily_counts)
        register_department_counter(department_counts)
        register_clear_lister(daily_clear_items)
        # The warning light of incidents.
        from cases.lights import register_watched
        from incidents.lights import INCIDENTS

        register_watched(INCIDENTS)

        # On the home page: the incidents waiting for the person, and the findings to register.
        from governance.navigation import register_home_panel
        from incidents.home import incidents_panel

        register_home_panel(
            "incidents",
            {Role.GRID_CHIEF, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF},
            incidents_panel,
            order=32,
        )

        from governance.home import register_configuration_check
        from incidents.configuration import matters_list_missing

        register_configuration_check(matters_list_missing)

        from governance.demo import register_demo_activity
        from incidents.demo import make_demo_incidents

        register_demo_activity("incidents", make_demo_incidents, order=30)
