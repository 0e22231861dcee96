"""The OPAC's search: what is stored for each record, and how a query is matched and ranked.

Matching means one thing on every database: each term of the query is a substring of the
record's ``search_text`` (simplified, lower-case, with pinyin and pinyin initials). PostgreSQL
only gets there faster, with the indexes of migrations 0003 and 0004: a trigram index on
``search_text`` for terms of three characters or more, and a GIN index on the words of
``search_grams`` (as an array) for terms of one or two characters, where trigrams cannot help
(each Chinese character and pair of characters, each pair of letters or digits with a letter).
Where the grams answer a term exactly (一, 中国, i2) the count asks the index alone; otherwise the LIKE test
decides, so the index never changes the answer, only its speed. Results are ranked in four
relevance tiers (the title is the query, begins with it, holds it, or only another field does),
then by the title's pinyin; on PostgreSQL catalog.selectors reads the tiers one after another
in title order, so that a query matching half the catalogue does not sort half the catalogue.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from django.db import connection
from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from pypinyin import Style
from pypinyin.constants import RE_HANS
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

from .isbn import isbn_looks_like, isbn_normalise, isbn_to_10

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
CJK_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{1,2}")
ALNUM_RUN = re.compile(r"[a-z0-9]+")
ALNUM_ONLY = re.compile(r"[a-z0-9]{2}")
SEPARATOR = " | "
MAX_TERMS = 6
MAX_QUERY_LENGTH = 100


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


# Variant forms (异体字) that OpenCC's t2s leaves as they are, each folded to the common form a
# reader types: 钱锺书 and 钱钟书 find each other, as 錢鍾書 (which OpenCC turns into 钱锺书) does.
# Applied after OpenCC, to the record's text and to the query alike. Only pairs that are one
# character written two ways; 於 as a surname (於梨华) is folded too, since a reader who types
# 于梨华 means the same writer, and the stored title keeps its own spelling.
VARIANT_FORMS = {
    "锺": "钟",
    "於": "于",
    "裏": "里",
    "裡": "里",
    "畧": "略",
    "迺": "乃",
    "囘": "回",
    "甦": "苏",
    "珮": "佩",
    "喆": "哲",
    "堃": "坤",
    "甯": "宁",
    "邨": "村",
    "犇": "奔",
    "粧": "妆",
    "菓": "果",
    "氷": "冰",
    "彊": "强",
    "僊": "仙",
    "秊": "年",
    "兠": "兜",
    "煑": "煮",
    "敍": "叙",
    "湼": "涅",
    "挐": "拿",
    "搥": "捶",
    "甎": "砖",
    "覩": "睹",
    "勅": "敕",
    "竝": "并",
    "麤": "粗",
    "虵": "蛇",
    "舗": "铺",
    "姪": "侄",
    "坵": "丘",
    "妳": "你",
    "牠": "它",
}
_VARIANT_TABLE = str.maketrans(VARIANT_FORMS)


def search_normalise(text: str) -> str:
    """Folded as search compares text: full-width to ASCII, traditional to simplified
    characters, variant forms to the common one (VARIANT_FORMS), lower-case, runs of spaces
    as one."""
    folded = unicodedata.normalize("NFKC", text or "")
    if CJK.search(folded):
        folded = _to_simplified().convert(folded).translate(_VARIANT_TABLE)
    return " ".join(folded.lower().split())


@cache
def _simplified_character(char: str) -> str:
    return _to_simplified().convert(char).translate(_VARIANT_TABLE)


def character_variant(normalised: str) -> str:
    """The text converted character by character, without OpenCC's phrases: 哪吒 stays 哪吒 as
    a phrase, but the query 吒 alone becomes 咤. Stored beside the text when it differs, so
    that any part of a title is found, however OpenCC converts that part on its own."""
    if not CJK.search(normalised):
        return normalised
    return "".join(_simplified_character(char) if CJK.match(char) else char for char in normalised)


# pypinyin reads a text once per style asked; the record's three pinyin forms come from one
# reading instead (TONE3 with the neutral tone as 5: stripping the digits gives the NORMAL
# style, whose first letter is the FIRST_LETTER style), cached, since authors' names and
# classic titles repeat. Stretches without pinyin are marked by the error handler, so that
# each form treats them exactly as its own pypinyin call did: catalog/tests/test_search_pinyin.py
# compares the three with pypinyin's own styles over every character it knows. The cache is
# small: what repeats is a few thousand names and titles, while an import of 50,000 titles that
# never repeat would fill a large one with ~20 MB that nothing reads again.
_NO_PINYIN = "\x00"  # a stretch of text without Chinese characters, as typed
_NO_PINYIN_HAN = "\x01"  # a Chinese character that pypinyin has no reading for
_DIGITS = re.compile(r"[0-9]")


def _mark_no_pinyin(chars: str) -> str:
    return (_NO_PINYIN_HAN if RE_HANS.match(chars) else _NO_PINYIN) + chars


class _WordCachingConverter(UltimateConverter):
    """pypinyin's own converter (as ``lazy_pinyin(..., neutral_tone_with_five=True)`` makes
    it), remembering the reading of each word its segmenter cuts a text into. Titles never
    repeat in an import of 50,000 records, but their words do (图书, 中国, 第, 册 …), and reading a
    word (its phrase or characters, then the style) is most of what pypinyin spends on a text.
    A word's reading depends on the word alone (the style, errors and strictness are always the
    same here, and tone sandhi is off), so the cached answer is the one pypinyin would give."""

    WORDS_KEPT = 50_000  # words are short: tens of bytes each, a few MB when full

    def __init__(self) -> None:
        super().__init__(neutral_tone_with_five=True)
        self._words: dict[tuple, list[list[str]]] = {}

    def convert(self, words, style, heteronym, errors, strict, **kwargs):
        key = (words, style, heteronym, strict)
        reading = self._words.get(key)
        if reading is None:
            reading = super().convert(words, style, heteronym, errors, strict, **kwargs)
            if len(self._words) >= self.WORDS_KEPT:
                self._words.clear()
            self._words[key] = reading
        # pypinyin extends its own list with these and never changes them; a copy all the same.
        return [list(readings) for readings in reading]


_PINYIN = Pinyin(_WordCachingConverter())


@lru_cache(maxsize=4096)
def _pinyin_forms(text: str) -> tuple[str, str, str]:
    """(full pinyin, initials, sort key) of a text, as pinyin_full, pinyin_initials and
    pinyin_sort_key define them."""
    full: list[str] = []
    initials: list[str] = []
    sort_parts: list[str] = []
    reading = _PINYIN.lazy_pinyin(text, style=Style.TONE3, errors=_mark_no_pinyin)
    for part in reading:
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


def search_grams(search_text: str) -> list[str]:
    """What PostgreSQL indexes for terms too short for trigrams: every Chinese character and
    pair of neighbouring Chinese characters of the search text, and every pair of neighbouring
    letters or digits that holds a letter ('i2' of i287.45, 'hl' of hlm). A one- or two-character
    term of that kind is in the search text exactly when it is one of these."""
    grams = dict.fromkeys(cjk_grams(search_text))
    for run in ALNUM_RUN.findall(search_text):
        for index in range(len(run) - 1):
            pair = run[index : index + 2]
            if not pair.isdigit():
                grams[pair] = None
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
    variants = [variant for word in words if word and (variant := character_variant(word)) != word]
    title_pinyin = pinyin_full(title)
    title_initials = pinyin_initials(title)
    keys = [title_pinyin, title_initials]
    for name in names:
        keys += [pinyin_full(name), pinyin_initials(name)]
    if record.isbn:
        # Lower-case like everything else (an ISBN-10 may end in X), so that LIKE finds the
        # same on every database: SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's not.
        keys += [record.isbn, isbn_to_10(record.isbn).lower(), isbn_hyphenate(record.isbn).lower()]
    searchable = SEPARATOR.join(part for part in [*words, *variants, *keys] if part)
    return {
        "search_text": searchable,
        "search_grams": " ".join(search_grams(searchable)),
        "title_search": title[:300],
        "title_pinyin": title_pinyin[:600],
        "title_initials": title_initials[:300],
        "title_sort": pinyin_sort_key(record.title),
    }


def query_terms(query: str) -> list[str]:
    """The terms of a query, as search compares them. 'Xi You Ji' is also tried as 'xiyouji'."""
    normalised = search_normalise(query[:MAX_QUERY_LENGTH])
    return normalised.split()[:MAX_TERMS]


@dataclass
class SearchMatch:
    """How a query matches records, on every database alike.

    ``condition`` is what matches: every term a substring of ``search_text`` (with, on
    PostgreSQL, the index conditions that make it fast; they never change the answer).
    ``count_condition`` is the same set of records, cheaper to count on PostgreSQL: a term that
    the gram index answers exactly is tested by the index alone. ``tiers`` split the matches by
    relevance, highest first, as ``relevance`` ranks them."""

    condition: Q
    count_condition: Q
    tiers: list[tuple[int, Q]]
    relevance: Case | Value
    # The three ways a title begins with the query (tier 2 is their union less tier 3); each
    # implies the condition, so that without other filters these alone find tier 2.
    title_prefixes: list[Q] | None = None


def search_match(query: str) -> SearchMatch | None:
    """How the records match the query, or None when nothing was asked."""
    terms = query_terms(query)
    if not terms:
        return None
    whole = " ".join(terms)
    if isbn_looks_like(query):
        try:
            isbn = isbn_normalise(query)
        except Exception:  # an ISBN-shaped query with a wrong check digit: search it as text
            isbn = ""
        if isbn:
            condition = Q(isbn=isbn)
            return SearchMatch(condition, condition, [(3, Q())], Value(3, output_field=IntegerField()))
    postgres = connection.vendor == "postgresql"
    joined = "".join(terms)
    if len(terms) > 1 and joined.isascii() and joined.isalpha():
        # 'xi you ji' as typed with spaces, or as one word.
        whole_word = Q(search_text__contains=joined)
        condition, count_condition = _terms_condition(terms, postgres)
        condition, count_condition = whole_word | condition, whole_word | count_condition
    else:
        condition, count_condition = _terms_condition(terms, postgres)
    exact = Q(title_search=whole) | Q(title_pinyin=joined) | Q(title_initials=joined)
    title_prefixes = [
        Q(title_search__startswith=whole),
        Q(title_pinyin__startswith=joined),
        Q(title_initials__startswith=joined),
    ]
    prefix = title_prefixes[0] | title_prefixes[1] | title_prefixes[2]
    in_title = Q(title_search__contains=terms[0])
    in_title_found = in_title
    if postgres and len(terms[0]) <= 2:
        # The title's characters and pairs, indexed (migration 0004): the records whose title
        # holds a short term, without reading every record that matches it elsewhere.
        in_title_found &= Q(
            RawSQL(
                'catalog_short_grams("catalog_record"."title_search") @> ARRAY[%s]::text[]',
                [terms[0]],
                output_field=BooleanField(),
            )
        )
    relevance = Case(
        When(exact, then=Value(3)),
        When(prefix, then=Value(2)),
        When(in_title, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    tiers = [
        (3, exact),
        (2, prefix & ~exact),
        (1, in_title_found & ~prefix & ~exact),
        (0, ~in_title & ~prefix & ~exact),
    ]
    return SearchMatch(condition, count_condition, tiers, relevance, title_prefixes)


def _terms_condition(terms: list[str], postgres: bool) -> tuple[Q, Q]:
    """Every term a substring of the search text: as matched, and as counted."""
    condition, count_condition = Q(), Q()
    for term in terms:
        contains = Q(search_text__contains=term)
        if not postgres or len(term) > 2:
            # Three characters or more: the trigram index serves LIKE itself.
            condition &= contains
            count_condition &= contains
        elif _gram_exact(term):
            # The grams hold the term exactly when the search text does: the count asks the
            # index alone. The LIKE stays in the page's query, where PostgreSQL tests it first,
            # the cheaper test for the records it walks through in title order.
            condition &= contains & Q(_gram_match(term))
            count_condition &= Q(_gram_match(term))
        else:
            # 'q版': its Chinese part narrows the records through the index, LIKE decides.
            narrowed = contains
            for run in CJK_RUN.findall(term):
                narrowed &= Q(_gram_match(run))
            condition &= narrowed
            count_condition &= narrowed
    return condition, count_condition


def _gram_exact(term: str) -> bool:
    """Whether search_grams holds this one- or two-character term whenever the text does."""
    return bool(CJK_ONLY.fullmatch(term)) or (
        len(term) == 2 and bool(ALNUM_ONLY.fullmatch(term)) and not term.isdigit()
    )


def records_matching(queryset: QuerySet, query: str) -> tuple[QuerySet, bool]:
    """The records that match every term of the query, annotated with ``relevance``.

    Returns the queryset and whether anything was asked at all."""
    match = search_match(query)
    if match is None:
        return queryset.annotate(relevance=Value(0, output_field=IntegerField())), False
    return queryset.filter(match.condition).annotate(relevance=match.relevance), True


def _gram_match(term: str) -> RawSQL:
    """Whether the record's search_grams hold the term as a word (PostgreSQL: the GIN index of
    migration 0004 on the array of its words; exact words, and cheap to test row by row)."""
    return RawSQL(
        'string_to_array("catalog_record"."search_grams", \' \') @> ARRAY[%s]::text[]',
        [term],
        output_field=BooleanField(),
    )


def available_condition():
    from .models import Copy

    return Exists(Copy.objects.filter(record=OuterRef("pk"), status=Copy.Status.AVAILABLE))
