from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from grids.grid_import import GridImportError, import_grids, summary_lines


class Command(BaseCommand):
    help = _(
        "Import grids and their teams from an .xlsx or .csv file (see grids/grid_import.py for "
        "the columns). All or nothing: every bad row is reported and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("path of the .xlsx or .csv file"))

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as stream:
                content = stream.read()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        try:
            summary = import_grids(actor=None, content=content, filename=file)
        except GridImportError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                _("Nothing was imported: correct the rows above and run it again.")
            ) from None
        for line in summary_lines(summary):
            self.stdout.write(self.style.SUCCESS(line))
