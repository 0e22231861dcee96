"""The question bank's .xlsx import and export. The import checks every row first and saves all
of them or none; each error names its row and column (第 3 行，第 H 列（答案）) and what to do.

The template's columns: 主题 (theme), 标签 (tags), 题型 (kind: 单选 多选 判断 填空 简答),
题目 (question), 选项A … 选项F (options), 答案 (key: B for a single choice, A,C for a multiple
one, 对 or 错, the accepted answers of a blank separated by | , a model answer for a short one),
分值 (points)."""

from __future__ import annotations

import string
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from library_site.accounts.models import User
from library_site.documents.exceptions import FileRefused
from library_site.documents.sheets import cell_text, cells_blank, sheets_open, spreadsheet_safe
from library_site.documents.xlsx import XlsxStreamWriter, column_letter

from ..exceptions import BankRefused
from ..models import Question

Kind = Question.Kind
OPTION_LETTERS = "ABCDEF"
MAX_QUESTIONS = 5000
TEXT_MAX = 2000
# Header names (Chinese and English) by field.
HEADERS = {
    "theme": ("主题", "theme"),
    "tags": ("标签", "tags"),
    "kind": ("题型", "kind", "type"),
    "text": ("题目", "question", "text"),
    "key": ("答案", "key", "answer"),
    "points": ("分值", "points"),
}
for _letter in OPTION_LETTERS:
    HEADERS[f"option_{_letter}"] = (f"选项{_letter}", f"option {_letter}".lower(), f"option{_letter}".lower())
REQUIRED = ("theme", "kind", "text", "key")
# A short answer's key (a model answer for the grader) may be left empty.
REQUIRED_CELLS = ("theme", "kind", "text")
KIND_NAMES = {
    "单选": Kind.SINGLE,
    "单选题": Kind.SINGLE,
    "single": Kind.SINGLE,
    "多选": Kind.MULTIPLE,
    "多选题": Kind.MULTIPLE,
    "multiple": Kind.MULTIPLE,
    "判断": Kind.TRUE_FALSE,
    "判断题": Kind.TRUE_FALSE,
    "true_false": Kind.TRUE_FALSE,
    "true/false": Kind.TRUE_FALSE,
    "填空": Kind.FILL,
    "填空题": Kind.FILL,
    "fill": Kind.FILL,
    "简答": Kind.SHORT,
    "简答题": Kind.SHORT,
    "short": Kind.SHORT,
}
KIND_EXPORT = {
    Kind.SINGLE: "单选",
    Kind.MULTIPLE: "多选",
    Kind.TRUE_FALSE: "判断",
    Kind.FILL: "填空",
    Kind.SHORT: "简答",
}
TRUE_WORDS = {"对", "正确", "√", "是", "true", "t", "yes", "1"}
FALSE_WORDS = {"错", "错误", "×", "否", "false", "f", "no", "0"}


def _header_map(cells) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(cells):
        text = cell_text(value)[0].strip().lower().replace(" ", "")
        for name, aliases in HEADERS.items():
            if text in {alias.replace(" ", "").lower() for alias in aliases} and name not in found:
                found[name] = index
    return found


def _letters_key(text: str) -> list[str]:
    return [char for char in text.upper().replace("，", ",") if char not in ", 、;；"]


def _row_parse(cells, columns: dict[str, int], row: int, errors: list[str]) -> dict | None:
    def value(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return cell_text(cells[index])[0].strip()

    def error(name: str, message: str) -> None:
        index = columns.get(name, 0)
        errors.append(
            _("Row %(row)s, column %(column)s (%(header)s): %(message)s")
            % {"row": row, "column": column_letter(index), "header": HEADERS[name][0], "message": message}
        )

    before = len(errors)
    for name in REQUIRED_CELLS:
        if not value(name):
            error(name, _("this cell is empty."))
    if len(errors) > before:
        return None
    kind = KIND_NAMES.get(value("kind").lower())
    if kind is None:
        error("kind", _("write one of 单选, 多选, 判断, 填空, 简答."))
        return None
    if kind != Kind.SHORT and not value("key"):
        error("key", _("this cell is empty."))
        return None
    text = value("text")
    if len(text) > TEXT_MAX:
        error("text", _("the question is longer than %(max)s characters.") % {"max": TEXT_MAX})
    options: list[str] = []
    for letter in OPTION_LETTERS:
        option = value(f"option_{letter}")
        if option:
            options.append(option)
    raw_key = value("key")
    key: list = []
    if kind in Question.CHOICE_KINDS:
        if len(options) < 2:
            error("option_A", _("a choice question needs at least two options."))
            return None
        letters = _letters_key(raw_key)
        allowed = OPTION_LETTERS[: len(options)]
        if not letters or any(letter not in allowed for letter in letters):
            error(
                "key",
                _("name the right options by their letters, from A to %(last)s.") % {"last": allowed[-1]},
            )
            return None
        if kind == Kind.SINGLE and len(set(letters)) != 1:
            error("key", _("a single choice question has exactly one right option."))
            return None
        key = sorted({allowed.index(letter) for letter in letters})
    elif kind == Kind.TRUE_FALSE:
        word = raw_key.lower()
        if word in TRUE_WORDS:
            key = [True]
        elif word in FALSE_WORDS:
            key = [False]
        else:
            error("key", _("write 对 or 错."))
            return None
        options = []
    elif kind == Kind.FILL:
        key = [part.strip() for part in raw_key.replace("｜", "|").split("|") if part.strip()]
        options = []
    else:
        key = [raw_key] if raw_key else []
        options = []
    points_text = value("points") or "5"
    try:
        points = Decimal(points_text)
    except InvalidOperation:
        points = None
    if (
        points is None
        or not (Decimal("0.5") <= points <= Decimal("100"))
        or points != points.quantize(Decimal("0.1"))
    ):
        error("points", _("the points are a number from 0.5 to 100."))
        return None
    if len(errors) > before:
        return None
    return {
        "kind": kind,
        "theme": value("theme")[:100],
        "tags": value("tags")[:200],
        "text": text,
        "options": options,
        "key": key,
        "points": points,
    }


def bank_import(*, path: Path, by: User, extension: str = ".xlsx") -> list[Question]:
    """Import the questions of an .xlsx file: all its rows, or none with every error listed
    (``BankRefused.errors``)."""
    return bank_save(rows=bank_read(path=path, extension=extension), by=by)


def bank_read(*, path: Path, extension: str = ".xlsx") -> list[dict]:
    """The questions of an .xlsx file, read and checked, nothing saved: refused (BankRefused, with
    every row's error in ``errors``) when any row is wrong."""
    try:
        with sheets_open(path, extension) as sheets:
            if not sheets:
                raise BankRefused(_("The workbook has no sheet."))
            _name, rows = sheets[0]
            parsed: list[dict] = []
            errors: list[str] = []
            columns: dict[str, int] | None = None
            for number, cells in rows():
                if columns is None:
                    if cells_blank(cells):
                        continue
                    columns = _header_map(cells)
                    missing = [HEADERS[name][0] for name in REQUIRED if name not in columns]
                    if missing:
                        raise BankRefused(
                            _("Row %(row)s: the header row lacks the column(s) %(names)s; use the template.")
                            % {"row": number, "names": "、".join(missing)}
                        )
                    continue
                if cells_blank(cells):
                    continue
                row = _row_parse(list(cells), columns, number, errors)
                if row is not None:
                    parsed.append(row)
                if len(parsed) + len(errors) > MAX_QUESTIONS:
                    raise BankRefused(_("A file holds at most %(max)s questions.") % {"max": MAX_QUESTIONS})
    except FileRefused as error:
        raise BankRefused(str(error)) from error
    if errors:
        refusal = BankRefused(_("Nothing was imported: correct these rows and import the file again."))
        refusal.errors = errors
        raise refusal
    if not parsed:
        raise BankRefused(_("The file has no questions below its header row."))
    return parsed


@transaction.atomic
def bank_save(*, rows: list[dict], by: User) -> list[Question]:
    """Save checked questions in one transaction: all of them or none."""
    now = timezone.now()
    return Question.objects.bulk_create(
        [Question(**row, created_at=now, created_by=by, changed_at=now, changed_by=by) for row in rows]
    )


def bank_preview_build(path: Path, options: dict, progress) -> dict:
    """The question bank's preview as the worker builds it (library_site.documents.previews):
    the checked questions, kept as JSON for the confirmation, or the refusal with every row's
    error."""
    try:
        rows = bank_read(path=path)
    except BankRefused as refusal:
        return {
            "refusal": str(refusal.message),
            "errors": [str(error) for error in getattr(refusal, "errors", [])],
        }
    kinds = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    return {
        "refusal": "",
        "count": len(rows),
        "kinds": [[str(Question.Kind(kind).label), count] for kind, count in kinds.items()],
        "rows": [{**row, "points": str(row["points"])} for row in rows],
    }


def bank_rows_from_preview(result: dict) -> list[dict]:
    """The questions a preview kept, as bank_save takes them."""
    return [{**row, "points": Decimal(row["points"])} for row in result.get("rows", [])]


def _key_text(question: Question) -> str:
    if question.kind in Question.CHOICE_KINDS:
        return ",".join(OPTION_LETTERS[index] for index in question.key if 0 <= index < len(OPTION_LETTERS))
    if question.kind == Kind.TRUE_FALSE:
        return "对" if question.key and question.key[0] else "错"
    if question.kind == Kind.FILL:
        return "|".join(question.key)
    return question.key[0] if question.key else ""


def bank_header() -> list[str]:
    return ["主题", "标签", "题型", "题目", *[f"选项{letter}" for letter in OPTION_LETTERS], "答案", "分值"]


def bank_export(target, *, questions=None) -> int:
    """The bank (or ``questions``) in the import's template: a file that imports again as it is."""
    questions = (
        questions
        if questions is not None
        else Question.objects.filter(is_active=True).order_by("theme", "pk")
    )
    rows = [bank_header()]
    for question in questions:
        options = list(question.options) + [""] * (len(OPTION_LETTERS) - len(question.options))
        rows.append(
            [
                spreadsheet_safe(value)
                for value in (
                    question.theme,
                    question.tags,
                    KIND_EXPORT[question.kind],
                    question.text,
                    *options[: len(OPTION_LETTERS)],
                    _key_text(question),
                    str(question.points.normalize())
                    if question.points == question.points.to_integral()
                    else str(question.points),
                )
            ]
        )
    with XlsxStreamWriter(target) as writer:
        writer.add_sheet(
            _("Questions"), rows, widths=[14, 14, 8, 50, *[16] * len(OPTION_LETTERS), 14, 8], header_rows=1
        )
    return len(rows) - 1


# The letters of the options a pupil sees (A, B, C …), for the pages.
def option_letter(index: int) -> str:
    return string.ascii_uppercase[index]
