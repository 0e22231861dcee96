"""Stocktaking from the command line (清点): compare a file of barcodes scanned on the shelves
with the copies the catalogue puts in a location, and print the report.

python manage.py stocktake --location 书库 扫描.txt
python manage.py stocktake --location 书库 --shelf-from A-01 --shelf-to A-10 扫描.txt
python manage.py stocktake --location 书库 扫描.txt --confirm --user librarian

Without ``--confirm`` nothing is saved: the stocktake is compared inside a transaction that is
rolled back. With it the stocktake is kept and its missing copies become lost.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError
from catalog.models import Copy, Location
from catalog.selectors.care import stocktake_report
from catalog.services.care import stocktake_confirm, stocktake_scan_text, stocktake_start


class Command(BaseCommand):
    help = (
        "Compare a file of scanned barcodes with the copies of a location and print the missing, "
        "misplaced, on-loan and unknown ones; --confirm marks the missing copies lost."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="a text file of barcodes, one or more a line")
        parser.add_argument("--location", required=True, help="the location's name")
        parser.add_argument("--shelf-from", default="", help="the first shelf of the range")
        parser.add_argument("--shelf-to", default="", help="the last shelf of the range")
        parser.add_argument(
            "--confirm", action="store_true", help="save the stocktake; missing copies become lost"
        )
        parser.add_argument(
            "--user", default="", help="who confirms (a user name), recorded with the changes"
        )
        parser.add_argument("--limit", type=int, default=0, help="print at most this many rows per list")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        except UnicodeDecodeError as error:
            raise CommandError(_("%(path)s is not a UTF-8 text file.") % {"path": path}) from error
        location = Location.objects.filter(name=options["location"]).first()
        if location is None:
            raise CommandError(_("There is no location %(name)s.") % {"name": options["location"]})
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("There is no user %(name)s.") % {"name": options["user"]})
        self.limit = options["limit"] or None
        try:
            with transaction.atomic():
                started = time.monotonic()
                stocktake = stocktake_start(
                    location=location,
                    shelf_from=options["shelf_from"],
                    shelf_to=options["shelf_to"],
                    notes=_("From the file %(name)s") % {"name": path.name},
                    user=user,
                )
                stocktake_scan_text(stocktake=stocktake, text=text, user=user)
                report = stocktake_report(stocktake, limit=self.limit)
                seconds = time.monotonic() - started
                self.print_report(report, seconds)
                if options["confirm"]:
                    lost = stocktake_confirm(stocktake=stocktake, user=user)
                    self.stdout.write(
                        _("Stocktake %(number)s saved: %(count)s missing copies are now lost.")
                        % {"number": stocktake.pk, "count": lost}
                    )
                else:
                    transaction.set_rollback(True)
                    self.stdout.write(
                        _(
                            "Nothing was changed. Run again with --confirm to mark the %(count)s missing copies lost."
                        )
                        % {"count": report.missing_count}
                    )
        except CatalogError as error:
            raise CommandError(str(error.message)) from error

    def copy_line(self, copy: Copy, *, where: bool = False, extra: str = "") -> str:
        line = f"  {copy.barcode}\t{copy.record.call_number}\t{copy.record.title}\t{copy.shelf}"
        if where:
            line += f"\t{copy.location.name} {copy.shelf}"
        return line + (f"\t{extra}" if extra else "")

    def section(self, title: str, count: int, lines) -> None:
        self.stdout.write(f"\n{title} ({count})")
        shown = 0
        for line in lines:
            self.stdout.write(line)
            shown += 1
        if shown < count:
            self.stdout.write(f"  … {count - shown}")

    def print_report(self, report, seconds: float) -> None:
        stocktake = report.stocktake
        where = stocktake.location.name
        if stocktake.shelf_range:
            where += f" ({_('shelves')} {stocktake.shelf_range})"
        self.stdout.write(
            _(
                "Stocktake of %(where)s: %(scanned)s barcodes scanned, %(expected)s copies expected "
                "on the shelves; compared in %(seconds).2f s."
            )
            % {"where": where, "scanned": report.scanned, "expected": report.expected, "seconds": seconds}
        )
        self.section(_("Missing"), report.missing_count, (self.copy_line(copy) for copy in report.missing))
        self.section(
            _("Misplaced (catalogued elsewhere)"),
            report.misplaced_count,
            (self.copy_line(copy, where=True) for copy in report.misplaced),
        )
        self.section(
            _("On loan"),
            report.on_loan_count,
            (
                self.copy_line(copy, extra=_("scanned on the shelf") if copy.scanned else "")
                for copy in report.on_loan
            ),
        )
        self.section(
            _("Found, but the catalogue says otherwise"),
            report.status_to_check_count,
            (self.copy_line(copy, extra=copy.get_status_display()) for copy in report.status_to_check),
        )
        self.section(_("Unknown barcodes"), report.unknown_count, (f"  {code}" for code in report.unknown))
