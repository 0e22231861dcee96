"""Write the targets board of a school year to an .xlsx workbook, as the board page does.

    python manage.py targets_board 2026 --out targets-2026.xlsx

YEAR is the year the school year begins (2026 for 2026–2027); the board covers its months up
to today. ``--language`` chooses the headers' language (default: the site's, Chinese)."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation


class Command(BaseCommand):
    help = "Write a school year's targets board (target, each month, the year, gap, met) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("year", help="The year the school year begins, e.g. 2026.")
        parser.add_argument("--out", required=True, help="The .xlsx file to write.")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args, year, out, language, **options):
        from catalog.labels import library_name_for_labels
        from reports.documents.board import targets_board_xlsx
        from reports.selectors.targets import default_school_year, targets_board

        if not year.isdigit() or not 2000 <= int(year) <= default_school_year():
            raise CommandError(
                f"YEAR is a school year that has begun, 2000 to {default_school_year()}, not {year!r}."
            )
        started = time.perf_counter()
        with translation.override(language):
            board = targets_board(int(year))
            content = targets_board_xlsx(board, school=library_name_for_labels())
        Path(out).write_bytes(content)
        self.stdout.write(
            f"{out}: {len(board.rows)} targets, {board.met_count} met, {board.missed_count} missed, "
            f"{board.not_measured_count} not measured ({(time.perf_counter() - started) * 1000:.0f} ms)"
        )
