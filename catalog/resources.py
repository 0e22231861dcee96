"""django-import-export resources of the catalogue.

``CatalogueResource`` is the catalogue spreadsheet (catalog/spreadsheet.py has the columns, reads
the file and finds its header row): one row per copy, the record's columns repeated on each of
its copies' rows. The resource reads and checks the rows and writes nothing; the service
(catalog/services/transfer.py) owns the transaction and saves each checked batch.

- Each column is a ``Field`` whose widget reads a cell the way school librarians type it
  (ISBN-10 or 13 with or without hyphens, 28.00元, 2024年9月1日, 3-6 for grades) and writes
  it back for the export. A widget refuses a cell with a ``ValueError`` in the reader's
  language; the resource files it under the column's header as the file names it.
- ``import_data(dry_run=True)`` is the preview: every row gets its fate (``spreadsheet.RowFate``:
  a new record, another copy of a record met on an earlier row, a copy added to a record the
  catalogue already has, or its errors) and nothing is written. ``import_data(dry_run=False)``
  hands each checked batch (``use_bulk``) to ``Reading.apply``, the service's, which saves it
  in the service's transaction; the service rolls the whole import back on any invalid row.
- The export (catalog.selectors.transfer.export_rows) renders each copy through the same fields.

``PurchasePlanLineResource`` (at the end) reads the lines of a purchase plan from Excel: 题名,
ISBN, 责任者, 出版社, 数量, 单价, 供应商, 中图法分类号, 学科/专业; all of them or none, the
errors named by the spreadsheet's row and column.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.fields import Field
from import_export.formats.base_formats import XLSX
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from library_site.documents.archives import archive_check
from library_site.documents.exceptions import FileRefused
from library_site.documents.sheets import cell_text, single_line, spreadsheet_safe

from . import spreadsheet
from .exceptions import CatalogError, CellError, InvalidISBN, UnknownClass
from .isbn import isbn_hyphenate, isbn_normalise
from .models import Contributor, Copy, Location, PurchasePlan, PurchasePlanLine, Record

# --- reading and writing cells -----------------------------------------------------------------------


class CellWidget(widgets.Widget):
    """A cell of the catalogue spreadsheet. ``parse`` turns the cell (its value as openpyxl or
    the CSV reader gives it, and that value as trimmed text) into the field's value or raises
    ``CellError``; a formula is read as its text, with a warning."""

    def __init__(self, key: str):
        super().__init__(coerce_to_string=False)
        self.key = key

    def clean(self, value, row=None, reading: Reading | None = None, **kwargs):
        text, formula = cell_text(value)
        if formula and reading is not None:
            reading.fate.warn(
                reading.header(self.key),
                _("The cell holds a formula (%(formula)s): it was read as text, not calculated.")
                % {"formula": text[:40]},
            )
        try:
            return self.parse(value, text, reading)
        except CellError as error:
            raise ValueError(error.args[0]) from error

    def parse(self, value, text: str, reading: Reading | None):
        return text

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_safe(value)


class TextWidget(CellWidget):
    """One line of text (line breaks and tabs become spaces) within the model field's length."""

    def __init__(self, key: str, max_length: int):
        super().__init__(key)
        self.max_length = max_length

    def parse(self, value, text, reading):
        return spreadsheet.text_limit(single_line(text), self.max_length) if text else ""


class SummaryWidget(CellWidget):
    """Text kept as written, line breaks too."""


class ContributorsWidget(CellWidget):
    def parse(self, value, text, reading):
        return spreadsheet.contributors_parse(text)

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_safe(spreadsheet.contributors_text(value or ()))


class YearWidget(CellWidget):
    def parse(self, value, text, reading):
        return spreadsheet.year_parse(value, text)

    def render(self, value, obj=None, **kwargs):
        return value


class IsbnWidget(CellWidget):
    def parse(self, value, text, reading):
        if not text:
            return ""
        known = reading.isbns if reading is not None else {}
        if text not in known:
            try:
                known[text] = isbn_normalise(text)
            except InvalidISBN as error:
                known[text] = ""
                raise CellError(str(error.message)) from error
        if not known[text]:
            raise CellError(str(InvalidISBN.default_message))
        return known[text]

    def render(self, value, obj=None, **kwargs):
        return isbn_hyphenate(value)


class MoneyWidget(CellWidget):
    def parse(self, value, text, reading):
        return spreadsheet.money_parse(value, text)

    def render(self, value, obj=None, **kwargs):
        return value


class PagesWidget(CellWidget):
    def parse(self, value, text, reading):
        return spreadsheet.pages_parse(text)

    def render(self, value, obj=None, **kwargs):
        return value


class ClassNumberWidget(CellWidget):
    """A class number of the Chinese Library Classification, checked against the table."""

    def parse(self, value, text, reading):
        from catalog.services.records import clc_normalise, clc_resolve

        code = clc_normalise(text)
        if not code:
            return code
        spreadsheet.text_limit(code, spreadsheet.RECORD_MAX_LENGTH["clc_code"])
        classes = reading.classes if reading is not None else {}
        if code not in classes:
            try:
                classes[code] = clc_resolve(code)
            except UnknownClass as error:
                classes[code] = error
        if isinstance(classes[code], UnknownClass):
            raise CellError(
                _("%(code)s is not a class of the Chinese Library Classification.") % {"code": code}
            )
        return code


class ChoiceWidget(CellWidget):
    """One of a few words (中文/英文/其他, 图书/教材 …); ``default`` when the cell is empty."""

    def __init__(self, key: str, *, words: dict, default: str | None, message, export: dict):
        super().__init__(key)
        self.words = words
        self.index = spreadsheet.words_index(words)
        self.default = default
        self.message = message
        self.export = export

    def parse(self, value, text, reading):
        if not text:
            return self.default
        return spreadsheet.choice_parse(text, self.index, self.words, self.message)

    def render(self, value, obj=None, **kwargs):
        return self.export.get(value, value)


class ReadingLevelWidget(CellWidget):
    """Grades as 3, 三年级 or 3-6: a pair (first grade, last grade)."""

    def parse(self, value, text, reading):
        return spreadsheet.reading_level_parse(text)

    def render(self, value, obj=None, **kwargs):
        return spreadsheet.reading_level_text(*(value or (None, None)))


class LinkWidget(CellWidget):
    def parse(self, value, text, reading):
        if text:
            spreadsheet.text_limit(text, spreadsheet.RECORD_MAX_LENGTH["link"])
            try:
                spreadsheet.URL_VALIDATOR(text)
            except ValidationError as error:
                raise CellError(_("Not a web address: write it as https://…")) from error
        return text


class LocationWidget(CellWidget):
    """A location of the library by its name; None when the cell is empty."""

    def parse(self, value, text, reading):
        if not text:
            return None
        locations = reading.locations
        location = locations.get(text)
        if location is None:
            raise CellError(
                _("Unknown location “%(name)s”: use one of %(names)s.")
                % {
                    "name": text,
                    "names": "、".join(name for name, item in locations.items() if item.is_active),
                }
            )
        if not location.is_active:
            raise CellError(_("The location “%(name)s” is no longer in use.") % {"name": text})
        return location

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_safe(value)


class DateWidget(CellWidget):
    def parse(self, value, text, reading):
        return spreadsheet.date_parse(value, text)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class StatusWidget(CellWidget):
    """Written by the export only: new copies are always available."""

    def render(self, value, obj=None, **kwargs):
        return spreadsheet.STATUS_EXPORT.get(value, value)


def _text(key: str, max_length: int) -> Field:
    return _field(key, TextWidget(key, max_length))


def _field(key: str, widget: CellWidget, *, readonly: bool = False) -> Field:
    return Field(attribute=key, column_name=spreadsheet.BY_KEY[key].header, widget=widget, readonly=readonly)


# --- the state of one import ---------------------------------------------------------------------------


@dataclass(eq=False)
class Group:
    """A record the file describes: its fields (in RECORD_FIELDS order) and contributors, and
    the record it becomes (one the catalogue has, or one made by the import)."""

    first_row: int
    values: tuple
    contributors: list
    looked_up: bool = False
    existing_id: int | None = None
    existing_title: str = ""
    record_id: int | None = None
    rows: list = field(default_factory=list)  # the RowFates of its copies


@dataclass(eq=False)
class Reading:
    """What an import learns as it reads the rows, passed to every widget and hook."""

    headers: dict[str, str]  # column key → the header as the file writes it
    sheet_rows: list[int]  # the dataset's rows → their row numbers in the sheet
    user: object = None
    locations: dict[str, Location] = field(default_factory=dict)
    default_location: Location | None = None
    classes: dict = field(default_factory=dict)
    isbns: dict[str, str] = field(default_factory=dict)
    groups: dict[tuple, Group] = field(default_factory=dict)
    barcode_rows: dict[str, int] = field(default_factory=dict)
    accession_rows: dict[str, int] = field(default_factory=dict)
    taken_barcodes: set[str] = field(default_factory=set)
    taken_accessions: set[str] = field(default_factory=set)
    given_barcodes: set[str] = field(default_factory=set)
    given_accessions: set[str] = field(default_factory=set)
    without_location: int = 0
    fate: spreadsheet.RowFate | None = None  # the row being read
    saved: dict[str, int] = field(default_factory=lambda: {"records": 0, "copies": 0})
    # What the service does with each batch of checked rows of a real import: apply(batch,
    # reading) saves them (catalog.services.transfer); the resource itself writes nothing.
    apply: Callable[[list[CatalogueRow], Reading], None] | None = None

    def header(self, key: str) -> str:
        return self.headers.get(key) or spreadsheet.BY_KEY[key].header

    def classes_resolved(self) -> dict:
        return {code: item for code, item in self.classes.items() if not isinstance(item, UnknownClass)}


class CatalogueRow:
    """One row as the widgets read it: an attribute per column present in the file."""

    def __init__(self):
        self.fate: spreadsheet.RowFate | None = None
        self.group: Group | None = None

    def __str__(self) -> str:
        return getattr(self, "title", "") or ""

    def read(self) -> dict:
        return {key: value for key, value in vars(self).items() if key not in ("fate", "group")}


class CatalogueRowResult(RowResult):
    """django-import-export's row result with the row's fate in the catalogue."""

    fate: spreadsheet.RowFate


# --- the resource ---------------------------------------------------------------------------------------


class CatalogueResource(resources.Resource):
    """Records with their copies, one row per copy (see the module's docstring)."""

    title = _text("title", spreadsheet.RECORD_MAX_LENGTH["title"])
    subtitle = _text("subtitle", spreadsheet.RECORD_MAX_LENGTH["subtitle"])
    contributors = _field("contributors", ContributorsWidget("contributors"))
    publisher = _text("publisher", spreadsheet.RECORD_MAX_LENGTH["publisher"])
    place = _text("place", spreadsheet.RECORD_MAX_LENGTH["place"])
    year = _field("year", YearWidget("year"))
    edition = _text("edition", spreadsheet.RECORD_MAX_LENGTH["edition"])
    isbn = _field("isbn", IsbnWidget("isbn"))
    price = _field("price", MoneyWidget("price"))
    pages = _field("pages", PagesWidget("pages"))
    size = _text("size", spreadsheet.RECORD_MAX_LENGTH["size"])
    series = _text("series", spreadsheet.RECORD_MAX_LENGTH["series"])
    subjects = _text("subjects", spreadsheet.RECORD_MAX_LENGTH["subjects"])
    summary = _field("summary", SummaryWidget("summary"))
    clc_code = _field("clc_code", ClassNumberWidget("clc_code"))
    call_number = _text("call_number", spreadsheet.RECORD_MAX_LENGTH["call_number"])
    language = _field(
        "language",
        ChoiceWidget(
            "language",
            words=spreadsheet.LANGUAGE_WORDS,
            default=Record.Language.CHINESE,
            message=spreadsheet.UNKNOWN_LANGUAGE,
            export=spreadsheet.LANGUAGE_EXPORT,
        ),
    )
    material_type = _field(
        "material_type",
        ChoiceWidget(
            "material_type",
            words=spreadsheet.MATERIAL_WORDS,
            default=Record.MaterialType.BOOK,
            message=spreadsheet.UNKNOWN_MATERIAL,
            export=spreadsheet.MATERIAL_EXPORT,
        ),
    )
    reading_level = _field("reading_level", ReadingLevelWidget("reading_level"))
    link = _field("link", LinkWidget("link"))
    barcode = _text("barcode", spreadsheet.COPY_MAX_LENGTH["barcode"])
    accession_number = _text("accession_number", spreadsheet.COPY_MAX_LENGTH["accession_number"])
    location = _field("location", LocationWidget("location"))
    shelf = _text("shelf", spreadsheet.COPY_MAX_LENGTH["shelf"])
    acquired_on = _field("acquired_on", DateWidget("acquired_on"))
    source = _field(
        "source",
        ChoiceWidget(
            "source",
            words=spreadsheet.SOURCE_WORDS,
            default=None,
            message=spreadsheet.UNKNOWN_SOURCE,
            export=spreadsheet.SOURCE_EXPORT,
        ),
    )
    donor = _text("donor", spreadsheet.COPY_MAX_LENGTH["donor"])
    price_paid = _field("price_paid", MoneyWidget("price_paid"))
    notes = _text("notes", spreadsheet.COPY_MAX_LENGTH["notes"])
    status = _field("status", StatusWidget("status"), readonly=True)

    class Meta:
        instance_loader_class = BaseInstanceLoader
        import_id_fields = ()
        force_init_instance = True  # every row is a new copy
        skip_diff = True
        use_bulk = True
        batch_size = spreadsheet.COPY_BATCH
        clean_model_instances = False  # the widgets and catalog.services check everything
        export_order = tuple(column.key for column in spreadsheet.COLUMNS)
        import_order = tuple(column.key for column in spreadsheet.IMPORT_COLUMNS)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._export_fields = None

    # django-import-export's hooks, in the order it calls them.

    def get_row_result_class(self):
        return CatalogueRowResult

    def before_import(self, dataset, reading: Reading, **kwargs):
        """Learn the locations, and which of the file's barcodes and accession numbers the
        catalogue already has (a few queries for the whole file)."""
        reading.locations = {location.name: location for location in Location.objects.all()}
        reading.default_location = (
            Location.objects.filter(is_active=True).order_by("position", "name").first()
        )
        for key, given, taken in (
            ("barcode", reading.given_barcodes, reading.taken_barcodes),
            ("accession_number", reading.given_accessions, reading.taken_accessions),
        ):
            header = spreadsheet.BY_KEY[key].header
            if header not in dataset.headers:
                continue
            for value in dataset[header]:
                text, _formula = cell_text(value)
                if text:
                    given.add(single_line(text))
            numbers = list(given)
            for start in range(0, len(numbers), 5_000):
                taken.update(
                    Copy.objects.filter(**{f"{key}__in": numbers[start : start + 5_000]}).values_list(
                        key, flat=True
                    )
                )

    def init_instance(self, row=None):
        return CatalogueRow()

    def import_row(self, row, instance_loader, reading: Reading, **kwargs):
        reading.fate = spreadsheet.RowFate(row=reading.sheet_rows[kwargs["row_number"] - 1])
        row_result = super().import_row(row, instance_loader, reading=reading, **kwargs)
        fate = row_result.fate = reading.fate
        for error in row_result.errors:  # not a refusal of the row: something broke
            fate.error("", str(error.error))
        return row_result

    def import_instance(self, instance, row, reading: Reading, **kwargs):
        """Every field through its widget, then the checks of the row as a whole and against the
        rows before it. The errors go to the row's fate and, as a ValidationError, to
        django-import-export, which refuses the row."""
        fate = reading.fate
        for field_ in self.get_import_fields():
            if field_.column_name not in row:
                continue
            try:
                field_.save(instance, row, reading=reading, **kwargs)
            except ValueError as error:
                fate.error(reading.header(field_.attribute), str(error))
        self._check_row(instance, reading)
        if fate.errors:
            errors: dict[str, list[str]] = {}
            for column, message in fate.errors:
                errors.setdefault(column or "row", []).append(message)
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        instance.group.rows.append(instance.fate)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """A batch of valid rows: learn which of their records the catalogue already has, and,
        unless this is the preview, hand the batch to the service, which makes the new records and
        every copy."""
        batch, self.create_instances = self.create_instances, []
        if not batch:
            return
        try:
            self._existing_records([row.group for row in batch if not row.group.looked_up])
            if not dry_run:
                # The resource saves nothing: the service that runs the import applies each
                # checked batch, in its own transaction.
                self._reading.apply(batch, self._reading)
        except CatalogError as error:
            self.handle_import_error(result, error, raise_errors)

    # The checks and the saving.

    def _check_row(self, row: CatalogueRow, reading: Reading) -> None:
        fate = reading.fate
        values = row.read()
        title_header = reading.header("title")
        if not values.get("title") and not any(
            column == title_header for column, _message in fate.errors or ()
        ):
            fate.error(title_header, _("A record needs a title."))
        if values.get("material_type") == Record.MaterialType.E_RESOURCE and not values.get("link"):
            fate.error(reading.header("link"), _("An e-resource needs its link."))
        if values.get("location") is None and not any(
            column == reading.header("location") for column, _message in fate.errors or ()
        ):
            if reading.default_location is None:
                fate.error(
                    reading.header("location"), _("The library has no location in use: add one first.")
                )
            else:
                row.location = reading.default_location
                reading.without_location += 1
        if values.get("donor") and not values.get("source"):
            row.source = Copy.Source.DONATION
        fate.title = values.get("title") or ""
        fate.isbn = values.get("isbn") or ""
        fate.barcode = values.get("barcode") or ""
        fate.location = row.location.name if getattr(row, "location", None) else ""
        for key, seen, taken in (
            ("barcode", reading.barcode_rows, reading.taken_barcodes),
            ("accession_number", reading.accession_rows, reading.taken_accessions),
        ):
            number = values.get(key)
            if not number:
                continue
            if number in seen:
                fate.error(
                    reading.header(key),
                    _("%(number)s is also on row %(row)s: every copy needs its own.")
                    % {"number": number, "row": seen[number]},
                )
                continue
            seen[number] = fate.row
            if number in taken:
                fate.error(
                    reading.header(key),
                    _("%(number)s is already used by another copy in the catalogue.") % {"number": number},
                )
        self._group(row, values, reading)

    def _group(self, row: CatalogueRow, values: dict, reading: Reading) -> None:
        """The record of the row: a new one, or the one of an earlier row with the same ISBN (or,
        without ISBN, the same title, first author and publisher)."""
        from catalog.services.records import RECORD_FIELDS

        from .search import search_normalise

        fate = reading.fate
        contributors = values.get("contributors") or []
        key = spreadsheet.group_key(values, contributors)
        group = reading.groups.get(key) if key else None
        if group is None:
            if key is None or fate.errors:
                fate.fate = spreadsheet.Fate.ERROR
                return
            record = {**values}
            record["reading_level_from"], record["reading_level_to"] = values.get("reading_level") or (
                None,
                None,
            )
            group = reading.groups[key] = Group(
                first_row=fate.row,
                values=tuple(record.get(name) for name in RECORD_FIELDS),
                contributors=contributors,
            )
            fate.fate = spreadsheet.Fate.NEW
        else:
            fate.fate = spreadsheet.Fate.SAME
            fate.first_row = group.first_row
            first_title = group.values[0]
            if values.get("title") and search_normalise(values["title"]) != search_normalise(first_title):
                fate.warn(
                    reading.header("title"),
                    _(
                        "The same ISBN as row %(row)s, whose title is “%(title)s”: the copy goes to that record."
                    )
                    % {"row": group.first_row, "title": first_title},
                )
            if not fate.errors:
                fate.title = first_title
            if group.existing_id:
                fate.fate = spreadsheet.Fate.EXISTING
                fate.existing_id, fate.existing_title = group.existing_id, group.existing_title
        row.group = group
        row.fate = fate

    def _existing_records(self, groups: list[Group]) -> None:
        """Records the catalogue already has: the same ISBN, or without ISBN the same title,
        first author, publisher, year and edition. Their rows add copies to them instead of making new records."""
        from catalog.services.records import RECORD_FIELDS

        from .search import search_normalise

        if not groups:
            return
        isbn_index = RECORD_FIELDS.index("isbn")
        title_index = RECORD_FIELDS.index("title")
        subtitle_index = RECORD_FIELDS.index("subtitle")
        publisher_index = RECORD_FIELDS.index("publisher")
        year_index = RECORD_FIELDS.index("year")
        edition_index = RECORD_FIELDS.index("edition")
        by_isbn: dict[str, list[Group]] = {}
        by_title: dict[str, list[Group]] = {}
        for group in groups:
            group.looked_up = True
            if group.values[isbn_index]:
                by_isbn.setdefault(group.values[isbn_index], []).append(group)
            else:
                title = search_normalise(
                    f"{group.values[title_index]} {group.values[subtitle_index] or ''}".strip()
                )
                by_title.setdefault(title, []).append(group)
        if by_isbn:
            found = (
                Record.objects.filter(isbn__in=list(by_isbn))
                .order_by("-pk")
                .values_list("isbn", "pk", "title")
            )
            for isbn, pk, title in found:  # the oldest record last, so it wins
                for group in by_isbn[isbn]:
                    group.existing_id, group.existing_title = pk, title
        if by_title:
            candidates = list(
                Record.objects.filter(isbn="", title_search__in=list(by_title))
                .order_by("-pk")
                .values_list("pk", "title_search", "publisher", "title", "year", "edition")
            )
            first_authors: dict[int, str] = {}
            for record_id, name in (
                Contributor.objects.filter(record_id__in=[item[0] for item in candidates])
                .order_by("record_id", "-position", "-pk")
                .values_list("record_id", "name")
            ):
                first_authors[record_id] = search_normalise(name)
            for pk, title_search, publisher, title, year, edition in candidates:
                for group in by_title[title_search]:
                    author = search_normalise(group.contributors[0][0]) if group.contributors else ""
                    same_edition = (year or None) == (group.values[year_index] or None) and search_normalise(
                        edition or ""
                    ) == search_normalise(group.values[edition_index] or "")
                    if (
                        same_edition
                        and first_authors.get(pk, "") == author
                        and search_normalise(publisher)
                        == search_normalise(group.values[publisher_index] or "")
                    ):
                        group.existing_id, group.existing_title = pk, title
        for group in groups:
            if group.existing_id:
                for fate in group.rows:
                    fate.fate = spreadsheet.Fate.EXISTING
                    fate.existing_id, fate.existing_title = group.existing_id, group.existing_title

    def import_data(self, dataset, *, reading: Reading, **kwargs):
        self._reading = reading
        return super().import_data(dataset, reading=reading, **kwargs)

    # The export: the same fields, read from a dict per record and per copy (catalog.selectors.transfer.export_rows).

    def get_export_fields(self, selected_fields=None):
        if selected_fields:
            return super().get_export_fields(selected_fields)
        if self._export_fields is None:
            self._export_fields = super().get_export_fields()
        return self._export_fields

    def export_field(self, field, instance, **kwargs):
        # This resource has no dehydrate_<field> methods: django-import-export's search for one
        # (the field's name found by scanning every field, then a failed getattr) took half the
        # time of an export of 200,000 copies.
        return field.export(instance, **kwargs)

    def export_parts(self) -> tuple[list[Field], list[Field]]:
        """The export's fields of the record and of the copy, in order: the export renders a
        record's cells once for all its copies' rows."""
        fields = self.get_export_fields()
        record = [field_ for field_ in fields if spreadsheet.BY_KEY[field_.attribute].part == "record"]
        return record, fields[len(record) :]


# --- acquisitions ---
# Every name here says "plan", so that this section sits beside the catalogue's resources
# without a clash.

PLAN_IMPORT_MAX_BYTES = 5 * 1024 * 1024
# A plan's lines are read in the request: a few thousand lines unpack to a few megabytes.
PLAN_IMPORT_MAX_UNPACKED_BYTES = 20 * 1024 * 1024
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
            from catalog.services.records import clc_normalise, clc_resolve

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
    if not content.startswith(b"PK"):
        answer.errors.append(_("This is not an Excel file (.xlsx)."))
        return answer
    try:
        archive_check(content, max_unpacked_bytes=PLAN_IMPORT_MAX_UNPACKED_BYTES)
    except FileRefused as refused:
        answer.errors.append(str(refused))
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
