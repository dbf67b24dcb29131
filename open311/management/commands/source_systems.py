"""`manage.py source_systems`: the source systems of the intake API from the server's shell.

    source_systems list
    source_systems issue --name 12345热线 --channel hotline_12345 --areas 140406 140404 \
        [--callback-url https://…] [--return-limit-hours 24] [--requests-per-minute 60]
    source_systems revoke --name 12345热线
    source_systems reissue --name 12345热线

A token is printed once, when it is issued; only its digest is kept."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from governance.models import Area
from infra.errors import error_text
from open311.models import SourceSystem
from open311.services import SCOPE_LEVELS, source_issue, source_reissue, source_revoke


class Command(BaseCommand):
    help = "List, issue, revoke and reissue the tokens of the intake API's source systems."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list")
        issue = actions.add_parser("issue")
        issue.add_argument("--name", required=True)
        issue.add_argument("--channel", required=True)
        issue.add_argument("--areas", nargs="+", required=True, metavar="CODE")
        issue.add_argument("--callback-url", default="")
        issue.add_argument("--return-limit-hours", type=int, default=24)
        issue.add_argument("--requests-per-minute", type=int, default=60)
        for name in ("revoke", "reissue"):
            actions.add_parser(name).add_argument("--name", required=True)

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "list":
                return self._list()
            if action == "issue":
                return self._issue(options)
            source = self._source(options["name"])
            if action == "revoke":
                source_revoke(actor=None, source=source)
                self.stdout.write(_("The token of %(name)s is revoked.") % {"name": source.name})
            else:
                token = source_reissue(actor=None, source=source)
                self._print_token(source, token)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(error_text(error)) from None

    def _source(self, name: str) -> SourceSystem:
        try:
            return SourceSystem.objects.get(name=name)
        except SourceSystem.DoesNotExist:
            raise CommandError(_("No source system is named %(name)s.") % {"name": name}) from None

    def _issue(self, options) -> None:
        codes = list(dict.fromkeys(options["areas"]))
        areas = {a.code: a for a in Area.objects.filter(code__in=codes, level__in=SCOPE_LEVELS)}
        unknown = [code for code in codes if code not in areas]
        if unknown:
            raise CommandError(
                _("Not a city, county or township code: %(codes)s")
                % {"codes": "、".join(unknown[:5])}
            )
        source, token = source_issue(
            actor=None,
            name=options["name"],
            channel=options["channel"],
            areas=[areas[code] for code in codes],
            callback_url=options["callback_url"],
            return_limit_hours=options["return_limit_hours"],
            requests_per_minute=options["requests_per_minute"],
        )
        self._print_token(source, token)

    def _print_token(self, source, token: str) -> None:
        """The token alone on the last line, for a script to take."""
        self.stdout.write(
            _("The token of %(name)s (shown only this once):") % {"name": source.name}
        )
        self.stdout.write(token)

    def _list(self) -> None:
        for source in SourceSystem.objects.prefetch_related("areas"):
            state = _("revoked") if source.revoked else f"…{source.token_hint}"
            areas = " ".join(area.code for area in source.areas.all())
            self.stdout.write(f"{source.name}\t{source.channel}\t{areas}\t{state}")
