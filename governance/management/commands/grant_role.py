import getpass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from governance.models import Area, Role
from governance.services import membership_grant, person_create


class Command(BaseCommand):
    help = _(
        "Grant a person a role over an area, creating the person if needed. Used at the "
        "command line to appoint the first administrator; afterwards, use the People pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("area_code", help=_("division code of the area"))
        parser.add_argument("role", help=", ".join(Role.values))
        parser.add_argument("--full-name", default="", help=_("full name of a new person"))

    def handle(self, *args, username, area_code, role, full_name, **options):
        if role not in Role.values:
            raise CommandError(
                _("Unknown role “%(role)s”; one of: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            )
        try:
            area = Area.objects.get(code=area_code)
        except Area.DoesNotExist:
            raise CommandError(_("No area has the code %(code)s.") % {"code": area_code}) from None
        user = get_user_model().objects.filter(username=username).first()
        try:
            if user is None:
                password = getpass.getpass(_("Password for the new person: "))
                user = person_create(
                    actor=None,
                    username=username,
                    full_name=full_name or username,
                    password=password,
                    area=area,
                    role=role,
                )
            else:
                membership_grant(actor=None, user=user, area=area, role=role)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("%(user)s is now %(role)s of %(area)s.")
                % {"user": user.username, "role": Role(role).label, "area": area.name}
            )
        )
