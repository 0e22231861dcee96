"""manage.py backup [--output FILE | --dir DIR] [--no-prune]: the whole library into one archive
(see library_site/system/backups.py), recorded as a run of the backup job."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from library_site.system.backups import backup_create, backups_prune
from library_site.system.exceptions import BackupRefused
from library_site.system.jobs import job_run
from library_site.system.models import JobRun


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump -Fc, or SQLite's online backup), the uploaded files and the "
        "secret key into one verified archive with a manifest; by default into BACKUP_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="the archive to write (default: a new file in --dir)")
        parser.add_argument(
            "--dir", type=Path, help="the folder of the archives (default: the BACKUP_DIR setting)"
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="then apply the retention to the folder (7 daily, 4 weekly, 12 monthly), as the nightly job does",
        )

    def handle(self, *args, output=None, dir=None, prune=False, **options):
        if output is not None and output.exists():
            raise CommandError(f"{output} exists already: choose another file.")
        try:
            with job_run("backup", trigger=JobRun.Trigger.COMMAND) as run:
                made = backup_create(output=output, directory=dir)
                removed = backups_prune(directory=dir) if prune and output is None else []
                tables = made.manifest["tables"]
                run.result = {
                    "file": made.path.name,
                    "size": made.size,
                    "tables": len(tables),
                    "rows": sum(entry["rows"] for entry in tables.values()),
                    "verified": True,
                    "removed": len(removed),
                }
        except BackupRefused as error:
            raise CommandError(str(error.message)) from None
        manifest = made.manifest
        self.stdout.write(
            f"{made.path}: {filesizeformat(made.size)}, {len(tables)} tables, "
            f"{sum(entry['rows'] for entry in tables.values()):,} rows, {manifest['media']['files']} media files; "
            f"database {manifest['database_seconds']} s, in all {manifest['seconds']} s; verified."
        )
        for path in removed:
            self.stdout.write(f"removed by the retention: {path.name}")
