"""Purchase plan lines from Excel with django-import-export.

The columns carry the Chinese headers a school's spreadsheet has (题名, ISBN, 责任者, 出版社,
数量, 单价, 供应商, 中图法分类号, 学科/专业). The resource reads and checks every row and saves
nothing itself: the lines go to ``services.purchase_plan_lines_add``, all of them or none, and
the errors name the spreadsheet's row (the header being row 1) and column."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX

from .exceptions import InvalidISBN, UnknownClass
from .isbn import isbn_normalise
from .models import PurchasePlan, PurchasePlanLine

# --- acquisitions ---
# Every name here says "plan", so that this section sits beside the catalogue's resources
# without a clash.

PLAN_IMPORT_MAX_BYTES = 5 * 1024 * 1024
PLAN_REQUIRED_COLUMNS = ("题名", "数量", "单价")


class PlanTextWidget(widgets.CharWidget):
    """Text as typed, trimmed; numbers that Excel stored as numbers (an ISBN) as their digits."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


class PlanWholeNumberWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        return int(number)


class PlanMoneyWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        text = str(value).strip().lstrip("¥￥").replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_("“%(value)s” is not an amount of money.") % {"value": value})
        return number.quantize(Decimal("0.01"))


def _plan_text_field(attribute: str, column: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=PlanTextWidget())


class PurchasePlanLineResource(resources.ModelResource):
    title = _plan_text_field("title", "题名")
    isbn = _plan_text_field("isbn", "ISBN")
    author = _plan_text_field("author", "责任者")
    publisher = _plan_text_field("publisher", "出版社")
    quantity = fields.Field(attribute="quantity", column_name="数量", widget=PlanWholeNumberWidget())
    unit_price = fields.Field(attribute="unit_price", column_name="单价", widget=PlanMoneyWidget())
    supplier = _plan_text_field("supplier", "供应商")
    clc_code = _plan_text_field("clc_code", "中图法分类号")
    subject = _plan_text_field("subject", "学科/专业")

    class Meta:
        model = PurchasePlanLine
        fields = (
            "title",
            "isbn",
            "author",
            "publisher",
            "quantity",
            "unit_price",
            "supplier",
            "clc_code",
            "subject",
        )
        export_order = fields
        force_init_instance = True
        clean_model_instances = True
        skip_diff = True

    def __init__(self, plan: PurchasePlan | None = None, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan
        self.collected: list[tuple[int, PurchasePlanLine]] = []

    def after_init_instance(self, instance, new, row, **kwargs):
        instance.plan = self.plan

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return all(value in (None, "") or str(value).strip() == "" for value in row.values())

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance.isbn and "isbn" not in errors:
            try:
                instance.isbn = isbn_normalise(instance.isbn)
            except InvalidISBN as error:
                errors["isbn"] = [str(error.message)]
        if instance.clc_code and "clc_code" not in errors:
            from .services import clc_normalise, clc_resolve

            instance.clc_code = clc_normalise(instance.clc_code)
            try:
                clc_resolve(instance.clc_code)
            except UnknownClass as error:
                errors["clc_code"] = [str(error.message)]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            # The plan is the one the lines are imported into, checked by the service.
            instance.full_clean(exclude=[*errors, "plan", "position"], validate_unique=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        # Nothing is written here: the service saves the lines, all of them or none.
        self.collected.append((kwargs.get("row_number", 0) + 1, instance))

    def save_m2m(self, instance, row, **kwargs):
        pass


@dataclass
class PlanLinesFile:
    lines: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def plan_lines_read(content: bytes, *, plan: PurchasePlan | None = None) -> PlanLinesFile:
    """The lines of an .xlsx file as ``purchase_plan_lines_add`` takes them (each with its
    ``row``), or the row-numbered errors; nothing is saved."""
    answer = PlanLinesFile()
    if len(content) > PLAN_IMPORT_MAX_BYTES:
        answer.errors.append(_("The file is larger than 5 MB."))
        return answer
    try:
        dataset = XLSX().create_dataset(content)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, StopIteration):
        answer.errors.append(_("This is not an Excel file (.xlsx)."))
        return answer
    dataset.headers = [str(header or "").strip() for header in dataset.headers or []]
    missing = [column for column in PLAN_REQUIRED_COLUMNS if column not in dataset.headers]
    if missing:
        answer.errors.append(
            _("The first row must hold the column headers; missing: %(columns)s.")
            % {"columns": "、".join(missing)}
        )
        return answer
    resource = PurchasePlanLineResource(plan=plan)
    result = resource.import_data(dataset, dry_run=True, raise_errors=False, use_transactions=False)
    columns = {item.attribute: item.column_name for item in resource.fields.values()}
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            column = "" if name == NON_FIELD_ERRORS else columns.get(name, name)
            for message in messages:
                answer.errors.append(_plan_row_error(invalid.number + 1, column, message))
    for number, row_errors in result.row_errors():
        for error in row_errors:
            answer.errors.append(_plan_row_error(number + 1, "", str(error.error)))
    if answer.errors:
        return answer
    for row, line in resource.collected:
        answer.lines.append(
            {name: getattr(line, name) for name in PurchasePlanLineResource.Meta.fields} | {"row": row}
        )
    if not answer.lines:
        answer.errors.append(_("The file holds no lines."))
    return answer


def _plan_row_error(row: int, column: str, message) -> str:
    if column:
        return _("Row %(row)s, %(column)s: %(message)s") % {"row": row, "column": column, "message": message}
    return _("Row %(row)s: %(message)s") % {"row": row, "message": message}


def plan_lines_template() -> bytes:
    """An empty .xlsx with the column headers, for the librarian to fill."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "采购计划"
    sheet.append([item.column_name for item in PurchasePlanLineResource().get_export_fields()])
    for column, width in zip("ABCDEFGHI", (30, 18, 16, 22, 8, 10, 20, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
