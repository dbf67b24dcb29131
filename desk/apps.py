from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = _("Front desk")

    def ready(self):
        from desk.registration import register_desk

        register_desk()
