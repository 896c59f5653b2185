"""python manage.py import_register FILE --unit-id N --user USERNAME [--dry-run]

Imports a unit's apartment and tenancy register (docs/import.md) as the
named user, who must belong to the unit and may import registers. Exits
non-zero, with every bad row printed, when the file cannot be imported;
then nothing is written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from audit import reads
from audit.context import AuditContext
from tenancies.importer import ImportFileError, run_import


class Command(BaseCommand):
    help = "Import apartments and tenancies from an XLSX or CSV file (see docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="XLSX or CSV file (UTF-8, ';' or ',' separated)")
        parser.add_argument("--unit-id", type=int, required=True, help="The unit whose register it is.")
        parser.add_argument("--user", required=True, help="User name of the housing administrator importing.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count only; write nothing.")

    def handle(self, *args, file, unit_id, user, dry_run, **options):
        with translation.override("sv"):
            self._handle(file, unit_id, user, dry_run)

    def _handle(self, file, unit_id, username, dry_run):
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise CommandError(_("No unit has id %(id)s.") % {"id": unit_id})
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user is called %(name)s.") % {"name": username})
        if user.unit_id != unit.pk:
            raise CommandError(_("%(name)s does not belong to the unit %(unit)s.") % {"name": username, "unit": unit})
        if not user.has_perm("tenancies.import_register"):
            raise CommandError(_("%(name)s may not import registers.") % {"name": username})
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("The file could not be opened: %(error)s") % {"error": error.strerror}) from None

        ctx = AuditContext.system(user, label="manage.py import_register")
        try:
            # The clients the file matches are read (and may be named in the
            # errors): logged as the importing user's reads (audit.reads).
            with reads.recording(ctx, "manage.py import_register"):
                result = run_import(ctx, data, unit, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("Nothing was imported: %(n)s error(s). Correct the file and run again.") % {"n": len(result.errors)}
            )
        if dry_run:
            self.stdout.write(_("Dry run, nothing was written. Would import: %(summary)s.")
                              % {"summary": result.summary()})
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported: %(summary)s.") % {"summary": result.summary()}))
