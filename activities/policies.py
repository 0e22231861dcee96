"""Rules the administrator sets for reading notes, and the limits every note and card keeps.

Notes owed. A pupil owes one reading note for every N books borrowed in the term (N = 2 unless a
``NotesRule`` says otherwise for their group and grade, for this term or for every term):

    owed = floor(loans counted / N) − notes handed in and not returned for revision

counted over the notes period (``notes_period``): from the first day of the term under way (or,
in a vacation, of the term just ended; without any term, of the school year) to the day asked
about. The loans that count are books (``Record.MaterialType.BOOK``) lent to the reader on
their own: not textbooks, bound periodicals, audio-visual material or e-resources, and not the
copies of a class set (a loan with a ``booking``); a loan undone at the desk never happened.
A paper note recorded by a teacher counts exactly like a typed one.

The rules change a few times a year and the desk reads them on every scan of a card: they are
kept in the shared cache, dropped whenever one is saved or deleted, and read again at least
every minute (the terms come from circulation's cached lending rules).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import Record
from circulation.models import Loan, Reader, Term
from circulation.policies import lending_rules
from library_site.cached_reads import CachedRead
from library_site.school import school_year_of, school_year_start

from .exceptions import TextRefused
from .models import NotesRule

# Which loans count towards the notes owed (see the module's text).
COUNTED_MATERIAL_TYPES = (Record.MaterialType.BOOK,)
COUNTED_LOAN_STATES = (Loan.State.OPEN, Loan.State.RETURNED, Loan.State.LOST)

# Without a rule: a pupil owes one note for every two books, with a reflection of at least
# this many Chinese characters; teachers and staff owe none.
DEFAULT_LOANS_PER_NOTE = 2
DEFAULT_MIN_REFLECTION_CHARS = 100

# The longest text each field of a note or a card takes, in characters.
TITLE_MAX = 200
SUMMARY_MAX = 5_000
REFLECTION_MAX = 10_000
PASSAGE_MAX = 2_000
THOUGHTS_MAX = 5_000
MIN_PASSAGE_CHARS = 10
MIN_THOUGHTS_CHARS = 10

# A paper note's photo: what may be uploaded, and the size it is kept at.
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")

# How often the pupil's page saves a draft while they type (and on leaving a field).
AUTOSAVE_SECONDS = 5

RULES_CACHE_KEY = "activities:notes-rules:v1"
RULES_CACHE_SECONDS = 60


# --- the rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleApplied:
    """What the rule asks of one reader: a note for every ``loans_per_note`` loans (0: none),
    and a reflection of at least ``min_reflection_chars`` Chinese characters."""

    loans_per_note: int
    min_reflection_chars: int
    rule_id: int | None = None

    @property
    def asks_notes(self) -> bool:
        return self.loans_per_note > 0


def _rules_load() -> list[NotesRule]:
    return list(NotesRule.objects.filter(is_active=True).order_by("pk"))


NOTES_RULES = CachedRead(RULES_CACHE_KEY, _rules_load, seconds=RULES_CACHE_SECONDS)
NOTES_RULES.forget_when_changed(NotesRule)


def notes_rules() -> list[NotesRule]:
    """The active rules: one cache read instead of a query (library_site/cached_reads.py)."""
    return NOTES_RULES.get()


def notes_rules_forget(**_kwargs) -> None:
    """Drop the cached rules now and again when the change is committed."""
    NOTES_RULES.forget()


def reader_grade(reader: Reader) -> int | None:
    """A pupil's grade (the reader comes with their class: no query)."""
    if reader.kind != Reader.Kind.STUDENT or not reader.school_class_id:
        return None
    return reader.school_class.grade


def rule_for(
    *, kind: str, grade: int | None, term: Term | None, rules: list[NotesRule] | None = None
) -> RuleApplied:
    """The most specific active rule for a reader group and grade in a term, or the default."""
    if rules is None:
        rules = notes_rules()
    best, best_rank = None, None
    for rule in rules:
        if not rule.is_active or rule.reader_group != kind:
            continue
        if rule.term_id is not None and (term is None or rule.term_id != term.pk):
            continue
        if (rule.grade_from or rule.grade_to) and grade is None:
            continue
        if grade is not None and (
            (rule.grade_from and grade < rule.grade_from) or (rule.grade_to and grade > rule.grade_to)
        ):
            continue
        span = (rule.grade_to or 12) - (rule.grade_from or 1)
        rank = (rule.term_id is not None, bool(rule.grade_from or rule.grade_to), -span, rule.pk)
        if best_rank is None or rank > best_rank:
            best, best_rank = rule, rank
    if best is not None:
        return RuleApplied(best.loans_per_note, best.min_reflection_chars, best.pk)
    if kind == Reader.Kind.STUDENT:
        return RuleApplied(DEFAULT_LOANS_PER_NOTE, DEFAULT_MIN_REFLECTION_CHARS)
    return RuleApplied(0, DEFAULT_MIN_REFLECTION_CHARS)


def rule_for_reader(reader: Reader, *, on: date, rules: list[NotesRule] | None = None) -> RuleApplied:
    return rule_for(kind=reader.kind, grade=reader_grade(reader), term=notes_period(on).term, rules=rules)


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotesPeriod:
    """The days whose loans and notes count: ``starts_on`` to ``ends_on``, both included."""

    starts_on: date
    ends_on: date
    term: Term | None

    @property
    def end_exclusive(self) -> date:
        return self.ends_on + timedelta(days=1)


def notes_period(on: date, *, terms: list[Term] | None = None) -> NotesPeriod:
    """The term ``on`` falls in; in a vacation, the term just ended (its notes are still owed);
    without a term, the school year so far (``library_site.school``)."""
    if terms is None:
        terms = lending_rules().terms
    begun = [term for term in terms if term.starts_on <= on]
    if begun:
        term = max(begun, key=lambda item: item.starts_on)
        return NotesPeriod(term.starts_on, on, term)
    return NotesPeriod(school_year_start(school_year_of(on)), on, None)


def counted_loans_filter(period: NotesPeriod, *, prefix: str = "") -> Q:
    """The loans that count in the period (``prefix`` names the path to the loan, e.g. ``loans__``)."""
    from library_site.dates import day_bounds

    start, end = day_bounds(period.starts_on, period.ends_on)
    return Q(
        **{
            f"{prefix}lent_at__gte": start,
            f"{prefix}lent_at__lt": end,
            f"{prefix}booking__isnull": True,
            f"{prefix}state__in": COUNTED_LOAN_STATES,
            f"{prefix}copy__record__material_type__in": COUNTED_MATERIAL_TYPES,
        }
    )


def notes_owed(*, loans_counted: int, notes_handed_in: int, rule: RuleApplied) -> int:
    if not rule.asks_notes:
        return 0
    return max(0, loans_counted // rule.loans_per_note - notes_handed_in)


def notes_owed_message(owed: int) -> str:
    return ngettext("%(count)s reading note to hand in", "%(count)s reading notes to hand in", owed) % {
        "count": owed
    }


# --- the texts ----------------------------------------------------------------------------------

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
# A unit of up to four characters said over and over ("啊啊啊", "哈哈哈哈", "abcabcabc").
REPEATED_UNIT = re.compile(r"^(.{1,4}?)\1{2,}$", re.DOTALL)


def chinese_length(text: str) -> int:
    """How long a text is as a teacher counts it: its Chinese characters, and each word of
    letters as one (so a pupil who writes some English is not cut short)."""
    return len(HAN.findall(text)) + len(LATIN_WORD.findall(text))


def _letters_only(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char)[0] in "LN")


def is_repetitive(text: str) -> bool:
    """A text that is one character, or a few, said over and over (not a real text)."""
    letters = _letters_only(text)
    if not letters:
        return False
    return len(set(letters)) == 1 or REPEATED_UNIT.match(letters) is not None


def text_check_length(value: str, *, label: str, maximum: int) -> None:
    """Refuse a text longer than the field takes (before anything is saved)."""
    if len(value) > maximum:
        raise TextRefused(
            _("%(field)s is too long: %(length)s characters, at most %(max)s.")
            % {"field": label, "length": len(value), "max": maximum}
        )


def text_check_content(value: str, *, label: str, minimum: int) -> None:
    """Refuse an empty text, one made of one repeated character, or one shorter than ``minimum``
    Chinese characters."""
    if not value.strip():
        raise TextRefused(_("%(field)s is empty.") % {"field": label})
    if is_repetitive(value):
        raise TextRefused(
            _("%(field)s only repeats the same character(s): write in your own words.") % {"field": label}
        )
    length = chinese_length(value)
    if length < minimum:
        raise TextRefused(
            _("%(field)s is %(length)s characters long; write at least %(min)s.")
            % {"field": label, "length": length, "min": minimum}
        )
