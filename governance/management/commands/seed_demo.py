import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from governance.demo import (
    DEMO_MONTH_DAYS,
    DEMO_PASSWORD,
    DemoAreasMissing,
    seed_demo_activity,
    seed_demo_people,
)
from governance.models import Area, Role


class Command(BaseCommand):
    help = _(
        "Create one demo person per role in 潞城区 / 店上镇 / 店上村, and a month of their work, "
        "rolled up. For demonstration only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people-only",
            action="store_true",
            help=_("only the people, without the month of work"),
        )

    def handle(self, *args, people_only=False, **options):
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
        if people_only:
            return
        started = time.monotonic()
        made = seed_demo_activity()
        self.stdout.write(
            _(
                "The last %(days)d days of work (made now, or already there): %(made)s; "
                "in %(seconds).1f s."
            )
            % {
                "days": DEMO_MONTH_DAYS,
                "made": ", ".join(f"{name} {count}" for name, count in made.items()),
                "seconds": time.monotonic() - started,
            }
        )
