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
