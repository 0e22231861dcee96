"""Write a quiz's results (per pupil, class and grade) to an .xlsx file.

    python manage.py quiz_results 12 --out quiz-12.xlsx

The quiz is given by its number. Attempts whose time ran out are closed first."""

from __future__ import annotations

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
        if not options["out"].lower().endswith(".xlsx"):
            raise CommandError("The output file must end in .xlsx.")
        closed = attempts_close_overdue(quiz=quiz)
        with open(options["out"], "wb") as target:
            pupils = quiz_results_write(target, quiz=quiz)
        self.stdout.write(
            f"{quiz.activity.title}: {pupils} pupils written to {options['out']} ({closed} overdue attempts closed first)."
        )
