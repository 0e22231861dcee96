"""Saving many rows of one model quickly, with the same result as Django's own way.

``rows_insert`` is ``bulk_create`` for large imports: on PostgreSQL the rows go in with one
``COPY … FROM STDIN`` per batch (their primary keys taken from the table's sequence first, so
the objects come back with their ids as bulk_create gives them), which spares Django building
one multi-row INSERT statement value by value; elsewhere it is bulk_create itself. The values
written are those bulk_create writes: each field's ``pre_save`` (auto_now) and
``get_db_prep_save``. No signals are sent, as bulk_create sends none.

``fields_clean`` is ``Model.clean_fields`` for many instances: the plain text fields (a
``CharField`` or ``TextField`` whose only validator is its length, with or without choices) are
checked inline, every other field through its own ``clean``; when anything is in doubt, Django's
``clean_fields`` runs on the instance, so a refusal and its messages are exactly Django's.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import OperationalError, connections, models, transaction
from django.db.models.expressions import DatabaseDefault

COPY_BATCH = 5000  # rows written to the database at once: a few MB of text

# --- checking fields ------------------------------------------------------------------------------

_TEXT_FIELDS = (models.CharField, models.TextField)
_plans: dict[type[models.Model], list[tuple]] = {}


def _value_type(field) -> type | None:
    """The Python type whose values a field's ``to_python`` returns unchanged (str for text,
    int for integers, Decimal), for fields without choices; None for the others."""
    if field.choices or field.is_relation:
        return None
    if type(field) in _TEXT_FIELDS:
        return str
    if isinstance(field, models.IntegerField):
        return int
    if type(field) is models.DecimalField:
        return Decimal
    return None


def _plan(model: type[models.Model]) -> list[tuple]:
    """For each field: (field, name, attname, plain text, length limit, choices or None,
    value type and its validators)."""
    plan = _plans.get(model)
    if plan is None:
        plan = []
        for field in model._meta.fields:
            if field.generated:
                continue
            limits = [
                validator.limit_value
                for validator in field.validators
                if type(validator) is MaxLengthValidator and type(validator.limit_value) is int
            ]
            plain = type(field) in _TEXT_FIELDS and len(limits) == len(field.validators)
            choices = None
            if plain and field.choices:
                flat = [key for key, _label in field.flatchoices]
                if all(type(key) is str for key in flat):
                    choices = frozenset(flat)
                else:
                    plain = False
            value_type = None if type(field) in _TEXT_FIELDS else _value_type(field)
            plan.append(
                (field, field.name, field.attname, plain, min(limits, default=None), choices, value_type)
            )
        _plans[model] = plan
    return plan


def fields_clean(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """``instance.clean_fields(exclude=exclude)``, faster for plain text, integer and decimal
    fields; raises the same ValidationError when a field is refused."""
    excluded = set(exclude)
    for field, name, attname, plain, limit, choices, value_type in _plan(type(instance)):
        if name in excluded:
            continue
        value = getattr(instance, attname)
        if plain and type(value) is str:
            if value == "":
                if field.blank:
                    continue
            elif (limit is None or len(value) <= limit) and (choices is None or value in choices):
                continue
            instance.clean_fields(exclude=excluded)  # Django's own refusal, in its own words
            return
        if field.blank and value in field.empty_values:
            continue
        if isinstance(value, DatabaseDefault):
            continue
        try:
            if value_type is not None and type(value) is value_type:
                # to_python would return the value as it is, and validate() has nothing to
                # refuse (no choices, not empty): only the validators are left.
                for validator in field.validators:
                    validator(value)
            else:
                setattr(instance, attname, field.clean(value, instance))
        except ValidationError:
            instance.clean_fields(exclude=excluded)
            raise


# --- inserting rows -------------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value as COPY's text format writes it."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_COPY_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if kind is float:
        return repr(value)
    if kind is datetime.datetime or kind is datetime.date:
        return value.isoformat()
    if isinstance(value, str):
        return str(value).translate(_COPY_ESCAPES)
    raise TypeError(f"rows_insert cannot write a {kind.__name__} with COPY")


def _direct_type(field) -> type | None:
    target = field.target_field if field.is_relation else field
    if isinstance(target, (models.CharField, models.TextField)):
        return str
    if isinstance(target, models.IntegerField):
        return int
    if type(target) is models.DateTimeField:
        return datetime.datetime
    if type(target) is models.DateField:
        return datetime.date
    if type(target) is models.DecimalField:
        return Decimal
    if type(target) is models.BooleanField:
        return bool
    return None


def _written_as_is(value, direct_type: type | None) -> bool:
    kind = type(value)
    if kind is not direct_type:
        return False
    if kind is datetime.datetime:
        return value.tzinfo is not None and value.utcoffset() is not None  # naive: Django warns
    if kind is Decimal:
        return value.is_finite()
    return True


def rows_insert(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    batch_size: int = COPY_BATCH,
    using: str = "default",
) -> list[models.Model]:
    """``model.objects.bulk_create(objects)``, with COPY on PostgreSQL. Unsaved objects only; a
    database error (a unique number taken) is raised as Django's own (IntegrityError)."""
    objects = list(objects)
    connection = connections[using]
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return model.objects.using(using).bulk_create(objects, batch_size=min(batch_size, 2000))
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated]
    # The type of value each field writes as it is (get_db_prep_save would return it unchanged
    # on PostgreSQL); any other value goes through get_db_prep_save.
    direct = [_direct_type(field) for field in fields]
    table = connection.ops.quote_name(opts.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    without_pk = [obj for obj in objects if obj.pk is None]
    with connection.cursor() as cursor:
        if without_pk:
            # The ids bulk_create would get back from INSERT … RETURNING, in the objects' order.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(without_pk)],
            )
            for obj, (pk,) in zip(without_pk, sorted(cursor.fetchall()), strict=True):
                obj.pk = pk
        for start in range(0, len(objects), batch_size):
            lines = []
            for obj in objects[start : start + batch_size]:
                values = []
                for field, direct_type in zip(fields, direct, strict=True):
                    value = field.pre_save(obj, True)
                    if value is not None and not _written_as_is(value, direct_type):
                        value = field.get_db_prep_save(value, connection)
                    values.append(_copy_text(value))
                line = "\t".join(values)
                if "\x00" in line:
                    raise ValueError("A string literal cannot contain NUL (0x00) characters.")
                lines.append(line)
            lines.append("")
            with connection.wrap_database_errors:
                cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO("\n".join(lines)))
    for obj in objects:
        obj._state.adding = False
        obj._state.db = using
    return objects


# --- GIN indexes built once instead of row by row -------------------------------------------------

DEFER_INDEXES_FROM = 10_000  # new rows; below this, keeping the indexes up to date costs little
LOCK_WAIT = "5s"  # how long to wait for the table's lock before keeping the indexes after all


@contextmanager
def gin_indexes_deferred(
    model: type[models.Model], *, new_rows: int, using: str = "default"
) -> Iterator[bool]:
    """Inside the caller's transaction, on PostgreSQL: when at least DEFER_INDEXES_FROM rows are
    about to be added and they are at least as many as the table holds (a school's first
    catalogue), the table's GIN indexes (trigram and word indexes, the costly ones to keep up
    row by row) are dropped, and built again from their own definitions when the block ends;
    the same indexes, by the same statements that made them. Anything that fails in the block
    rolls the whole of it back, the dropped indexes included. Meanwhile the table is locked
    (ACCESS EXCLUSIVE): searches wait until the import commits, as a large import should run
    outside opening hours. Yields whether the indexes were deferred."""
    connection = connections[using]
    if connection.vendor != "postgresql" or new_rows < DEFER_INDEXES_FROM:
        yield False
        return
    table = model._meta.db_table
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        held = cursor.fetchone()[0]
        # SET CONSTRAINTS ALL DEFERRED below restores the transaction's state only when no
        # deferrable constraint is initially immediate.
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE condeferrable AND NOT condeferred)")
        if held > new_rows or cursor.fetchone()[0]:
            yield False
            return
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
            "AND indexdef LIKE %s ORDER BY indexname",
            [table, "% USING gin %"],
        )
        indexes = cursor.fetchall()
        cursor.execute("SELECT current_setting('lock_timeout')")
        (lock_timeout,) = cursor.fetchone()
        try:
            with transaction.atomic(using=using):
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
                for name, _definition in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
        except OperationalError:  # someone holds the table: keep the indexes, wait for nobody
            yield False
            return
        yield bool(indexes)
        if indexes:
            # CREATE INDEX refuses a table with foreign-key checks still pending: run them now
            # (they would run at the commit), then defer them again as Django declares them
            # (every deferrable constraint of the schema is initially deferred).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
