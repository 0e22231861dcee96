"""MARC files for the tests, built with pymarc itself: CNMARC as Chinese systems write it and
MARC21, as ISO 2709 (UTF-8 or GB18030) or as MARCXML."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

import pymarc
from pymarc import Field, Indicators, RawField, Subfield
from stdnum import ean


def isbn13(first_twelve: str) -> str:
    """An ISBN-13 with its check digit computed: 978753466543 → 978-7-5346-6543-1."""
    digits = first_twelve.replace("-", "")
    return f"{first_twelve}-{ean.calc_check_digit(digits)}"


CAOFANGZI_ISBN = isbn13("978-7-5346-6543")  # 978-7-5346-6543-1


def _field(tag: str, *pairs: str, indicators=(" ", " ")) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(*indicators),
        subfields=[Subfield(code=pairs[i], value=pairs[i + 1]) for i in range(0, len(pairs), 2)],
    )


def cnmarc(
    title: str = "草房子",
    *,
    statement: str = "曹文轩著",
    isbn: str | None = CAOFANGZI_ISBN,
    price: str = "CNY25.00",
    authors: tuple[tuple[str, str], ...] = (("曹文轩", "著"),),
    place: str = "南京",
    publisher: str = "江苏少年儿童出版社",
    year: str = "2016",
    pages: str = "285页",
    size: str = "21cm",
    series: str = "",
    summary: str = "",
    subjects: tuple[str, ...] = ("儿童小说",),
    clc: str | None = "I287.45",
    holdings: tuple[tuple[str, str, str], ...] = (),
    language: str = "chi",
    extra: tuple[Field, ...] = (),
) -> pymarc.Record:
    """A CNMARC record as a Chinese library system exports it. ``holdings``: (barcode, class
    part, book part) for each 905 field."""
    record = pymarc.Record(leader="00000nam0 2200000   450 ")
    record.add_field(Field(tag="001", data="012016000001"))
    if isbn is not None:
        record.add_field(_field("010", "a", isbn, "d", price))
    record.add_field(_field("100", "a", f"20160101d{year}    em y0chiy0110    ea"))
    record.add_field(_field("101", "a", language, indicators=("0", " ")))
    title_pairs = ["a", title] if title else []
    if statement:
        title_pairs += ["f", statement]
    if title_pairs:
        record.add_field(_field("200", *title_pairs, indicators=("1", " ")))
    record.add_field(_field("210", "a", place, "c", publisher, "d", year))
    record.add_field(_field("215", "a", pages, "d", size))
    if series:
        record.add_field(_field("225", "a", series, indicators=("2", " ")))
    if summary:
        record.add_field(_field("330", "a", summary))
    for subject in subjects:
        record.add_field(_field("606", "a", subject, indicators=("0", " ")))
    if clc is not None:
        record.add_field(_field("690", "a", clc, "v", "5"))
    for name, role in authors:
        record.add_field(_field("701", "a", name, "4", role, indicators=(" ", "0")))
    for barcode, class_part, book_part in holdings:
        record.add_field(_field("905", "a", "XXTSG", "b", barcode, "d", class_part, "e", book_part))
    for item in extra:
        record.add_field(item)
    return record


def marc21(
    title: str = "Charlotte's web /",
    *,
    subtitle: str = "",
    statement: str = "by E. B. White ; pictures by Garth Williams.",
    isbn: str | None = "9780064400558 (pbk.)",
    price: str = "",
    authors: tuple[tuple[str, str, str], ...] = (("100", "White, E. B.,", "author."),),
    place: str = "New York :",
    publisher: str = "HarperCollins,",
    year: str = "c1952.",
    pages: str = "184 p. :",
    size: str = "21 cm.",
    clc: tuple[str, str] | None = ("093", "I712.84"),
    subjects: tuple[str, ...] = ("Pigs",),
    holdings: tuple[tuple[str, str], ...] = (),
    language: str = "eng",
) -> pymarc.Record:
    """A MARC21 record. ``clc``: ("093", code) or ("084", code) with $2 clc. ``holdings``:
    (tag, barcode) with tag 852 ($p) or 949 ($b)."""
    record = pymarc.Record(leader="00000nam a2200000 a 4500")
    record.add_field(Field(tag="008", data=f"000101s1952    nyu           000 1 {language} d"))
    if isbn is not None:
        pairs = ["a", isbn] + (["c", price] if price else [])
        record.add_field(_field("020", *pairs))
    record.add_field(_field("041", "a", language, indicators=("0", " ")))
    if clc is not None:
        tag, code = clc
        record.add_field(_field(tag, "a", code, *(["2", "clc"] if tag == "084" else [])))
    for tag, name, relator in authors:
        record.add_field(_field(tag, "a", name, "e", relator, indicators=("1", " ")))
    pairs = ["a", title] + (["b", subtitle] if subtitle else []) + (["c", statement] if statement else [])
    record.add_field(_field("245", *pairs, indicators=("1", "0")))
    record.add_field(_field("264", "a", place, "b", publisher, "c", year, indicators=(" ", "1")))
    record.add_field(_field("300", "a", pages, "b", "ill. ;", "c", size))
    for subject in subjects:
        record.add_field(_field("650", "a", subject, "v", "Juvenile fiction.", indicators=(" ", "0")))
    for tag, barcode in holdings:
        if tag == "852":
            record.add_field(_field("852", "a", "School library", "h", "I712.84", "i", "W58", "p", barcode))
        else:
            record.add_field(_field("949", "a", "I712.84/W58", "b", barcode))
    return record


def iso(
    *records: pymarc.Record,
    encoding: str = "utf-8",
    declare_utf8: bool | None = None,
    field_encodings: dict[str, str] | None = None,
) -> bytes:
    """ISO 2709 bytes, lengths in bytes. UTF-8 declares itself in leader position 9 ('a'), as
    pymarc writes it; GB18030 leaves it blank, as Chinese systems do. ``field_encodings`` writes
    some fields in another encoding than the rest (as a damaged export does)."""
    declare_utf8 = encoding == "utf-8" if declare_utf8 is None else declare_utf8
    field_encodings = field_encodings or {}
    out = b""
    for record in records:
        leader = str(record.leader)
        raw = pymarc.Record(
            to_unicode=False, leader=leader[:9] + ("a" if declare_utf8 else " ") + leader[10:]
        )
        for item in record.fields:
            code = field_encodings.get(item.tag, encoding)
            if item.is_control_field():
                raw.add_field(RawField(tag=item.tag, data=item.data.encode(code)))
            else:
                raw.add_field(
                    RawField(
                        tag=item.tag,
                        indicators=item.indicators,
                        subfields=[
                            Subfield(code=sub.code, value=sub.value.encode(code)) for sub in item.subfields
                        ],
                    )
                )
        out += raw.as_marc()
    return out


def lengths_in_characters(data: bytes) -> bytes:
    """One UTF-8 record as some systems write it: the directory's lengths and starting
    positions counted in characters instead of bytes."""
    leader, rest = data[:24], data[24:]
    directory_end = rest.index(b"\x1e")
    directory, body = rest[:directory_end], rest[directory_end + 1 :]
    pieces = body.rstrip(b"\x1d").split(b"\x1e")[:-1]
    new_directory, start = b"", 0
    for index, piece in enumerate(pieces):
        length = len((piece + b"\x1e").decode("utf-8"))
        new_directory += directory[index * 12 : index * 12 + 3] + b"%04d%05d" % (length, start)
        start += length
    return leader + new_directory + b"\x1e" + body


def marcxml(*records: pymarc.Record, namespace: bool = True, encoding: str = "UTF-8") -> bytes:
    # Characters as they are, not as &#...; references, so that the encoding matters.
    body = "".join(ET.tostring(pymarc.record_to_xml_node(record), encoding="unicode") for record in records)
    body = body.encode("utf-8")
    opening = b'<collection xmlns="http://www.loc.gov/MARC21/slim">' if namespace else b"<collection>"
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode("ascii") + opening + body + b"</collection>"
    )
    if encoding.upper() != "UTF-8":
        return text.decode("utf-8").encode(encoding)
    return text


# --- records written byte by byte (MARC-8, ISO 5426, mixed encodings) -------------------------------

_ANSEL = {
    chr(character): code for code, (character, _combining) in pymarc.marc8_mapping.CODESETS[0x45].items()
}


def marc8(text: str) -> bytes:
    """Latin text in MARC-8 without escape sequences, as MARC21 systems write it: each accent
    (ANSEL's combining marks) before the letter it sits on. marc8("Périgord") == b"P\\xe2erigord"."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            out += char.encode("ascii")
        elif char in _ANSEL:
            out += bytes([_ANSEL[char]])
        else:
            base, *marks = unicodedata.normalize("NFD", char)
            out += bytes(_ANSEL[mark] for mark in marks) + base.encode("ascii")
    return out


def iso_raw(leader: str, *fields) -> bytes:
    """One ISO 2709 record from bytes as they are: ``(tag, data)`` for a control field,
    ``(tag, indicators, [(code, value), …])`` for a data field, values as bytes."""
    record = pymarc.Record(to_unicode=False, leader=leader)
    for tag, *rest in fields:
        if len(rest) == 1:
            record.add_field(RawField(tag=tag, data=rest[0]))
        else:
            indicators, subfields = rest
            record.add_field(
                RawField(
                    tag=tag,
                    indicators=Indicators(*indicators),
                    subfields=[Subfield(code=code, value=value) for code, value in subfields],
                )
            )
    return record.as_marc()
