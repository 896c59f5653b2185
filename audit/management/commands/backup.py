"""`manage.py backup DEST`: the database and the media files, with a signed
checksum manifest, into the new directory DEST (audit.backup;
docs/deploy.md, "Backup and restore")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from audit.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or SQLite's backup API) and the media files into DEST."

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path, help="a directory that does not exist yet")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, dest, database, **options):
        try:
            summary = backup(dest, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backup written to {summary.path}: the {summary.vendor} database and {summary.media_files} media "
            f"files, {summary.total_bytes} bytes, checksums in manifest.json."
        )
