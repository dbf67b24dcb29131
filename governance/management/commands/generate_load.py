"""`manage.py generate_load [--villages N] [--grids-per-village 4] [--days 365] [--end DAY]
[--seed 1]`: fill an empty database with generated load for the benchmarks (see
`bench.loadgen`). Imports the Changzhi tree if there is none and creates the demo people.
Not for a real installation.

The generators live with the benchmarks, outside the apps, and are imported only here, when the
command runs, so that no web or Celery process loads them."""

import sys
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.area_import import read_division_file
from governance.demo import DEMO_VILLAGE, seed_demo_people
from governance.models import Area
from governance.services import area_tree_import
from grids.models import Patrol

CHANGZHI = Path(settings.BASE_DIR) / "governance" / "data" / "changzhi-divisions.csv"


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(_("“%(value)s” is not a whole number of 1 or more.") % {"value": value})
    return number


class Command(BaseCommand):
    help = _(
        "Fill an empty database with a generated stretch of patrols, findings, disputes and "
        "petitions over the area tree, for benchmarks. Never on a real installation."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--villages", default=None, help=_("how many villages (default: every one)")
        )
        parser.add_argument(
            "--grids-per-village", default="4", help=_("grids of each village (default 4)")
        )
        parser.add_argument("--days", default="365", help=_("how many days (default 365)"))
        parser.add_argument(
            "--end", default=None, help=_("the last day, YYYY-MM-DD (default: yesterday)")
        )
        parser.add_argument("--seed", default="1", help=_("random seed (default 1)"))

    def handle(self, *args, **options):
        # The project root holds bench/; it is on the path when manage.py runs, and made so
        # for any other caller.
        root = str(settings.BASE_DIR)
        if root not in sys.path:
            sys.path.insert(0, root)
        from bench.loadgen import choose_villages, generate

        villages = positive(options["villages"]) if options["villages"] is not None else None
        grids_per_village = positive(options["grids_per_village"])
        days = positive(options["days"])
        try:
            seed = int(options["seed"])
        except ValueError:
            raise CommandError(
                _("“%(value)s” is not a whole number.") % {"value": options["seed"]}
            ) from None
        today = timezone.localdate()
        if options["end"]:
            try:
                last_day = date.fromisoformat(options["end"])
            except ValueError:
                raise CommandError(
                    _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": options["end"]}
                ) from None
            if last_day >= today:
                raise CommandError(_("The last day must have ended: choose a day before today."))
        else:
            last_day = today - timedelta(days=1)
        first_day = last_day - timedelta(days=days - 1)
        if Patrol.objects.exists():
            raise CommandError(
                _("This database already holds patrols: generate the load into an empty one.")
            )
        started = time.monotonic()
        if not Area.objects.exists():
            self.stdout.write(_("Importing the Changzhi area tree…"))
            with CHANGZHI.open(encoding="utf-8", newline="") as stream:
                area_tree_import(rows=read_division_file(stream, stored_levels={}))
        seed_demo_people()
        chosen = choose_villages(villages, seed=seed, must_include=DEMO_VILLAGE)
        if not chosen:
            raise CommandError(_("The area tree has no villages."))
        self.stdout.write(
            _("Generating %(days)d days (%(first)s to %(last)s) for %(villages)d villages…")
            % {"days": days, "first": first_day, "last": last_day, "villages": len(chosen)}
        )
        result = generate(
            villages=chosen,
            grids_per_village=grids_per_village,
            first_day=first_day,
            last_day=last_day,
            seed=seed,
            report=self.stdout.write,
        )
        rows = sum(result.rows.values())
        self.stdout.write(
            self.style.SUCCESS(
                _("Done in %(seconds).1f s: %(rows)s rows, %(grids)s grids, %(villages)s villages.")
                % {
                    "seconds": time.monotonic() - started,
                    "rows": f"{rows:,}",
                    "grids": f"{result.grids:,}",
                    "villages": f"{result.villages:,}",
                }
            )
        )
        for table, count in sorted(result.rows.items()):
            self.stdout.write(f"  {table:<36} {count:>11,}")
