"""Write a quiz's results (per pupil, class and grade) to an .xlsx file.

    python manage.py quiz_results 12 --out quiz-12.xlsx

The quiz is given by its number. Attempts whose time ran out are closed first."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...exports import quiz_results_write
from ...models import Quiz
from ...services.quiz import attempts_close_overdue


class Command(BaseCommand):
    help = "Write a quiz's results (per pupil, class and grade) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("quiz", type=int, help="the quiz's number")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")

    def handle(self, *args, **options):
        quiz = Quiz.objects.select_related("activity").filter(pk=options["quiz"]).first()
        if quiz is None:
            raise CommandError(f"There is no quiz {options['quiz']}.")
        out = Path(options["out"])
        if out.suffix.lower() != ".xlsx":
            raise CommandError("The output file must end in .xlsx.")
        if not out.parent.is_dir():
            raise CommandError(f"There is no folder {out.parent} to write {out.name} in.")
        closed = attempts_close_overdue(quiz=quiz)
        # Written whole or not at all: the workbook is made in memory first.
        book = io.BytesIO()
        pupils = quiz_results_write(book, quiz=quiz)
        try:
            out.write_bytes(book.getvalue())
        except OSError as error:
            raise CommandError(f"{out} cannot be written: {error.strerror}.") from error
        self.stdout.write(
            f"{quiz.activity.title}: {pupils} pupils written to {options['out']} ({closed} overdue attempts closed first)."
        )
