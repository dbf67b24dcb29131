"""`manage.py deliver_callbacks`: report the waiting matter events to their sources now (the
beat does it every minute)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from open311.services import callbacks_deliver_waiting


class Command(BaseCommand):
    help = "Post the waiting callbacks of the intake API to their sources."

    def handle(self, *args, **options):
        delivered, waiting = callbacks_deliver_waiting()
        self.stdout.write(
            _("%(delivered)d delivered, %(waiting)d still waiting.")
            % {"delivered": delivered, "waiting": waiting}
        )
