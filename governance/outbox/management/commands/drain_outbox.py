"""`manage.py drain_outbox`: send the task calls kept while the broker was down, now."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from governance.outbox.services import drain


class Command(BaseCommand):
    help = "Send the task calls kept in the outbox while the broker was unavailable."

    def handle(self, *args, **options):
        sent, waiting = drain()
        self.stdout.write(
            _("%(sent)d sent, %(waiting)d still waiting.") % {"sent": sent, "waiting": waiting}
        )
