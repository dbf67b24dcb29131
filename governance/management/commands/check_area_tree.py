from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from governance.models import Area
from governance.selectors import area_tree_problems


class Command(BaseCommand):
    help = _("Check the stored area tree for inconsistencies; exits non-zero if it finds any.")

    def handle(self, *args, **options):
        problems = area_tree_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                _("%(count)d problems found in the area tree.") % {"count": len(problems)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("The area tree is consistent (%(count)d areas).")
                % {"count": Area.objects.count()}
            )
        )
