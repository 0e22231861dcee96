"""Restore the standard roles and rights (``library_site/accounts/roles.py``) after a role was
deleted or damaged: what a locked-out library administrator is told to run."""

from django.core.management.base import BaseCommand

from library_site.accounts.services import roles_repair


class Command(BaseCommand):
    help = (
        "Restore the standard roles and the library administrator's rights from their "
        "definitions; with --reset-rights every role's rights go back to the standard ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-rights",
            action="store_true",
            help="also undo the rights given or taken on the roles page for every role",
        )

    def handle(self, *args, reset_rights=False, **options):
        changes = roles_repair(reset_rights=reset_rights)
        for line in changes:
            self.stdout.write(line)
        self.stdout.write(
            f"{len(changes)} change(s)." if changes else "The roles are as defined: nothing changed."
        )
