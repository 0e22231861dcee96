"""django-import-export resources of circulation.

- ``ReaderResource``: the export of readers (Excel and CSV) from the back office.
- ``RosterResource``: the roster import at term start. It only reads and checks rows:
  ``rows_check(dataset)`` checks every row (its cells, against the rows before it and against
  the database) and sorts it into new readers, readers who move class, readers whose details
  change and readers already as the roster says; the classes new this year and the readers
  missing from the roster are listed beside. It writes nothing: the service
  (``circulation.services.school.roster_import``) owns the transaction and applies the plan,
  all rows or none when any row is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader

from library_site.accounts.models import User
from library_site.documents.sheets import spreadsheet_safe

from . import roster
from .exceptions import CellRefused
from .models import LibraryCard, Reader, SchoolClass


class SafeExportResource(resources.ModelResource):
    """A resource whose exported cells cannot run as formulas."""

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))


class ReaderResource(SafeExportResource):
    number = fields.Field(attribute="number", column_name=_("student or staff number"))
    name = fields.Field(attribute="user__full_name", column_name=_("full name"))
    kind = fields.Field(attribute="get_kind_display", column_name=_("reader type"))
    school_class = fields.Field(attribute="school_class__name", column_name=_("class"))
    department = fields.Field(attribute="department", column_name=_("department"))
    gender = fields.Field(attribute="get_gender_display", column_name=_("gender"))
    status = fields.Field(attribute="get_status_display", column_name=_("status"))
    card = fields.Field(column_name=_("card number"))

    class Meta:
        model = Reader
        fields = ("number", "name", "kind", "school_class", "department", "gender", "status", "card")
        export_order = fields

    def dehydrate_card(self, reader: Reader) -> str:
        cards = getattr(reader, "active_cards", None)
        if cards is None:
            cards = list(reader.cards.active())
        return cards[0].number if cards else ""

    def filter_export(self, queryset, **kwargs):
        return queryset.with_display()


# --- the roster import --------------------------------------------------------------------------


NAME_MAX_LENGTH = User._meta.get_field("full_name").max_length


class RosterRow:
    """One row of the roster as the widgets read it, and what the import makes of it."""

    def __init__(self):
        self.row_number = 0  # the spreadsheet's row number
        self.kind = ""
        self.identifier = ""
        self.class_key: tuple[int, int] | None = None
        self.existing: Reader | None = None
        self.fate = ""  # one of RosterPlan's lists: new, moved, changed, unchanged
        self.changes: list[str] = []

    def __str__(self) -> str:
        return getattr(self, "name", "")

    @property
    def class_name(self) -> str:
        if self.class_key is None:
            return ""
        return SchoolClass(grade=self.class_key[0], number=self.class_key[1]).name


class CellWidget(widgets.Widget):
    """A folded cell (full-width digits, spaces trimmed: see circulation.roster.fold)."""

    def clean(self, value, row=None, **kwargs):
        return roster.fold(value)

    def render(self, value, obj=None, **kwargs):
        return value or ""


def _column(key: str) -> fields.Field:
    return fields.Field(attribute=key, column_name=key, widget=CellWidget())


@dataclass
class RosterPlan:
    """What the roster would change, for the preview and for the confirmation's message."""

    file_name: str = ""
    row_numbers: list[int] = dataclass_field(default_factory=list)
    rows: list[RosterRow] = dataclass_field(default_factory=list)
    errors: list[tuple[int, str]] = dataclass_field(default_factory=list)
    new_classes: list[tuple[int, int]] = dataclass_field(default_factory=list)
    missing: list[Reader] = dataclass_field(default_factory=list)
    # The school's active classes by (grade, number), as the check read them.
    classes: dict[tuple[int, int], SchoolClass] = dataclass_field(default_factory=dict)
    deactivate_missing: bool = False
    user: object = None
    new_reader_ids: list[int] = dataclass_field(default_factory=list)  # filled when saved
    saved: dict = dataclass_field(default_factory=dict)

    def of(self, fate: str) -> list[RosterRow]:
        return [row for row in self.rows if row.fate == fate]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("new", "moved", "changed", "unchanged"), 0)
        for row in self.rows:
            counts[row.fate] += 1
        return {
            **counts,
            "rows": len(self.row_numbers),
            "errors": len(self.errors),
            "error_rows": len({number for number, _message in self.errors}),
            "new_classes": len(self.new_classes),
            "missing": len(self.missing),
        }


class RosterResource(resources.Resource):
    """The roster (see the module's docstring). Give it the plan that collects the outcome."""

    number = _column("number")
    staff_number = _column("staff_number")
    name = _column("name")
    gender = _column("gender")
    grade = _column("grade")
    school_class = fields.Field(attribute="class_text", column_name="class", widget=CellWidget())
    guardian = _column("guardian")
    department = _column("department")
    kind_text = fields.Field(attribute="kind_text", column_name="kind", widget=CellWidget())

    class Meta:
        instance_loader_class = BaseInstanceLoader
        import_id_fields = ()
        force_init_instance = True
        skip_diff = True
        clean_model_instances = False

    def __init__(self, *, plan: RosterPlan, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan

    def rows_check(self, dataset):
        """Read and check every row of ``dataset`` into the plan; nothing is written (no
        transaction, no savepoint per row). Returns django-import-export's Result."""
        return self.import_data(dataset, dry_run=False, use_transactions=False)

    # django-import-export's hooks, in the order it calls them.

    def before_import(self, dataset, **kwargs):
        """Learn, in a few queries for the whole file, which readers, classes and identifiers
        the school already has."""
        numbers = set()
        for key in ("number", "staff_number"):
            if key in dataset.headers:
                numbers.update(value.upper() for value in dataset[key] if value)
        self.readers: dict[str, Reader] = {}
        self.taken: set[str] = set()
        ordered = sorted(numbers)
        for start in range(0, len(ordered), 2_000):
            chunk = ordered[start : start + 2_000]
            for reader in Reader.objects.select_related("user", "school_class").filter(
                number__in=chunk + [value.lower() for value in chunk]
            ):
                self.readers[reader.number.upper()] = reader
            self.taken.update(
                value.upper()
                for value in User.objects.filter(
                    username__in=chunk + [value.lower() for value in chunk]
                ).values_list("username", flat=True)
            )
            self.taken.update(
                value.upper()
                for value in LibraryCard.objects.filter(number__in=chunk).values_list("number", flat=True)
            )
        self.classes = {
            (school_class.grade, school_class.number): school_class
            for school_class in SchoolClass.objects.filter(is_active=True)
        }
        self.seen: dict[str, int] = {}

    def init_instance(self, row=None):
        return RosterRow()

    def import_instance(self, instance: RosterRow, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.row_number = self.plan.row_numbers[kwargs["row_number"] - 1]
        errors = self._check(instance)
        if errors:
            self.plan.errors += [(instance.row_number, message) for message in errors]
            raise ValidationError({"row": errors})

    def save_instance(self, instance: RosterRow, is_create, row, **kwargs):
        # Nothing is written: the row joins the plan, which the service applies in one go
        # once every row has passed.
        self.plan.rows.append(instance)

    def after_import(self, dataset, result, **kwargs):
        self.plan.new_classes = sorted(
            {row.class_key for row in self.plan.rows if row.class_key and row.class_key not in self.classes}
        )
        self.plan.missing = self._missing()
        self.plan.classes = self.classes

    # The checks.

    def _check(self, row: RosterRow) -> list[str]:
        errors: list[str] = []
        number = getattr(row, "number", "")
        staff_number = getattr(row, "staff_number", "")
        row.name = getattr(row, "name", "")
        if not row.name:
            errors.append(gettext("The name (姓名) is missing."))
        elif len(row.name) > NAME_MAX_LENGTH:
            errors.append(
                gettext("The name is longer than %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}
            )
        try:
            kind = roster.kind_parse(row.kind_text) if getattr(row, "kind_text", "") else ""
        except CellRefused as error:
            errors.append(str(error))
            kind = ""
        if not kind:
            kind = Reader.Kind.STUDENT if number or not staff_number else Reader.Kind.TEACHER
        row.kind = kind
        identifier = number if kind == Reader.Kind.STUDENT else (staff_number or number)
        if not identifier:
            errors.append(
                gettext("The student number (学号) is missing.")
                if kind == Reader.Kind.STUDENT
                else gettext("The staff number (工号) is missing.")
            )
        else:
            try:
                row.identifier = roster.identifier_parse(identifier)
            except CellRefused as error:
                errors.append(str(error))
        try:
            row.gender = roster.gender_parse(getattr(row, "gender", ""))
        except CellRefused as error:
            errors.append(str(error))
        class_text, grade_text = getattr(row, "class_text", ""), getattr(row, "grade", "")
        if kind == Reader.Kind.STUDENT:
            if not class_text:
                errors.append(gettext("The class (班级) is missing."))
            else:
                try:
                    row.class_key = roster.class_parse(class_text, grade_text)
                except CellRefused as error:
                    errors.append(str(error))
        row.guardian = getattr(row, "guardian", "")[:100]
        row.department = getattr(row, "department", "")[:100]
        if row.identifier:
            key = row.identifier.upper()
            first = self.seen.get(key)
            if first is not None:
                errors.append(
                    gettext("The number %(number)s is already on row %(row)s of this file.")
                    % {"number": row.identifier, "row": first}
                )
            else:
                self.seen[key] = row.row_number
            row.existing = self.readers.get(key)
            if row.existing is None and key in self.taken:
                errors.append(
                    gettext("The number %(number)s is already a user name or a card number of somebody else.")
                    % {"number": row.identifier}
                )
            elif row.existing is not None and row.existing.kind != kind:
                errors.append(
                    gettext("%(number)s is already registered as a %(kind)s.")
                    % {"number": row.identifier, "kind": row.existing.get_kind_display()}
                )
        if not errors:
            self._fate(row)
        return errors

    def _fate(self, row: RosterRow) -> None:
        reader = row.existing
        if reader is None:
            row.fate = "new"
            return
        current = reader.school_class
        if row.kind == Reader.Kind.STUDENT and (
            current is None or not current.is_active or (current.grade, current.number) != row.class_key
        ):
            row.fate = "moved"
        if reader.user.full_name != row.name:
            row.changes.append(gettext("name"))
        if row.gender and reader.gender != row.gender:
            row.changes.append(gettext("gender"))
        if row.guardian and reader.guardian_contact != row.guardian:
            row.changes.append(gettext("guardian contact"))
        if row.department and reader.department != row.department:
            row.changes.append(gettext("department"))
        if reader.status != Reader.Status.ACTIVE:
            row.changes.append(gettext("back at school"))
        if not row.fate:
            row.fate = "changed" if row.changes else "unchanged"

    def _missing(self) -> list[Reader]:
        """Active readers the roster leaves out: students of the classes the roster covers, and,
        when it lists teachers or staff, the teachers and staff."""
        listed = {row.existing.pk for row in self.plan.rows if row.existing is not None}
        class_keys = {row.class_key for row in self.plan.rows if row.class_key}
        class_ids = [self.classes[key].pk for key in class_keys if key in self.classes]
        query = Q(kind=Reader.Kind.STUDENT, school_class_id__in=class_ids)
        if any(row.kind != Reader.Kind.STUDENT for row in self.plan.rows):
            query |= Q(kind__in=[Reader.Kind.TEACHER, Reader.Kind.STAFF])
        candidates = Reader.objects.active().filter(query).select_related("user", "school_class")
        return [
            reader
            for reader in candidates.order_by("school_class__grade", "school_class__number", "number")
            if reader.pk not in listed
        ]
