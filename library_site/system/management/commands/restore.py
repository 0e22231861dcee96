"""manage.py restore FILE [--yes]: replace the database, the uploaded files and the secret key
with a backup's, then check every table against the backup's manifest."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from library_site.system.backups import backup_restore, restore_check
from library_site.system.exceptions import BackupRefused


class Command(BaseCommand):
    help = (
        "Restore a backup made by manage.py backup: refuses a damaged archive, one of another "
        "database engine or of a newer schema; asks before overwriting unless --yes; checks every "
        "table's count and checksum against the manifest afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="overwrite without asking")

    def handle(self, *args, file, yes=False, **options):
        try:
            manifest = restore_check(file)
        except BackupRefused as error:
            raise CommandError(str(error.message)) from None
        tables = manifest["tables"]
        self.stdout.write(
            f"{file}: made {manifest['created_at']}, {len(tables)} tables, "
            f"{sum(entry['rows'] for entry in tables.values()):,} rows, {manifest['media']['files']} media files."
        )
        if not yes:
            name = connection.settings_dict["NAME"]
            self.stdout.write(
                f"This replaces everything in the database {name} and the uploaded files. Type yes to go on: ",
                ending="",
            )
            self.stdout.flush()
            # No terminal and nothing typed (a cron job without --yes) reads as "no".
            answer = sys.stdin.readline().strip().lower()
            if answer != "yes":
                raise CommandError("Not restored: nothing was changed.")
        try:
            done = backup_restore(path=file)
        except BackupRefused as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            f"Restored {done.tables} tables, {done.rows:,} rows in {done.seconds} s; "
            "every table's count and checksum match the backup. Run manage.py migrate if the backup is older "
            "than this version of the system."
        )
