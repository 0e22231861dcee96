"""MARC import: records from another library system (ISO 2709 or MARCXML, MARC21 or CNMARC).

Three steps, each usable alone:

- ``marc_read(data)`` reads the file, tells each record's format and text encoding, and maps it
  to the fields of ``catalog.services.record_create`` with its contributors and the barcodes of
  its holdings. Pure: it touches no database. Problems that concern the whole file (empty, not
  MARC, too many records) are the report's ``problems``; a record's own are in its entry.
- ``marc_check(report, existing=...)`` looks at the catalogue without writing: the class number
  against the CLC table, the ISBN against the records the library has, the barcodes against its
  copies and against each other, the field lengths against the model.
- ``marc_import(...)`` is the service that saves: it reads and checks the file again and saves
  every valid record with its copies in one transaction, or nothing.

Why ISO 2709 is parsed here rather than by ``pymarc.MARCReader``: Chinese systems write files
that pymarc refuses or misreads as a whole: GB18030 text with a blank leader position 9 (pymarc
would read it as MARC-8), one field in another encoding than the rest, directory lengths
counted in characters instead of bytes, line breaks between records. This reader splits the
file on the record terminator, finds fields by the directory (or, when the directory's lengths
are wrong, by the field terminators in directory order) and decodes each field by itself. The
records it builds are ``pymarc.Record`` objects, as MARCXML's (read by pymarc) are, so that one
mapping serves both.

Each record's encoding is chosen by itself (``_record_encoding``): from what it says (MARC21
leader/09, 'a' UTF-8 and blank MARC-8; CNMARC/UNIMARC 100 $a/26-33, "50" Unicode, "20" GB 2312,
"03" ISO 5426) and from its bytes where they contradict it or it says nothing: valid UTF-8 is
UTF-8, unmistakably Chinese bytes are GB18030, Latin text is MARC-8 (decoded by pymarc) or
ISO 5426, never GB18030. A field the record's encoding does not read is read as UTF-8 or
GB18030 only in a Chinese record; in a Latin-script one it keeps the record's encoding with
replacement marks and a note naming the field.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import logging
import re
import unicodedata
import xml.sax
import xml.sax.handler
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from sys import intern

import pymarc
from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pymarc import Field, Indicators, Subfield, marc8_mapping
from pymarc.marc8 import MARC8ToUnicode

from catalog.services.copies import MAX_COPIES_AT_ONCE, copies_create_bulk
from catalog.services.records import RECORD_FIELDS, clc_normalise, clc_resolve, records_create_bulk
from library_site.bulk import fields_clean, gin_indexes_deferred

from .exceptions import CatalogError, InvalidISBN, UnknownClass
from .isbn import isbn_clean, isbn_hyphenate, isbn_normalise
from .models import Contributor, Copy, Location, Record
from .search import search_normalise

logger = logging.getLogger(__name__)

CNMARC = "cnmarc"
MARC21 = "marc21"
FORMAT_LABELS = {CNMARC: "CNMARC", MARC21: "MARC21"}
ISO2709 = "iso2709"
MARCXML = "marcxml"

SKIP = "skip"
ADD_COPIES = "add_copies"
EXISTING_CHOICES = (
    (SKIP, gettext_lazy("Skip them")),
    (ADD_COPIES, gettext_lazy("Add their copies to the record the catalogue has")),
)

DEFAULT_MAX_RECORDS = 50_000
DEFAULT_INLINE_RECORDS = 300
SAVE_BATCH = 500  # entries saved at once; progress is reported after each batch
SHARED_TEXT = 40  # a record's texts up to this length are shared between the records of a file
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_COMMAND_MAX_BYTES = 200 * 1024 * 1024

RECORD_END = b"\x1d"
FIELD_END = b"\x1e"
SUBFIELD_MARK = b"\x1f"
# Leading bytes some systems put between records: line breaks, NULs, a DOS end-of-file mark.
BETWEEN_RECORDS = b" \r\n\t\x00\x1a"

# Fields only one of the two formats uses; a record is told by which it has more of.
CNMARC_TAGS = frozenset(
    [
        "010",
        "011",
        "101",
        "102",
        "105",
        "106",
        "200",
        "205",
        "210",
        "214",
        "215",
        "225",
        "330",
        "606",
        "610",
        "690",
        "701",
        "702",
        "711",
        "712",
        "801",
        "905",
    ]
)
MARC21_TAGS = frozenset(
    [
        "008",
        "020",
        "022",
        "040",
        "041",
        "050",
        "082",
        "084",
        "093",
        "245",
        "246",
        "250",
        "260",
        "264",
        "490",
        "520",
        "650",
        "651",
        "653",
        "852",
        "949",
        "952",
    ]
)

# Roles as other systems write them: CNMARC's $4 holds a UNIMARC relator code or, in Chinese
# practice, the word from the title page; MARC21's $e a word and $4 a MARC relator code.
A, E, CE, T, IL, AD = (
    Contributor.Role.AUTHOR,
    Contributor.Role.EDITOR,
    Contributor.Role.CHIEF_EDITOR,
    Contributor.Role.TRANSLATOR,
    Contributor.Role.ILLUSTRATOR,
    Contributor.Role.ADAPTER,
)
ROLE_WORDS = {
    # The title pages' words, as the spreadsheet and the record form read them (著, 编著, 续, 校注 …).
    **{word: role for role, words in Contributor.ROLE_WORDS_CHINESE.items() for word in words},
    **dict.fromkeys(["撰文", "文", "作", "作者", "070", "aut", "author"], A),
    **dict.fromkeys(["writer", "creator", "cre"], A),
    **dict.fromkeys(["汇编", "编译", "340", "edt"], E),
    **dict.fromkeys(["editor", "ed", "compiler", "com"], E),
    **dict.fromkeys(["执行主编", "chief editor", "editor-in-chief"], CE),
    **dict.fromkeys(["合译", "译注", "730", "trl", "translator", "tr"], T),
    **dict.fromkeys(["图", "画", "摄影", "440", "ill", "illustrator"], IL),
    **dict.fromkeys(["改写", "缩写", "010", "adp", "adapter"], AD),
    **dict.fromkeys(["cwt", "commentator"], Contributor.Role.COMMENTATOR),
    **dict.fromkeys(["ann", "annotator"], Contributor.Role.COLLATOR_ANNOTATOR),
    # The terms the MARC export writes for the roles of Chinese title pages (catalog/marc_export.py
    # ROLE_WORDS_MARC21); 编著 is written as two, author and editor (_role_marc21).
    **dict.fromkeys(["continuator", "continued by"], Contributor.Role.CONTINUER),
    **dict.fromkeys(["arranger", "arr"], Contributor.Role.ARRANGER),
    **dict.fromkeys(["editor of compilation", "edc"], Contributor.Role.SELECTOR),
}
# Words a statement of responsibility (200 $f, 245 $c) may end with, longest first. Words that
# also end Chinese names (文, 画, 作) are left out: 李文 is a name, not 李 writing.
STATEMENT_SUFFIXES = sorted(
    {*(word for words in Contributor.ROLE_WORDS_CHINESE.values() for word in words), "合译"},
    key=lambda word: (-len(word), word),
)
ENGLISH_STATEMENT = (
    (re.compile(r"^(?:translated|trans\.)\s+by\s+", re.I), T),
    (re.compile(r"^(?:illustrated|illustrations|pictures)\s+by\s+", re.I), IL),
    (re.compile(r"^(?:edited|compiled)\s+by\s+", re.I), E),
    (re.compile(r"^(?:adapted|retold)\s+by\s+", re.I), AD),
    (re.compile(r"^(?:written\s+)?by\s+", re.I), A),
)
NATIONALITY = re.compile(r"^\s*[(\[（〔【［][^)\]）〕】］]{1,6}[)\]）〕】］]\s*")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ISBN_TOKEN = re.compile(r"[0-9０-９][0-9０-９Xx\-‐－ ]{8,20}[0-9０-９Xx]|[0-9０-９Xx]{10,13}")
YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2}|2100)(?!\d)")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
PAGES = re.compile(r"(\d+)\s*(?:页|頁|p\b|p\.|pages|leaves)", re.I)
CJK = re.compile(r"[\u3400-\u9fff]")

# Descriptive text that may be cut to fit (the record stays right, only shorter; the entry says
# so); anything that identifies or finds the book (title, class, call number) is never cut.
CUT_HARMLESS = ("subtitle", "publisher", "place", "edition", "size", "series", "subjects")
NEVER_CUT = ("title", "clc_code", "call_number")
NAME_LIMIT = Contributor._meta.get_field("name").max_length
BARCODE_LIMIT = Copy._meta.get_field("barcode").max_length
DERIVED_FIELDS = [
    "search_text",
    "search_grams",
    "title_search",
    "title_pinyin",
    "title_initials",
    "title_sort",
    "created_by",
    "classification",
]


def import_max_records() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_MAX_RECORDS", DEFAULT_MAX_RECORDS))


def import_inline_records() -> int:
    """Up to how many records the page saves at once; a larger file goes to the worker."""
    return int(getattr(settings, "CATALOG_IMPORT_INLINE_RECORDS", DEFAULT_INLINE_RECORDS))


def import_max_bytes() -> int:
    """The largest file the MARC page takes (an upload: nginx's client_max_body_size is a
    little above it)."""
    return int(getattr(settings, "CATALOG_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def import_command_max_bytes() -> int:
    """The largest file ``manage.py import_marc`` reads from the server's disk: no upload, so
    no proxy limit; a school's whole catalogue (50,000 CNMARC records with 120,000 copies are
    about 22 MB) goes this way. The record limit still holds, and with it the memory."""
    return max(
        import_max_bytes(),
        int(getattr(settings, "CATALOG_IMPORT_COMMAND_MAX_BYTES", DEFAULT_COMMAND_MAX_BYTES)),
    )


def too_large_message(limit: int) -> str:
    """What a librarian reads when a MARC file is over the page's limit: where to take it."""
    return _(
        "The file is larger than %(limit)s MB, the most this page takes. Import a larger file on the "
        "server with “python manage.py import_marc FILE” (a whole catalogue of 50,000 records goes in "
        "that way), or export it from the old system in parts."
    ) % {"limit": limit // (1024 * 1024)}


# --- the report -----------------------------------------------------------------------------------


@dataclass(slots=True)
class MarcEntry:
    """One record of the file, numbered from 1 in the order of the file. With slots: a file of
    50,000 records keeps 50,000 of these through the preview and again through the import."""

    number: int
    format: str = ""
    encoding: str = ""
    fields: dict = field(default_factory=dict)
    contributors: list[tuple[str, str]] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Set by marc_check: the record of the catalogue with the same ISBN, and what to do with it.
    existing_pk: int | None = None
    existing_title: str = ""
    existing_action: str = ""
    # The ISBN as the file gives it, when it is not valid (shown in the report).
    isbn_given: str = ""
    # 001, by which a holdings record of the file (leader/06 u, v, x, y) names this one in 004.
    control_number: str = ""
    # A holdings record: the 001 of its bibliographic record, and the call number it gives.
    holdings: bool = False
    holdings_of: str = ""
    holdings_call_number: str = ""
    # How many descriptions of copies without barcodes this record stands for, each worth the
    # number of copies chosen per record: None is 1 without barcodes and 0 with them; records
    # merged into this one (its holdings records, the same record again) change it.
    unbarcoded: int | None = None
    # The copies as a migration profile reads them from the holdings fields (catalog/old_system.py):
    # one dict per copy (barcode, accession number, location, call number, price, field).
    items: list[dict] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.fields.get("title", "")

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, "")

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def is_new(self) -> bool:
        return self.valid and self.existing_pk is None

    @property
    def adds_copies_to_existing(self) -> bool:
        return self.valid and self.existing_pk is not None and self.existing_action == ADD_COPIES

    @property
    def skipped(self) -> bool:
        return self.valid and self.existing_pk is not None and self.existing_action != ADD_COPIES

    @property
    def isbn_display(self) -> str:
        return isbn_hyphenate(self.fields.get("isbn", "")) or self.isbn_given

    @property
    def authors_display(self) -> str:
        labels = dict(Contributor.Role.choices)
        return "；".join(f"{name} {labels.get(role, '')}".strip() for name, role in self.contributors)

    def copies_to_add(self, copies_per_record: int) -> int:
        """How many copies saving this entry makes: its barcodes (its own and those of the
        records merged into it), and the number chosen for each description without barcodes."""
        if not self.valid or self.skipped:
            return 0
        return len(self.barcodes) + self.unbarcoded_count * copies_per_record

    @property
    def unbarcoded_count(self) -> int:
        if self.unbarcoded is not None:
            return self.unbarcoded
        return 0 if self.barcodes else 1


@dataclass
class MarcReport:
    kind: str = ""
    entries: list[MarcEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checked: bool = False

    @property
    def refused(self) -> bool:
        """The file as a whole cannot be imported (empty, not MARC, too large)."""
        return bool(self.problems)

    @property
    def valid_entries(self) -> list[MarcEntry]:
        return [entry for entry in self.entries if entry.valid]

    @property
    def invalid_entries(self) -> list[MarcEntry]:
        return [entry for entry in self.entries if not entry.valid]

    @property
    def new_entries(self) -> list[MarcEntry]:
        return [entry for entry in self.entries if entry.is_new]

    @property
    def existing_entries(self) -> list[MarcEntry]:
        return [entry for entry in self.entries if entry.valid and entry.existing_pk is not None]

    @property
    def valid_numbers(self) -> list[int]:
        return [entry.number for entry in self.entries if entry.valid]

    @property
    def kind_label(self) -> str:
        return {ISO2709: "ISO 2709", MARCXML: "MARCXML"}.get(self.kind, "")

    def format_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            if entry.format:
                counts[entry.format_label] = counts.get(entry.format_label, 0) + 1
        return counts

    def copies_total(self, copies_per_record: int) -> int:
        return sum(entry.copies_to_add(copies_per_record) for entry in self.entries)


# --- reading ----------------------------------------------------------------------------------------


class _Unreadable(Exception):
    pass


# How a migration reads the copies of a record (catalog/old_system.py): set by marc_read's
# ``items`` for the reading of one file.
_ITEMS_READER: contextvars.ContextVar[Callable[[pymarc.Record], list[dict]] | None] = contextvars.ContextVar(
    "marc_items_reader", default=None
)


def marc_read(
    data: bytes,
    *,
    max_records: int | None = None,
    items: Callable[[pymarc.Record], list[dict]] | None = None,
    max_bytes: int | None = None,
) -> MarcReport:
    """Read an ISO 2709 or MARCXML file into a report of mapped records. No database.
    ``items(record)``, when given, reads each bibliographic record's copies into ``entry.items``.
    ``max_bytes``: the largest file taken (the page's limit, import_max_bytes, by default)."""
    token = _ITEMS_READER.set(items)
    try:
        return _marc_read(data, max_records=max_records, max_bytes=max_bytes)
    finally:
        _ITEMS_READER.reset(token)


def _marc_read(data: bytes, *, max_records: int | None, max_bytes: int | None = None) -> MarcReport:
    max_records = import_max_records() if max_records is None else max_records
    max_bytes = import_max_bytes() if max_bytes is None else max_bytes
    report = MarcReport()
    if len(data) > max_bytes:
        report.problems.append(too_large_message(max_bytes))
        return report
    wide = _utf16_of(data)
    if wide:  # MARCXML saved as UTF-16 by a Windows tool, with or without its byte order mark
        with contextlib.suppress(UnicodeDecodeError):
            data = XML_ENCODING.sub(rb"\1UTF-8\3", data.decode(wide).encode("utf-8"), count=1)
    start = data.lstrip(b"\xef\xbb\xbf" + BETWEEN_RECORDS)
    if not start:
        report.problems.append(_("The file is empty."))
        return report
    if start[:1] == b"<":
        report.kind = MARCXML
        _read_xml(data, report, max_records)
    elif start[:5].isdigit():
        report.kind = ISO2709
        _read_iso2709(start, report, max_records)
    else:
        report.problems.append(
            _("This is neither an ISO 2709 MARC file (.mrc, .iso) nor a MARCXML file (.xml).")
        )
        return report
    if not report.problems:
        _records_link(report)
    if not report.problems and not report.entries:
        report.problems.append(_("The file holds no MARC records."))
    return report


# --- records that belong together: holdings records, the same record twice ------------------------

HOLDINGS_TYPES = "uvxy"  # leader/06 of a MARC21 (and UNIMARC) holdings record


def _records_link(report: MarcReport) -> None:
    """Holdings records become copies of their bibliographic record (their 004 is its 001),
    and a record met again later in the file (the same ISBN, or without one the same
    description) becomes more copies of the first, as the spreadsheet import makes rows of
    one ISBN copies of one record. What was merged leaves the report's entries; the record it
    went into says so in a note."""
    records_by_control: dict[str, MarcEntry] = {}
    for entry in report.entries:
        if not entry.holdings and entry.control_number:
            records_by_control.setdefault(entry.control_number, entry)
    held: dict[int, list[int]] = {}
    remaining: list[MarcEntry] = []
    for entry in report.entries:
        if entry.holdings and not entry.problems:
            record = records_by_control.get(entry.holdings_of) if entry.holdings_of else None
            if record is not None:
                _holdings_merge(record, entry, first=record.number not in held)
                held.setdefault(record.number, []).append(entry.number)
                continue
            if entry.holdings_of:
                entry.problems.append(
                    _(
                        "This holdings record belongs to the record with control number %(control)s "
                        "(field 004), which is not in this file."
                    )
                    % {"control": entry.holdings_of}
                )
            else:
                entry.problems.append(
                    _("This holdings record does not say whose copies it lists: it has no field 004.")
                )
        remaining.append(entry)
    for entry in remaining:
        if entry.number in held:
            entry.notes.append(
                _("Copies from the holdings records of this file: %(numbers)s.")
                % {"numbers": ", ".join(str(number) for number in held[entry.number])}
            )
    first_with: dict[tuple, MarcEntry] = {}
    report.entries = []
    for entry in remaining:
        key = None if entry.problems or entry.holdings else _same_record_key(entry)
        first = first_with.get(key) if key else None
        if first is None:
            if key:
                first_with[key] = entry
            report.entries.append(entry)
        else:
            _same_record_merge(first, entry)


def _same_record_key(entry: MarcEntry) -> tuple | None:
    if entry.fields.get("isbn"):
        return ("isbn", entry.fields["isbn"])
    if not entry.fields.get("title"):
        return None
    # Without an ISBN only the whole description says it is the same record (not the title,
    # first author and publisher alone: two editions share those).
    return (
        "description",
        entry.format,
        tuple(sorted((name, str(value)) for name, value in entry.fields.items())),
        tuple(entry.contributors),
    )


def _copies_merge(entry: MarcEntry, barcodes: list[str], items: list[dict] = ()) -> None:
    """Another description of copies for this entry: its barcodes (a barcode already listed is
    the same copy), or, without barcodes, one more lot of the number chosen per record."""
    known = {item.get("barcode") for item in entry.items}
    entry.items += [item for item in items if not item.get("barcode") or item["barcode"] not in known]
    if entry.unbarcoded is None:
        entry.unbarcoded = entry.unbarcoded_count
    if barcodes:
        entry.barcodes += [barcode for barcode in dict.fromkeys(barcodes) if barcode not in entry.barcodes]
    else:
        entry.unbarcoded += 1


def _holdings_merge(record: MarcEntry, holdings: MarcEntry, *, first: bool) -> None:
    if first and record.unbarcoded_count and not record.barcodes:
        # The record said nothing of its copies; its holdings records do.
        record.unbarcoded = 0
    _copies_merge(record, holdings.barcodes, holdings.items)
    call_number = holdings.holdings_call_number
    if call_number and not record.fields.get("call_number"):
        limit = Record._meta.get_field("call_number").max_length
        if len(call_number) <= limit:
            record.fields["call_number"] = call_number
        else:
            record.notes.append(
                _(
                    "The call number of holdings record %(number)s is longer than %(limit)s characters and is left out."
                )
                % {"number": holdings.number, "limit": limit}
            )


def _same_record_merge(first: MarcEntry, again: MarcEntry) -> None:
    _copies_merge(first, again.barcodes, again.items)
    if search_normalise(again.title) == search_normalise(first.title):
        first.notes.append(
            _("Record %(number)s of this file is the same record; its copies are added to this one.")
            % {"number": again.number}
        )
    else:
        first.notes.append(
            _(
                "Record %(number)s of this file has the same ISBN but the title “%(title)s”; its "
                "copies are added to this record."
            )
            % {"number": again.number, "title": again.title}
        )


def _too_many(report: MarcReport, max_records: int) -> None:
    report.entries = []
    report.problems.append(
        _("The file holds more than %(limit)s records; split it into smaller files.")
        % {"limit": f"{max_records:,}"}
    )


def _iso_records(data: bytes) -> Iterator[bytes]:
    """Each record's bytes (up to its record terminator), one at a time: the file is never held
    twice, as a copy split into records would hold it. What lies between records (line ends,
    blanks, a DOS end-of-file mark) is passed over; whatever follows the last terminator is not
    yielded (see _iso_tail)."""
    start = 0
    while True:
        end = data.find(RECORD_END, start)
        if end < 0:
            return
        chunk = data[start:end]
        start = end + 1
        if chunk.strip(BETWEEN_RECORDS):
            yield chunk


def _iso_tail(data: bytes) -> bool:
    """Whether the file ends in the middle of a record: bytes after the last terminator."""
    return bool(data[data.rfind(RECORD_END) + 1 :].strip(BETWEEN_RECORDS))


def _read_iso2709(data: bytes, report: MarcReport, max_records: int) -> None:
    cut_off = _iso_tail(data)
    count = sum(1 for _chunk in _iso_records(data))
    if count + cut_off > max_records:
        _too_many(report, max_records)
        return
    for number, chunk in enumerate(_iso_records(data), start=1):
        entry = MarcEntry(number=number)
        try:
            leader, raw_fields, notes = _iso_parse(chunk)
            entry.notes += notes
            _iso_decode_and_map(entry, leader, raw_fields)
        except _Unreadable as error:
            entry.problems.append(str(error))
        except Exception:  # a file from elsewhere may be broken in ways nobody foresaw
            logger.warning("MARC record %s could not be read", number, exc_info=True)
            entry = MarcEntry(number=number, problems=[_("This record is damaged and cannot be read.")])
        report.entries.append(entry)
    if cut_off:
        entry = MarcEntry(number=count + 1)
        entry.problems.append(_("The file ends in the middle of this record: it is cut off."))
        report.entries.append(entry)


def _iso_parse(chunk: bytes) -> tuple[str, list[tuple[str, bytes]], list[str]]:
    """The leader and the (tag, raw bytes) of each field of one record, in directory order."""
    chunk = chunk.lstrip(BETWEEN_RECORDS)
    notes: list[str] = []
    try:
        leader = chunk[:24].decode("ascii")
    except UnicodeDecodeError:
        leader = ""
    if len(leader) != 24 or not leader[:5].isdigit() or not leader[12:17].isdigit():
        raise _Unreadable(_("This is not a MARC record: it does not begin with a MARC leader."))
    directory_end = chunk.find(FIELD_END, 24)
    directory = chunk[24:directory_end] if directory_end > 0 else b""
    if not directory or len(directory) % 12:
        raise _Unreadable(_("The record's directory is damaged, so its fields cannot be found."))
    entries = []
    try:
        for offset in range(0, len(directory), 12):
            item = directory[offset : offset + 12].decode("ascii")
            entries.append((item[:3], int(item[3:7]), int(item[7:12])))
    except (UnicodeDecodeError, ValueError):
        raise _Unreadable(_("The record's directory is damaged, so its fields cannot be found.")) from None
    body = chunk[directory_end + 1 :]
    fields: list[tuple[str, bytes]] = []
    for tag, length, start in entries:
        piece = body[start : start + length]
        if length < 1 or len(piece) != length or piece[-1:] != FIELD_END:
            break
        fields.append((tag, piece[:-1]))
    else:
        return leader, fields, notes
    # The directory's lengths are wrong (some systems count characters, not bytes): the fields
    # are still there, in directory order, each ended by a field terminator.
    pieces = body.split(FIELD_END)
    if pieces and not pieces[-1].strip(BETWEEN_RECORDS):
        pieces.pop()
    if len(pieces) != len(entries):
        raise _Unreadable(_("The record's directory does not match its fields, so it cannot be read."))
    return (
        leader,
        [(tag, piece) for (tag, _length, _start), piece in zip(entries, pieces, strict=True)],
        notes,
    )


def _is_control(tag: str) -> bool:
    return tag.isdigit() and tag < "010"


def _iso_split(tag: str, raw: bytes) -> tuple[str, list[tuple[str, bytes]]]:
    """A data field's indicators and (code, raw value) subfields."""
    parts = raw.split(SUBFIELD_MARK)
    indicators = parts[0].decode("ascii", errors="replace")[:2].ljust(2)
    subfields = []
    for part in parts[1:]:
        if not part:
            continue
        code = chr(part[0]) if part[0] < 128 else "?"
        subfields.append((code, part[1:]))
    return indicators, subfields


UTF8, GB18030, MARC8, ISO5426 = "utf-8", "gb18030", "marc-8", "iso5426"
ENCODING_LABELS = {UTF8: "UTF-8", GB18030: "GB18030", MARC8: "MARC-8", ISO5426: "ISO 5426"}
# CNMARC/UNIMARC 100 $a/26-33: the four character sets (G0-G3) the record's text uses. 50 is
# Unicode (ISO 10646), 20 is GB 2312 in Chinese practice ("0120"), 01 is ASCII and 03 (11)
# ISO 5426 extended Latin; the others are 8-bit scripts this system has no table for.
UNIMARC_UNICODE = "50"
UNIMARC_CHINESE = frozenset(["20"])
UNIMARC_LATIN = frozenset(["03", "11"])
UNIMARC_PLAIN = frozenset(["01", "  ", ""])
UNIMARC_UNREADABLE = {
    "02": "ISO-IR 37 (Cyrillic)",
    "04": "ISO 5427 (Cyrillic)",
    "05": "ISO 5428 (Greek)",
    "06": "ISO 6438 (African)",
    "07": "ISO 10586 (Georgian)",
    "08": "ISO 8957 (Hebrew)",
    "09": "ISO 8957 (Hebrew)",
}
CJK_LANGUAGES = frozenset(["chi", "zho", "jpn", "kor"])
# A GB18030 reading of Chinese text finds two-byte characters whose second byte is not ASCII
# (GB 2312 and nearly all of GBK); read as GB18030, MARC-8 or ISO 5426 Latin text finds "pairs"
# of an accent and the ASCII letter after it (P\xe2erigord → P鈋rigord). Below this share of
# the first kind, the bytes are not Chinese.
GB_CHINESE_SHARE = 0.8
MARC8_BYTES = marc8_mapping.CODESETS[0x45]  # ANSEL: code → (character, combining)
# ISO 5426, the extended Latin set of UNIMARC: spacing characters, and the diacritics that,
# as in MARC-8, come before the letter they sit on. 0x88/0x89 mark where sorting starts/ends.
ISO5426_SPACING = {
    0xA1: "¡", 0xA2: "„", 0xA3: "£", 0xA4: "$", 0xA5: "¥", 0xA6: "†", 0xA7: "§", 0xA8: "′",
    0xA9: "‘", 0xAA: "“", 0xAB: "«", 0xAC: "♭", 0xAD: "©", 0xAE: "℗", 0xAF: "®",
    0xB0: "ʻ", 0xB1: "ʼ", 0xB2: "‚", 0xB6: "‡", 0xB7: "·", 0xB8: "″", 0xB9: "’", 0xBA: "”",
    0xBB: "»", 0xBC: "♯", 0xBD: "ʹ", 0xBE: "ʺ", 0xBF: "¿",
    0xE1: "Æ", 0xE2: "Đ", 0xE6: "Ĳ", 0xE8: "Ł", 0xE9: "Ø", 0xEA: "Œ", 0xEC: "Þ",
    0xF1: "æ", 0xF2: "đ", 0xF3: "ð", 0xF5: "ı", 0xF6: "ĳ", 0xF8: "ł", 0xF9: "ø", 0xFA: "œ",
    0xFB: "ß", 0xFC: "þ",
    0x88: "", 0x89: "",
}  # fmt: skip
ISO5426_COMBINING = {
    **dict(
        zip(
            range(0xC0, 0xDC),
            "\u0309\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u0308\u030a\u0315\u0312\u030b"
            "\u031b\u030c\u0327\u031c\u0326\u0328\u0325\u032e\u0323\u0324\u0332\u0333\u0329\u032d",
            strict=True,
        )
    ),
    0xDD: "\ufe20",
    0xDE: "\ufe21",
    0xDF: "\ufe23",
}


@dataclass
class _Decoded:
    text: str
    encoding: str  # the one it was read in
    replaced: bool = False  # some bytes could not be read and are shown as U+FFFD
    unreadable: bool = False  # nothing read it: a problem


def _iso_decode_and_map(entry: MarcEntry, leader: str, raw_fields: list[tuple[str, bytes]]) -> None:
    split = [
        (tag, None, [], raw) if _is_control(tag) else (tag, *_iso_split(tag, raw), b"")
        for tag, raw in raw_fields
    ]
    entry.format = _detect(
        [(tag, {code for code, _value in subfields}) for tag, _ind, subfields, _raw in split]
    )
    encoding, declared_unreadable = _record_encoding(leader, entry.format, split)
    entry.encoding = ENCODING_LABELS[encoding]
    if declared_unreadable:
        entry.problems.append(
            _(
                "The record says (field 100) that its text is in %(charset)s, which this system "
                "cannot read; export it in UTF-8."
            )
            % {"charset": declared_unreadable}
        )
        return
    decoded: dict[bytes, _Decoded] = {}
    for _tag, _ind, subfields, raw in split:
        for value in [raw, *(value for _code, value in subfields)]:
            if value not in decoded:
                decoded[value] = _decode(value, encoding)
    failing = [item for item in decoded.values() if item.unreadable]
    if failing:
        # Another encoding for the fields the record's own does not read: UTF-8 or GB18030 in
        # a Chinese record (one field pasted from elsewhere), never a Chinese reading of a
        # Latin-script record, whose such fields keep the record's encoding with replacements.
        chinese = entry.format != MARC21 or _record_is_cjk(split, decoded)
        for value, item in decoded.items():
            if item.unreadable:
                decoded[value] = _decode_other(value, encoding, chinese=chinese)
    record = pymarc.Record(leader=leader)
    unreadable: set[str] = set()
    replaced: set[str] = set()
    other_encoding: dict[str, str] = {}

    def text(tag: str, value: bytes) -> str:
        item = decoded[value]
        if item.unreadable:
            unreadable.add(tag)
        elif item.replaced:
            replaced.add(tag)
        elif item.encoding != encoding:
            other_encoding[tag] = item.encoding
        return item.text

    for tag, indicators, subfields, raw in split:
        if indicators is None:
            record.add_field(Field(tag=tag, data=text(tag, raw)))
        else:
            record.add_field(
                Field(
                    tag=tag,
                    indicators=Indicators(indicators[0], indicators[1]),
                    subfields=[Subfield(code=code, value=text(tag, value)) for code, value in subfields],
                )
            )
    for tag in sorted(unreadable):
        entry.problems.append(
            _("Field %(tag)s holds text that is neither UTF-8 nor GB18030 and cannot be read.") % {"tag": tag}
        )
    for tag in sorted(replaced):
        entry.notes.append(
            _(
                "Field %(tag)s is not in %(encoding)s as the rest of the record is; the characters "
                "that could not be read are shown as �."
            )
            % {"tag": tag, "encoding": entry.encoding}
        )
    for tag, used in sorted(other_encoding.items()):
        entry.notes.append(
            _("Field %(tag)s was read as %(encoding)s, unlike the rest of the record.")
            % {"tag": tag, "encoding": ENCODING_LABELS[used]}
        )
    _map(entry, record)


def _record_encoding(leader: str, format: str, split) -> tuple[str, str]:
    """The encoding of one record's text, and the name of a character set it declares that
    this system cannot read ("" when none).

    What the record says comes first: MARC21's leader/09 ('a' UTF-8, blank MARC-8),
    CNMARC/UNIMARC's 100 $a/26-33. The bytes decide what it leaves open, and where it is
    contradicted by them: text that is valid UTF-8 is UTF-8, whatever the leader says (many
    systems forget leader/09, and neither MARC-8 nor GB18030 text forms valid UTF-8); a MARC21
    record with a blank leader/09 whose text is unmistakably Chinese (GB18030 as Chinese
    systems write MARC21) is GB18030; a Latin-script record is never read as GB18030."""
    values = [raw for _tag, _ind, _subs, raw in split] + [
        value for _tag, _ind, subfields, _raw in split for _code, value in subfields
    ]
    high = [value for value in values if not _plain(value)]
    if not high:
        return UTF8, ""  # plain ASCII: every reading is the same
    if format == MARC21 or (format != CNMARC and leader[9:10] == "a"):
        declared = UTF8 if leader[9:10] == "a" else MARC8
    else:
        declared = _unimarc_declared(split) or (UTF8 if leader[9:10] == "a" else "")
    escapes = any(b"\x1b" in value for value in high)
    if declared == UTF8:
        return UTF8, ""
    if declared == MARC8 and escapes:
        return MARC8, ""  # escape sequences: MARC-8's other scripts (CJK EACC, Cyrillic …)
    non_ascii = [value for value in high if not value.isascii()]
    if not non_ascii:
        return MARC8, ""  # escape sequences into sets whose bytes are all below 0x80 (EACC)
    if all(_is_utf8(value) for value in non_ascii):
        return UTF8, ""
    if declared in UNIMARC_UNREADABLE.values():
        return UTF8, declared
    if declared == MARC8:
        return (GB18030 if _looks_chinese(non_ascii) else MARC8), ""
    if declared:
        return declared, ""
    # CNMARC or UNIMARC saying nothing usable: Chinese systems write GB18030; a Latin-script
    # UNIMARC record ISO 5426.
    if _looks_chinese(non_ascii):
        return GB18030, ""
    return (ISO5426 if format == CNMARC else MARC8), ""


def _unimarc_declared(split) -> str:
    """The encoding CNMARC/UNIMARC 100 $a/26-33 names (its G0-G3 character sets), or ""."""
    general = next(
        (
            value
            for tag, _ind, subfields, _raw in split
            if tag == "100"
            for code, value in subfields
            if code == "a"
        ),
        b"",
    )
    if len(general) < 30:
        return ""
    sets = [general[26:34].decode("ascii", errors="replace")[i : i + 2].strip() for i in range(0, 8, 2)]
    sets = [code for code in sets if code]
    if UNIMARC_UNICODE in sets:
        return UTF8
    if any(code in UNIMARC_CHINESE for code in sets):
        return GB18030
    if any(code in UNIMARC_LATIN for code in sets):
        return ISO5426
    return next((UNIMARC_UNREADABLE[code] for code in sets if code in UNIMARC_UNREADABLE), "")


def _plain(value: bytes) -> bool:
    """ASCII without escape sequences: text that every encoding reads alike."""
    return value.isascii() and b"\x1b" not in value


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_chinese(values: list[bytes]) -> bool:
    """Whether these bytes are Chinese text in GB18030: they all read as GB18030, and nearly
    every two-byte character found has a second byte that is not ASCII (see GB_CHINESE_SHARE)."""
    chinese = latin = 0
    for value in values:
        try:
            value.decode("gb18030")
        except UnicodeDecodeError:
            return False
        index, length = 0, len(value)
        while index < length:
            if value[index] < 0x80:
                index += 1
                continue
            second = value[index + 1] if index + 1 < length else 0
            if 0x30 <= second <= 0x39:  # a four-byte GB18030 character
                chinese += 1
                index += 4
            else:
                chinese, latin = (chinese + 1, latin) if second >= 0x80 else (chinese, latin + 1)
                index += 2
    return chinese > 0 and chinese >= GB_CHINESE_SHARE * (chinese + latin)


def _record_is_cjk(split, decoded: dict[bytes, _Decoded]) -> bool:
    """Whether a MARC21 record is of a Chinese, Japanese or Korean book: by its language (008/35-37,
    041 $a) or by Chinese characters in the fields that were read."""
    for tag, _ind, subfields, raw in split:
        if tag == "008" and raw[35:38].decode("ascii", errors="replace").lower() in CJK_LANGUAGES:
            return True
        if tag == "041" and any(
            value[:3].decode("ascii", errors="replace").lower() in CJK_LANGUAGES
            for code, value in subfields
            if code == "a"
        ):
            return True
    return any(not item.unreadable and CJK.search(item.text) for item in decoded.values())


def _decode(value: bytes, encoding: str) -> _Decoded:
    """A field's bytes read in the record's encoding; ``unreadable`` when they are not in it."""
    if _plain(value):
        return _Decoded(value.decode("ascii"), encoding)
    if encoding == MARC8:
        if not value.isascii() and _is_utf8(value):  # a UTF-8 field in a MARC-8 record
            return _Decoded(value.decode("utf-8"), UTF8)
        text, clean = _marc8_decode(value)
        return _Decoded(text, MARC8, replaced=not clean)
    if encoding == ISO5426:
        if _is_utf8(value):
            return _Decoded(value.decode("utf-8"), UTF8)
        text, clean = _iso5426_decode(value)
        return _Decoded(text, ISO5426, replaced=not clean)
    try:
        return _Decoded(value.decode(encoding), encoding)
    except UnicodeDecodeError:
        return _Decoded("", encoding, unreadable=True)


def _decode_other(value: bytes, encoding: str, *, chinese: bool) -> _Decoded:
    """A field the record's own encoding (UTF-8 or GB18030) does not read. In a Chinese record:
    the other of the two, else nothing reads it. In a Latin-script one: the record's encoding,
    with replacement marks."""
    if chinese:
        for candidate in (UTF8, GB18030):
            if candidate != encoding:
                try:
                    return _Decoded(value.decode(candidate), candidate)
                except UnicodeDecodeError:
                    pass
        return _Decoded(value.decode("utf-8", errors="replace"), encoding, unreadable=True)
    return _Decoded(value.decode(encoding, errors="replace"), encoding, replaced=True)


def _marc8_decode(value: bytes) -> tuple[str, bool]:
    """MARC-8 by pymarc's decoder; ``False`` when some bytes are not MARC-8 (they become U+FFFD)."""
    if b"\x1b" in value:  # escape sequences into other sets: pymarc follows them
        try:
            return MARC8ToUnicode(quiet=True).translate(value), True
        except Exception:  # pymarc raises anything on broken multi-byte text
            return value.decode("ascii", errors="replace"), False
    pieces: list[str] = []
    clean, start = True, 0
    for index, byte in enumerate(value):
        if byte >= 0x80 and byte not in MARC8_BYTES:
            pieces += [MARC8ToUnicode(quiet=True).translate(value[start:index]), "\ufffd"]
            clean, start = False, index + 1
    rest = value[start:]
    if rest and rest[-1] in MARC8_BYTES and MARC8_BYTES[rest[-1]][1]:
        clean = False  # a diacritic with no letter after it: the text was cut, or is not MARC-8
    pieces.append(MARC8ToUnicode(quiet=True).translate(rest))
    return unicodedata.normalize("NFC", "".join(pieces)), clean


def _iso5426_decode(value: bytes) -> tuple[str, bool]:
    """ISO 5426 (UNIMARC's extended Latin): diacritics come before their letter."""
    out: list[str] = []
    marks: list[str] = []
    clean = True
    for byte in value:
        if byte in ISO5426_COMBINING:
            marks.append(ISO5426_COMBINING[byte])
            continue
        if byte < 0x80:
            char = chr(byte)
        elif byte in ISO5426_SPACING:
            char = ISO5426_SPACING[byte]
        else:
            char, clean = "\ufffd", False
        out += [char, *marks]
        marks = []
    if marks:
        clean = False
    return unicodedata.normalize("NFC", "".join(out)), clean


XML_NATIVE_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin-1", b"utf-16"}
XML_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])""")


def _utf16_of(data: bytes) -> str | None:
    """The codec of XML written in UTF-16: by its byte order mark, or without one by its first
    character (``<`` or white space) being one ASCII byte beside a zero byte."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if len(data) >= 4 and data[0] != 0 and data[1] == 0 and data[2] != 0 and data[3] == 0 and data[0] < 0x80:
        return "utf-16-le"
    if len(data) >= 4 and data[0] == 0 and data[1] != 0 and data[2] == 0 and data[3] != 0 and data[1] < 0x80:
        return "utf-16-be"
    return None


def _doctype_refused(report: MarcReport) -> None:
    report.problems.append(
        _(
            "This XML file declares a document type (DOCTYPE), which is refused for safety; "
            "remove that declaration and try again."
        )
    )


def _read_xml(data: bytes, report: MarcReport, max_records: int) -> None:
    head = data[:4096]
    if _utf16_of(data):  # still UTF-16 here: it did not decode
        report.problems.append(
            _("The XML file says it is in %(encoding)s but holds text that is not.") % {"encoding": "UTF-16"}
        )
        return
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        _doctype_refused(report)
        return
    declared = XML_ENCODING.match(head.lstrip(b"\xef\xbb\xbf"))
    encoding = declared.group(2).decode("ascii").upper() if declared else "UTF-8"
    # Python's XML parser reads no multi-byte Chinese encoding (GB2312, GBK, GB18030, Big5):
    # such a file is turned into UTF-8 first, its declaration with it.
    if declared and declared.group(2).lower() not in XML_NATIVE_ENCODINGS:
        name = declared.group(2).decode("ascii")
        if name.lower() in ("gb2312", "gbk", "cp936", "euc-cn"):
            name = "gb18030"  # the superset: a GBK file is a GB18030 file
        try:
            text = data.decode(name)
        except LookupError:
            report.problems.append(
                _("The XML file is in an encoding this system does not know: %(encoding)s.")
                % {"encoding": name}
            )
            return
        except UnicodeDecodeError:
            report.problems.append(
                _("The XML file says it is in %(encoding)s but holds text that is not.") % {"encoding": name}
            )
            return
        data = XML_ENCODING.sub(rb"\1UTF-8\3", text.encode("utf-8"), count=1)
        # The ban is checked again on the decoded text: in another encoding it could hide.
        if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
            _doctype_refused(report)
            return
    handler = _XmlHandler(max_records)
    # defusedxml's parser, which refuses any document type, entity or external reference that
    # got past the checks above, as pymarc.marcxml.parse_xml would with the standard one.
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(handler)
    parser.setFeature(xml.sax.handler.feature_namespaces, 1)
    try:
        parser.parse(io.BytesIO(data))
    except _TooMany:
        _too_many(report, max_records)
        return
    except DefusedXmlException:
        _doctype_refused(report)
        return
    except Exception as error:  # a damaged file, whatever the parser or pymarc raises
        if isinstance(error, xml.sax.SAXParseException):
            line = error.getLineNumber()
        else:
            logger.warning("MARCXML could not be read", exc_info=True)
            line = handler.line()
        report.problems.append(_("The XML file is damaged near line %(line)s.") % {"line": line})
        return
    if not handler.records and not handler.root_is_marc():
        namespace, element = handler.root or (None, "?")
        report.problems.append(
            _(
                "This XML file is not MARCXML: it begins with <%(element)s>%(namespace)s, not a MARC "
                "<collection> or <record>, and holds no MARC records."
            )
            % {"element": element, "namespace": f" ({namespace})" if namespace else ""}
        )
        return
    for number, record in enumerate(handler.records, start=1):
        entry = MarcEntry(number=number, encoding=encoding)
        if isinstance(record, _DamagedRecord):
            entry.problems.append(record.problem)
            report.entries.append(entry)
            continue
        try:
            entry.format = _detect(
                [(item.tag, {sub.code for sub in item.subfields}) for item in record.fields]
            )
            _map(entry, record)
        except Exception:  # a file from elsewhere may be broken in ways nobody foresaw
            logger.warning("MARCXML record %s could not be read", number, exc_info=True)
            entry = MarcEntry(number=number, problems=[_("This record is damaged and cannot be read.")])
        report.entries.append(entry)


class _TooMany(Exception):
    pass


@dataclass
class _DamagedRecord:
    problem: str


# The namespaces of MARC records in XML: MARC21 slim (MARCXML), MARCXchange (ISO 25577, also
# for UNIMARC), and none. Elements of any other (an SRU response around the records, an ISO
# 20775 holdings file) are not MARC and are passed over.
MARC_XML_NAMESPACES = frozenset(
    [None, "", pymarc.marcxml.MARC_XML_NS, "info:lc/xmlns/marcxchange-v1", "info:lc/xmlns/marcxchange-v2"]
)
MARC_XML_CONTENT = frozenset(["leader", "controlfield", "datafield"])


class _XmlHandler(pymarc.XmlHandler):
    """pymarc's handler for the MARC namespaces (MARC21 slim, MARCXchange, none), with a limit.

    A record counts when it holds a leader or a field. An element of a record that pymarc
    cannot take (a field without its tag, a subfield without its code, …) makes that record
    a ``_DamagedRecord`` saying where, and the others are read on."""

    def __init__(self, max_records: int):
        super().__init__(strict=False)
        self.max_records = max_records
        self._locator = None
        self.root: tuple[str | None, str] | None = None
        self._damage = ""
        self._marc_content = False

    def setDocumentLocator(self, locator):
        self._locator = locator

    def line(self):
        return self._locator.getLineNumber() if self._locator is not None else "?"

    def root_is_marc(self) -> bool:
        return (
            self.root is not None
            and self.root[0] in MARC_XML_NAMESPACES
            and self.root[1] in ("collection", "record")
        )

    def startElementNS(self, name, qname, attrs):
        if self.root is None:
            self.root = name
        if name[0] not in MARC_XML_NAMESPACES:
            return
        element = name[1]
        if element == "record":
            self._damage, self._marc_content = "", False
            self._field = self._subfield_code = None
            super().startElementNS(name, qname, attrs)
            return
        if self._record is None or self._damage:
            return
        self._marc_content = self._marc_content or element in MARC_XML_CONTENT
        missing = {"controlfield": "tag", "datafield": "tag", "subfield": "code"}.get(element)
        if missing and not attrs.get((None, missing)):
            self._damaged(
                _(
                    "This record is damaged near line %(line)s: a <%(element)s> without its "
                    "“%(attribute)s” attribute."
                )
                % {"line": self.line(), "element": element, "attribute": missing}
            )
            return
        try:
            super().startElementNS(name, qname, attrs)
        except Exception:  # whatever pymarc raises on an element it cannot take
            logger.info("MARCXML element could not be read", exc_info=True)
            self._damaged(
                _("This record is damaged near line %(line)s and cannot be read.") % {"line": self.line()}
            )

    def endElementNS(self, name, qname):
        if name[0] not in MARC_XML_NAMESPACES:
            return
        element = name[1]
        if element == "record":
            if self._record is None:
                return
            if self._damage:
                self.process_record(_DamagedRecord(self._damage))
            elif self._marc_content:
                super().endElementNS(name, qname)
            self._record = self._field = self._subfield_code = None
            self._text = []
            return
        if self._record is None or self._damage:
            self._text = []
            return
        if element == "leader":
            # A leader of the wrong length is padded or cut to 24 characters, as it would be
            # read anyway; the fields are what matters.
            text = "".join(self._text)
            self._text = [text[:24].ljust(24)]
        try:
            super().endElementNS(name, qname)
        except Exception:  # whatever pymarc raises on an element it cannot take
            logger.info("MARCXML element could not be read", exc_info=True)
            self._damaged(
                _("This record is damaged near line %(line)s and cannot be read.") % {"line": self.line()}
            )

    def _damaged(self, problem: str) -> None:
        self._damage = problem
        self._field = self._subfield_code = None
        self._text = []

    def process_record(self, record):
        if len(self.records) >= self.max_records:
            raise _TooMany()
        super().process_record(record)


def _detect(fields: Iterable[tuple[str, set[str]]]) -> str:
    """CNMARC or MARC21, from the fields a record has: a title in 200 $a and no 245 is CNMARC,
    a 245 and no 200 $a is MARC21; otherwise the tags only one of them uses decide."""
    fields = list(fields)
    tags = {tag for tag, _codes in fields}
    has_200a = any(tag == "200" and "a" in codes for tag, codes in fields)
    if has_200a and "245" not in tags:
        return CNMARC
    if "245" in tags and not has_200a:
        return MARC21
    cnmarc, marc21 = len(tags & CNMARC_TAGS), len(tags & MARC21_TAGS)
    if cnmarc != marc21:
        return CNMARC if cnmarc > marc21 else MARC21
    return ""


# --- mapping -------------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    text = CONTROL_CHARACTERS.sub("", unicodedata.normalize("NFC", text or ""))
    return " ".join(text.split())


def _strip_isbd(text: str) -> str:
    """Without the punctuation that separates ISBD areas (a trailing " /", " :", " ;", " =", ",")."""
    text = _clean(text)
    previous = None
    while text != previous:
        previous = text
        text = re.sub(r"\s*[/:;=,]\s*$", "", text).strip()
        if text.endswith(".") and not re.search(r"(?:\b[A-Z]|\.\.|etc)\.$", text):
            text = text[:-1].rstrip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1].strip()
    return text


def _values(record: pymarc.Record, tags: str, codes: str) -> list[str]:
    found = []
    for item in record.get_fields(*tags.split()):
        if item.is_control_field():
            continue
        for subfield in item.subfields:
            if subfield.code in codes:
                value = _clean(subfield.value)
                if value:
                    found.append(value)
    return found


def _first(record: pymarc.Record, tags: str, codes: str) -> str:
    found = _values(record, tags, codes)
    return found[0] if found else ""


def _control(record: pymarc.Record, tag: str) -> str:
    item = record.get(tag)
    return item.data if item is not None and item.is_control_field() and item.data else ""


def _role(*words: str) -> str | None:
    for word in words:
        word = _clean(word).lower().strip(" .,;:()[]（）")
        if word.startswith("等"):
            word = word[1:]
        if word in ROLE_WORDS:
            return ROLE_WORDS[word]
    return None


def _role_marc21(item: Field) -> str | None:
    """A MARC21 name's role from its relator terms ($e), else its codes ($4): the first one
    known, except that a name both author and editor (aut and edt) edited and wrote the book
    (编著), as the export writes that role."""
    for code in ("e", "4"):
        roles = [_role(word) for word in item.get_subfields(code)]
        if {A, E} <= set(roles):
            return Contributor.Role.EDITOR_AUTHOR
        found = next((role for role in roles if role), None)
        if found:
            return found
    return None


def _name(item: Field) -> str:
    main = _strip_isbd(item.get("a") or "")
    rest = _strip_isbd(item.get("b") or "")
    if main and rest:
        return f"{main}, {rest}" if main.isascii() and rest.isascii() else main + rest
    return main


def _statement_parse(text: str) -> list[tuple[str, str]]:
    """Authors from a statement of responsibility (200 $f, 245 $c): 曹文轩著 → 曹文轩, author;
    (英)J.K.罗琳著 → J.K.罗琳; 张三, 李四译 → both translators; by J. K. Rowling → author."""
    text = _strip_isbd(text)
    if not text:
        return []
    people: list[tuple[str, str | None]] = []
    if CJK.search(text):
        for part in re.split(r"\s*[;；,，、]\s*|\s+(?=[(\[（〔【［])", text):
            part = NATIONALITY.sub("", part).strip()
            if part.endswith("等") and len(part) > 1:
                part = part[:-1]
            role = None
            for suffix in STATEMENT_SUFFIXES:
                if part.endswith(suffix) and len(part) > len(suffix):
                    part, role = part[: -len(suffix)], ROLE_WORDS[suffix]
                    break
            part = re.sub(r"等$", "", part.strip())
            if part:
                people.append((part, role))
    else:
        for part in re.split(r"\s*;\s*", text):
            role = None
            for pattern, candidate in ENGLISH_STATEMENT:
                if pattern.match(part):
                    part, role = pattern.sub("", part), candidate
                    break
            for name in re.split(r"\s*(?:,|\band\b|&)\s*", part):
                if name.strip():
                    people.append((name.strip(), role or A))
    # A name without its own role word takes the next one's: 张三、李四译 are both translators.
    resolved: list[tuple[str, str]] = []
    for index, (name, role) in enumerate(people):
        if role is None:
            role = next((later for _name, later in people[index + 1 :] if later), A)
        resolved.append((name, role))
    return resolved


def _map(entry: MarcEntry, record: pymarc.Record) -> None:
    entry.control_number = _clean(_control(record, "001"))
    if str(record.leader)[6:7] in HOLDINGS_TYPES:
        _map_holdings(entry, record)
        _map_items(entry, record)
        return
    if entry.format == CNMARC:
        fields, contributors, barcodes = _map_cnmarc(entry, record)
    elif entry.format == MARC21:
        fields, contributors, barcodes = _map_marc21(entry, record)
    else:
        entry.problems.append(_("Cannot tell whether this record is MARC21 or CNMARC."))
        # Its title at least, so that the librarian can find the record in the file.
        fields = {"title": _strip_isbd(_first(record, "200 245", "a"))}
        contributors, barcodes = [], []
    # Short texts (a publisher, a place, a size, a class) repeat from record to record: one
    # string each, not one per record, in the report of a large file.
    entry.fields = {
        name: intern(value) if value.__class__ is str and len(value) <= SHARED_TEXT else value
        for name, value in fields.items()
        if value not in ("", None)
    }
    entry.contributors = []
    for name, role in contributors:
        name = _clean(name)
        if len(name) > NAME_LIMIT:
            entry.notes.append(
                _("An author's name was cut to %(limit)s characters: %(name)s")
                % {"limit": NAME_LIMIT, "name": name[:NAME_LIMIT]}
            )
            name = name[:NAME_LIMIT]
        if name and (name, role) not in entry.contributors:
            entry.contributors.append((intern(name) if len(name) <= SHARED_TEXT else name, role))
    entry.barcodes = [_clean(barcode) for barcode in barcodes if _clean(barcode)]
    _map_items(entry, record)
    _fields_fit(entry)


def _map_items(entry: MarcEntry, record: pymarc.Record) -> None:
    """The copies as the migration's profile reads them, when a migration reads the file."""
    items_reader = _ITEMS_READER.get()
    if items_reader is not None:
        entry.items = items_reader(record)
        entry.barcodes = [item["barcode"] for item in entry.items if item.get("barcode")]


def _map_holdings(entry: MarcEntry, record: pymarc.Record) -> None:
    """A MARC21 holdings record: whose copies (004), their barcodes (852 $p, and 876-878 $p for
    each item) and call number (852 $h/$i). Its copies join that record in _records_link."""
    entry.holdings = True
    entry.format = entry.format or MARC21
    entry.holdings_of = _clean(_control(record, "004"))
    entry.barcodes = [_clean(value) for value in _values(record, "852 876 877 878", "p")]
    location = record.get("852")
    if location is not None and location.get("h"):
        entry.holdings_call_number = _call_number(location.get("h") or "", location.get("i") or "")


def _map_cnmarc(entry: MarcEntry, record: pymarc.Record):
    title_field = next((item for item in record.get_fields("200") if item.get("a")), None)
    title, subtitle, statement = "", "", ""
    if title_field is not None:
        title = " ; ".join(_strip_isbd(value) for value in title_field.get_subfields("a") if _clean(value))
        parts = [_strip_isbd(value) for value in title_field.get_subfields("h", "i") if _clean(value)]
        if parts:
            title = " ".join([title, *parts])
        subtitle = " : ".join(_strip_isbd(value) for value in title_field.get_subfields("e") if _clean(value))
        statement = " ; ".join(_clean(value) for value in title_field.get_subfields("f", "g"))
    fields = {"title": title, "subtitle": subtitle}
    fields["isbn"], fields["price"] = _isbn_and_price(entry, record, "010", price_code="d")
    publication = "210" if record.get("210") is not None else "214"
    fields["place"] = _strip_isbd(_first(record, publication, "a"))
    fields["publisher"] = _strip_isbd(_first(record, publication, "c"))
    year_text = _first(record, publication, "d")
    if not year_text:
        general = _first(record, "100", "a")
        year_text = general[9:13] if len(general) >= 13 else ""
    fields["year"] = _year(entry, year_text)
    fields["edition"] = _strip_isbd(_first(record, "205", "a"))
    fields["pages"] = _pages(_first(record, "215", "a"))
    fields["size"] = _strip_isbd(_first(record, "215", "d"))
    fields["series"] = _series(record, "225", "a", "v")
    fields["summary"] = "\n".join(_values(record, "330", "a"))
    fields["subjects"] = _subjects(record, "600 601 602 604 605 606 607 608", "610")
    fields["clc_code"] = _first(record, "690", "a") or _clc_from(record, "686")
    class_part, book_part = _first(record, "905", "d"), _first(record, "905", "e")
    fields["call_number"] = _call_number(class_part or fields["clc_code"], book_part)
    fields["language"] = _language(_first(record, "101", "a"))
    fields["link"], link_too_long = _link(entry, record)
    fields["material_type"] = _material(
        entry, record.leader, fields["link"], link_too_long, electronic="l", audio_visual="gij"
    )
    contributors = []
    for item in record.get_fields("700", "701", "702", "710", "711", "712"):
        name = _name(item)
        if name:
            contributors.append((name, _role(*item.get_subfields("4")) or A))
    if not contributors and statement:
        contributors = _statement_parse(statement)
    barcodes = _values(record, "905", "b")
    return fields, contributors, barcodes


LINKAGE = re.compile(r"^\s*(\d{3})-(\d{2})")


def _vernacular(record: pymarc.Record) -> pymarc.Record:
    """The record with its Chinese, Japanese or Korean script in place of the romanisation.

    A MARC21 record of a Chinese book catalogued abroad gives the title, names and imprint in
    romanisation (245 $a Na han) and in the vernacular in an 880 field linked to them by $6
    (245 $6 880-01 ↔ 880 $6 245-01/$1 $a 呐喊). For a Chinese library the vernacular is the
    record: each field with a CJK 880 partner is read from that 880 (the romanised title stays
    findable by the pinyin the catalogue makes of it); an 880 in another script is left aside,
    and an 880 whose partner is missing stands in for a field the record lacks."""
    partners: dict[tuple[str, str], Field] = {}
    for item in record.get_fields("880"):
        match = LINKAGE.match(item.get("6") or "")
        values = [sub.value for sub in item.subfields if sub.code != "6"]
        if match and any(CJK.search(value or "") for value in values):
            partners.setdefault((match.group(1), match.group(2)), item)
    if not partners:
        return record

    def field_from(tag: str, item: Field) -> Field:
        return Field(
            tag=tag,
            indicators=item.indicators,
            subfields=[Subfield(sub.code, sub.value) for sub in item.subfields if sub.code != "6"],
        )

    vernacular = pymarc.Record(leader=str(record.leader))
    used: set[tuple[str, str]] = set()
    for item in record.fields:
        if item.tag == "880":
            continue
        link = "" if item.is_control_field() else (item.get("6") or "")
        match = re.match(r"^\s*880-(\d{2})", link)
        key = (item.tag, match.group(1)) if match else None
        if key in partners:
            vernacular.add_field(field_from(item.tag, partners[key]))
            used.add(key)
        else:
            vernacular.add_field(item)
    tags = {item.tag for item in vernacular.fields}
    for (tag, _occurrence), item in partners.items():
        if (tag, _occurrence) not in used and tag not in tags and not _is_control(tag):
            vernacular.add_field(field_from(tag, item))
            tags.add(tag)
    return vernacular


def _map_marc21(entry: MarcEntry, record: pymarc.Record):
    record = _vernacular(record)
    title_field = record.get("245")
    title, subtitle, statement = "", "", ""
    if title_field is not None:
        title = " ".join(
            _strip_isbd(value) for value in title_field.get_subfields("a", "n", "p") if _clean(value)
        )
        subtitle = _strip_isbd(" ".join(title_field.get_subfields("b")))
        statement = " ; ".join(_clean(value) for value in title_field.get_subfields("c"))
    fields = {"title": title, "subtitle": subtitle}
    fields["isbn"], fields["price"] = _isbn_and_price(entry, record, "020", price_code="c")
    publication = next(
        (item for item in record.get_fields("264") if item.indicator2 == "1"), None
    ) or record.get("260")
    fixed = _control(record, "008")
    if publication is not None:
        fields["place"] = _strip_isbd(publication.get("a") or "")
        fields["publisher"] = _strip_isbd(publication.get("b") or "")
        year_text = publication.get("c") or ""
    else:
        year_text = ""
    fields["year"] = _year(entry, year_text or (fixed[7:11] if len(fixed) >= 11 else ""))
    fields["edition"] = _strip_isbd(_first(record, "250", "a"))
    fields["pages"] = _pages(_first(record, "300", "a"))
    fields["size"] = _strip_isbd(_first(record, "300", "c"))
    fields["series"] = _series(record, "490 440 830", "a", "v")
    fields["summary"] = "\n".join(_values(record, "520", "ab"))
    fields["subjects"] = _subjects(record, "600 610 611 630 650 651", "653")
    fields["clc_code"] = _first(record, "093", "a") or _clc_from(record, "084")
    holding = record.get("852")
    call_class = (holding.get("h") or "") if holding is not None else ""
    call_item = (holding.get("i") or "") if holding is not None else ""
    fields["call_number"] = _call_number(_clean(call_class), _clean(call_item)) if call_class else ""
    language = _first(record, "041", "a")[:3] or (fixed[35:38] if len(fixed) >= 38 else "")
    fields["language"] = _language(language)
    fields["link"], link_too_long = _link(entry, record)
    fields["material_type"] = _material(
        entry, record.leader, fields["link"], link_too_long, electronic="m", audio_visual="gij"
    )
    contributors = []
    for item in record.get_fields("100", "110", "111", "700", "710", "711"):
        name = _name(item) if item.tag in ("100", "700") else _strip_isbd(item.get("a") or "")
        if name:
            contributors.append((name, _role_marc21(item) or A))
    if not contributors and statement:
        contributors = _statement_parse(statement)
    # MARC21 holdings: 852 $p is the barcode (852 $b is a sub-location, not a barcode), 949 $b
    # as several systems export it, 952 $p as Koha does.
    barcodes = _values(record, "852", "p") + _values(record, "949", "b") + _values(record, "952", "p")
    return fields, contributors, barcodes


def _isbn_and_price(entry: MarcEntry, record: pymarc.Record, tag: str, *, price_code: str):
    isbn, invalid, price = "", [], None
    for item in record.get_fields(tag):
        for value in item.get_subfields("a"):
            token = _isbn_token(value)
            if not token:
                continue
            try:
                normalised = isbn_normalise(token)
            except InvalidISBN:
                invalid.append(token)
                continue
            isbn = isbn or normalised
        if price is None:
            for value in item.get_subfields(price_code):
                price = _price(entry, value)
                if price is not None:
                    break
    if invalid and not isbn:
        entry.isbn_given = invalid[0]
        entry.problems.append(_("Invalid ISBN: %(isbn)s.") % {"isbn": invalid[0]})
    elif invalid:
        entry.notes.append(
            _("Another ISBN of the record, %(isbn)s, is not valid and was left out.") % {"isbn": invalid[0]}
        )
    return isbn, price


def _isbn_token(value: str) -> str:
    """The ISBN at the start of 010 $a / 020 $a, without what follows ("(pbk.) : CNY25.00")."""
    value = _clean(value)
    match = ISBN_TOKEN.search(value)
    if match:
        return match.group(0).strip()
    return value if isbn_clean(value) else ""


def _price(entry: MarcEntry, text: str) -> Decimal | None:
    text = _clean(text)
    if not text:
        return None
    currency = re.match(r"^\s*([A-Za-z]{3})", text)
    if currency and currency.group(1).upper() not in ("CNY", "RMB"):
        entry.notes.append(_("Price “%(value)s” is not in yuan and is left empty.") % {"value": text})
        return None
    number = NUMBER.search(unicodedata.normalize("NFKC", text))
    try:
        price = Decimal(number.group(0)).quantize(Decimal("0.01")) if number else None
    except InvalidOperation:
        price = None
    if price is None or price >= Decimal("100000000"):
        entry.notes.append(_("Price “%(value)s” was not understood and is left empty.") % {"value": text})
        return None
    return price


def _year(entry: MarcEntry, text: str) -> int | None:
    text = _clean(text)
    if not text:
        return None
    match = YEAR.search(unicodedata.normalize("NFKC", text))
    if match is None:
        entry.notes.append(_("Year “%(value)s” was not understood and is left empty.") % {"value": text})
        return None
    return int(match.group(1))


def _pages(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", _clean(text))
    numbers = [int(value) for value in PAGES.findall(text)]
    if not numbers and text.isdigit():
        numbers = [int(text)]
    pages = max(numbers) if numbers else None
    return pages if pages and pages < 100_000 else None


def _series(record: pymarc.Record, tags: str, title_code: str, volume_code: str) -> str:
    for item in record.get_fields(*tags.split()):
        name = _strip_isbd(item.get(title_code) or "")
        if name:
            volume = _strip_isbd(item.get(volume_code) or "")
            return f"{name} ; {volume}" if volume else name
    return ""


def _subjects(record: pymarc.Record, heading_tags: str, keyword_tags: str) -> str:
    terms: list[str] = []
    for item in record.get_fields(*heading_tags.split()):
        parts = [_strip_isbd(value) for value in item.get_subfields("a", "x", "y", "z", "v", "j")]
        term = "-".join(part for part in parts if part)
        if term:
            terms.append(term)
    for item in record.get_fields(*keyword_tags.split()):
        terms += [_strip_isbd(value) for value in item.get_subfields("a") if _strip_isbd(value)]
    return "; ".join(dict.fromkeys(terms))


def _clc_from(record: pymarc.Record, tag: str) -> str:
    """A class number from 084 (MARC21) or 686 (CNMARC) whose $2 names the CLC."""
    for item in record.get_fields(tag):
        if any(_clean(source).lower().startswith(("clc", "中图")) for source in item.get_subfields("2")):
            value = _clean(item.get("a") or "")
            if value:
                return value
    return ""


def _call_number(class_part: str, book_part: str) -> str:
    class_part, book_part = _clean(class_part), _clean(book_part)
    if class_part and book_part:
        return f"{class_part}/{book_part}"
    return ""


def _language(code: str) -> str:
    code = _clean(code).lower()[:3]
    if not code:
        return Record.Language.CHINESE
    return {
        "chi": Record.Language.CHINESE,
        "zho": Record.Language.CHINESE,
        "eng": Record.Language.ENGLISH,
    }.get(code, Record.Language.OTHER)


LINK_LIMIT = Record._meta.get_field("link").max_length


def _link(entry: MarcEntry, record: pymarc.Record) -> tuple[str, bool]:
    """The record's web address (the first 856 $u that is one and fits the catalogue's field),
    and whether it had one that is left out for its length. A link that is not kept is noted,
    never a problem."""
    kept, too_long = "", False
    for url in _values(record, "856", "u"):
        if kept:
            break
        try:
            URLValidator()(url)
        except ValidationError:
            entry.notes.append(
                _("Link “%(value)s” is not a web address and is left out.") % {"value": url[:100]}
            )
            continue
        if len(url) > LINK_LIMIT:
            too_long = True
            entry.notes.append(
                _(
                    "The link in field 856 $u is longer than the catalogue keeps (%(limit)s characters) "
                    "and is left out: %(value)s…"
                )
                % {"limit": LINK_LIMIT, "value": url[:100]}
            )
            continue
        kept = url
    return kept, too_long


def _material(
    entry: MarcEntry, leader, link: str, link_too_long: bool, *, electronic: str, audio_visual: str
) -> str:
    kind = str(leader)[6:7]
    if kind and kind in electronic and link:
        return Record.MaterialType.E_RESOURCE
    if kind and kind in electronic and link_too_long:
        # The catalogue keeps no e-resource without its link: the record comes in as a book,
        # and becomes an e-resource when someone gives it a shorter link.
        entry.notes.append(
            _(
                "Without its link the record is imported as a book; give it a shorter link to make it an e-resource."
            )
        )
    if kind and kind in audio_visual:
        return Record.MaterialType.AUDIO_VISUAL
    return Record.MaterialType.BOOK


def _field_label(name: str) -> str:
    return capfirst(str(Record._meta.get_field(name).verbose_name))


def _fields_fit(entry: MarcEntry) -> None:
    """Descriptive text too long for its field is cut (and said so); a title, class number or
    call number too long is a problem: cutting it would make it wrong."""
    fields = entry.fields
    for name in NEVER_CUT:
        limit = Record._meta.get_field(name).max_length
        if len(fields.get(name, "")) > limit:
            entry.problems.append(
                _("%(field)s is longer than %(limit)s characters: %(value)s")
                % {"field": _field_label(name), "limit": limit, "value": fields[name][:80]}
            )
    for name in CUT_HARMLESS:
        limit = Record._meta.get_field(name).max_length
        value = fields.get(name, "")
        if len(value) <= limit:
            continue
        if name == "subjects":
            kept: list[str] = []
            for term in value.split("; "):
                if len("; ".join([*kept, term])) > limit:
                    break
                kept.append(term)
            fields[name] = "; ".join(kept) or value[:limit]
        else:
            fields[name] = value[: limit - 1] + "…"
        entry.notes.append(
            _("%(field)s was cut to %(limit)s characters.") % {"field": _field_label(name), "limit": limit}
        )


# --- checking against the catalogue -------------------------------------------------------------


def marc_check(report: MarcReport, *, existing: str = SKIP, catalogue_barcodes: bool = True) -> MarcReport:
    """Add to each entry the problems the catalogue reveals; reads only. ``existing`` says what
    happens to a record whose ISBN the catalogue has: SKIP, or ADD_COPIES to that record.
    ``catalogue_barcodes=False`` leaves the barcodes the catalogue has to the caller (a
    migration run again finds its own copies there)."""
    if report.refused or report.checked:
        return report
    report.checked = True
    classes: dict[str, str | None] = {}
    for entry in report.entries:
        if entry.problems and not entry.fields:
            continue
        if not entry.fields.get("title"):
            entry.problems.append(_("The record has no title (CNMARC 200 $a, MARC21 245 $a)."))
        code = clc_normalise(entry.fields.get("clc_code", ""))
        if code:
            entry.fields["clc_code"] = code
            if code not in classes:
                try:
                    clc_resolve(code)
                    classes[code] = None
                except UnknownClass:
                    classes[code] = _("Unknown CLC class: %(code)s.") % {"code": code}
            if classes[code]:
                entry.problems.append(classes[code])
        _model_check(entry)
    _isbns_check(report, existing)
    _barcodes_check(report, catalogue=catalogue_barcodes)
    return report


def _model_check(entry: MarcEntry) -> None:
    """What the model itself would refuse (lengths, ranges, choices), in the librarian's words."""
    if not entry.fields.get("title"):
        return
    # A field already reported as too long is not reported twice.
    too_long = [
        name
        for name in NEVER_CUT
        if len(entry.fields.get(name, "")) > Record._meta.get_field(name).max_length
    ]
    try:
        # Record.full_clean without the unique and constraint checks, which is clean_fields
        # (Record has no clean() of its own), checked the quicker way for 50,000 records.
        fields_clean(Record(**entry.fields), exclude=[*DERIVED_FIELDS, *too_long])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = _field_label(name) if name in RECORD_FIELDS else name
            for message in messages:
                problem = f"{label}: {message}"
                if problem not in entry.problems:
                    entry.problems.append(problem)


def _isbns_check(report: MarcReport, existing: str) -> None:
    first_with: dict[str, int] = {}
    for entry in report.entries:
        isbn = entry.fields.get("isbn")
        if not isbn or not entry.valid:
            continue
        if isbn in first_with:
            entry.problems.append(
                _("Record %(number)s of this file has the same ISBN.") % {"number": first_with[isbn]}
            )
        else:
            first_with[isbn] = entry.number
    found: dict[str, tuple[int, str]] = {}
    isbns = list(first_with)
    for start in range(0, len(isbns), 500):
        for pk, isbn, title in (
            Record.objects.filter(isbn__in=isbns[start : start + 500])
            .order_by("-pk")
            .values_list("pk", "isbn", "title")
        ):
            found[isbn] = (pk, title)  # ordered by -pk: the oldest record wins
    for entry in report.entries:
        isbn = entry.fields.get("isbn")
        if entry.valid and isbn in found:
            entry.existing_pk, entry.existing_title = found[isbn]
            entry.existing_action = existing


def _barcodes_check(report: MarcReport, *, catalogue: bool = True) -> None:
    first_with: dict[str, int] = {}
    for entry in report.entries:
        if not entry.valid or entry.skipped or not entry.barcodes:
            continue
        if len(entry.barcodes) > MAX_COPIES_AT_ONCE:
            entry.problems.append(
                _("The record has more than %(limit)s copies.") % {"limit": MAX_COPIES_AT_ONCE}
            )
            continue
        seen: set[str] = set()
        for barcode in entry.barcodes:
            if len(barcode) > BARCODE_LIMIT:
                entry.problems.append(
                    _("Barcode %(barcode)s is longer than %(limit)s characters.")
                    % {"barcode": barcode[:40], "limit": BARCODE_LIMIT}
                )
            elif barcode in seen:
                entry.problems.append(
                    _("Barcode %(barcode)s appears twice in this record.") % {"barcode": barcode}
                )
            elif barcode in first_with:
                entry.problems.append(
                    _("Barcode %(barcode)s is also given to record %(number)s of this file.")
                    % {"barcode": barcode, "number": first_with[barcode]}
                )
            seen.add(barcode)
        if entry.valid:
            for barcode in entry.barcodes:
                first_with[barcode] = entry.number
    if not catalogue:
        return
    barcodes = list(first_with)
    taken: set[str] = set()
    for start in range(0, len(barcodes), 500):
        taken |= set(
            Copy.objects.filter(barcode__in=barcodes[start : start + 500]).values_list("barcode", flat=True)
        )
    for entry in report.entries:
        if entry.valid and not entry.skipped:
            for barcode in entry.barcodes:
                if barcode in taken:
                    entry.problems.append(
                        _("Barcode %(barcode)s is already used by a copy in the catalogue.")
                        % {"barcode": barcode}
                    )


def marc_preview(data: bytes, *, existing: str = SKIP, max_bytes: int | None = None) -> MarcReport:
    """Read and check: what an import of this file would do, with every record's problems."""
    return marc_check(marc_read(data, max_bytes=max_bytes), existing=existing)


# --- saving ---------------------------------------------------------------------------------------


class MarcImportRefused(CatalogError):
    default_message = gettext_lazy("The import was refused; nothing was saved.")


@dataclass
class MarcImportResult:
    records_created: list[int] = field(default_factory=list)
    copies_created: int = 0
    records_given_copies: list[int] = field(default_factory=list)
    skipped: int = 0
    invalid: int = 0


@transaction.atomic
def marc_import(
    *,
    data: bytes = b"",
    copies_per_record: int,
    location: Location,
    existing: str = SKIP,
    skip_invalid: bool = False,
    expected: Iterable[int] | None = None,
    user=None,
    progress: Callable[[int, int], None] | None = None,
    checked: MarcReport | None = None,
) -> MarcImportResult:
    """Save the valid records of a MARC file, with their copies, in one transaction.

    The file is read and checked again here, inside the transaction, unless ``checked`` is the
    report marc_preview made of this data inside the caller's own transaction (the command line
    previews and saves in one, with no one to confirm in between: one reading, not two, of a
    large file). Refused, with nothing
    saved: a file refused as a whole; a file with invalid records unless ``skip_invalid``;
    a file whose valid records are no longer those the librarian confirmed (``expected``: the
    numbers shown in the preview) because the catalogue changed meanwhile; any record or copy
    the catalogue refuses while saving. ``progress(done, total)`` is called as records are
    saved (after each SAVE_BATCH records, the last time at the end), for a job's progress bar.
    """
    if not 0 <= copies_per_record <= MAX_COPIES_AT_ONCE:
        raise MarcImportRefused(
            _("Choose between 0 and %(limit)s copies per record.") % {"limit": MAX_COPIES_AT_ONCE}
        )
    if existing not in (SKIP, ADD_COPIES):
        raise ValueError(f"existing must be {SKIP!r} or {ADD_COPIES!r}")
    report = checked if checked is not None else marc_preview(data, existing=existing)
    if report.refused:
        raise MarcImportRefused(" ".join(report.problems))
    if expected is not None and sorted(expected) != report.valid_numbers:
        raise MarcImportRefused(
            _(
                "The catalogue changed since the preview, and so did the records that can be imported. Look at the preview again."
            )
        )
    if report.invalid_entries and not skip_invalid:
        raise MarcImportRefused(
            _("%(count)s records have problems; nothing was saved.") % {"count": len(report.invalid_entries)}
        )
    if not report.valid_entries:
        raise MarcImportRefused(_("The file holds no record that can be imported."))
    result = MarcImportResult(invalid=len(report.invalid_entries))
    existing_records = {
        record.pk: record
        for record in Record.objects.filter(pk__in={e.existing_pk for e in report.existing_entries})
    }
    entries = report.valid_entries
    # The report lets go of its entries, and each batch is let go of once saved: the entries of a
    # large file are most of the memory the import needs, and the saving needs more as it goes.
    report.entries = []
    total, done = len(entries), 0
    classes: dict = {}
    new_records = sum(1 for entry in entries if not entry.skipped and entry.existing_pk is None)
    # A school's first catalogue: the search indexes are built once at the end (library_site.bulk).
    with gin_indexes_deferred(Record, new_rows=new_records):
        while entries:
            batch = entries[:SAVE_BATCH]
            del entries[:SAVE_BATCH]
            _batch_save(batch, result, existing_records, classes, copies_per_record, location, user)
            done += len(batch)
            del batch
            if progress is not None:
                progress(done, total)
    return result


def _refused(entry: MarcEntry, error: CatalogError) -> MarcImportRefused:
    return MarcImportRefused(
        _("Record %(number)s (%(title)s) could not be saved: %(reason)s Nothing was imported.")
        % {"number": entry.number, "title": entry.title or "—", "reason": error.message}
    )


def _batch_save(
    batch: list[MarcEntry],
    result: MarcImportResult,
    existing_records,
    classes,
    copies_per_record,
    location,
    user,
) -> None:
    """Save some valid entries at once through the services the spreadsheet import uses: the
    new records in bulk (their call numbers reserved per class in one step), then every copy
    in bulk (new barcodes and accession numbers reserved in one step), in file order."""
    new = [entry for entry in batch if not entry.skipped and entry.existing_pk is None]
    try:
        records = records_create_bulk(
            items=[(entry.fields, entry.contributors) for entry in new], user=user, classes=classes
        )
    except CatalogError as error:
        raise _refused(new[getattr(error, "item", 0)], error) from error
    record_of = {id(entry): record.pk for entry, record in zip(new, records, strict=True)}
    # What copies_create_bulk gives every copy of the batch; passed here so that 120,000 new
    # copies do not each work out their field defaults (today in the school's time zone, now).
    today, now = timezone.localdate(), timezone.now()
    copies: list[Copy] = []
    owners: list[MarcEntry] = []
    for entry in batch:
        if entry.skipped:
            result.skipped += 1
            continue
        if entry.existing_pk is not None:
            record_id = existing_records[entry.existing_pk].pk
            result.records_given_copies.append(record_id)
        else:
            record_id = record_of[id(entry)]
            result.records_created.append(record_id)
        # The copies with the file's barcodes, then those that get new ones (a record with
        # copies of both kinds: its holdings records, or the same record again, without barcodes).
        count = entry.copies_to_add(copies_per_record)
        barcodes = [*entry.barcodes, *[""] * (count - len(entry.barcodes))]
        copies += [
            Copy(record_id=record_id, barcode=barcode, location=location, acquired_on=today, created_at=now)
            for barcode in barcodes
        ]
        owners += [entry] * len(barcodes)
        result.copies_created += count
    if copies:
        try:
            copies_create_bulk(copies=copies, user=user)
        except CatalogError as error:
            raise _refused(owners[getattr(error, "item", 0)], error) from error


# --- the preview built by the worker (issue 13) ------------------------------------------------------


def marc_preview_build(path, options: dict, progress) -> dict:
    """The preview of an uploaded MARC file as the worker builds it
    (library_site.documents.previews): every record read and checked, kept as JSON for the
    page (``marc_report_from_preview``); nothing saved. The confirmation reads the kept file
    again, as before."""
    from dataclasses import asdict

    report = marc_preview(path.read_bytes(), existing=options.get("existing", SKIP))
    if report.refused:
        problems = [str(problem) for problem in report.problems]
        return {"refusal": " ".join(problems), "problems": problems}
    return {
        "refusal": "",
        "kind": report.kind,
        "checked": report.checked,
        "entries": [asdict(entry) for entry in report.entries],
    }


def marc_report_from_preview(result: dict) -> MarcReport:
    """The report a preview kept, as the page shows it."""
    return MarcReport(
        kind=result.get("kind", ""),
        entries=[MarcEntry(**entry) for entry in result.get("entries", [])],
        problems=list(result.get("problems", [])),
        checked=bool(result.get("checked")),
    )
