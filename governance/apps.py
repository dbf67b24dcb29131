from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Areas and people")

    def ready(self):
        from governance.dashboards.selectors import DASHBOARD_ROLES
        from governance.navigation import MenuEntry, register_menu_entry

        register_menu_entry(
            MenuEntry(_("Dashboard"), "dashboards:root", DASHBOARD_ROLES), position=1
        )

        from governance.home import administrator_panel, dashboard_panel
        from governance.models import Role
        from governance.navigation import register_home_panel

        register_home_panel("administrator", {Role.ADMINISTRATOR}, administrator_panel, order=10)
        register_home_panel("dashboard", DASHBOARD_ROLES, dashboard_panel, order=40)
