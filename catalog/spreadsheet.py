"""The catalogue spreadsheet, as the spreadsheets of Chinese school libraries lay it out: one row
per copy, the record's columns (题名, 责任者, ISBN …) repeated on each of its copies' rows, then the
copy's own (条码, 财产登记号, 馆藏地点 …).

This module holds its vocabulary, for the resource that reads it (catalog/resources.py), the
service that saves it (catalog/services/transfer.py) and the export that writes it
(catalog/selectors/transfer.py): the columns and the names their headers go by, the words the
cells use (著, 编; 中文; 图书, 教材; 购买, 捐赠), how a cell is read (a year, a price, 28.00元,
2024年9月1日, 3-6 for grades), the header row found among the first rows of a sheet (with a
title row above it, columns in any order), and the plan of an import: what each row becomes (a
new record, another copy of a record met on an earlier row, a copy added to a record the
catalogue already has, or its errors with the column and the reason).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice
from pathlib import Path

from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library_site.documents.exceptions import FileRefused
from library_site.documents.sheets import HEADER_SEARCH_ROWS, cells_blank, max_rows, sheets_open

from .exceptions import CellError
from .models import Contributor, Copy, Record

# catalog.services and catalog.search are imported where the import needs them, not here: they
# load pypinyin's dictionaries (about 55 MB), which the export does not need.

RECORD_BATCH = 1_000
COPY_BATCH = 2_000


# --- the columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as in the template and the export: the Chinese of the libraries' spreadsheets
    help: str
    example: str = ""
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 12
    part: str = "record"  # record, copy, or export (written by the export, not read back)


COLUMNS: tuple[Column, ...] = (
    Column(
        "title",
        "题名",
        gettext_lazy("The title proper. Required."),
        "西游记",
        ("书名", "正题名", "题目"),
        required=True,
        width=28,
    ),
    Column(
        "subtitle", "副题名", gettext_lazy("Other title information, if any."), "", ("副书名", "其他题名")
    ),
    Column(
        "contributors",
        "责任者",
        gettext_lazy(
            "Authors, separated by 、 or ;, each name followed by its role if it is not 著: "
            "著, 编, 编著, 主编, 编选, 译, 绘, 改编, 续, 校注, 整理 or 评注."
        ),
        "吴承恩 著",
        ("作者", "著者", "责任者说明", "作者/责任者", "authors", "author"),
        width=18,
    ),
    Column(
        "publisher",
        "出版社",
        gettext_lazy("The publisher."),
        "人民文学出版社",
        ("出版者", "出版单位"),
        width=18,
    ),
    Column("place", "出版地", gettext_lazy("The place of publication."), "北京"),
    Column(
        "year",
        "出版年",
        gettext_lazy("The year, four digits, for example 2020."),
        "1980",
        ("出版时间", "出版日期", "出版年份"),
    ),
    Column("edition", "版次", gettext_lazy("The edition, for example 第2版."), "第2版", ("版本",)),
    Column(
        "isbn",
        "ISBN",
        gettext_lazy(
            "ISBN-10 or ISBN-13, with or without hyphens. Rows with the same ISBN are copies of one "
            "record; an ISBN the catalogue already has adds the copies to that record. Rows "
            "without an ISBN are copies of one record when title, first author and publisher agree."
        ),
        "978-7-02-000873-5",  # 西游记, 人民文学出版社 (978-7-02-000220-7 is its 红楼梦)
        ("ISBN号", "国际标准书号", "书号", "标准编号", "ISBN/ISSN"),
        width=18,
    ),
    Column(
        "price",
        "定价",
        gettext_lazy("The list price in yuan, for example 28.00."),
        "47.20",
        ("价格", "单价", "标价"),
    ),
    Column("pages", "页数", gettext_lazy("The number of pages."), "1198", ("页码", "页")),
    Column("size", "尺寸", gettext_lazy("For example 24cm."), "20cm", ("开本", "尺寸/开本")),
    Column("series", "丛书", gettext_lazy("The series, if any."), "中国古典文学读本丛书", ("丛书名", "丛编")),
    Column(
        "subjects",
        "主题词",
        gettext_lazy("Subjects and keywords, separated by semicolons."),
        "章回小说；中国；明代",
        ("主题", "关键词"),
    ),
    Column("summary", "内容简介", gettext_lazy("A short summary."), "", ("简介", "摘要", "提要"), width=30),
    Column(
        "clc_code",
        "中图法分类号",
        gettext_lazy("A class of the Chinese Library Classification, for example I242.4."),
        "I242.4",
        ("分类号", "中图分类号", "中图号", "clc"),
    ),
    Column(
        "call_number",
        "索书号",
        gettext_lazy("Leave it empty to have it made from the class number and the next sequence number."),
        "",
        ("排架号",),
    ),
    Column("language", "语种", gettext_lazy("中文, 英文 or 其他; 中文 when empty."), "中文", ("语言",)),
    Column(
        "material_type",
        "文献类型",
        gettext_lazy("图书, 期刊合订本, 音像资料, 电子资源 or 教材; 图书 when empty."),
        "图书",
        ("资料类型", "类型", "文献类别"),
    ),
    Column(
        "reading_level",
        "适读年级",
        gettext_lazy("A grade or a range of grades, for example 3-6."),
        "5-9",
        ("适读对象", "阅读年级", "年级"),
    ),
    Column("link", "链接", gettext_lazy("For e-resources: where to read it."), "", ("网址", "url")),
    Column(
        "barcode",
        "条码",
        gettext_lazy("The barcode on the copy. Leave it empty to have the next barcode given."),
        "",
        ("条形码", "条码号", "图书条码"),
        part="copy",
    ),
    Column(
        "accession_number",
        "财产登记号",
        gettext_lazy("Leave it empty to have the next number given."),
        "",
        ("登记号", "财产号", "总登记号", "登录号"),
        part="copy",
    ),
    Column(
        "location",
        "馆藏地点",
        gettext_lazy(
            "The name of one of the library's locations, for example 书库; the first location when empty."
        ),
        "书库",
        ("馆藏地", "馆藏位置", "典藏地点", "馆藏", "馆藏地址"),
        part="copy",
    ),
    Column(
        "shelf",
        "书架",
        gettext_lazy("The shelf, if the library names them."),
        "A-03",
        ("架位", "书架号", "架号"),
        part="copy",
    ),
    Column(
        "acquired_on",
        "入藏日期",
        gettext_lazy("A date, for example 2024-09-01; today when empty."),
        "2024-09-01",
        ("登记日期", "入库日期", "入藏时间"),
        part="copy",
    ),
    Column(
        "source",
        "来源",
        gettext_lazy("购买, 捐赠 or 调拨; 购买 when empty, 捐赠 when a donor is given."),
        "购买",
        ("采访方式", "获得方式"),
        part="copy",
    ),
    Column(
        "donor", "捐赠人", gettext_lazy("Who gave a donated copy."), "", ("捐赠者", "捐赠单位"), part="copy"
    ),
    Column(
        "price_paid",
        "实付价格",
        gettext_lazy("What the library paid; the list price when empty."),
        "37.76",
        ("实价", "实洋", "购入价"),
        part="copy",
    ),
    Column(
        "notes",
        "备注",
        gettext_lazy("Anything else about the copy."),
        "",
        ("附注", "说明"),
        part="copy",
        width=20,
    ),
    Column(
        "status",
        "状态",
        gettext_lazy("Written by the export; not read by the import (new copies are available)."),
        "",
        part="export",
    ),
)
IMPORT_COLUMNS = tuple(column for column in COLUMNS if column.part != "export")
BY_KEY = {column.key: column for column in COLUMNS}

ROLE_WORDS = {
    **{word: role for role, words in Contributor.ROLE_WORDS_CHINESE.items() for word in words},
    "文": Contributor.Role.AUTHOR,
    "文/图": Contributor.Role.AUTHOR,
    "文图": Contributor.Role.AUTHOR,
    "图": Contributor.Role.ILLUSTRATOR,
    **{role.value: role for role in Contributor.Role},
    "chief editor": Contributor.Role.CHIEF_EDITOR,
}
ROLE_SUFFIXES = sorted(ROLE_WORDS, key=len, reverse=True)
# Role words that end many names too (李文, 王图, 张续): taken as a role only after a space.
ROLE_WORDS_SPACED = {"文", "图", "续"}
ROLE_EXPORT = {role: words[0] for role, words in Contributor.ROLE_WORDS_CHINESE.items()}
CONTRIBUTOR_SEPARATORS = re.compile(r"[、;；]")

LANGUAGE_WORDS = {
    Record.Language.CHINESE: ("中文", "汉语", "中", "chi", "zh", "zho", "chinese", "zh-cn", "zh-hans"),
    Record.Language.ENGLISH: ("英文", "英语", "英", "eng", "en", "english"),
    Record.Language.OTHER: ("其他", "其它", "und", "other"),
}
MATERIAL_WORDS = {
    Record.MaterialType.BOOK: ("图书", "书", "普通图书", "中文图书", "book"),
    Record.MaterialType.PERIODICAL_VOLUME: (
        "期刊合订本",
        "过刊合订本",
        "合订本",
        "合订期刊",
        "periodical_volume",
        "bound periodical volume",
    ),
    Record.MaterialType.AUDIO_VISUAL: (
        "音像资料",
        "音像",
        "视听资料",
        "音像制品",
        "audio_visual",
        "audio-visual",
    ),
    Record.MaterialType.E_RESOURCE: ("电子资源", "电子书", "e_resource", "e-resource"),
    Record.MaterialType.TEXTBOOK: ("教材", "教科书", "课本", "textbook"),
}
SOURCE_WORDS = {
    Copy.Source.PURCHASE: ("购买", "采购", "购入", "订购", "购置", "purchase"),
    Copy.Source.DONATION: ("捐赠", "赠送", "捐献", "受赠", "赠书", "donation"),
    Copy.Source.TRANSFER: ("调拨", "调入", "划拨", "transfer"),
}
LANGUAGE_EXPORT = {
    Record.Language.CHINESE: "中文",
    Record.Language.ENGLISH: "英文",
    Record.Language.OTHER: "其他",
}
MATERIAL_EXPORT = {value: words[0] for value, words in MATERIAL_WORDS.items()}
SOURCE_EXPORT = {value: words[0] for value, words in SOURCE_WORDS.items()}
STATUS_EXPORT = {
    Copy.Status.AVAILABLE: "在架可借",
    Copy.Status.ON_LOAN: "借出",
    Copy.Status.ON_HOLD_SHELF: "预约架",
    Copy.Status.IN_REPAIR: "修补中",
    Copy.Status.LOST: "遗失",
    Copy.Status.WITHDRAWN: "已注销",
    Copy.Status.IN_CLASS_CORNER: "班级图书角",
    Copy.Status.AWAITING_REVIEW: "待内容审核",
}
CHINESE_NUMERALS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def words_index(words: dict) -> dict[str, str]:
    return {_fold(word): value for value, choices in words.items() for word in choices}


LANGUAGES = words_index(LANGUAGE_WORDS)
MATERIALS = words_index(MATERIAL_WORDS)
SOURCES = words_index(SOURCE_WORDS)


def _header_fold(text: str) -> str:
    folded = _fold(text)
    folded = re.sub(r"[\s*＊_]", "", folded)
    return folded


HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.key, *_column.aliases):
        HEADERS.setdefault(_header_fold(_name), _column.key)

RECORD_MAX_LENGTH = {
    field.name: field.max_length
    for field in Record._meta.concrete_fields
    if getattr(field, "max_length", None)
}
COPY_MAX_LENGTH = {
    name: Copy._meta.get_field(name).max_length
    for name in ("barcode", "accession_number", "shelf", "donor", "notes")
}
CONTRIBUTOR_MAX_LENGTH = Contributor._meta.get_field("name").max_length
MONEY_LIMIT = Decimal("99999999.99")
CENT = Decimal("0.01")


# --- the outcome of the checks ---------------------------------------------------------------------


class Fate(models.TextChoices):
    """What a row of the file becomes."""

    NEW = "new"  # the first row of a new record
    SAME = "same"  # another copy of the record of an earlier row
    EXISTING = "existing"  # a copy added to a record the catalogue already has
    ERROR = "error"


@dataclass(slots=True)
class RowFate:
    row: int
    fate: str = Fate.NEW
    title: str = ""
    isbn: str = ""
    barcode: str = ""
    location: str = ""
    first_row: int | None = None
    existing_id: int | None = None
    existing_title: str = ""
    errors: list | None = None  # [(column, message)]
    warnings: list | None = None

    def error(self, column: str, message) -> None:
        if self.errors is None:
            self.errors = []
        self.errors.append((column, str(message)))

    def warn(self, column: str, message) -> None:
        if self.warnings is None:
            self.warnings = []
        self.warnings.append((column, str(message)))

    def as_list(self) -> list:
        return [
            self.row,
            Fate.ERROR if self.errors else self.fate,
            self.title,
            self.isbn,
            self.barcode,
            self.location,
            self.first_row,
            self.existing_id,
            self.existing_title,
            self.errors or [],
            self.warnings or [],
        ]


@dataclass
class ImportPlan:
    """What an import would do. Nothing is saved by making it."""

    name: str = ""
    refusal: str = ""
    notices: list[str] = field(default_factory=list)
    rows: list[RowFate] = field(default_factory=list)
    header_row: int = 0
    columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column key → the header in the file
    # The rows below the header (tablib, as django-import-export takes them) and their numbers
    # in the sheet.
    dataset: object = None
    sheet_rows: list[int] = field(default_factory=list)
    # What stopped the saving of a file whose rows were all right (a broken rule of
    # catalog.services), as django-import-export reported it.
    failure: str = ""

    @property
    def error_rows(self) -> list[RowFate]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return (
            not self.refusal
            and not self.failure
            and bool(self.rows)
            and not any(row.errors for row in self.rows)
        )

    def counts(self) -> dict[str, int]:
        counts = {
            "rows": len(self.rows),
            "new_records": 0,
            "copies": 0,
            "existing_copies": 0,
            "errors": 0,
            "warnings": 0,
            "existing_records": 0,
        }
        existing = set()
        for row in self.rows:
            if row.errors:
                counts["errors"] += 1
                continue
            counts["copies"] += 1
            if row.warnings:
                counts["warnings"] += 1
            if row.fate == Fate.NEW:
                counts["new_records"] += 1
            elif row.fate == Fate.EXISTING:
                counts["existing_copies"] += 1
                existing.add(row.existing_id)
        counts["existing_records"] = len(existing)
        return counts

    def report(self) -> dict:
        """The plan as plain data (for the preview page, which keeps it as JSON between requests)."""
        return {
            "name": self.name,
            "refusal": self.refusal or self.failure,
            "notices": self.notices,
            "counts": self.counts(),
            "header_row": self.header_row,
            "rows": [row.as_list() for row in self.rows],
        }

    def error_lines(self, limit: int | None = None) -> list[str]:
        """Row-numbered errors, one a line, as the command prints them."""
        if self.refusal:
            return [self.refusal]
        lines = [self.failure] if self.failure else []
        for row in self.rows:
            for column, message in row.errors or ():
                lines.append(
                    _("Row %(row)s, %(column)s: %(message)s")
                    % {"row": row.row, "column": column, "message": message}
                )
        if not self.rows:
            lines.append(_("The file has no rows below its header."))
        return lines[:limit] if limit else lines


def fate_text(row: list | RowFate) -> str:
    """A row's fate in words (for the command; the page shows the same with its badges)."""
    if isinstance(row, RowFate):
        row = row.as_list()
    _number, fate, title, _isbn, barcode, _location, first_row, _existing_id, existing_title = row[:9]
    if fate == Fate.ERROR:
        return "; ".join(f"{column}: {message}" for column, message in row[9])
    if fate == Fate.NEW:
        text = _("new record “%(title)s”") % {"title": title}
    elif fate == Fate.SAME:
        text = _("another copy of the record on row %(row)s") % {"row": first_row}
    else:
        text = _("copy added to the catalogue's record “%(title)s”") % {"title": existing_title}
    if barcode:
        text += _(", barcode %(barcode)s") % {"barcode": barcode}
    return text


# --- reading files -----------------------------------------------------------------------------------


def _refuse(message) -> FileRefused:
    return FileRefused(str(message))


def _locate_header(rows: Iterator) -> tuple[int, dict[str, int], dict[str, str], list[str]] | None:
    """The header row among the first rows: the first that names the title column and at least
    one other known column. Returns its number, the column of each key, the header text of each
    key and the headers that are not known."""
    for number, cells in islice(rows, HEADER_SEARCH_ROWS):
        found: dict[str, int] = {}
        texts: dict[str, str] = {}
        unknown: list[str] = []
        duplicate = ""
        for index, value in enumerate(cells):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            text = str(value).strip()
            key = HEADERS.get(_header_fold(text))
            if key is None:
                unknown.append(text)
            elif key in found:
                duplicate = text
            else:
                found[key] = index
                texts[key] = text
        if "title" in found and len(found) >= 2:
            if duplicate:
                raise _refuse(
                    _("Two columns of row %(row)s mean the same (%(header)s): keep one of them.")
                    % {"row": number, "header": duplicate}
                )
            return number, found, texts, unknown
    return None


# --- reading a cell --------------------------------------------------------------------------------


def text_limit(text: str, limit: int) -> str:
    if len(text) > limit:
        raise CellError(
            _("Longer than %(limit)s characters (it has %(length)s).") % {"limit": limit, "length": len(text)}
        )
    return text


def year_parse(value, text: str) -> int | None:
    if isinstance(value, (datetime, date)):
        return value.year
    if not text:
        return None
    match = re.match(r"^(\d{4})(?:\D.*)?$", unicodedata.normalize("NFKC", text))
    year = int(match.group(1)) if match else 0
    if not 1000 <= year <= 2100:
        raise CellError(_("Not a year: write it as four digits, for example 2020."))
    return year


def money_parse(value, text: str) -> Decimal | None:
    if not text:
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        cleaned = re.sub(r"(?i)[\s,¥￥元]|cny|rmb", "", unicodedata.normalize("NFKC", text))
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MONEY_LIMIT:
        raise CellError(_("Not a price: write a number of yuan, for example 28.00."))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def pages_parse(text: str) -> int | None:
    if not text:
        return None
    match = re.match(r"^(\d{1,6})\s*(页|p|pp|P|頁)?\.?$", unicodedata.normalize("NFKC", text))
    if not match or int(match.group(1)) == 0:
        raise CellError(_("Not a number of pages: write a whole number, for example 256."))
    return int(match.group(1))


def _grade(text: str) -> int:
    text = text.strip()
    text = re.sub(r"(年级|级)$", "", text)
    number = int(text) if text.isdigit() else CHINESE_NUMERALS.get(text, 0)
    if not 1 <= number <= 12:
        raise ValueError(text)
    return number


def reading_level_parse(text: str) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    folded = unicodedata.normalize("NFKC", text).replace(" ", "")
    parts = re.split(r"[-~–—至到]+", folded)
    try:
        if len(parts) == 1:
            grade = _grade(parts[0])
            return grade, grade
        if len(parts) == 2:
            first, last = _grade(parts[0]), _grade(parts[1])
            if first <= last:
                return first, last
    except ValueError:
        pass
    raise CellError(_("Not a grade or a range of grades: write for example 3-6 (grades 1 to 12)."))


def date_parse(value, text: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text).strip()
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?$", folded) or re.match(
        r"^(\d{4})(\d{2})(\d{2})$", folded
    )
    try:
        if match:
            parsed = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if 1900 <= parsed.year <= 2100:
                return parsed
    except ValueError:
        pass
    raise CellError(_("Not a date: write it as 2024-09-01."))


def choice_parse(text: str, index: dict[str, str], words: dict, message) -> str:
    """One of a few words, folded (全角, capitals); refused with ``message`` naming the choices."""
    value = index.get(_fold(text))
    if value is None:
        raise CellError(
            message % {"value": text, "choices": "、".join(choices[0] for choices in words.values())}
        )
    return value


UNKNOWN_LANGUAGE = gettext_lazy("Unknown language “%(value)s”: write one of %(choices)s.")
UNKNOWN_MATERIAL = gettext_lazy("Unknown material type “%(value)s”: write one of %(choices)s.")
UNKNOWN_SOURCE = gettext_lazy("Unknown source “%(value)s”: write one of %(choices)s.")


def contributors_parse(text: str) -> list[tuple[str, str]]:
    """'曹文轩 著、任溶溶译; 王芳等 主编' → [(曹文轩, author), (任溶溶, translator), (王芳, chief_editor)]."""
    parsed = []
    for part in CONTRIBUTOR_SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        name, role = part, Contributor.Role.AUTHOR
        stripped = re.sub(r"[（(\[［]([^)）\]］]+)[)）\]］]$", r" \1", part).strip()
        lowered = stripped.lower()
        for word in ROLE_SUFFIXES:
            if lowered.endswith(word) and len(stripped) > len(word):
                candidate = stripped[: -len(word)].rstrip()
                # An English role word must stand apart from the name ("Rowling author").
                attached = candidate == stripped[: -len(word)]
                if attached and ((word.isascii() and word.isalpha()) or word in ROLE_WORDS_SPACED):
                    continue
                name, role = candidate, ROLE_WORDS[word]
                break
        if name.endswith("等") and len(name) > 2:
            name = name[:-1].rstrip()
        name = name.strip(" ，,")
        if not name:
            continue
        if len(name) > CONTRIBUTOR_MAX_LENGTH:
            raise CellError(
                _("An author's name is longer than %(limit)s characters.") % {"limit": CONTRIBUTOR_MAX_LENGTH}
            )
        parsed.append((name, str(role)))
    return parsed


def contributors_text(contributors: Iterable[tuple[str, str]]) -> str:
    return "；".join(f"{name} {ROLE_EXPORT.get(role, '著')}" for name, role in contributors)


def reading_level_text(first: int | None, last: int | None) -> str:
    if not first and not last:
        return ""
    if first and last and first != last:
        return f"{first}-{last}"
    return str(first or last)


# --- checking a file -----------------------------------------------------------------------------------

URL_VALIDATOR = URLValidator()


def group_key(record: dict, contributors: list) -> tuple | None:
    from .search import search_normalise

    if record.get("isbn"):
        return ("isbn", record["isbn"])
    if not record.get("title"):
        return None
    title = search_normalise(f"{record['title']} {record.get('subtitle', '')}".strip())
    author = search_normalise(contributors[0][0]) if contributors else ""
    # Without an ISBN a record is its title, first author and publisher, and its edition: the
    # year and edition statement, so that 围城 of 1991 and of 2013 stay two records.
    return (
        "title",
        title,
        author,
        search_normalise(record.get("publisher", "")),
        record.get("year") or None,
        search_normalise(record.get("edition") or ""),
    )


def plan_read(path: Path | str, *, extension: str | None, name: str, limit: int | None) -> ImportPlan:
    """A plan holding the file's rows (``dataset``), or its refusal."""
    path = Path(path)
    extension = (extension or path.suffix).lower()
    plan = ImportPlan(name=name or path.name)
    try:
        with sheets_open(path, extension) as sheets:
            _read_dataset(plan, sheets, limit or max_rows())
    except FileRefused as refusal:
        plan.refusal = str(refusal.message)
        plan.dataset = None
    else:
        if not plan.sheet_rows:
            plan.refusal = _("The file has no rows below its header.")
            plan.dataset = None
    return plan


def _read_dataset(plan: ImportPlan, sheets, limit: int) -> None:
    """The rows below the header as a tablib Dataset with the template's headers, the columns
    the file does not know left out and blank rows skipped; the sheet's row numbers aside."""
    import tablib

    located = None
    for _title, rows_of in sheets:
        rows = rows_of()
        located = _locate_header(rows)
        if located:
            break
    if located is None:
        raise _refuse(
            _(
                "No header row was found: one of the first %(count)s rows must name the columns, "
                "题名 among them (download the template to see them all)."
            )
            % {"count": HEADER_SEARCH_ROWS}
        )
    plan.header_row, columns, headers, unknown = located
    plan.columns = [headers[key] for key in sorted(columns, key=columns.get)]
    if unknown:
        plan.notices.append(
            _("These columns are not known and were left out: %(columns)s.") % {"columns": "、".join(unknown)}
        )
    if "status" in columns:
        columns.pop("status")
        plan.notices.append(_("The 状态 (status) column is not imported: every new copy is available."))
    plan.headers = headers
    keys = sorted(columns, key=columns.get)
    indexes = [columns[key] for key in keys]
    dataset = tablib.Dataset(headers=[BY_KEY[key].header for key in keys])
    # A text met again (the title and publisher on every copy's row, the location, the date) is
    # kept once: it halves the memory of a large file.
    seen: dict = {}
    keep = seen.setdefault
    for number, cells in rows:
        if cells_blank(cells):
            continue
        if len(plan.sheet_rows) >= limit:
            raise _refuse(
                _("The file has more than %(limit)s rows: split it into several files.")
                % {"limit": f"{limit:,}"}
            )
        width = len(cells)
        dataset.append([_kept(cells[index], keep) if index < width else None for index in indexes])
        plan.sheet_rows.append(number)
    plan.dataset = dataset


def _kept(value, keep):
    return keep(value, value) if type(value) is str else value
