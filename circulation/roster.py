"""Reading a school roster (学生名册, 教职工名册) from .xlsx or .csv.

The file's cells are read as a school office types them: Chinese headers in any order (学号,
姓名, 性别, 年级, 班级 …), a class written whole (三年级(2)班, 3年级2班, 初一(3)班, 高二5班) or as a
grade column and a class column, full-width digits (３年级２班) and the spaces a copy-paste leaves.
Each cell is folded here; the rows' checks against each other and against the database are the
resource's (circulation/resources.py), which is django-import-export's and gives the preview;
the import's service (circulation/services/school.py) saves it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library_site.documents.exceptions import FileRefused
from library_site.documents.sheets import cell_text, sheets_open

from .exceptions import CellRefused, RosterRefused

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
EXTENSIONS = (".xlsx", ".csv")
TEMPLATE_FILENAME = "学生名册模板.xlsx"

# The resource's column keys and the headers (and their other spellings) a file may use.
COLUMNS = {
    "number": ("学号", "学籍号", "学生编号", "student number", "number"),
    "staff_number": ("工号", "教工号", "职工号", "staff number"),
    "name": ("姓名", "学生姓名", "name", "full name"),
    "gender": ("性别", "gender"),
    "grade": ("年级", "grade"),
    "class": ("班级", "班", "班号", "class"),
    "guardian": ("家长联系方式", "家长电话", "联系电话", "监护人电话", "guardian contact"),
    "department": ("部门", "教研组", "科室", "department"),
    "kind": ("类别", "身份", "读者类别", "读者类型", "reader type"),
}
# The template's columns, in this order.
TEMPLATE_HEADERS = ("学号", "姓名", "性别", "班级", "家长联系方式", "工号", "部门")
TEMPLATE_EXAMPLES = (
    ("2026030201", "张小明", "男", "三年级(2)班", "13800000000", "", ""),
    ("", "李老师", "女", "", "", "T0101", "语文组"),
)

CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def fold(value) -> str:
    """A cell as text: full-width digits, letters and brackets folded (NFKC), spaces trimmed
    and runs of spaces made one. Numbers typed as numbers lose Excel's trailing .0."""
    text, _formula = cell_text(value)
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def _header_key(text: str) -> str:
    return re.sub(r"[\s*＊_:：]", "", fold(text)).lower()


HEADERS = {_header_key(name): key for key, names in COLUMNS.items() for name in names}


def chinese_number(text: str) -> int | None:
    """一 … 十二 as a number; digits as they are; anything else None."""
    if text.isdigit():
        return int(text)
    if not text or any(character not in CHINESE_DIGITS for character in text):
        return None
    if text == "十":
        return 10
    if text.startswith("十") and len(text) == 2:
        return 10 + CHINESE_DIGITS[text[1]]
    if len(text) == 1:
        return CHINESE_DIGITS[text]
    if len(text) == 2 and text.endswith("十"):
        return CHINESE_DIGITS[text[0]] * 10
    return None


NUMBER = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
GRADE_PATTERNS = (
    (re.compile(rf"^{NUMBER}年级$"), 0),
    (re.compile(rf"^初{NUMBER}$"), 6),  # 初一 is the seventh grade
    (re.compile(rf"^高{NUMBER}$"), 9),  # 高一 is the tenth
    (re.compile(r"^(\d{1,2})$"), 0),
)
CLASS_PATTERN = re.compile(rf"^\(?{NUMBER}\)?班?$")
WHOLE_CLASS = re.compile(rf"^(?P<grade>{NUMBER}年级|初{NUMBER}|高{NUMBER})\(?(?P<number>{NUMBER})\)?班$")


def grade_parse(text: str) -> int:
    for pattern, offset in GRADE_PATTERNS:
        match = pattern.match(text)
        if match:
            number = chinese_number(match.group(1))
            if number is not None and 1 <= number + offset <= 12 and (offset == 0 or number <= 3):
                return number + offset
    raise CellRefused(_("“%(value)s” is not a grade: write 三年级, 3, 初一 or 高二.") % {"value": text})


def class_parse(text: str, grade_text: str = "") -> tuple[int, int]:
    """(grade, class number) from a whole class name, or from a grade cell and a class cell."""
    bad = CellRefused(
        _("“%(value)s” is not a grade and class: write it like 三年级(2)班, 3年级2班, 初一(3)班 or 高二5班.")
        % {"value": " ".join(part for part in (grade_text, text) if part)}
    )
    if grade_text:
        grade = grade_parse(grade_text)
        match = CLASS_PATTERN.match(text)
        if match is None:
            # The class cell may repeat the grade: 年级 三年级, 班级 三年级(2)班.
            whole = WHOLE_CLASS.match(text)
            if whole is None or grade_parse(whole["grade"]) != grade:
                raise bad
            number_text = whole["number"]
        else:
            number_text = match.group(1)
    else:
        whole = WHOLE_CLASS.match(text)
        if whole is None:
            raise bad
        grade = grade_parse(whole["grade"])
        number_text = whole["number"]
    number = chinese_number(number_text)
    if number is None or not 1 <= number <= 99:
        raise bad
    return grade, number


GENDERS = {"男": "M", "男生": "M", "m": "M", "male": "M", "女": "F", "女生": "F", "f": "F", "female": "F"}
KINDS = {
    "学生": "student",
    "student": "student",
    "教师": "teacher",
    "老师": "teacher",
    "teacher": "teacher",
    "职工": "staff",
    "教职工": "staff",
    "staff": "staff",
}


def gender_parse(text: str) -> str:
    if not text:
        return ""
    try:
        return GENDERS[text.lower()]
    except KeyError:
        raise CellRefused(_("“%(value)s” is not a gender: write 男 or 女.") % {"value": text}) from None


def kind_parse(text: str) -> str:
    try:
        return KINDS[text.lower()]
    except KeyError:
        raise CellRefused(
            _("“%(value)s” is not a reader type: write 学生, 教师 or 职工.") % {"value": text}
        ) from None


IDENTIFIER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


def identifier_parse(text: str) -> str:
    if not IDENTIFIER.match(text):
        raise CellRefused(
            _("“%(value)s” is not a valid number: use letters and digits only, at most 32.") % {"value": text}
        )
    return text


@dataclass
class RosterFile:
    """The rows of a roster as a tablib Dataset with the resource's column keys as headers, and
    the spreadsheet row number of each data row (for the messages)."""

    dataset: tablib.Dataset
    row_numbers: list[int]
    name: str


MISSING_COLUMNS = gettext_lazy(
    "No header row with 姓名 and 学号 (or 工号) was found in the first rows: use the template's headers."
)


def roster_read(path: Path | str, *, extension: str, name: str = "") -> RosterFile:
    """The roster in ``path`` (an .xlsx or .csv file). Raises RosterRefused with the reason when
    the file cannot be read at all: too large, not a spreadsheet, no header row, too many rows."""
    path = Path(path)
    if extension not in EXTENSIONS:
        raise RosterRefused(_("Only .xlsx and .csv files can be imported; save an .xls file again as .xlsx."))
    if path.stat().st_size > MAX_BYTES:
        raise RosterRefused(
            _("The file is larger than %(limit)s MB: split it into several files.")
            % {"limit": MAX_BYTES // 2**20}
        )
    try:
        with sheets_open(path, extension) as sheets:
            for _sheet_name, rows in sheets:
                found = _sheet_read(rows())
                if found is not None:
                    dataset, numbers = found
                    return RosterFile(dataset=dataset, row_numbers=numbers, name=name or path.name)
    except FileRefused as error:
        raise RosterRefused(str(error)) from error
    raise RosterRefused(str(MISSING_COLUMNS))


def _sheet_read(rows) -> tuple[tablib.Dataset, list[int]] | None:
    header_number, columns = None, {}
    for number, cells in islice(rows, HEADER_SEARCH_ROWS):
        found: dict[str, int] = {}
        for index, value in enumerate(cells or ()):
            key = HEADERS.get(_header_key(value)) if value is not None else None
            if key is not None and key not in found:
                found[key] = index
        if "name" in found and ("number" in found or "staff_number" in found):
            header_number, columns = number, found
            break
    if header_number is None:
        return None
    keys = list(columns)
    dataset = tablib.Dataset(headers=keys)
    numbers: list[int] = []
    for number, cells in rows:
        if number <= header_number:
            continue
        cells = list(cells or ())
        values = [fold(cells[columns[key]]) if columns[key] < len(cells) else "" for key in keys]
        if not any(values):
            continue
        if len(dataset) >= MAX_ROWS:
            raise RosterRefused(
                _("The file has more than %(limit)s rows: split it into several files.") % {"limit": MAX_ROWS}
            )
        dataset.append(values)
        numbers.append(number)
    return dataset, numbers


def template_write(handle) -> None:
    """The blank roster template: the headers, two example rows and a sheet of notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    sheet.append(TEMPLATE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in TEMPLATE_EXAMPLES:
        sheet.append(row)
    for column, width in zip("ABCDEFG", (14, 10, 6, 14, 16, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width
        # Text cells, so that Excel keeps the leading zeros of numbers.
        for cell in sheet[column]:
            cell.number_format = "@"
    notes = workbook.create_sheet("说明")
    for line in (
        "每行一名读者。学生填写学号和班级；教职工填写工号和部门（不填班级）。",
        "班级可写作 三年级(2)班、3年级2班、初一(3)班、高二5班；也可分成“年级”和“班级”两列。",
        "性别填 男 或 女；可加“类别”列（学生、教师、职工）。",
        "删除两行示例后再导入。导入前会先显示预览，确认后才保存。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    workbook.save(handle)
