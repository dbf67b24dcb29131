from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "governance.rollups"
    label = "rollups"
    verbose_name = _("Daily clear, weekly review, monthly assessment")
