"""Import and export of catalogue records with their copies, as the spreadsheets of Chinese
school libraries lay them out: one row per copy, the record's columns (题名, 责任者, ISBN …)
repeated on each of its copies' rows, then the copy's own (条码, 财产登记号, 馆藏地点 …).

An import is checked whole before anything is saved (``import_prepare``): every row gets its
fate (a new record, another copy of a record met on an earlier row, copies added to a record
the catalogue already has, or an error with the column and the reason). Only a file without
errors is saved (``import_save``), in one transaction, with the rules of ``catalog.services``
applied in bulk: all the rows or none.

The export (``export_xlsx``, ``export_csv``) writes the same columns, so that an export can be
imported again, here or into another system; every cell goes through ``spreadsheet_safe``.

django-import-export is not used here: its row-by-row import took ~80 s for 50,000 rows on
this machine and its preview keeps every row's objects in memory; this module validates in
plain Python, saves in bulk and streams the export (see benchmarks/bench_transfer.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library_site.spreadsheets import FORMULA_TRIGGERS, spreadsheet_safe
from library_site.xlsx_stream import XlsxStreamWriter

from .exceptions import CatalogError, InvalidISBN, UnknownClass
from .isbn import isbn_hyphenate, isbn_normalise
from .models import Contributor, Copy, Location, Record

# catalog.services and catalog.search are imported where the import needs them, not here: they
# load pypinyin's dictionaries (about 55 MB), which the export does not need.

DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip file: a small upload can unpack to gigabytes. Real workbooks of 100,000
# rows unpack to well under this.
MAX_UNPACKED_BYTES = 600 * 1024 * 1024
HEADER_SEARCH_ROWS = 20
RECORD_BATCH = 1_000
COPY_BATCH = 2_000
EXPORT_CHUNK = 2_000
EXTENSIONS = (".xlsx", ".csv")
TEMPLATE_FILENAME = "馆藏导入模板.xlsx"


def max_rows() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_bytes() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_megabytes() -> str:
    """The upload limit as a librarian reads it: 20, or 0.5."""
    return f"{max_bytes() / (1024 * 1024):.1f}".removesuffix(".0")


class FileRefused(CatalogError):
    """The file as a whole cannot be imported (unreadable, empty, too large, no header row)."""

    default_message = gettext_lazy("This file cannot be imported.")


class ImportFailed(CatalogError):
    """Saving stopped on a row; nothing was kept."""


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
            "著, 编, 主编, 译, 绘 or 改编."
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
        "978-7-02-000220-7",
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
    Column("pages", "页数", gettext_lazy("The number of pages."), "1152", ("页码", "页")),
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
    "著": Contributor.Role.AUTHOR,
    "原著": Contributor.Role.AUTHOR,
    "著者": Contributor.Role.AUTHOR,
    "文": Contributor.Role.AUTHOR,
    "文/图": Contributor.Role.AUTHOR,
    "文图": Contributor.Role.AUTHOR,
    "撰": Contributor.Role.AUTHOR,
    "编": Contributor.Role.EDITOR,
    "编著": Contributor.Role.EDITOR,
    "编写": Contributor.Role.EDITOR,
    "编者": Contributor.Role.EDITOR,
    "选编": Contributor.Role.EDITOR,
    "主编": Contributor.Role.CHIEF_EDITOR,
    "总主编": Contributor.Role.CHIEF_EDITOR,
    "译": Contributor.Role.TRANSLATOR,
    "翻译": Contributor.Role.TRANSLATOR,
    "译者": Contributor.Role.TRANSLATOR,
    "绘": Contributor.Role.ILLUSTRATOR,
    "图": Contributor.Role.ILLUSTRATOR,
    "绘图": Contributor.Role.ILLUSTRATOR,
    "绘画": Contributor.Role.ILLUSTRATOR,
    "插图": Contributor.Role.ILLUSTRATOR,
    "改编": Contributor.Role.ADAPTER,
    **{role.value: role for role in Contributor.Role},
    "chief editor": Contributor.Role.CHIEF_EDITOR,
}
ROLE_SUFFIXES = sorted(ROLE_WORDS, key=len, reverse=True)
# Role words that end many names too (李文, 王图): taken as a role only after a space.
ROLE_WORDS_SPACED = {"文", "图"}
ROLE_EXPORT = {
    Contributor.Role.AUTHOR: "著",
    Contributor.Role.EDITOR: "编",
    Contributor.Role.CHIEF_EDITOR: "主编",
    Contributor.Role.TRANSLATOR: "译",
    Contributor.Role.ILLUSTRATOR: "绘",
    Contributor.Role.ADAPTER: "改编",
}
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


def _words_index(words: dict) -> dict[str, str]:
    return {_fold(word): value for value, choices in words.items() for word in choices}


LANGUAGES = _words_index(LANGUAGE_WORDS)
MATERIALS = _words_index(MATERIAL_WORDS)
SOURCES = _words_index(SOURCE_WORDS)


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


class Fate:
    NEW = "new"  # the first row of a new record
    SAME = "same"  # another copy of the record of an earlier row
    EXISTING = "existing"  # a copy added to a record the catalogue already has
    ERROR = "error"


@dataclass(slots=True)
class RowResult:
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


@dataclass(slots=True)
class _Group:
    """A record the file describes: its fields (in RECORD_FIELDS order) and contributors."""

    first_row: int
    values: tuple
    contributors: list
    existing_id: int | None = None
    existing_title: str = ""
    record_id: int | None = None


@dataclass(slots=True)
class _CopyDraft:
    row: int
    group: int
    barcode: str
    accession_number: str
    location_id: int
    shelf: str
    acquired_on: date | None
    source: str
    donor: str
    price_paid: Decimal | None
    notes: str


@dataclass
class ImportPlan:
    """What an import would do. Nothing is saved by making it."""

    name: str = ""
    refusal: str = ""
    notices: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    copies: list[_CopyDraft] = field(default_factory=list)
    header_row: int = 0
    columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    # Class numbers met, resolved by clc_resolve (an UnknownClass where it refused them).
    classes: dict = field(default_factory=dict)
    barcode_rows: dict[str, int] = field(default_factory=dict)
    accession_rows: dict[str, int] = field(default_factory=dict)

    def classes_resolved(self) -> dict:
        return {code: item for code, item in self.classes.items() if not isinstance(item, UnknownClass)}

    @property
    def error_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.refusal and bool(self.rows) and not any(row.errors for row in self.rows)

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
            "refusal": self.refusal,
            "notices": self.notices,
            "counts": self.counts(),
            "header_row": self.header_row,
            "rows": [row.as_list() for row in self.rows],
        }

    def error_lines(self, limit: int | None = None) -> list[str]:
        """Row-numbered errors, one a line, as the command prints them."""
        if self.refusal:
            return [self.refusal]
        lines = []
        for row in self.rows:
            for column, message in row.errors or ():
                lines.append(
                    _("Row %(row)s, %(column)s: %(message)s")
                    % {"row": row.row, "column": column, "message": message}
                )
        if not self.rows:
            lines.append(_("The file has no rows below its header."))
        return lines[:limit] if limit else lines


def fate_text(row: list | RowResult) -> str:
    """A row's fate in words (for the command; the page shows the same with its badges)."""
    if isinstance(row, RowResult):
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


@contextmanager
def _sheets(path: Path, extension: str):
    """The sheets of a file, each as (name, a function that returns a fresh iterator of
    (row number, cells))."""
    size = path.stat().st_size
    if size == 0:
        raise _refuse(_("The file is empty."))
    if size > max_bytes():
        raise _refuse(
            _("The file is larger than %(limit)s MB: split it into several files.")
            % {"limit": max_megabytes()}
        )
    if extension == ".xlsx":
        with _xlsx_sheets(path) as sheets:
            yield sheets
    elif extension == ".csv":
        yield _csv_sheets(path)
    else:
        raise _refuse(_("Only .xlsx and .csv files can be imported."))


@contextmanager
def _xlsx_sheets(path: Path):
    from openpyxl import load_workbook

    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _(
                "This is an old Excel file (.xls) under a new name: open it in Excel or WPS and save it as .xlsx."
            )
        )
    unreadable = _(
        "This file is not an Excel workbook (.xlsx), or it is damaged: open it in Excel or WPS and "
        "save it again as .xlsx, or as CSV."
    )
    if not magic.startswith(b"PK"):
        raise _refuse(unreadable)
    # A file object, not the path: openpyxl would judge the file by its name's extension.
    handle = path.open("rb")
    try:
        with zipfile.ZipFile(handle) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _refuse(_("The workbook is too large once unpacked: split it into several files."))
        handle.seek(0)
        workbook = load_workbook(handle, read_only=True, data_only=False, keep_links=False)
    except FileRefused:
        handle.close()
        raise
    except Exception as error:  # zipfile, XML and openpyxl's own errors: all mean "not a workbook"
        handle.close()
        raise _refuse(unreadable) from error
    try:

        def reader(worksheet):
            def rows():
                # The size that a file states can be wrong (some programs write A1 whatever the
                # data): read every row there is, not the rows it claims.
                worksheet.reset_dimensions()
                try:
                    yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
                except FileRefused:
                    raise
                except Exception as error:
                    raise _refuse(unreadable) from error

            return rows

        yield [(worksheet.title, reader(worksheet)) for worksheet in workbook.worksheets]
    finally:
        workbook.close()
        handle.close()


def _csv_sheets(path: Path):
    data = path.read_bytes()
    text = None
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    del data
    if text is None:
        raise _refuse(
            _("The CSV file's text encoding is not UTF-8 or GB18030 (GBK): save it again as CSV UTF-8.")
        )
    if "\x00" in text:
        raise _refuse(_("This is not a CSV text file: save the spreadsheet as .xlsx or as CSV."))
    first_lines = "\n".join(text[:20_000].splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = max(",\t;", key=first_lines.count) if first_lines else ","

    def rows():
        try:
            yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
        except csv.Error as error:
            raise _refuse(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error

    return [("csv", rows)]


def _blank(cells) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in cells)


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


class _CellError(Exception):
    pass


def _cell_text(value) -> tuple[str, bool]:
    """A cell as text, and whether it held a formula. Numbers lose a trailing .0 (an ISBN or a
    barcode typed as a number), dates become 2024-09-01, and the apostrophe that an export puts
    before = + - @ is taken off again."""
    if value is None:
        return "", False
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("'") and text[1:2] and text[1] in FORMULA_TRIGGERS:
            return text[1:], False
        return text, text.startswith("=") and len(text) > 1
    if isinstance(value, bool):
        return ("1" if value else "0"), False
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), False
        return repr(value), False
    if isinstance(value, datetime):
        return value.date().isoformat(), False
    if isinstance(value, date):
        return value.isoformat(), False
    return str(value).strip(), False


def _limit(text: str, limit: int) -> str:
    if len(text) > limit:
        raise _CellError(
            _("Longer than %(limit)s characters (it has %(length)s).") % {"limit": limit, "length": len(text)}
        )
    return text


def _single_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text


def _year(value, text: str) -> int | None:
    if isinstance(value, (datetime, date)):
        return value.year
    if not text:
        return None
    match = re.match(r"^(\d{4})(?:\D.*)?$", unicodedata.normalize("NFKC", text))
    year = int(match.group(1)) if match else 0
    if not 1000 <= year <= 2100:
        raise _CellError(_("Not a year: write it as four digits, for example 2020."))
    return year


def _money(value, text: str) -> Decimal | None:
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
        raise _CellError(_("Not a price: write a number of yuan, for example 28.00."))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _pages(text: str) -> int | None:
    if not text:
        return None
    match = re.match(r"^(\d{1,6})\s*(页|p|pp|P|頁)?\.?$", unicodedata.normalize("NFKC", text))
    if not match or int(match.group(1)) == 0:
        raise _CellError(_("Not a number of pages: write a whole number, for example 256."))
    return int(match.group(1))


def _grade(text: str) -> int:
    text = text.strip()
    text = re.sub(r"(年级|级)$", "", text)
    number = int(text) if text.isdigit() else CHINESE_NUMERALS.get(text, 0)
    if not 1 <= number <= 12:
        raise ValueError(text)
    return number


def _reading_level(text: str) -> tuple[int | None, int | None]:
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
    raise _CellError(_("Not a grade or a range of grades: write for example 3-6 (grades 1 to 12)."))


def _acquired(value, text: str) -> date | None:
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
    raise _CellError(_("Not a date: write it as 2024-09-01."))


def _choice(text: str, index: dict[str, str], default: str, words: dict, message) -> str:
    if not text:
        return default
    value = index.get(_fold(text))
    if value is None:
        raise _CellError(
            message % {"value": text, "choices": "、".join(choices[0] for choices in words.values())}
        )
    return value


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
            raise _CellError(
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


class _RowReader:
    """Turns the cells of one row into a record's fields and a copy's, noting every error."""

    def __init__(
        self,
        columns: dict[str, int],
        headers: dict[str, str],
        locations: dict[str, Location],
        default_location: Location | None,
        classes: dict,
    ):
        self.columns = columns
        self.headers = headers
        self.locations = locations
        self.default_location = default_location
        self.classes = classes
        self.isbns: dict[str, str] = {}
        self.without_location = 0

    def read(self, result: RowResult, cells) -> tuple[dict, list, dict] | None:
        values = {}
        width = len(cells)
        for key, index in self.columns.items():
            raw = cells[index] if index < width else None
            text, formula = _cell_text(raw)
            if formula:
                result.warn(
                    self.headers[key],
                    _("The cell holds a formula (%(formula)s): it was read as text, not calculated.")
                    % {"formula": text[:40]},
                )
            values[key] = (raw, text)
        record: dict = {}
        copy: dict = {}
        contributors: list = []
        readers = self.READERS
        for key, (raw, text) in values.items():
            try:
                readers[key](self, key, raw, text, record, copy, result)
                if key == "contributors":
                    contributors = contributors_parse(text)
            except _CellError as error:
                result.error(self.headers[key], error.args[0])
        title_refused = any(column == self.headers["title"] for column, _message in result.errors or ())
        if not record.get("title") and not title_refused:
            result.error(self.headers["title"], _("A record needs a title."))
        if record.get("material_type") == Record.MaterialType.E_RESOURCE and not record.get("link"):
            result.error(self.headers.get("link", BY_KEY["link"].header), _("An e-resource needs its link."))
        if "location" not in copy and not values.get("location", (None, ""))[1]:
            self._default_location(copy, result)
        if copy.get("donor") and not copy.get("source"):
            copy["source"] = Copy.Source.DONATION
        result.title = record.get("title", "")
        result.isbn = record.get("isbn") or values.get("isbn", (None, ""))[1][:20]
        result.barcode = copy.get("barcode", "")
        return record, contributors, copy

    def _default_location(self, copy: dict, result: RowResult) -> None:
        if self.default_location is None:
            result.error(BY_KEY["location"].header, _("The library has no location in use: add one first."))
            return
        copy["location"] = self.default_location
        result.location = self.default_location.name
        self.without_location += 1

    # One reader per column, looked up once per cell.

    def _record_text(self, key, raw, text, record, copy, result):
        record[key] = _limit(_single_line(text), RECORD_MAX_LENGTH[key]) if text else ""

    def _summary(self, key, raw, text, record, copy, result):
        record[key] = text

    def _nothing(self, key, raw, text, record, copy, result):
        return

    def _year(self, key, raw, text, record, copy, result):
        record[key] = _year(raw, text)

    def _isbn(self, key, raw, text, record, copy, result):
        if not text:
            return
        if text not in self.isbns:
            try:
                self.isbns[text] = isbn_normalise(text)
            except InvalidISBN as error:
                self.isbns[text] = ""
                raise _CellError(str(error.message)) from error
        if not self.isbns[text]:
            raise _CellError(str(InvalidISBN.default_message))
        record[key] = self.isbns[text]

    def _money(self, key, raw, text, record, copy, result):
        (record if key == "price" else copy)[key] = _money(raw, text)

    def _pages(self, key, raw, text, record, copy, result):
        record[key] = _pages(text)

    def _clc(self, key, raw, text, record, copy, result):
        from .services import clc_normalise, clc_resolve

        code = clc_normalise(text)
        if code:
            _limit(code, RECORD_MAX_LENGTH["clc_code"])
            if code not in self.classes:
                try:
                    self.classes[code] = clc_resolve(code)
                except UnknownClass as error:
                    self.classes[code] = error
            if isinstance(self.classes[code], UnknownClass):
                raise _CellError(
                    _("%(code)s is not a class of the Chinese Library Classification.") % {"code": code}
                )
        record[key] = code

    def _language(self, key, raw, text, record, copy, result):
        record[key] = _choice(
            text,
            LANGUAGES,
            Record.Language.CHINESE,
            LANGUAGE_WORDS,
            _("Unknown language “%(value)s”: write one of %(choices)s."),
        )

    def _material(self, key, raw, text, record, copy, result):
        record[key] = _choice(
            text,
            MATERIALS,
            Record.MaterialType.BOOK,
            MATERIAL_WORDS,
            _("Unknown material type “%(value)s”: write one of %(choices)s."),
        )

    def _reading_level(self, key, raw, text, record, copy, result):
        record["reading_level_from"], record["reading_level_to"] = _reading_level(text)

    def _link(self, key, raw, text, record, copy, result):
        if text:
            _limit(text, RECORD_MAX_LENGTH["link"])
            try:
                URL_VALIDATOR(text)
            except ValidationError as error:
                raise _CellError(_("Not a web address: write it as https://…")) from error
        record[key] = text

    def _copy_text(self, key, raw, text, record, copy, result):
        copy[key] = _limit(_single_line(text), COPY_MAX_LENGTH[key]) if text else ""

    def _location(self, key, raw, text, record, copy, result):
        if not text:
            return
        location = self.locations.get(text)
        if location is None:
            raise _CellError(
                _("Unknown location “%(name)s”: use one of %(names)s.")
                % {
                    "name": text,
                    "names": "、".join(name for name, item in self.locations.items() if item.is_active),
                }
            )
        if not location.is_active:
            raise _CellError(_("The location “%(name)s” is no longer in use.") % {"name": text})
        copy["location"] = location
        result.location = location.name

    def _acquired(self, key, raw, text, record, copy, result):
        copy[key] = _acquired(raw, text)

    def _source(self, key, raw, text, record, copy, result):
        if text:
            copy[key] = _choice(
                text,
                SOURCES,
                Copy.Source.PURCHASE,
                SOURCE_WORDS,
                _("Unknown source “%(value)s”: write one of %(choices)s."),
            )

    READERS = {
        **dict.fromkeys(
            (
                "title",
                "subtitle",
                "publisher",
                "place",
                "edition",
                "size",
                "series",
                "subjects",
                "call_number",
            ),
            _record_text,
        ),
        "summary": _summary,
        "contributors": _nothing,
        "year": _year,
        "isbn": _isbn,
        "price": _money,
        "pages": _pages,
        "clc_code": _clc,
        "language": _language,
        "material_type": _material,
        "reading_level": _reading_level,
        "link": _link,
        **dict.fromkeys(("barcode", "accession_number", "shelf", "donor", "notes"), _copy_text),
        "location": _location,
        "acquired_on": _acquired,
        "source": _source,
        "price_paid": _money,
    }


def _group_key(record: dict, contributors: list) -> tuple | None:
    from .search import search_normalise

    if record.get("isbn"):
        return ("isbn", record["isbn"])
    if not record.get("title"):
        return None
    title = search_normalise(f"{record['title']} {record.get('subtitle', '')}".strip())
    author = search_normalise(contributors[0][0]) if contributors else ""
    return ("title", title, author, search_normalise(record.get("publisher", "")))


def import_prepare(
    path: Path | str, *, extension: str | None = None, name: str = "", limit: int | None = None
) -> ImportPlan:
    """Read and check a whole file; save nothing. The plan says what each row would become."""
    path = Path(path)
    extension = (extension or path.suffix).lower()
    plan = ImportPlan(name=name or path.name)
    limit = limit or max_rows()
    try:
        with _sheets(path, extension) as sheets:
            _read_rows(plan, sheets, limit)
    except FileRefused as refusal:
        plan.refusal = str(refusal.message)
        plan.rows, plan.groups, plan.copies = [], [], []
        return plan
    if not plan.rows:
        plan.refusal = _("The file has no rows below its header.")
        return plan
    _check_numbers_in_database(plan)
    _find_existing_records(plan)
    return plan


def _read_rows(plan: ImportPlan, sheets, limit: int) -> None:
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
    for key in ("title", "link", "location"):
        headers.setdefault(key, BY_KEY[key].header)
    locations = {location.name: location for location in Location.objects.all()}
    default_location = Location.objects.filter(is_active=True).order_by("position", "name").first()
    reader = _RowReader(columns, headers, locations, default_location, plan.classes)
    group_of: dict[tuple, int] = {}
    barcode_rows: dict[str, int] = {}
    accession_rows: dict[str, int] = {}
    from .search import search_normalise
    from .services import RECORD_FIELDS

    field_order = RECORD_FIELDS
    for number, cells in rows:
        if _blank(cells):
            continue
        if len(plan.rows) >= limit:
            raise _refuse(
                _("The file has more than %(limit)s rows: split it into several files.")
                % {"limit": f"{limit:,}"}
            )
        result = RowResult(row=number)
        plan.rows.append(result)
        record, contributors, copy = reader.read(result, cells)
        for key, seen, header in (
            ("barcode", barcode_rows, headers.get("barcode")),
            ("accession_number", accession_rows, headers.get("accession_number")),
        ):
            number_text = copy.get(key)
            if not number_text:
                continue
            if number_text in seen:
                result.error(
                    header,
                    _("%(number)s is also on row %(row)s: every copy needs its own.")
                    % {"number": number_text, "row": seen[number_text]},
                )
            else:
                seen[number_text] = number
        key = _group_key(record, contributors)
        if key is None or (result.errors and key not in group_of):
            result.fate = Fate.ERROR
            continue
        group_index = group_of.get(key)
        if group_index is None:
            group_index = group_of[key] = len(plan.groups)
            plan.groups.append(
                _Group(
                    first_row=number,
                    values=tuple(record.get(name) for name in field_order),
                    contributors=contributors,
                )
            )
            result.fate = Fate.NEW
        else:
            group = plan.groups[group_index]
            result.fate = Fate.SAME
            result.first_row = group.first_row
            first_title = group.values[0]
            if record.get("title") and search_normalise(record["title"]) != search_normalise(first_title):
                result.warn(
                    headers["title"],
                    _(
                        "The same ISBN as row %(row)s, whose title is “%(title)s”: the copy goes to that record."
                    )
                    % {"row": group.first_row, "title": first_title},
                )
            if not result.errors:
                result.title = first_title
        location = copy.get("location")
        if result.errors or location is None:
            continue
        plan.copies.append(
            _CopyDraft(
                row=number,
                group=group_index,
                barcode=copy.get("barcode", ""),
                accession_number=copy.get("accession_number", ""),
                location_id=location.pk,
                shelf=copy.get("shelf", ""),
                acquired_on=copy.get("acquired_on"),
                source=copy.get("source", Copy.Source.PURCHASE),
                donor=copy.get("donor", ""),
                price_paid=copy.get("price_paid"),
                notes=copy.get("notes", ""),
            )
        )
    plan.barcode_rows = barcode_rows
    plan.accession_rows = accession_rows
    plan.headers = headers
    if reader.without_location and default_location is not None:
        plan.notices.append(
            _("%(count)s rows name no location: their copies will stand in %(location)s.")
            % {"count": reader.without_location, "location": default_location.name}
        )


def _check_numbers_in_database(plan: ImportPlan) -> None:
    by_row = {row.row: row for row in plan.rows}
    for field_name, seen in (("barcode", plan.barcode_rows), ("accession_number", plan.accession_rows)):
        numbers = list(seen)
        header = plan.headers.get(field_name, BY_KEY[field_name].header)
        for start in range(0, len(numbers), 5_000):
            taken = Copy.objects.filter(**{f"{field_name}__in": numbers[start : start + 5_000]}).values_list(
                field_name, flat=True
            )
            for number in taken:
                by_row[seen[number]].error(
                    header,
                    _("%(number)s is already used by another copy in the catalogue.") % {"number": number},
                )
    _drop_copies_of_error_rows(plan, by_row)


def _drop_copies_of_error_rows(plan: ImportPlan, by_row: dict[int, RowResult]) -> None:
    if any(row.errors for row in plan.rows):
        plan.copies = [copy for copy in plan.copies if not by_row[copy.row].errors]


def _find_existing_records(plan: ImportPlan) -> None:
    """Records the catalogue already has: the same ISBN, or without ISBN the same title, first
    author and publisher. Their rows add copies to them instead of making new records."""
    from .search import search_normalise
    from .services import RECORD_FIELDS

    isbn_index = RECORD_FIELDS.index("isbn")
    title_index = RECORD_FIELDS.index("title")
    subtitle_index = RECORD_FIELDS.index("subtitle")
    publisher_index = RECORD_FIELDS.index("publisher")
    by_isbn: dict[str, list[_Group]] = {}
    by_title: dict[str, list[_Group]] = {}
    for group in plan.groups:
        if group.values[isbn_index]:
            by_isbn.setdefault(group.values[isbn_index], []).append(group)
        else:
            title = search_normalise(
                f"{group.values[title_index]} {group.values[subtitle_index] or ''}".strip()
            )
            by_title.setdefault(title, []).append(group)
    isbns = list(by_isbn)
    for start in range(0, len(isbns), 5_000):
        found = (
            Record.objects.filter(isbn__in=isbns[start : start + 5_000])
            .order_by("-pk")
            .values_list("isbn", "pk", "title")
        )
        for isbn, pk, title in found:  # the oldest record last, so it wins
            for group in by_isbn[isbn]:
                group.existing_id, group.existing_title = pk, title
    titles = list(by_title)
    for start in range(0, len(titles), 2_000):
        candidates = list(
            Record.objects.filter(isbn="", title_search__in=titles[start : start + 2_000])
            .order_by("-pk")
            .values_list("pk", "title_search", "publisher", "title")
        )
        if not candidates:
            continue
        first_authors: dict[int, str] = {}
        for record_id, name in (
            Contributor.objects.filter(record_id__in=[item[0] for item in candidates])
            .order_by("record_id", "-position", "-pk")
            .values_list("record_id", "name")
        ):
            first_authors[record_id] = search_normalise(name)
        for pk, title_search, publisher, title in candidates:
            for group in by_title[title_search]:
                author = search_normalise(group.contributors[0][0]) if group.contributors else ""
                if first_authors.get(pk, "") == author and search_normalise(publisher) == search_normalise(
                    group.values[publisher_index] or ""
                ):
                    group.existing_id, group.existing_title = pk, title
    if not (by_isbn or by_title):
        return
    group_of_row = {group.first_row: group for group in plan.groups}
    for row in plan.rows:
        if row.fate == Fate.ERROR:
            continue
        group = group_of_row.get(row.first_row or row.row)
        if group is not None and group.existing_id:
            row.fate = Fate.EXISTING
            row.existing_id = group.existing_id
            row.existing_title = group.existing_title


# --- saving ----------------------------------------------------------------------------------------


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_save(plan: ImportPlan, *, user=None) -> dict[str, int]:
    """Save a checked plan: all its rows in one transaction, or none (ImportFailed)."""
    from .services import (
        RECORD_FIELDS,
        accession_numbers_next,
        barcodes_next,
        call_numbers_for,
        copies_create_bulk,
        records_create_bulk,
    )

    if not plan.ok:
        raise ImportFailed(_("The file has errors: nothing was saved."))
    with transaction.atomic():
        new_groups = [group for group in plan.groups if not group.existing_id]
        call_index = RECORD_FIELDS.index("call_number")
        clc_index = RECORD_FIELDS.index("clc_code")
        wanting = [group for group in new_groups if not group.values[call_index] and group.values[clc_index]]
        numbers = call_numbers_for(clc_codes=[group.values[clc_index] for group in wanting])
        call_numbers = {id(group): number for group, number in zip(wanting, numbers, strict=True)}
        for batch in _batches(new_groups, RECORD_BATCH):
            items = []
            for group in batch:
                fields = {
                    name: value
                    for name, value in zip(RECORD_FIELDS, group.values, strict=True)
                    if value is not None
                }
                if id(group) in call_numbers:
                    fields["call_number"] = call_numbers[id(group)]
                items.append((fields, group.contributors))
            try:
                records = records_create_bulk(items=items, user=user, classes=plan.classes_resolved())
            except CatalogError as error:
                row = batch[getattr(error, "item", 0)].first_row
                raise ImportFailed(_row_message(row, error)) from error
            for group, record in zip(batch, records, strict=True):
                group.record_id = record.pk
        given_barcodes = {copy.barcode for copy in plan.copies if copy.barcode}
        given_accessions = {copy.accession_number for copy in plan.copies if copy.accession_number}
        barcodes = iter(
            barcodes_next(count=sum(1 for copy in plan.copies if not copy.barcode), avoid=given_barcodes)
        )
        accessions = iter(
            accession_numbers_next(
                count=sum(1 for copy in plan.copies if not copy.accession_number), avoid=given_accessions
            )
        )
        for batch in _batches(plan.copies, COPY_BATCH):
            objects = []
            for draft in batch:
                group = plan.groups[draft.group]
                objects.append(
                    Copy(
                        record_id=group.existing_id or group.record_id,
                        barcode=draft.barcode or next(barcodes),
                        accession_number=draft.accession_number or next(accessions),
                        location_id=draft.location_id,
                        shelf=draft.shelf,
                        acquired_on=draft.acquired_on,
                        source=draft.source,
                        donor=draft.donor,
                        price_paid=draft.price_paid,
                        notes=draft.notes,
                    )
                )
            try:
                copies_create_bulk(copies=objects, user=user)
            except CatalogError as error:
                row = batch[getattr(error, "item", 0)].row
                raise ImportFailed(_row_message(row, error)) from error
    counts = plan.counts()
    return {
        "records": len(new_groups),
        "copies": len(plan.copies),
        "existing_records": counts["existing_records"],
        "existing_copies": counts["existing_copies"],
    }


def _row_message(row: int, error: CatalogError) -> str:
    return _("Nothing was saved: row %(row)s: %(message)s") % {"row": row, "message": error.message}


# --- export ----------------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "record_id",
    "record__title",
    "record__subtitle",
    "record__publisher",
    "record__place",
    "record__year",
    "record__edition",
    "record__isbn",
    "record__price",
    "record__pages",
    "record__size",
    "record__series",
    "record__subjects",
    "record__summary",
    "record__clc_code",
    "record__call_number",
    "record__language",
    "record__material_type",
    "record__reading_level_from",
    "record__reading_level_to",
    "record__link",
    "barcode",
    "accession_number",
    "location__name",
    "shelf",
    "acquired_on",
    "source",
    "donor",
    "price_paid",
    "notes",
    "status",
)


def export_header() -> list[str]:
    return [column.header for column in COLUMNS]


def export_rows(*, location: Location | None = None) -> Iterator[list]:
    """Every copy with its record's columns, header first, in record order; the database is
    read in chunks, the contributors of each chunk's records in one query."""
    yield export_header()
    queryset = Copy.objects.order_by("record_id", "barcode")
    if location is not None:
        queryset = queryset.filter(location=location)
    rows = queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    record_cells: list = []
    record_id = None
    safe = spreadsheet_safe
    while True:
        chunk = list(islice(rows, EXPORT_CHUNK))
        if not chunk:
            return
        contributors: dict[int, list] = {}
        for owner, name, role in (
            Contributor.objects.filter(record_id__in={row[0] for row in chunk})
            .order_by("record_id", "position", "pk")
            .values_list("record_id", "name", "role")
        ):
            contributors.setdefault(owner, []).append((name, role))
        for row in chunk:
            if row[0] != record_id:
                record_id = row[0]
                (
                    _pk,
                    title,
                    subtitle,
                    publisher,
                    place,
                    year,
                    edition,
                    isbn,
                    price,
                    pages,
                    size,
                    series,
                    subjects,
                    summary,
                    clc_code,
                    call_number,
                    language,
                    material_type,
                    level_from,
                    level_to,
                    link,
                ) = row[:21]
                record_cells = [
                    safe(title),
                    safe(subtitle),
                    safe(contributors_text(contributors.get(record_id, ()))),
                    safe(publisher),
                    safe(place),
                    year,
                    safe(edition),
                    isbn_hyphenate(isbn),
                    price,
                    pages,
                    safe(size),
                    safe(series),
                    safe(subjects),
                    safe(summary),
                    safe(clc_code),
                    safe(call_number),
                    LANGUAGE_EXPORT.get(language, language),
                    MATERIAL_EXPORT.get(material_type, material_type),
                    reading_level_text(level_from, level_to),
                    safe(link),
                ]
            (
                barcode,
                accession,
                location_name,
                shelf,
                acquired_on,
                source,
                donor,
                price_paid,
                notes,
                status,
            ) = row[21:]
            yield [
                *record_cells,
                safe(barcode),
                safe(accession),
                safe(location_name),
                safe(shelf),
                acquired_on.isoformat() if acquired_on else "",
                SOURCE_EXPORT.get(source, source),
                safe(donor),
                price_paid,
                safe(notes),
                STATUS_EXPORT.get(status, status),
            ]


def export_xlsx(target, *, location: Location | None = None) -> int:
    """Write the export as .xlsx into a path or a binary file; returns the number of copies."""
    with XlsxStreamWriter(target) as writer:
        written = writer.add_sheet(
            "馆藏", export_rows(location=location), widths=[column.width for column in COLUMNS], header_rows=1
        )
    return written - 1


class _Echo:
    def write(self, value):
        return value


def export_csv_lines(*, location: Location | None = None) -> Iterator[str]:
    """The export as CSV text, a few hundred rows at a time, starting with the byte-order mark
    that makes Excel read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    buffer: list[str] = []
    for row in export_rows(location=location):
        buffer.append(writer.writerow(["" if value is None else value for value in row]))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def export_csv(target, *, location: Location | None = None) -> int:
    """Write the export as CSV (UTF-8 with BOM) into a path or a binary file; returns the number
    of copies."""
    if isinstance(target, (str, Path)):
        handle = open(target, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    else:
        handle = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(handle)
    written = -1
    try:
        for row in export_rows(location=location):
            writer.writerow(["" if value is None else value for value in row])
            written += 1
    finally:
        if isinstance(handle, io.TextIOWrapper) and handle.buffer is target:
            handle.flush()
            handle.detach()
        else:
            handle.close()
    return written


# --- the template ------------------------------------------------------------------------------------


def template_write(target) -> None:
    """The blank import template: the column headers, an example row, and a second sheet that
    explains each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "馆藏"
    sheet.append([column.header for column in IMPORT_COLUMNS])
    sheet.append([column.example for column in IMPORT_COLUMNS])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = header_fill
        example = sheet.cell(row=2, column=index)
        example.font = Font(italic=True, color="808080")
        example.number_format = "@"  # text: ISBNs, barcodes and dates stay as typed
        sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("说明")
    guide.append([_("Column"), _("Required"), _("What to write"), _("Example"), _("Also accepted as header")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for column in IMPORT_COLUMNS:
        guide.append(
            [
                column.header,
                _("yes") if column.required else "",
                str(column.help),
                column.example,
                "、".join((column.key, *column.aliases)),
            ]
        )
    guide.append([])
    for line in (
        _("One row per copy: a record with three copies takes three rows."),
        _("Row 2 of the first sheet is an example: replace it with your own rows or delete it."),
        _("The header row may have a title row above it; columns may come in any order."),
        _("The whole file is checked first: nothing is saved until every row is right."),
    ):
        guide.append([line])
    for letter, width in zip("ABCDE", (14, 8, 70, 22, 40), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(target)


# --- the uploaded file between the preview and the confirmation ---------------------------------------
# Kept in a private folder under VAR_DIR, named by a random token that only the session knows;
# a path never comes from the browser. Deleted after the confirmation, the cancellation, or a day.

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP_FOR_SECONDS = 24 * 60 * 60
CLAIMED = ".saving"


def import_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def import_file_path(token: str, extension: str) -> Path:
    if not TOKEN_PATTERN.match(token or "") or extension not in EXTENSIONS:
        raise ValueError("not an import token")
    return import_dir() / f"{token}{extension}"


def import_report_path(token: str) -> Path:
    return import_file_path(token, ".xlsx").with_suffix(".json")


def import_file_store(chunks: Iterable[bytes], extension: str) -> str:
    """Keep an uploaded file under a new random token; returns the token."""
    token = secrets.token_urlsafe(24)
    path = import_file_path(token, extension)
    with path.open("xb") as handle:
        path.chmod(0o600)
        for chunk in chunks:
            handle.write(chunk)
    return token


def import_report_store(token: str, report: dict) -> None:
    path = import_report_path(token)
    path.write_text(json.dumps(report, ensure_ascii=False, default=str), encoding="utf-8")
    path.chmod(0o600)


def import_report_load(token: str) -> dict | None:
    try:
        return json.loads(import_report_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def import_file_claim(token: str, extension: str) -> Path | None:
    """Take the file for saving, so that a second confirmation (a double click, another tab)
    finds nothing to save. The rename is atomic: only one request gets the file."""
    path = import_file_path(token, extension)
    claimed = path.with_name(path.name + CLAIMED)
    try:
        path.rename(claimed)
    except FileNotFoundError:
        return None
    return claimed


def import_file_release(token: str, extension: str) -> None:
    """Give a claimed file back (the save was refused), so that the preview can be confirmed
    again once the reason is gone."""
    path = import_file_path(token, extension)
    claimed = path.with_name(path.name + CLAIMED)
    if claimed.exists():
        claimed.rename(path)


def import_files_delete(token: str, extension: str) -> None:
    path = import_file_path(token, extension)
    for item in (path, path.with_name(path.name + CLAIMED), import_report_path(token)):
        item.unlink(missing_ok=True)


def import_files_purge(*, older_than: int = KEEP_FOR_SECONDS) -> int:
    """Delete the files of imports that were never confirmed, after a day."""
    limit = time.time() - older_than
    removed = 0
    for item in import_dir().iterdir():
        try:
            if item.is_file() and item.stat().st_mtime < limit:
                item.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
