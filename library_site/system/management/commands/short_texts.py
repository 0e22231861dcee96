"""Every interface text of one or two words in the zh-Hans catalogues, with its context, its
translation and the places that use it, for the word review (issue 14): a short text without a
context is the one that reads 分类 where 班级 belongs.

    manage.py short_texts              every short text
    manage.py short_texts --no-context only those without a context, used in more than one file

The places are found by searching the source for the quoted text (templates, Python, JavaScript),
so a place that gives the same text another context is listed too: read the line."""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

SOURCE_DIRS = ("activities", "catalog", "circulation", "library_site", "reports", "templates", "static/js")
SKIPPED_PARTS = {"vendor", "tests", "migrations", "__pycache__"}


def source_lines(root: Path) -> dict[str, list[str]]:
    files = {}
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".js"} and not SKIPPED_PARTS & set(path.parts):
                files[str(path.relative_to(root))] = path.read_text(encoding="utf-8").splitlines()
    return files


QUOTED = re.compile(r""""([^"\n]*)"|'([^'\n]*)'""")


def quoted_places(root: Path) -> dict[str, list[str]]:
    """Every quoted text in the source, with the places (file:line) it stands in."""
    places: dict[str, list[str]] = {}
    for name, lines in source_lines(root).items():
        for number, line in enumerate(lines, start=1):
            for match in QUOTED.finditer(line):
                text = match.group(1) if match.group(1) is not None else match.group(2)
                places.setdefault(text, []).append(f"{name}:{number}")
    return places


def short_texts(root: Path) -> list[dict]:
    places_of = quoted_places(root)
    rows = []
    for domain in ("django", "djangojs"):
        catalogue = polib.pofile(str(root / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"))
        for entry in catalogue:
            if entry.obsolete or not 1 <= len(entry.msgid.split()) <= 2:
                continue
            places = list(dict.fromkeys(places_of.get(entry.msgid, [])))
            rows.append(
                {"context": entry.msgctxt, "msgid": entry.msgid, "msgstr": entry.msgstr, "places": places}
            )
    return rows


class Command(BaseCommand):
    help = "List the interface texts of one or two words with their context, translation and places."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-context",
            action="store_true",
            help="Only the texts without a context that more than one file uses.",
        )

    def handle(self, *args, **options):
        rows = short_texts(Path(settings.BASE_DIR))
        if options["no_context"]:
            rows = [
                row
                for row in rows
                if not row["context"] and len({place.rsplit(":", 1)[0] for place in row["places"]}) > 1
            ]
        for row in sorted(rows, key=lambda row: (row["msgid"].lower(), row["context"] or "")):
            context = f" [{row['context']}]" if row["context"] else ""
            self.stdout.write(f"{row['msgid']}{context} => {row['msgstr']} | {'; '.join(row['places'])}")
        self.stdout.write(f"{len(rows)} short texts.")
