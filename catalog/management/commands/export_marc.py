"""Export the catalogue as MARC, with each copy in the holdings fields.

python manage.py export_marc --output 馆藏.mrc                      (CNMARC, ISO 2709, UTF-8)
python manage.py export_marc --format marc21 --syntax marcxml --output 馆藏.xml
python manage.py export_marc --encoding gb18030 --clc I7 --output 文学.mrc
python manage.py export_marc --ids 12,15,40 > 选中.mrc                (to standard output)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from catalog.marc_export import (
    CNMARC,
    ENCODINGS,
    FORMATS,
    ISO2709,
    SYNTAXES,
    UTF8,
    MarcExportChoice,
    MarcExportRefused,
    ids_parse,
    marc_export_write,
)


class Command(BaseCommand):
    help = "Export the catalogue (or a class, or chosen records) as MARC21 or CNMARC, ISO 2709 or MARCXML."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--format", default=CNMARC, help=f"{' or '.join(FORMATS)} (default {CNMARC})")
        parser.add_argument("--syntax", default=ISO2709, help=f"{' or '.join(SYNTAXES)} (default {ISO2709})")
        parser.add_argument("--encoding", default=UTF8, help=f"{' or '.join(ENCODINGS)} (default {UTF8})")
        parser.add_argument("--clc", default="", help="only this CLC class and the classes below it")
        parser.add_argument("--ids", default="", help="only these records: numbers separated by commas")
        parser.add_argument("--output", default="", help="the file to write (default: standard output)")

    def handle(self, *args, **options):
        try:
            choice = MarcExportChoice(
                format=options["format"].lower(),
                syntax=options["syntax"].lower(),
                encoding=options["encoding"].lower(),
                clc=options["clc"],
                ids=ids_parse([options["ids"]]) if options["ids"] else (),
            )
            choice.check()
        except MarcExportRefused as error:
            raise CommandError(str(error.message)) from error
        started = time.monotonic()
        if options["output"]:
            path = Path(options["output"])
            partial = path.with_name(path.name + ".partial")
            try:
                with partial.open("wb") as target:
                    count = marc_export_write(target, choice)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(path)
            self.stdout.write(
                _("%(count)s records written to %(path)s in %(seconds).1f s.")
                % {"count": count, "path": path, "seconds": time.monotonic() - started}
            )
        else:
            count = marc_export_write(sys.stdout.buffer, choice)
            self.stderr.write(_("%(count)s records written.") % {"count": count})
