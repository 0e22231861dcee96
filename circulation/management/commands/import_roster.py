"""Import a school roster (.xlsx or .csv), or write the blank template.

    python manage.py import_roster FILE [--dry-run] [--deactivate-missing] [--slips SLIPS.pdf]
    python manage.py import_roster --template FILE

The file is checked whole first; any wrong row refuses the whole file (nothing is saved) and the
command exits with status 1, listing the rows and why. Each new reader gets a first password of
their own, written once as the classes' slips into SLIPS.pdf (readable only by its owner; the
passwords are shown nowhere else), and replaced at the first sign-in."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from circulation import roster
from circulation.exceptions import CirculationError
from circulation.models import SchoolClass
from circulation.services.first_passwords import (
    password_slips_download,
    password_slips_make,
    password_slips_start,
)
from circulation.services.school import roster_import


class Command(BaseCommand):
    help = "Import a school roster (.xlsx or .csv): new readers with cards, new classes, class moves."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The roster (.xlsx or .csv), or where to write the template.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; save nothing.")
        parser.add_argument("--template", action="store_true", help="Write the blank .xlsx template to FILE.")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Mark readers of the roster's classes who are not in the file as having left.",
        )
        parser.add_argument(
            "--slips",
            default="",
            help="Where to write the new readers' first password slips (default: first-passwords-DATE.pdf).",
        )

    def handle(
        self,
        *args,
        file: str,
        dry_run: bool,
        template: bool,
        deactivate_missing: bool,
        slips: str,
        **options,
    ):
        path = Path(file)
        if template:
            if path.suffix.lower() != ".xlsx":
                raise CommandError("The template is an .xlsx file: give a name ending in .xlsx.")
            with path.open("wb") as handle:
                roster.template_write(handle)
            self.stdout.write(f"Wrote the roster template to {path}.")
            return
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        started = time.perf_counter()
        try:
            plan = roster_import(
                path=path,
                extension=path.suffix.lower(),
                name=path.name,
                dry_run=dry_run,
                deactivate_missing=deactivate_missing,
            )
        except CirculationError as error:
            raise CommandError(str(error.message)) from error
        counts = plan.counts
        elapsed = time.perf_counter() - started
        if plan.errors:
            for row, message in plan.errors:
                self.stderr.write(f"row {row}: {message}")
            raise CommandError(
                f"{counts['error_rows']} of {counts['rows']} rows are wrong; nothing was saved. Correct them and run again."
            )
        new_classes = "、".join(
            SchoolClass(grade=grade, number=number).name for grade, number in plan.new_classes
        )
        self.stdout.write(
            f"{'Checked' if dry_run else 'Imported'} {path.name}: {counts['rows']} rows, {counts['new']} new readers, "
            f"{counts['moved']} moving class, {counts['changed']} with changed details, {counts['unchanged']} unchanged, "
            f"{counts['new_classes']} new classes{' (' + new_classes + ')' if new_classes else ''}, "
            f"{counts['missing']} missing from the roster"
            + (f" ({plan.saved.get('left', 0)} marked as left)" if not dry_run else "")
            + f", in {elapsed:.1f} s."
        )
        for reader in plan.missing[:50]:
            self.stdout.write(f"  missing: {reader.number} {reader.name} {reader.school_class or ''}")
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        elif plan.new_reader_ids:
            self._slips(plan.new_reader_ids, slips)

    def _slips(self, reader_ids: list[int], slips: str) -> None:
        """The new readers' first passwords, made here (a command is no request) and written once."""
        import os

        from django.utils import timezone

        from circulation.models import PasswordSlipBatch

        target = Path(slips or f"first-passwords-{timezone.localdate().isoformat()}.pdf")
        batch = password_slips_start(reader_ids=reader_ids, kind=PasswordSlipBatch.Kind.ROSTER, user=None)
        batch = password_slips_make(
            batch_id=batch.pk,
            progress=lambda done, total: self.stdout.write(f"  first passwords: {done}/{total}"),
        )
        if batch.state != PasswordSlipBatch.State.READY:
            raise CommandError(f"The first passwords could not be made: {batch.error or batch.state}")
        pdf, _name = password_slips_download(batch_id=batch.pk, user=None)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pdf)
        self.stdout.write(
            f"Wrote the first password slips of {batch.total} new readers to {target} "
            "(print them and keep the file safe, or delete it: the passwords are shown nowhere else)."
        )
