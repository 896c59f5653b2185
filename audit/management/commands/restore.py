"""`manage.py restore SRC`: a backup made by `backup` into an EMPTY
database and media storage, after checking its manifest (audit.backup;
docs/deploy.md, "Backup and restore")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from audit.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and an empty media storage (checksums verified first)."

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path, help="a directory written by `manage.py backup`")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, src, database, **options):
        try:
            summary = restore(src, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {summary.path}: the {summary.vendor} database and {summary.media_files} media files. "
            "Next: grant the runtime role (db_roles) on PostgreSQL, then run verify_log."
        )
