"""Export every copy with its record's columns to .xlsx or .csv (by the file's extension).

python manage.py export_records 馆藏.xlsx
python manage.py export_records 馆藏.csv --location 书库
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from catalog.models import Location
from catalog.selectors.transfer import export_csv, export_xlsx
from library_site.documents import sheets


class Command(BaseCommand):
    help = "Export every copy with its record's columns to an .xlsx or .csv file (by the extension)."
    # The system checks would import every view (and pypinyin's 55 MB of dictionaries with the
    # OPAC's); an export reads the database and writes a file, and needs none of them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write: a name ending in .xlsx or .csv")
        parser.add_argument("--location", help="only the copies in this location (its name)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        extension = path.suffix.lower()
        if extension not in sheets.EXTENSIONS:
            raise CommandError(_("Give a file name ending in .xlsx or .csv."))
        location = None
        if options["location"]:
            location = Location.objects.filter(name=options["location"]).first()
            if location is None:
                raise CommandError(_("There is no location %(name)s.") % {"name": options["location"]})
        started = time.monotonic()
        if extension == ".xlsx":
            count = export_xlsx(path, location=location)
        else:
            count = export_csv(path, location=location)
        self.stdout.write(
            _("%(count)s copies written to %(path)s in %(seconds).1f s.")
            % {"count": count, "path": path, "seconds": time.monotonic() - started}
        )
