from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "open311"
    verbose_name = _("Intake API")

    def ready(self):
        from desk.events import on_matter_event
        from governance.configuration.sections import register_settings_section
        from open311.sections import render_sources_section
        from open311.services import callback_queue_for_event

        # Each matter event of a work order is reported back to its source.
        on_matter_event(callback_queue_for_event)
        register_settings_section("open311_sources", render_sources_section, order=90)
