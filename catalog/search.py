"""The OPAC's search: what is stored for each record, and how a query is matched and ranked.

Matching means one thing on every database: each term of the query is a substring of the
record's ``search_text`` (simplified, lower-case, with pinyin and pinyin initials). PostgreSQL
only gets there faster, with two indexes made by migration 0003: a trigram index on
``search_text`` for terms of three characters or more, and a GIN index on the words of
``search_grams`` (each Chinese character and each pair) for one- and two-character Chinese
terms, where trigrams cannot help. The LIKE test stays in the query, so the index never changes
the answer, only its speed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS

from .isbn import isbn_looks_like, isbn_normalise, isbn_to_10

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SEPARATOR = " | "
MAX_TERMS = 6
MAX_QUERY_LENGTH = 100


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def search_normalise(text: str) -> str:
    """Folded as search compares text: full-width to ASCII, traditional to simplified
    characters, lower-case, runs of spaces as one."""
    folded = unicodedata.normalize("NFKC", text or "")
    if CJK.search(folded):
        folded = _to_simplified().convert(folded)
    return " ".join(folded.lower().split())


# pypinyin reads a text once per style asked; the record's three pinyin forms come from one
# reading instead (TONE3 with the neutral tone as 5: stripping the digits gives the NORMAL
# style, whose first letter is the FIRST_LETTER style), cached, since authors' names and
# classic titles repeat. Stretches without pinyin are marked by the error handler, so that
# each form treats them exactly as its own pypinyin call did: catalog/tests/test_search.py
# compares the three with pypinyin's own results over every character it knows.
_NO_PINYIN = "\x00"  # a stretch of text without Chinese characters, as typed
_NO_PINYIN_HAN = "\x01"  # a Chinese character that pypinyin has no reading for
_DIGITS = re.compile(r"[0-9]")


def _mark_no_pinyin(chars: str) -> str:
    return (_NO_PINYIN_HAN if RE_HANS.match(chars) else _NO_PINYIN) + chars


@lru_cache(maxsize=65536)
def _pinyin_reading(text: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=_mark_no_pinyin))


def _pinyin_forms(text: str) -> tuple[str, str, str]:
    """(full pinyin, initials, sort key) of a text, as pinyin_full, pinyin_initials and
    pinyin_sort_key define them."""
    full: list[str] = []
    initials: list[str] = []
    sort_parts: list[str] = []
    for part in _pinyin_reading(text):
        if part.startswith(_NO_PINYIN):
            chars = part[1:]
            initials += [word[0] for word in chars.split()]
            sort_parts.append(chars)
        elif part.startswith(_NO_PINYIN_HAN):
            # A Chinese character without a reading went through the style conversion as if
            # it were a reading: the sort key has it with the neutral tone's 5 after it.
            sort_parts.append(part[1:])
            initials.append(part[1])
        else:
            sort_parts.append(part)
            normal = _DIGITS.sub("", part)
            if normal.isascii():
                full.append(normal)
            if normal:
                initials.append(normal[0])
    return "".join(full).lower(), "".join(initials).lower(), " ".join(sort_parts)[:600]


def pinyin_full(text: str) -> str:
    """西游记 → xiyouji (letters only, no tones, no spaces)."""
    return _pinyin_forms(text)[0]


def pinyin_initials(text: str) -> str:
    """西游记 → xyj; the first letter of each Latin word too (Harry Potter → hp)."""
    return _pinyin_forms(text)[1]


def pinyin_sort_key(text: str) -> str:
    """A key that orders titles as a Chinese dictionary does: by pinyin, then tone."""
    return _pinyin_forms(search_normalise(text))[2]


def cjk_grams(text: str) -> list[str]:
    """The distinct Chinese characters and pairs of neighbouring characters of a text."""
    grams: dict[str, None] = {}
    for run in CJK_RUN.findall(text):
        for index, char in enumerate(run):
            grams[char] = None
            if index + 1 < len(run):
                grams[run[index : index + 2]] = None
    return list(grams)


def record_search_fields(record, contributor_names: list[str]) -> dict[str, str]:
    """The derived search fields of a record, from its own fields and its contributors."""
    from .isbn import isbn_hyphenate

    title = search_normalise(f"{record.title} {record.subtitle}".strip())
    names = [search_normalise(name) for name in contributor_names]
    words = [
        title,
        *names,
        search_normalise(record.publisher),
        search_normalise(record.series),
        search_normalise(record.subjects),
        search_normalise(record.call_number),
        search_normalise(record.clc_code),
    ]
    title_pinyin = pinyin_full(title)
    title_initials = pinyin_initials(title)
    keys = [title_pinyin, title_initials]
    for name in names:
        keys += [pinyin_full(name), pinyin_initials(name)]
    if record.isbn:
        keys += [record.isbn, isbn_to_10(record.isbn), isbn_hyphenate(record.isbn)]
    searchable = SEPARATOR.join(part for part in [*words, *keys] if part)
    # Every field's characters: the index on them must find whatever LIKE finds.
    gram_source = " ".join(part for part in words if part)
    return {
        "search_text": searchable,
        "search_grams": " ".join(cjk_grams(gram_source)),
        "title_search": title[:300],
        "title_pinyin": title_pinyin[:600],
        "title_initials": title_initials[:300],
        "title_sort": pinyin_sort_key(record.title),
    }


def query_terms(query: str) -> list[str]:
    """The terms of a query, as search compares them. 'Xi You Ji' is also tried as 'xiyouji'."""
    normalised = search_normalise(query[:MAX_QUERY_LENGTH])
    return normalised.split()[:MAX_TERMS]


def records_matching(queryset: QuerySet, query: str) -> tuple[QuerySet, bool]:
    """The records that match every term of the query, annotated with ``relevance``.

    Returns the queryset and whether anything was asked at all."""
    terms = query_terms(query)
    if not terms:
        return queryset.annotate(relevance=Value(0, output_field=IntegerField())), False
    whole = " ".join(terms)
    if isbn_looks_like(query):
        try:
            isbn = isbn_normalise(query)
        except Exception:  # an ISBN-shaped query with a wrong check digit: search it as text
            isbn = ""
        if isbn:
            return queryset.filter(isbn=isbn).annotate(relevance=Value(3, output_field=IntegerField())), True
    joined = "".join(terms)
    condition = Q()
    if len(terms) > 1 and joined.isascii() and joined.isalpha():
        # 'xi you ji' as typed with spaces, or as one word.
        condition = Q(search_text__contains=joined)
        alternative = Q()
        for term in terms:
            alternative &= Q(search_text__contains=term)
        condition |= alternative
    else:
        for term in terms:
            condition &= Q(search_text__contains=term)
    queryset = queryset.filter(condition)
    if connection.vendor == "postgresql":
        for term in terms:
            if len(term) <= 2:
                # 'q版' is looked up by its Chinese part: the grams hold Chinese text only.
                for run in CJK_RUN.findall(term):
                    queryset = queryset.filter(_gram_match(run))
    relevance = Case(
        When(Q(title_search=whole) | Q(title_pinyin=joined) | Q(title_initials=joined), then=Value(3)),
        When(
            Q(title_search__startswith=whole)
            | Q(title_pinyin__startswith=joined)
            | Q(title_initials__startswith=joined),
            then=Value(2),
        ),
        When(title_search__contains=terms[0], then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return queryset.annotate(relevance=relevance), True


def _gram_match(term: str) -> RawSQL:
    """Whether the record's search_grams hold the term as a word (PostgreSQL: the GIN index)."""
    return RawSQL(
        "to_tsvector('simple', \"catalog_record\".\"search_grams\") @@ plainto_tsquery('simple', %s)",
        [term],
        output_field=BooleanField(),
    )


def available_condition():
    from .models import Copy

    return Exists(Copy.objects.filter(record=OuterRef("pk"), status=Copy.Status.AVAILABLE))
