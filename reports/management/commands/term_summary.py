"""Write a term's summary (期末总结) as PDF, Word or Excel, as the summary page does.

    python manage.py term_summary 4 --format docx --out summary.docx

TERM is the term's id or its exact name. The format is ``--format``, else the file's extension."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

FORMATS = ("pdf", "docx", "xlsx")


class Command(BaseCommand):
    help = "Write a term's summary with its measured figures and the librarian's text to a PDF, .docx or .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("term", help="The term's id or name.")
        parser.add_argument("--format", choices=FORMATS)
        parser.add_argument("--out", required=True)
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args, term, out, language, **options):
        from circulation.models import Term
        from reports.documents import summary as documents
        from reports.exceptions import ReportsError
        from reports.selectors.summary import term_summary

        found = (
            Term.objects.filter(pk=int(term)).first()
            if term.isdigit()
            else Term.objects.filter(name=term).first()
        )
        if found is None:
            raise CommandError(f"There is no term {term!r}: give its id or its exact name.")
        fmt = options.get("format") or Path(out).suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise CommandError(f"Choose --format pdf, docx or xlsx (the file's extension is {fmt!r}).")
        started = time.perf_counter()
        with translation.override(language):
            try:
                content = getattr(documents, f"term_summary_{fmt}")(term_summary(found))
            except ReportsError as error:
                raise CommandError(str(error.message)) from error
        Path(out).write_bytes(content)
        self.stdout.write(f"{out}: {len(content):,} bytes ({(time.perf_counter() - started) * 1000:.0f} ms)")
