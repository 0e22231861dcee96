"""MARC import: the encoding of each record, chosen from what the record says (MARC21 leader/09,
CNMARC/UNIMARC 100 $a/26-33) and from its bytes, and the fields that are not in it. The records
are written byte by byte (catalog/tests/marc_samples.py: marc8, iso_raw), as other systems
write them: MARC-8 without escape sequences is the ordinary case for accented Latin text."""

from __future__ import annotations

import pytest
from django.utils import translation

from catalog.marc import marc_read

from .marc_samples import cnmarc, iso, iso_raw, marc8, marc21

MARC21_MARC8 = "00000nam  2200000 a 4500"  # leader/09 blank: MARC-8
MARC21_UTF8 = "00000nam a2200000 a 4500"  # leader/09 'a': UCS/UTF-8
UNIMARC = "00000nam0 2200000   450 "
FIXED_ENG = b"000101s2016    fr            000 0 eng d"
FIXED_CHI = b"000101s2016    cc            000 0 chi d"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def latin_record(
    title: bytes, place: bytes, *, leader=MARC21_MARC8, year: bytes = b"\xc32016.", extra=()
) -> bytes:
    return iso_raw(
        leader,
        ("001", b"ocm00000001"),
        ("008", FIXED_ENG),
        ("100", "1 ", [("a", marc8("Dupont, Jean,")), ("e", b"author.")]),
        ("245", "10", [("a", title), ("c", b"Jean Dupont.")]),
        ("264", " 1", [("a", place), ("b", b"Editions du Sud,"), ("c", year)]),
        *extra,
    )


def unimarc_record(title: bytes, character_sets: bytes, *, leader=UNIMARC) -> bytes:
    general = b"20160101d2016    k  y0frey" + character_sets.ljust(8) + b"ba"
    assert len(general) == 36
    return iso_raw(
        leader,
        ("001", b"FRBNF00000001"),
        ("100", "  ", [("a", general)]),
        ("101", "0 ", [("a", b"fre")]),
        ("200", "1 ", [("a", title), ("f", b"Jean Dupont")]),
        ("210", "  ", [("a", b"Paris"), ("c", b"Gallimard"), ("d", b"2016")]),
    )


# --- 1. the encoding of a record ---------------------------------------------------------------------


def test_the_samples_marc8_is_the_bytes_by_hand():
    assert marc8("Périgord") == b"P\xe2erigord"
    assert marc8("Düsseldorf") == b"D\xe8usseldorf"
    assert marc8("©") == b"\xc3"


def test_marc8_without_escape_sequences_is_read_as_marc8_not_gb18030():
    [entry] = marc_read(latin_record(marc8("Le Périgord /"), marc8("Düsseldorf :"))).entries
    assert entry.encoding == "MARC-8"
    assert entry.title == "Le Périgord"
    assert entry.fields["place"] == "Düsseldorf"
    assert entry.fields["year"] == 2016  # "©2016.": the © is MARC-8 0xC3, which GB18030 cannot read
    assert entry.contributors == [("Dupont, Jean", "author")]
    assert entry.valid and entry.notes == []


@pytest.mark.parametrize(
    "text",
    [
        "Périgord",
        "Düsseldorf",
        "Søren Kierkegaard",
        "Łódź",
        "Über die Brücke",
        "Crème brûlée",
        "São Paulo",
        "Việt Nam",
        "Ærø",
        "Dvořák: Rusalka",
        "¿Quién?",
    ],
)
def test_no_accented_latin_text_in_marc8_is_read_as_chinese(text):
    [entry] = marc_read(latin_record(marc8(text), b"Paris :")).entries
    assert (entry.encoding, entry.title) == ("MARC-8", text)
    assert entry.valid and entry.notes == []


def test_marc8_with_escape_sequences_reads_its_chinese():
    title = b"\x1b$1" + b"\x21\x35\x5b\x21\x36\x65" + b"\x1b(B /"  # EACC 吶喊
    [entry] = marc_read(latin_record(title, b"Beijing :")).entries
    assert (entry.encoding, entry.title) == ("MARC-8", "吶喊")


def test_a_blank_leader_with_valid_utf8_text_is_utf8():
    data = latin_record("Le Périgord /".encode(), "Düsseldorf :".encode(), year="©2016.".encode())
    [entry] = marc_read(data).entries
    assert (entry.encoding, entry.title, entry.fields["place"]) == ("UTF-8", "Le Périgord", "Düsseldorf")


def test_marc21_in_gb18030_from_a_chinese_system_with_a_blank_leader_is_still_read():
    record = marc21("小王子 /", statement="(法)圣埃克苏佩里著", publisher="人民文学出版社,", language="chi")
    data = iso(record, encoding="gb18030")
    assert data[9:10] == b" "
    [entry] = marc_read(data).entries
    assert (entry.encoding, entry.title, entry.fields["publisher"]) == ("GB18030", "小王子", "人民文学出版社")


def test_unimarc_declaring_iso_5426_in_field_100_is_read_as_iso_5426():
    # 100 $a/26-33 "0103": G0 ISO 646, G1 ISO 5426; the acute accent is 0xC2, before its letter.
    [entry] = marc_read(unimarc_record(b"Le P\xc2erigord", b"0103")).entries
    assert (entry.format, entry.encoding, entry.title) == ("cnmarc", "ISO 5426", "Le Périgord")
    assert entry.valid and entry.notes == []


def test_unimarc_saying_nothing_with_latin_bytes_is_not_read_as_chinese():
    [entry] = marc_read(unimarc_record(b"Les Mis\xc2erables", b"")).entries
    assert (entry.encoding, entry.title) == ("ISO 5426", "Les Misérables")


def test_cnmarc_declaring_gb2312_in_field_100_is_gb18030():
    # "0120": the usual value of Chinese systems (G1 = 20, GB 2312).
    [entry] = marc_read(unimarc_record("草房子".encode("gb18030"), b"0120")).entries
    assert (entry.encoding, entry.title) == ("GB18030", "草房子")


def test_cnmarc_declaring_unicode_in_field_100_but_written_in_utf8_is_utf8():
    [entry] = marc_read(unimarc_record("草房子".encode(), b"50")).entries
    assert (entry.encoding, entry.title) == ("UTF-8", "草房子")


def test_a_character_set_without_a_table_here_is_a_problem_not_a_chinese_reading():
    # 100 $a/26-29 "0102": basic Cyrillic (ISO-IR 37) as an 8-bit set.
    [entry] = marc_read(unimarc_record(b"\xd7\xc9\xca\xce\xc1", b"0102")).entries
    assert entry.problems == [
        "The record says (field 100) that its text is in ISO-IR 37 (Cyrillic), which this system "
        "cannot read; export it in UTF-8."
    ]


# --- 2. a field that is not in the record's encoding -------------------------------------------------


def test_a_latin1_field_in_a_utf8_latin_record_is_not_read_as_gb18030():
    # GB18030 would read these bytes ("Cr鑝e br鹐閑"); the record is in French, declared UTF-8.
    note = ("520", "  ", [("a", b"Cr\xe8me br\xfbl\xe9e.")])
    data = latin_record(
        "Le Périgord /".encode(), b"Paris :", leader=MARC21_UTF8, year="©2016.".encode(), extra=[note]
    )
    [entry] = marc_read(data).entries
    assert entry.encoding == "UTF-8" and entry.title == "Le Périgord"
    assert entry.fields["summary"] == "Cr\ufffdme br\ufffdl\ufffde."
    assert entry.notes == [
        "Field 520 is not in UTF-8 as the rest of the record is; the characters that could not be "
        "read are shown as �."
    ]
    assert entry.valid


def test_a_gb18030_field_in_a_utf8_chinese_marc21_record_is_still_read_and_noted():
    record = iso_raw(
        MARC21_UTF8,
        ("008", FIXED_CHI),
        ("245", "10", [("a", "小王子 /".encode())]),
        ("520", "  ", [("a", "一个关于爱的故事。".encode("gb18030"))]),
    )
    [entry] = marc_read(record).entries
    assert entry.fields["summary"] == "一个关于爱的故事。"
    assert entry.notes == ["Field 520 was read as GB18030, unlike the rest of the record."]


def test_a_utf8_field_in_a_marc8_record_is_read_as_utf8_and_noted():
    note = ("500", "  ", [("a", "Édition revue.".encode())])
    [entry] = marc_read(latin_record(marc8("Le Périgord /"), b"Paris :", extra=[note])).entries
    assert entry.encoding == "MARC-8" and entry.title == "Le Périgord"
    assert entry.notes == ["Field 500 was read as UTF-8, unlike the rest of the record."]


def test_bytes_that_are_not_marc8_are_replaced_and_noted_never_read_as_chinese():
    # 0xD5 is in no MARC-8 set.
    [entry] = marc_read(latin_record(marc8("Le Périgord /"), b"Bord\xd5eaux :")).entries
    assert entry.encoding == "MARC-8" and entry.title == "Le Périgord"
    assert entry.fields["place"] == "Bord\ufffdeaux"
    assert entry.notes == [
        "Field 264 is not in MARC-8 as the rest of the record is; the characters that could not be "
        "read are shown as �."
    ]


def test_a_cnmarc_field_neither_utf8_nor_gb18030_is_still_a_problem():
    data = iso(cnmarc(summary="ÿþÿ"), field_encodings={"330": "latin-1"})
    [entry] = marc_read(data).entries
    assert entry.problems == ["Field 330 holds text that is neither UTF-8 nor GB18030 and cannot be read."]
