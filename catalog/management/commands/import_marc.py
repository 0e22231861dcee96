"""Import a MARC file from the command line: ``python manage.py import_marc FILE``.

ISO 2709 (.mrc, .iso) or MARCXML (.xml); MARC21 or CNMARC and UTF-8 or GB18030 are told per
record. Prints one line per record (its number in the file, format, title and what happens to
it or what is wrong with it), then a summary.

Exit status: 0 when the records were saved (or, with --dry-run, when every record is valid);
1 when records have problems: they are listed and nothing is saved, unless --skip-invalid is
given, which saves the valid ones (and exits 0 when at least one was saved); 1 as well when
no record can be imported; 2 when the file cannot be read at all (missing, empty, not MARC,
too large, too many records) or an option is wrong.

This is the way for a large file, a whole catalogue moved from the old system: the page takes
uploads up to CATALOG_IMPORT_MAX_BYTES (20 MB), the command files up to
CATALOG_IMPORT_COMMAND_MAX_BYTES (200 MB) from the server's disk, within the same limit of
records (CATALOG_IMPORT_MAX_RECORDS).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.marc import (
    ADD_COPIES,
    SKIP,
    MarcImportRefused,
    import_command_max_bytes,
    marc_import,
    marc_preview,
)
from catalog.models import Location
from catalog.services.copies import MAX_COPIES_AT_ONCE

# A long import says how far it is every so many records (it saves in one transaction at the end).
PROGRESS_LINE_EVERY = 1000


class Command(BaseCommand):
    help = "Import MARC records (ISO 2709 or MARCXML, MARC21 or CNMARC) with their copies."

    def add_arguments(self, parser):
        parser.add_argument("file", help="an ISO 2709 (.mrc, .iso) or MARCXML (.xml) file")
        parser.add_argument("--dry-run", action="store_true", help="check and report; save nothing")
        parser.add_argument(
            "--copies",
            type=int,
            default=1,
            help="copies to add for each record that carries no barcodes of its own (0 to 200; default 1)",
        )
        parser.add_argument(
            "--location", help="where the copies stand (a location's name; default: the first)"
        )
        parser.add_argument(
            "--existing",
            choices=[SKIP, "add-copies"],
            default=SKIP,
            help="records whose ISBN the catalogue has: skip them (default) or add their copies to it",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="save the valid records even when others have problems",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        copies = options["copies"]
        if not 0 <= copies <= MAX_COPIES_AT_ONCE:
            raise CommandError(
                _("Choose between 0 and %(limit)s copies per record.") % {"limit": MAX_COPIES_AT_ONCE},
                returncode=2,
            )
        existing = ADD_COPIES if options["existing"] == "add-copies" else SKIP
        try:
            if path.stat().st_size > import_command_max_bytes():
                raise CommandError(
                    _("The file is larger than %(limit)s MB.")
                    % {"limit": import_command_max_bytes() // (1024 * 1024)},
                    returncode=2,
                )
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("The file cannot be read: %(reason)s") % {"reason": error.strerror or error}, returncode=2
            ) from error
        # The preview and the import in one transaction, with one reading of the file: nobody
        # confirms in between, so what the preview found is what is saved (a second reading of
        # 50,000 records would double the time; two reports at once, the memory).
        with transaction.atomic():
            report = marc_preview(data, existing=existing, max_bytes=import_command_max_bytes())
            del data  # the report holds the records' text; the file's bytes are not needed again
            if report.refused:
                raise CommandError(" ".join(report.problems), returncode=2)
            location = self._location(options["location"])
            self._print_report(report, copies)
            invalid = len(report.invalid_entries)
            if not report.valid_entries:
                raise CommandError(_("The file holds no record that can be imported."), returncode=1)
            if invalid and not options["skip_invalid"]:
                raise CommandError(
                    _("%(count)s records have problems; nothing was saved.") % {"count": invalid}
                    + " "
                    + _("Correct them, or give --skip-invalid to save the others."),
                    returncode=1,
                )
            if options["dry_run"]:
                self.stdout.write(_("Dry run: nothing was saved."))
                return
            try:
                result = marc_import(
                    copies_per_record=copies,
                    location=location,
                    existing=existing,
                    skip_invalid=options["skip_invalid"],
                    progress=self._progress,
                    checked=report,
                )
            except MarcImportRefused as error:
                raise CommandError(str(error.message), returncode=1) from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Saved: %(records)s new records and %(copies)s copies; %(given)s records of the catalogue "
                    "were given copies; %(skipped)s already in the catalogue were skipped; %(invalid)s records "
                    "with problems were left out."
                )
                % {
                    "records": len(result.records_created),
                    "copies": result.copies_created,
                    "given": len(result.records_given_copies),
                    "skipped": result.skipped,
                    "invalid": result.invalid,
                }
            )
        )

    def _progress(self, done: int, total: int) -> None:
        if total >= PROGRESS_LINE_EVERY and (done % PROGRESS_LINE_EVERY == 0 or done == total):
            self.stdout.write(_("%(done)s of %(total)s records done.") % {"done": done, "total": total})

    def _location(self, name: str | None) -> Location:
        locations = Location.objects.filter(is_active=True)
        if name:
            location = locations.filter(name=name).first()
            if location is None:
                raise CommandError(
                    _("No location is called “%(name)s”. The locations are: %(names)s.")
                    % {"name": name, "names": "、".join(locations.values_list("name", flat=True))},
                    returncode=2,
                )
            return location
        location = locations.order_by("position", "name").first()
        if location is None:
            raise CommandError(_("The library has no location in use for the copies."), returncode=2)
        return location

    def _print_report(self, report, copies: int) -> None:
        counts = ", ".join(f"{label} {count}" for label, count in report.format_counts().items())
        self.stdout.write(
            _("%(kind)s file, %(count)s records (%(formats)s).")
            % {"kind": report.kind_label, "count": len(report.entries), "formats": counts or "—"}
        )
        for entry in report.entries:
            head = f"#{entry.number} {entry.format_label or '?'} {entry.encoding or '?'} {entry.title or '—'}"
            if not entry.valid:
                self.stderr.write(f"{head}: " + _("NOT IMPORTED") + " — " + " ".join(entry.problems))
                continue
            if entry.skipped:
                state = _("already in the catalogue (record %(pk)s): skipped") % {"pk": entry.existing_pk}
            elif entry.adds_copies_to_existing:
                state = _("already in the catalogue (record %(pk)s): %(count)s copies added") % {
                    "pk": entry.existing_pk,
                    "count": entry.copies_to_add(copies),
                }
            else:
                state = _("new, %(count)s copies") % {"count": entry.copies_to_add(copies)}
            line = f"{head}: {state}"
            if entry.notes:
                line += " (" + " ".join(entry.notes) + ")"
            self.stdout.write(line)
