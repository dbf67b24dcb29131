from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from governance.demo import DEMO_PASSWORD, DemoAreasMissing, seed_demo_people
from governance.models import Area, Role


class Command(BaseCommand):
    help = _("Create one demo person per role in 潞城区 / 店上镇 / 店上村. For demonstration only.")

    def handle(self, *args, **options):
        try:
            people = seed_demo_people()
        except DemoAreasMissing as error:
            raise CommandError(
                _("The demo areas are missing (%(codes)s): run import_areas first.")
                % {"codes": error}
            ) from None
        names = dict(
            Area.objects.filter(code__in={p.area_code for p in people}).values_list("code", "name")
        )
        self.stdout.write(
            _("Demo people (demo only, password for all: %(password)s):")
            % {"password": DEMO_PASSWORD}
        )
        for person in people:
            self.stdout.write(
                f"  {person.username:<20} {person.full_name:<6} "
                f"{Role(person.role).label} · {names[person.area_code]}"
            )
