"""The copy check: a note's reflection (or a card's thoughts) nearly identical to another pupil's,
or copied from the record's own summary, is flagged for the reviewer, who sees both texts side
by side.

The technique (measured, see the report of issue 16): character 3-gram shingles of the text
without spaces and punctuation, a MinHash signature of 60 values, and locality-sensitive hashing
in 20 bands of 3 values. Each band is one row of ``WorkFingerprint`` with an indexed 64-bit key,
so the candidates among any number of earlier texts come from one indexed query on SQLite and on
PostgreSQL alike (pg_trgm's similarity needs an extension and a scan per candidate set, and has
no SQLite counterpart). The few candidates are then compared exactly (Jaccard similarity of the
shingle sets). Two texts with a Jaccard similarity of 0.5 share a band with a probability of
0.93; at 0.7, of 0.9995.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata

from django.utils.translation import gettext as _

from ..models import ExcerptCard, PupilWork, ReadingNote, WorkFingerprint

SHINGLE_SIZE = 3
BANDS = 20
ROWS = 3
THRESHOLD = 0.5  # Jaccard similarity from which two texts are "nearly identical"
SUMMARY_THRESHOLD = 0.6  # share of the text's shingles found in the record's summary
MIN_SHINGLES = 8  # a shorter text says too little to compare
MAX_CANDIDATES = 50
SHOWN_MAX = 10_000
_PRIME = (1 << 61) - 1
_MASK = (1 << 63) - 1
_random = random.Random(20260316)  # fixed: the signatures must be the same in every process
PERMUTATIONS = [
    (_random.randrange(1, _PRIME), _random.randrange(0, _PRIME)) for _index in range(BANDS * ROWS)
]


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(char for char in text if unicodedata.category(char)[0] in "LN")


def shingles(text: str) -> set[int]:
    """The text's character 3-grams, each as a 64-bit hash (stable between processes)."""
    letters = normalised(text)
    grams = {letters[index : index + SHINGLE_SIZE] for index in range(len(letters) - SHINGLE_SIZE + 1)}
    return {int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "big") for gram in grams}


def signature(hashes: set[int]) -> list[int]:
    return [min((a * value + b) % _PRIME for value in hashes) for a, b in PERMUTATIONS]


def band_keys(values: list[int]) -> list[int]:
    keys = []
    for band in range(BANDS):
        part = ",".join(str(value) for value in values[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.blake2b(f"{band}:{part}".encode(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big") & _MASK)
    return keys


def jaccard(first: set[int], second: set[int]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def containment(part: set[int], whole: set[int]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def _text_of(work: PupilWork) -> str:
    return work.thoughts if isinstance(work, ExcerptCard) else work.reflection


def _kind_of(work: PupilWork) -> str:
    return WorkFingerprint.Kind.CARD if isinstance(work, ExcerptCard) else WorkFingerprint.Kind.NOTE


def work_similarity_check(*, work: PupilWork) -> float | None:
    """Compare the work's text with every other pupil's earlier ones and with the record's
    summary; note the closest match on the work (``similarity``, ``similar_text``,
    ``similar_source``, saved by the caller) and keep the work's fingerprint for later
    checks. Returns the similarity flagged, or None. Three or four queries."""
    kind = _kind_of(work)
    model = ExcerptCard if kind == WorkFingerprint.Kind.CARD else ReadingNote
    text = _text_of(work)
    mine = shingles(text)
    work.similarity, work.similar_text, work.similar_source = None, "", ""
    WorkFingerprint.objects.filter(kind=kind, work_id=work.pk).delete()
    if len(mine) < MIN_SHINGLES:
        return None
    keys = band_keys(signature(mine))
    best, best_text, best_source = 0.0, "", ""
    candidates = list(
        WorkFingerprint.objects.filter(kind=kind, band__in=keys)
        .exclude(reader_id=work.reader_id)
        .values_list("work_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    if candidates:
        text_field = "thoughts" if model is ExcerptCard else "reflection"
        others = model.objects.filter(
            pk__in=candidates, state__in=(*PupilWork.HANDED_IN, PupilWork.State.RETURNED)
        )
        others = others.select_related("reader__school_class", "record").only(
            "pk", text_field, "reader__id", "reader__school_class__grade", "reader__school_class__number",
            "record__id", "record__title",
        )  # fmt: skip
        for other in others:
            score = jaccard(mine, shingles(getattr(other, text_field)))
            if score > best:
                best, best_text = score, getattr(other, text_field)
                best_source = _("A pupil's work in %(class)s on “%(title)s”") % {
                    "class": other.reader.school_class.name if other.reader.school_class_id else "—",
                    "title": other.record.title if other.record_id else "—",
                }
    if best < THRESHOLD:
        best, best_text, best_source = 0.0, "", ""
    summary = work.record.summary if work.record_id else ""
    if summary:
        score = containment(mine, shingles(summary))
        if score >= SUMMARY_THRESHOLD and score > best:
            best, best_text, best_source = score, summary, _("The catalogue's summary of the book")
    WorkFingerprint.objects.bulk_create(
        [WorkFingerprint(kind=kind, work_id=work.pk, reader_id=work.reader_id, band=key) for key in keys]
    )
    if best:
        work.similarity = round(best, 3)
        work.similar_text = best_text[:SHOWN_MAX]
        work.similar_source = best_source[:200]
        return work.similarity
    return None
