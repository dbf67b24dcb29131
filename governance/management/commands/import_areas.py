import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from governance.area_import import AreaImportError, open_text, read_division_file
from governance.models import Area
from governance.services import area_tree_import


class Command(BaseCommand):
    help = _(
        "Import the area tree from a division file (code,name,level,parent_code). "
        "All or nothing: the first bad line stops it and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("path of the CSV file (UTF-8 or GBK)"))

    def handle(self, *args, file, **options):
        started = time.monotonic()
        stored_levels = dict(Area.objects.values_list("code", "level"))
        try:
            with open_text(file) as stream:
                rows = read_division_file(
                    stream,
                    stored_levels=stored_levels,
                    progress=lambda count: self.stdout.write(
                        _("Read %(count)d lines…") % {"count": count}
                    ),
                )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        except AreaImportError as error:
            raise CommandError(_("%(error)s Nothing was imported.") % {"error": error}) from None
        result = area_tree_import(rows=rows, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Done in %(seconds).1f s: %(created)d created, %(renamed)d renamed, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "seconds": time.monotonic() - started,
                    "created": result.created,
                    "renamed": result.renamed,
                    "unchanged": result.unchanged,
                }
            )
        )
