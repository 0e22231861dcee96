"""The pinyin forms that search stores, computed from one pypinyin reading per text, are
exactly what pypinyin's own styles give (the straightforward definitions below)."""

import csv
from pathlib import Path

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

from catalog.search import pinyin_full, pinyin_initials, pinyin_sort_key, search_normalise

CLC = Path(__file__).resolve().parent.parent / "data" / "clc.tsv"


def reference_full(text):
    return "".join(part for part in lazy_pinyin(text, errors="ignore") if part.isascii()).lower()


def reference_initials(text):
    return "".join(
        part[0]
        for part in lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: chars.split())
        if part
    ).lower()


def reference_sort_key(text):
    parts = lazy_pinyin(
        search_normalise(text), style=Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: chars
    )
    return " ".join(parts)[:600]


def corpus():
    ranges = [(0x3007, 0x3008), (0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)]
    characters = [chr(code) for start, end in ranges for code in range(start, end)]
    without_reading = [char for char in characters if ord(char) not in PINYIN_DICT]
    texts = list(characters)
    # Runs of characters, with and without readings, as pypinyin segments phrases in them.
    texts += ["".join(characters[index : index + 9]) for index in range(0, len(characters), 9)]
    texts += [f"中{char}国{char}人" for char in without_reading[:200]]
    texts += sorted(PHRASES_DICT)[::7]
    with CLC.open(encoding="utf-8") as handle:
        texts += [row["name_zh"] for row in csv.DictReader(handle, delimiter="\t")]
    texts += [
        "",
        " ",
        "西游记",
        "西游记（青少年版）",
        "Harry Potter and the Philosopher's Stone",
        "哈利·波特与魔法石 第1册",
        "a中b c5 d",
        "三国演义5",
        "好了 呢 吧",
        "女 绿色 略 嗯 欸 〇",
        "ＡＢＣ全角 ａｂｃ",
        "  多   空格  ",
        "3D打印 DIY手工",
        "I287.45/123",
        "Ünïcödé 中文 ß",
        "數學與邏輯",
    ]
    return texts


def test_the_stored_pinyin_forms_equal_pypinyins_own_styles():
    mismatches = []
    for text in corpus():
        got = (pinyin_full(text), pinyin_initials(text), pinyin_sort_key(text))
        wanted = (reference_full(text), reference_initials(text), reference_sort_key(text))
        if got != wanted:
            mismatches.append((text, got, wanted))
    assert mismatches[:5] == []
