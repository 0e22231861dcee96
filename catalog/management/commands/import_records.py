"""Import records with their copies from an .xlsx or .csv file, all rows or none.

    python manage.py import_records books.xlsx --dry-run   # check and report, save nothing
    python manage.py import_records books.xlsx             # check, then save every row or none
    python manage.py import_records --template 模板.xlsx    # the blank template

The report gives each row's fate; a refused file exits with status 1 and its row-numbered
errors, and nothing is saved.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError
from catalog.selectors.transfer import template_write
from catalog.services.transfer import import_file, import_prepare
from catalog.spreadsheet import fate_text


class Command(BaseCommand):
    help = "Import catalogue records with their copies from an .xlsx or .csv file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the .xlsx or .csv file to import")
        parser.add_argument("--dry-run", action="store_true", help="check and report every row; save nothing")
        parser.add_argument(
            "--template", metavar="FILE", help="write the blank .xlsx template to FILE and stop"
        )
        parser.add_argument("--user", help="the user name recorded as having catalogued the records")

    def handle(self, *args, **options):
        if options["template"]:
            target = Path(options["template"])
            if target.suffix.lower() != ".xlsx":
                raise CommandError(_("The template is an .xlsx file: give a name ending in .xlsx."))
            template_write(target)
            self.stdout.write(_("Template written to %(path)s.") % {"path": target})
            return
        if not options["file"]:
            raise CommandError(_("Name the file to import (or --template FILE)."))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("There is no user %(username)s.") % {"username": options["user"]})
        if options["dry_run"]:
            plan, outcome = import_prepare(path), None
        else:
            try:
                plan, outcome = import_file(path, user=user)
            except CatalogError as error:
                raise CommandError(str(error.message)) from error
        verbosity = options["verbosity"]
        for notice in plan.notices:
            self.stdout.write(notice)
        if verbosity >= 1:
            for row in plan.rows:
                line = _("Row %(row)s: %(fate)s") % {"row": row.row, "fate": fate_text(row)}
                self.stdout.write(self.style.ERROR(line) if row.errors else line)
                for column, message in row.warnings or ():
                    self.stdout.write(
                        self.style.WARNING(
                            "  "
                            + _("warning, %(column)s: %(message)s") % {"column": column, "message": message}
                        )
                    )
        counts = plan.counts()
        if not plan.ok:
            for line in plan.error_lines():
                self.stderr.write(line)
            if plan.refusal:
                raise CommandError(
                    _("The file was refused: %(reason)s Nothing was saved.") % {"reason": plan.refusal}
                )
            raise CommandError(
                _("The file was refused: %(errors)s of %(rows)s rows have errors. Nothing was saved.")
                % counts
            )
        summary = (
            _(
                "%(rows)s rows: %(new_records)s new records, %(copies)s copies "
                "(%(existing_copies)s added to records the catalogue already has)."
            )
            % counts
        )
        if options["dry_run"]:
            self.stdout.write(summary + " " + _("Dry run: nothing was saved."))
            return
        self.stdout.write(
            self.style.SUCCESS(_("Saved: %(records)s new records and %(copies)s copies.") % outcome)
        )
