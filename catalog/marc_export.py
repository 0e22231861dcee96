"""MARC export: the catalogue as MARC21 or CNMARC, in ISO 2709 or MARCXML, UTF-8 or GB18030,
with each copy in the holdings fields the MARC import reads back (catalog/marc.py):

- MARC21: one 852 per copy ($b location, $h class part and $i book part of the call number,
  $p barcode) and one 876 ($a accession number, $c price paid, $p barcode);
- CNMARC: one 905 per copy ($a the library, $b barcode, $c location, $d class part, $e book
  part, $f accession number) and one 906 ($a accession number, $b barcode, $d price paid).

Written as a stream: the records are read from the database in chunks with their contributors
and copies and each is written as it comes, so that 200,000 records never sit in memory. The
ISO 2709 and MARCXML are written here rather than through pymarc's Record, which costs several
times as much per record for the same bytes."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from xml.sax.saxutils import escape, quoteattr

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.exceptions import CatalogError
from catalog.models import CatalogSettings, Contributor, Copy, Record

MARC21 = "marc21"
CNMARC = "cnmarc"
ISO2709 = "iso2709"
MARCXML = "marcxml"
UTF8 = "utf-8"
GB18030 = "gb18030"
FORMATS = {MARC21: "MARC21", CNMARC: "CNMARC"}
SYNTAXES = {ISO2709: "ISO 2709 (.mrc)", MARCXML: "MARCXML (.xml)"}
ENCODINGS = {UTF8: "UTF-8", GB18030: "GB18030"}
CHUNK = 2000
CONTROL = re.compile(r"[\x00-\x1f]")

FIELD_END = b"\x1e"
RECORD_END = b"\x1d"
SUBFIELD = b"\x1f"

# CNMARC's 70X $4 and the statement of responsibility (200 $f) carry the title page's word, as
# Chinese systems write and read them: the first word of each role (著, 编著, 续, 校注 …).
ROLE_WORDS_CNMARC = {role: words[0] for role, words in Contributor.ROLE_WORDS_CHINESE.items()}
# CNMARC 701 is primary intellectual responsibility (the work's own authors, those who wrote
# it with editing or continued it: 编著, 续), 702 secondary (editing, translating, annotating).
CNMARC_PRIMARY = frozenset(
    [Contributor.Role.AUTHOR, Contributor.Role.EDITOR_AUTHOR, Contributor.Role.CONTINUER]
)
# MARC21 1XX/7XX: the relator terms ($e) and codes ($4, the MARC Code List for Relators) of each
# role. The term says what the role is precisely (the import reads it back first); the code is
# the list's nearest: 编著 is both author and editor, 续 the author of the continuation, 整理
# (arranging a text for publication) and 主编 editing, 编选 the editor of a compilation.
ROLE_WORDS_MARC21 = {
    Contributor.Role.AUTHOR: (("author",), ("aut",)),
    Contributor.Role.EDITOR: (("editor",), ("edt",)),
    Contributor.Role.CHIEF_EDITOR: (("chief editor",), ("edt",)),
    Contributor.Role.TRANSLATOR: (("translator",), ("trl",)),
    Contributor.Role.ILLUSTRATOR: (("illustrator",), ("ill",)),
    Contributor.Role.ADAPTER: (("adapter",), ("adp",)),
    Contributor.Role.EDITOR_AUTHOR: (("author", "editor"), ("aut", "edt")),
    Contributor.Role.CONTINUER: (("continuator",), ("aut",)),
    Contributor.Role.COLLATOR_ANNOTATOR: (("annotator",), ("ann",)),
    Contributor.Role.ARRANGER: (("arranger",), ("edt",)),
    Contributor.Role.COMMENTATOR: (("commentator",), ("cwt",)),
    Contributor.Role.SELECTOR: (("editor of compilation",), ("edc",)),
}
# The same as the subfields the 1XX/7XX fields end with ($e terms, then $4 codes).
RELATORS_MARC21 = {
    role: "".join(f"\x1fe{term}" for term in terms) + "".join(f"\x1f4{code}" for code in codes)
    for role, (terms, codes) in ROLE_WORDS_MARC21.items()
}
# leader/06 as the import reads it back (catalog/marc.py _material).
KIND_MARC21 = {Record.MaterialType.E_RESOURCE: "m", Record.MaterialType.AUDIO_VISUAL: "g"}
KIND_CNMARC = {Record.MaterialType.E_RESOURCE: "l", Record.MaterialType.AUDIO_VISUAL: "g"}


class MarcExportRefused(CatalogError):
    default_message = _("The export cannot be made as asked.")


@dataclass(frozen=True)
class MarcExportChoice:
    """What to export and how: every record, a class (its number and those below it), or the
    records whose ids are given."""

    format: str = CNMARC
    syntax: str = ISO2709
    encoding: str = UTF8
    clc: str = ""
    ids: tuple[int, ...] = ()

    def check(self) -> None:
        if self.format not in FORMATS:
            raise MarcExportRefused(_("Choose MARC21 or CNMARC."))
        if self.syntax not in SYNTAXES:
            raise MarcExportRefused(_("Choose ISO 2709 or MARCXML."))
        if self.encoding not in ENCODINGS:
            raise MarcExportRefused(_("Choose UTF-8 or GB18030."))
        if self.encoding == GB18030 and self.format == MARC21:
            raise MarcExportRefused(
                _(
                    "MARC21 records are written in UTF-8 only; GB18030 is for CNMARC, as Chinese systems read it."
                )
            )

    @property
    def filename(self) -> str:
        stamp = timezone.localdate().strftime("%Y%m%d")
        return f"catalogue-{self.format}-{stamp}.{'xml' if self.syntax == MARCXML else 'mrc'}"

    @property
    def content_type(self) -> str:
        return "application/marcxml+xml" if self.syntax == MARCXML else "application/marc"


def marc_export_records(choice: MarcExportChoice) -> QuerySet[Record]:
    records = Record.objects.all()
    if choice.ids:
        records = records.filter(pk__in=choice.ids)
    if choice.clc:
        code = choice.clc.strip().upper()
        records = records.filter(Q(clc_code=code) | Q(clc_code__startswith=code))
    return records.order_by("pk")


def marc_export_count(choice: MarcExportChoice) -> int:
    return marc_export_records(choice).count()


RECORD_COLUMNS = (
    "pk",
    "title",
    "subtitle",
    "isbn",
    "price",
    "publisher",
    "place",
    "year",
    "edition",
    "pages",
    "size",
    "series",
    "subjects",
    "summary",
    "clc_code",
    "call_number",
    "language",
    "material_type",
    "link",
    "created_at",
)


def marc_export_stream(choice: MarcExportChoice) -> Iterator[bytes]:
    """The export's bytes, record by record. Refuses a choice it cannot write before the first
    byte, so that a streamed response never starts and then breaks off."""
    choice.check()
    library = CatalogSettings.current().library_name or "LIB"
    build = _marc21_fields if choice.format == MARC21 else _cnmarc_fields
    return _stream(marc_export_records(choice), build, choice, library, choice.encoding)


def _chunks(records: QuerySet[Record], *, whole: bool) -> Iterator[list[tuple]]:
    """The records in primary-key order, a chunk at a time, each as (row, contributors, copies
    kept): three queries a chunk, plain rows rather than models. For the whole catalogue the
    contributors and copies are asked for by the chunk's range of ids, which the database
    answers from the index faster than a list of 2,000 ids."""
    last = 0
    while True:
        rows = list(
            records.filter(pk__gt=last).order_by("pk").values_list(*RECORD_COLUMNS, named=True)[:CHUNK]
        )
        if not rows:
            return
        first, last = rows[0].pk, rows[-1].pk
        within = (
            {"record_id__gte": first, "record_id__lte": last}
            if whole
            else {"record_id__in": [row.pk for row in rows]}
        )
        contributors: dict[int, list[tuple[str, str]]] = {}
        for record_id, name, role in (
            Contributor.objects.filter(**within)
            .order_by("record_id", "position", "pk")
            .values_list("record_id", "name", "role")
        ):
            contributors.setdefault(record_id, []).append((name, role))
        copies: dict[int, list[tuple]] = {}
        for record_id, *copy in (
            Copy.objects.filter(**within)
            .exclude(status=Copy.Status.WITHDRAWN)
            .order_by("record_id", "pk")
            .values_list("record_id", "barcode", "accession_number", "price_paid", "location__name")
        ):
            copies.setdefault(record_id, []).append(copy)
        yield [(row, contributors.get(row.pk, ()), copies.get(row.pk, ())) for row in rows]


def _stream(records, build, choice: MarcExportChoice, library: str, encoding: str) -> Iterator[bytes]:
    if choice.syntax == MARCXML:
        yield f'<?xml version="1.0" encoding="{ENCODINGS[encoding]}"?>\n'.encode()
        yield b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
    context = _Context(library, encoding)
    whole = not choice.ids and not choice.clc
    for chunk in _chunks(records, whole=whole):
        written = []
        for record, contributors, copies in chunk:
            leader, fields = build(record, contributors, copies, context)
            if choice.syntax == MARCXML:
                written.append(_xml(leader, fields).encode(encoding))
            else:
                written.append(_iso(leader, fields, encoding))
        yield from written
    if choice.syntax == MARCXML:
        yield b"</collection>\n"


# A field as the builders make it: its tag and its content as ISO 2709 holds it: a control
# field's data, or a data field's two indicators followed by each subfield (\x1f, the code, the
# value). The values are cleaned of every control character, so the content splits back into
# its subfields unambiguously (MARCXML). Fields with no subfield are never made.
Fields = list[tuple[str, str]]
_TAG = operator.itemgetter(0)


class _Context:
    """What stays the same through one export: the library's code, the encoding, the time zone
    the records' dates are written in, and the cleaned names of the locations (a handful)."""

    __slots__ = ("encoding", "library", "locations", "zone")

    def __init__(self, library: str, encoding: str):
        self.library = _piece("a", library)
        self.encoding = encoding
        self.zone = timezone.get_current_timezone()
        self.locations: dict[str | None, str] = {}

    def location(self, code: str, name: str | None) -> str:
        key = (code, name)
        piece = self.locations.get(key)
        if piece is None:
            piece = self.locations[key] = _piece(code, name)
        return piece


def _iso(leader: str, fields: Fields, encoding: str) -> bytes:
    """One record in ISO 2709: the leader (its length and base address computed), the directory
    (tag, length and start of each field, in bytes), the fields each ended by the field
    terminator, the record terminator."""
    data = ("\x1e".join([content for _tag, content in fields]) + "\x1e").encode(encoding)
    # Neither UTF-8 nor GB18030 has the byte 0x1E inside a character: the field terminators
    # found in the encoded bytes are the fields' ends.
    lengths = [len(piece) + 1 for piece in data.split(FIELD_END)[:-1]]
    directory = "".join(
        map(
            "{}{:04d}{:05d}".format,
            [tag for tag, _content in fields],
            lengths,
            accumulate(lengths, initial=0),
        )
    )
    base = 24 + len(directory) + 1
    head = f"{base + len(data) + 1:05d}{leader[5:12]}{base:05d}{leader[17:]}{directory}\x1e"
    return head.encode("ascii") + data + RECORD_END


def _xml(leader: str, fields: Fields) -> str:
    parts = [f"<record><leader>{escape(leader)}</leader>"]
    for tag, content in fields:
        if tag < "010":
            parts.append(f'<controlfield tag="{tag}">{escape(content)}</controlfield>')
        else:
            subfields = "".join(
                f"<subfield code={quoteattr(item[0])}>{escape(item[1:])}</subfield>"
                for item in content[3:].split("\x1f")
            )
            parts.append(
                f'<datafield tag="{tag}" ind1={quoteattr(content[0])} ind2={quoteattr(content[1])}>'
                f"{subfields}</datafield>"
            )
    parts.append("</record>\n")
    return "".join(parts)


def _clean(text) -> str:
    """Field text without the separators of ISO 2709 (and with XML's forbidden controls out)."""
    if text is None or text == "":
        return ""
    if text.__class__ is not str:
        text = str(text)
    # Printable text (all but a few) has no control character: no search needed.
    if not text.isprintable():
        text = CONTROL.sub(" ", text)
    return text.strip()


def _piece(code: str, value) -> str:
    """One subfield as ISO 2709 holds it (\x1f, code, value), or "" when the value is empty."""
    value = _clean(value)
    return f"\x1f{code}{value}" if value else ""


def _data(indicators: str, *pairs) -> str:
    """A data field's content: its indicators and the subfields of the (code, value) pairs given,
    the empty ones left out; "" when every one is empty. (_clean written out: it is called some
    thirty times a record.)"""
    content = indicators
    for index in range(1, len(pairs), 2):
        value = pairs[index]
        if value is None or value == "":
            continue
        if value.__class__ is not str:
            value = str(value)
        if not value.isprintable():
            value = CONTROL.sub(" ", value)
        value = value.strip()
        if value:
            content += f"\x1f{pairs[index - 1]}{value}"
    return content if len(content) > 2 else ""


def _call_parts(call_number: str) -> tuple[str, str]:
    class_part, _slash, book_part = call_number.partition("/")
    return class_part, book_part


def _subjects(record) -> list[str]:
    return [term.strip() for term in record.subjects.replace("；", ";").split(";") if term.strip()]


def _marc21_fields(record, contributors, copies, context: _Context) -> tuple[str, Fields]:
    kind = KIND_MARC21.get(record.material_type, "a")
    leader = f"00000n{kind}m a2200000 i 4500"
    language = record.language if record.language in ("chi", "eng") else "und"
    year = f"{record.year:04d}" if record.year else "    "
    created = record.created_at.astimezone(context.zone).strftime("%y%m%d")
    fields: Fields = [
        ("001", str(record.pk)),
        ("008", f"{created}s{year}    cc            000 0 {language} d"),
    ]
    add = fields.append
    if record.isbn or record.price is not None:
        price = f"CNY{record.price}" if record.price is not None else ""
        if content := _data("  ", "a", record.isbn, "c", price):
            add(("020", content))
    add(("041", "0 \x1fa" + language))
    if record.clc_code and (content := _data("  ", "a", record.clc_code)):
        add(("093", content))
    for position, (name, role) in enumerate(contributors):
        relators = RELATORS_MARC21.get(role, RELATORS_MARC21[Contributor.Role.AUTHOR])
        add(("100" if position == 0 else "700", "1 " + _piece("a", name) + relators))
    if content := _data("10", "a", record.title, "b", record.subtitle):
        add(("245", content))
    if record.edition and (content := _data("  ", "a", record.edition)):
        add(("250", content))
    if content := _data(" 1", "a", record.place, "b", record.publisher, "c", record.year or ""):
        add(("264", content))
    if (record.pages or record.size) and (
        content := _data("  ", "a", f"{record.pages} p." if record.pages else "", "c", record.size)
    ):
        add(("300", content))
    if record.series and (content := _data("0 ", "a", record.series)):
        add(("490", content))
    if record.summary and (content := _data("  ", "a", record.summary)):
        add(("520", content))
    for term in _subjects(record):
        if content := _data("  ", "a", term):
            add(("653", content))
    if record.link and (content := _data("40", "u", record.link)):
        add(("856", content))
    if copies:
        class_part, book_part = _call_parts(record.call_number)
        class_h, book_i = _piece("h", class_part), _piece("i", book_part)
        held = []
        for barcode, accession, price_paid, location in copies:
            barcode_p = _piece("p", barcode)
            add(
                (
                    "852",
                    "  " + context.library + context.location("b", location) + class_h + book_i + barcode_p,
                )
            )
            held.append(("876", "  " + _piece("a", accession) + _piece("c", price_paid or "") + barcode_p))
        fields += held
    fields = [item for item in fields if item[0] < "010" or len(item[1]) > 2]
    fields.sort(key=_TAG)
    return leader, fields


def _cnmarc_fields(record, contributors, copies, context: _Context) -> tuple[str, Fields]:
    kind = KIND_CNMARC.get(record.material_type, "a")
    leader = f"00000n{kind}m0 2200000   450 "
    year = f"{record.year:04d}" if record.year else "    "
    created = record.created_at.astimezone(context.zone).strftime("%Y%m%d")
    character_set = "50      " if context.encoding == UTF8 else "20      "
    language = record.language if record.language in ("chi", "eng") else "und"
    fields: Fields = [("001", str(record.pk))]
    add = fields.append
    if record.isbn or record.price is not None:
        price = f"CNY{record.price}" if record.price is not None else ""
        if content := _data("  ", "a", record.isbn, "d", price):
            add(("010", content))
    add(("100", f"  \x1fa{created}d{year}    em y0chiy{character_set}ea"))
    add(("101", "0 \x1fa" + language))
    statement = "，".join(f"{name}{ROLE_WORDS_CNMARC.get(role, '')}" for name, role in contributors[:3])
    if content := _data("1 ", "a", record.title, "e", record.subtitle, "f", statement):
        add(("200", content))
    if record.edition and (content := _data("  ", "a", record.edition)):
        add(("205", content))
    if content := _data("  ", "a", record.place, "c", record.publisher, "d", record.year or ""):
        add(("210", content))
    if (record.pages or record.size) and (
        content := _data("  ", "a", f"{record.pages}页" if record.pages else "", "d", record.size)
    ):
        add(("215", content))
    if record.series and (content := _data("2 ", "a", record.series)):
        add(("225", content))
    if record.summary and (content := _data("  ", "a", record.summary)):
        add(("330", content))
    for term in _subjects(record):
        if content := _data("0 ", "a", term):
            add(("610", content))
    if record.clc_code and (content := _data("  ", "a", record.clc_code, "v", "5")):
        add(("690", content))
    author = ROLE_WORDS_CNMARC[Contributor.Role.AUTHOR]
    for name, role in contributors:
        if content := _data(" 0", "a", name, "4", ROLE_WORDS_CNMARC.get(role, author)):
            add(("701" if role in CNMARC_PRIMARY else "702", content))
    if record.link and (content := _data("4 ", "u", record.link)):
        add(("856", content))
    if copies:
        class_part, book_part = _call_parts(record.call_number)
        class_d, book_e = _piece("d", class_part), _piece("e", book_part)
        held = []
        for barcode, accession, price_paid, location in copies:
            barcode_b, accession_f = _piece("b", barcode), _piece("f", accession)
            add(
                (
                    "905",
                    "  "
                    + context.library
                    + barcode_b
                    + context.location("c", location)
                    + class_d
                    + book_e
                    + accession_f,
                )
            )
            held.append(("906", "  " + _piece("a", accession) + barcode_b + _piece("d", price_paid or "")))
        fields += held
    fields = [item for item in fields if item[0] < "010" or len(item[1]) > 2]
    # 700/701/702 in the order of the title page: a stable sort by tag keeps it.
    fields.sort(key=_TAG)
    return leader, fields


def marc_export_write(target, choice: MarcExportChoice) -> int:
    """Write the export to a binary file; returns the number of records."""
    count = 0
    for chunk in marc_export_stream(choice):
        target.write(chunk)
        if chunk.endswith(RECORD_END) or chunk.endswith(b"</record>\n"):
            count += 1
    return count


def ids_parse(values: Iterable[str]) -> tuple[int, ...]:
    """Record ids from a form or the command line: numbers, separated by commas or spaces."""
    ids = []
    for value in values:
        for part in str(value).replace(",", " ").split():
            if not part.isdigit():
                raise MarcExportRefused(_("“%(value)s” is not a record number.") % {"value": part})
            ids.append(int(part))
    return tuple(dict.fromkeys(ids))
