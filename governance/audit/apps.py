from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "governance.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from governance.audit import receivers  # noqa: F401  (connects the signal receivers)
        from governance.audit.retention import install_retention_guard
        from governance.models import Role
        from governance.navigation import MenuEntry, register_menu_entry

        post_migrate.connect(install_retention_guard, sender=self)
        register_menu_entry(
            MenuEntry(_("Audit log"), "audit:list", frozenset({Role.ADMINISTRATOR}))
        )
