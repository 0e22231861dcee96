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

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
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


def _chunks(records: QuerySet[Record]) -> Iterator[list[SimpleNamespace]]:
    """The records in primary-key order, a chunk at a time, each with its contributors and its
    copies (all but the withdrawn): three queries a chunk, plain rows rather than models."""
    last = 0
    while True:
        rows = list(records.filter(pk__gt=last).order_by("pk").values(*RECORD_COLUMNS)[:CHUNK])
        if not rows:
            return
        last = rows[-1]["pk"]
        chunk = {row["pk"]: SimpleNamespace(**row, contributors=[], copies_kept=[]) for row in rows}
        for record_id, name, role in (
            Contributor.objects.filter(record_id__in=chunk)
            .order_by("record_id", "position", "pk")
            .values_list("record_id", "name", "role")
        ):
            chunk[record_id].contributors.append(SimpleNamespace(name=name, role=role))
        for record_id, barcode, accession, price_paid, location in (
            Copy.objects.filter(record_id__in=chunk)
            .exclude(status=Copy.Status.WITHDRAWN)
            .order_by("record_id", "pk")
            .values_list("record_id", "barcode", "accession_number", "price_paid", "location__name")
        ):
            chunk[record_id].copies_kept.append(
                SimpleNamespace(
                    barcode=barcode, accession_number=accession, price_paid=price_paid, location=location
                )
            )
        yield list(chunk.values())


def _stream(records, build, choice: MarcExportChoice, library: str, encoding: str) -> Iterator[bytes]:
    if choice.syntax == MARCXML:
        yield f'<?xml version="1.0" encoding="{ENCODINGS[encoding]}"?>\n'.encode()
        yield b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
    for chunk in _chunks(records):
        written = []
        for record in chunk:
            leader, fields = build(record, library, encoding)
            if choice.syntax == MARCXML:
                written.append(_xml(leader, fields).encode(encoding))
            else:
                written.append(_iso(leader, fields, encoding))
        yield from written
    if choice.syntax == MARCXML:
        yield b"</collection>\n"


Fields = list[tuple[str, str, list[tuple[str, str]] | str]]


def _iso(leader: str, fields: Fields, encoding: str) -> bytes:
    directory, body, offset = [], [], 0
    for tag, indicators, content in fields:
        if content.__class__ is str:
            data = (content + "\x1e").encode(encoding)
        else:
            data = (indicators + "".join([f"\x1f{code}{value}" for code, value in content]) + "\x1e").encode(
                encoding
            )
        length = len(data)
        directory.append(f"{tag}{length:04d}{offset:05d}")
        body.append(data)
        offset += length
    base = 24 + len(directory) * 12 + 1
    head = f"{base + offset + 1:05d}{leader[5:12]}{base:05d}{leader[17:]}{''.join(directory)}\x1e"
    body.append(RECORD_END)
    return head.encode("ascii") + b"".join(body)


def _xml(leader: str, fields: Fields) -> str:
    parts = [f"<record><leader>{escape(leader)}</leader>"]
    for tag, indicators, content in fields:
        if isinstance(content, str):
            parts.append(f'<controlfield tag="{tag}">{escape(content)}</controlfield>')
        else:
            subfields = "".join(
                f"<subfield code={quoteattr(code)}>{escape(value)}</subfield>" for code, value in content
            )
            parts.append(
                f'<datafield tag="{tag}" ind1={quoteattr(indicators[0])} ind2={quoteattr(indicators[1])}>'
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
    if not text.isprintable() and CONTROL.search(text):
        text = CONTROL.sub(" ", text)
    return text.strip()


def _sub(*pairs) -> list[tuple[str, str]]:
    """Subfields (code, value) of the pairs given, the empty ones left out."""
    out = []
    for index in range(1, len(pairs), 2):
        value = pairs[index]
        if value is None or value == "":
            continue
        value = _clean(value)
        if value:
            out.append((pairs[index - 1], value))
    return out


def _call_parts(call_number: str) -> tuple[str, str]:
    class_part, _slash, book_part = call_number.partition("/")
    return class_part, book_part


def _subjects(record: SimpleNamespace) -> list[str]:
    return [term.strip() for term in record.subjects.replace("；", ";").split(";") if term.strip()]


def _marc21_fields(record: SimpleNamespace, library: str, encoding: str) -> tuple[str, Fields]:
    kind = KIND_MARC21.get(record.material_type, "a")
    leader = f"00000n{kind}m a2200000 i 4500"
    language = record.language if record.language in ("chi", "eng") else "und"
    year = f"{record.year:04d}" if record.year else "    "
    created = timezone.localtime(record.created_at).strftime("%y%m%d")
    fields: Fields = [
        ("001", "", str(record.pk)),
        ("008", "", f"{created}s{year}    cc            000 0 {language} d"),
    ]
    if record.isbn or record.price is not None:
        price = f"CNY{record.price}" if record.price is not None else ""
        fields.append(("020", "  ", _sub("a", record.isbn, "c", price)))
    fields.append(("041", "0 ", _sub("a", language)))
    if record.clc_code:
        fields.append(("093", "  ", _sub("a", record.clc_code)))
    contributors = list(record.contributors)
    for position, contributor in enumerate(contributors):
        tag = "100" if position == 0 else "700"
        terms, codes = ROLE_WORDS_MARC21.get(contributor.role, ROLE_WORDS_MARC21[Contributor.Role.AUTHOR])
        relators = [pair for term in terms for pair in ("e", term)] + [
            pair for code in codes for pair in ("4", code)
        ]
        fields.append((tag, "1 ", _sub("a", contributor.name, *relators)))
    fields.append(("245", "10", _sub("a", record.title, "b", record.subtitle)))
    if record.edition:
        fields.append(("250", "  ", _sub("a", record.edition)))
    fields.append(("264", " 1", _sub("a", record.place, "b", record.publisher, "c", record.year or "")))
    if record.pages or record.size:
        fields.append(
            ("300", "  ", _sub("a", f"{record.pages} p." if record.pages else "", "c", record.size))
        )
    if record.series:
        fields.append(("490", "0 ", _sub("a", record.series)))
    if record.summary:
        fields.append(("520", "  ", _sub("a", record.summary)))
    for term in _subjects(record):
        fields.append(("653", "  ", _sub("a", term)))
    if record.link:
        fields.append(("856", "40", _sub("u", record.link)))
    class_part, book_part = _call_parts(record.call_number)
    for copy in record.copies_kept:
        fields.append(
            (
                "852",
                "  ",
                _sub("a", library, "b", copy.location, "h", class_part, "i", book_part, "p", copy.barcode),
            )
        )
    for copy in record.copies_kept:
        fields.append(
            ("876", "  ", _sub("a", copy.accession_number, "c", copy.price_paid or "", "p", copy.barcode))
        )
    fields = [item for item in fields if isinstance(item[2], str) or item[2]]
    fields.sort(key=lambda item: item[0])
    return leader, fields


def _cnmarc_fields(record: SimpleNamespace, library: str, encoding: str) -> tuple[str, Fields]:
    kind = KIND_CNMARC.get(record.material_type, "a")
    leader = f"00000n{kind}m0 2200000   450 "
    year = f"{record.year:04d}" if record.year else "    "
    created = timezone.localtime(record.created_at).strftime("%Y%m%d")
    character_set = "50      " if encoding == UTF8 else "20      "
    language = record.language if record.language in ("chi", "eng") else "und"
    contributors = list(record.contributors)
    fields: Fields = [("001", "", str(record.pk))]
    if record.isbn or record.price is not None:
        price = f"CNY{record.price}" if record.price is not None else ""
        fields.append(("010", "  ", _sub("a", record.isbn, "d", price)))
    fields.append(("100", "  ", _sub("a", f"{created}d{year}    em y0chiy{character_set}ea")))
    fields.append(("101", "0 ", _sub("a", language)))
    statement = "，".join(f"{item.name}{ROLE_WORDS_CNMARC.get(item.role, '')}" for item in contributors[:3])
    fields.append(("200", "1 ", _sub("a", record.title, "e", record.subtitle, "f", statement)))
    if record.edition:
        fields.append(("205", "  ", _sub("a", record.edition)))
    fields.append(("210", "  ", _sub("a", record.place, "c", record.publisher, "d", record.year or "")))
    if record.pages or record.size:
        fields.append(("215", "  ", _sub("a", f"{record.pages}页" if record.pages else "", "d", record.size)))
    if record.series:
        fields.append(("225", "2 ", _sub("a", record.series)))
    if record.summary:
        fields.append(("330", "  ", _sub("a", record.summary)))
    for term in _subjects(record):
        fields.append(("610", "0 ", _sub("a", term)))
    if record.clc_code:
        fields.append(("690", "  ", _sub("a", record.clc_code, "v", "5")))
    for contributor in contributors:
        tag = "701" if contributor.role in CNMARC_PRIMARY else "702"
        role = ROLE_WORDS_CNMARC.get(contributor.role, ROLE_WORDS_CNMARC[Contributor.Role.AUTHOR])
        fields.append((tag, " 0", _sub("a", contributor.name, "4", role)))
    if record.link:
        fields.append(("856", "4 ", _sub("u", record.link)))
    class_part, book_part = _call_parts(record.call_number)
    for copy in record.copies_kept:
        fields.append(
            (
                "905",
                "  ",
                _sub(
                    "a",
                    library,
                    "b",
                    copy.barcode,
                    "c",
                    copy.location,
                    "d",
                    class_part,
                    "e",
                    book_part,
                    "f",
                    copy.accession_number,
                ),
            )
        )
    for copy in record.copies_kept:
        fields.append(
            ("906", "  ", _sub("a", copy.accession_number, "b", copy.barcode, "d", copy.price_paid or ""))
        )
    fields = [item for item in fields if isinstance(item[2], str) or item[2]]
    # 700/701/702 in the order of the title page: a stable sort by tag keeps it.
    fields.sort(key=lambda item: item[0])
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
