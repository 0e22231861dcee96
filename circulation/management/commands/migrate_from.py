"""Move a school from its old library system: the records with their copies, the readers and
the open loans, each step checked and then saved all or nothing (circulation/services/old_system.py).

python manage.py migrate_from cnmarc --records 馆藏.iso --readers 读者.xlsx --loans 在借.xlsx
python manage.py migrate_from marc21 --records export.mrc --map location=852c --dry-run
python manage.py migrate_from cnmarc --loans 在借.csv          (one step alone)

Each step given runs in the order records, readers, loans; a refused step stops the command
(with a non-zero exit) before the next, and prints its refused rows with their numbers. Run
again with the same files, it saves nothing twice.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Location
from catalog.old_system import (
    COUNT_LABELS,
    ITEM_FIELDS,
    PROFILES,
    STEP_LABELS,
    MigrationRefused,
    profile_with,
)

from ...services.old_system import step_run


class _RolledBack(Exception):
    """Ends a dry run's transaction."""


class Command(BaseCommand):
    help = (
        "Move the records with their copies, the readers and the open loans over from the old library system."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("profile", help=f"the old system's export: {', '.join(PROFILES)}")
        parser.add_argument("--records", default="", help="the MARC file (ISO 2709 or MARCXML)")
        parser.add_argument("--readers", default="", help="the readers' spreadsheet (.xlsx or .csv)")
        parser.add_argument("--loans", default="", help="the open loans' spreadsheet (.xlsx or .csv)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=TAGCODE",
            help=f"change the profile: one of {', '.join(ITEM_FIELDS)} = a subfield such as 905d, or empty",
        )
        parser.add_argument(
            "--location", default="", help="the location for copies whose location is unknown"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every step, save nothing")

    def handle(self, *args, **options):
        changes = {}
        for item in options["map"]:
            key, equals, value = item.partition("=")
            if not equals:
                raise CommandError(_("--map takes FIELD=TAGCODE, such as barcode=905b."))
            value = value.strip()
            changes[key.strip()] = f"{value[:3]}${value[3:].lstrip('$')}" if len(value) >= 4 else value
        try:
            profile = profile_with(options["profile"], changes)
        except MigrationRefused as error:
            raise CommandError(str(error.message)) from error
        locations = Location.objects.filter(is_active=True).order_by("position", "name")
        location = (
            locations.filter(name=options["location"]).first() if options["location"] else locations.first()
        )
        if location is None:
            raise CommandError(_("There is no location “%(name)s”.") % {"name": options["location"]})
        steps = [(step, options[step]) for step in ("records", "readers", "loans") if options[step]]
        if not steps:
            raise CommandError(_("Give at least one of --records, --readers and --loans."))
        for _step, name in steps:
            if not Path(name).is_file():
                raise CommandError(_("There is no file %(path)s.") % {"path": name})
        if options["dry_run"]:
            # A dry run saves every step as a real run would, so that the loans are checked
            # against the readers and copies the steps before them make, and then rolls it all back.
            try:
                with transaction.atomic():
                    self._steps(steps, profile, location, dry_run=True)
                    raise _RolledBack
            except _RolledBack:
                pass
        else:
            self._steps(steps, profile, location, dry_run=False)

    def _steps(self, steps, profile, location, *, dry_run: bool) -> None:
        for step, name in steps:
            path = Path(name)
            report = step_run(
                step=step,
                path=path,
                extension=path.suffix.lower(),
                name=path.name,
                dry_run=False,
                profile=profile,
                location=location,
            )
            self._print(report, dry_run)
            if not report.ok:
                raise CommandError(
                    _("The %(step)s step was refused; nothing of it was saved.") % {"step": step}
                )

    def _print(self, report, dry_run: bool) -> None:
        self.stdout.write(
            _("%(step)s: created %(created)s; matched %(matched)s; refused %(refused)s%(how)s")
            % {
                "step": STEP_LABELS[report.step],
                "created": "，".join(f"{COUNT_LABELS[key]} {value}" for key, value in report.created.items())
                or "—",
                "matched": "，".join(f"{COUNT_LABELS[key]} {value}" for key, value in report.matched.items())
                or "—",
                "refused": len(report.refused),
                "how": _(" (checked only, nothing saved)")
                if dry_run
                else ("" if report.saved else _(" (nothing saved)")),
            }
        )
        for note in report.notes:
            self.stdout.write(f"  {note}")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        for number, what, why in report.refused:
            self.stderr.write(f"  {number} {what}: {why}")
