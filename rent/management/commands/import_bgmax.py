"""manage.py import_bgmax PATH [--unit ID]: import a BgMax file as the
upload page does (services.bgmax_import), for files fetched by a script.
Without --unit, the unit whose rent settings hold the file's bankgiro.
The import is logged as --user's (default: the unit's one active housing
administrator); the access log always names a person."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import Unit, User
from accounts.roles import Role
from audit.context import AuditContext
from rent.bgmax.parser import ParseError, parse
from rent.models import RentSettings
from rent.services.bgmax_import import BgMaxImportError, import_bgmax


class Command(BaseCommand):
    help = "Import a BgMax payment file from Bankgirot (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--unit", type=int, help="The unit's id (default: the unit with the file's bankgiro).")
        parser.add_argument("--user", help="User name of the importing housing administrator.")

    def handle(self, *args, path, unit=None, user=None, **options):
        with translation.override("sv"):
            self._handle(path, unit, user)

    def _handle(self, path, unit, username):
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        if unit is not None:
            found = Unit.objects.filter(pk=unit).first()
            if found is None:
                raise CommandError(f"No unit {unit}.")
        else:
            found = self._unit_of(data)
        user = self._user(found, username)
        try:
            summary = import_bgmax(AuditContext.system(user, "manage.py import_bgmax"), found, Path(path).name, data)
        except BgMaxImportError as error:
            raise CommandError("\n".join(
                (f"line {line}: {message}" if line else message) for line, message in error.errors
            )) from None
        self.stdout.write(
            f"Imported {Path(path).name}: {summary.payments} payments, {summary.matched} matched, "
            f"{summary.to_match} to match by hand, total {summary.total / 100:.2f} kr."
        )

    def _user(self, unit, username):
        users = User.objects.filter(unit=unit, is_active=True)
        if username:
            users = users.filter(username=username)
        users = [user for user in users if user.has_perm("rent.manage_rent") and user.has_role(Role.HOUSING_ADMIN)]
        if len(users) != 1:
            raise CommandError("Give --user: the user name of one active housing administrator of the unit.")
        return users[0]

    def _unit_of(self, data):
        try:
            content = parse(data)
        except ParseError as error:
            raise CommandError("\n".join(f"line {line}: {message}" for line, message in error.errors)) from None
        bankgiros = {deposit.recipient_bankgiro for deposit in content.deposits}
        units = {
            settings.unit for settings in RentSettings.objects.select_related("unit").exclude(bankgiro="")
            if settings.bankgiro.replace("-", "").lstrip("0") in bankgiros
        }
        if len(units) != 1:
            raise CommandError("Give --unit: no single unit has the file's bankgiro in its rent settings.")
        return units.pop()
