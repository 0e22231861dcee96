"""Cataloguing the work: records with their contributors, one at a time or many at once (an
import), their class numbers checked against the Chinese Library Classification and their
call numbers (索书号) made from the class and its next sequence number."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError, UnknownClass
from catalog.isbn import isbn_normalise
from catalog.models import CatalogSettings, ClassificationClass, Contributor, Record
from catalog.search import record_search_fields
from catalog.services.sequences import counter_take
from library_site.bulk import fields_clean, rows_insert

if TYPE_CHECKING:
    from library_site.accounts.models import User


CLC_CODE = re.compile(r"^[A-Z][A-Z0-9.\-/=()\"<>:]*$")


RECORD_FIELDS = (
    "title",
    "subtitle",
    "publisher",
    "place",
    "year",
    "edition",
    "isbn",
    "price",
    "pages",
    "size",
    "series",
    "subjects",
    "summary",
    "clc_code",
    "call_number",
    "language",
    "material_type",
    "link",
    "reading_level_from",
    "reading_level_to",
)


def clc_normalise(code: str) -> str:
    return re.sub(r"\s+", "", (code or "").upper().replace("．", ".").replace("／", "/"))


def clc_resolve(code: str) -> ClassificationClass | None:
    """The most specific class of the table that the class number falls under (I247.57 → I247.5),
    or UnknownClass when even its top class is not in the table. Empty: None."""
    code = clc_normalise(code)
    if not code:
        return None
    if not CLC_CODE.match(code):
        raise UnknownClass()
    # The candidates are the number's own prefixes; the longest one in the table wins.
    prefixes = {code[:length] for length in range(1, len(code) + 1)}
    match = ClassificationClass.objects.filter(code__in=prefixes).order_by("-level", "-position").first()
    if match is None:
        raise UnknownClass(
            _("%(code)s is not a class of the Chinese Library Classification.") % {"code": code}
        )
    return match


def call_number_for(*, clc_code: str, author_number: str = "") -> str:
    """索书号: the class number, a slash, and the sequence number (种次号, the next in that
    class) or the author number typed in, as the library's settings choose."""
    code = clc_normalise(clc_code)
    if not code:
        return ""
    catalog_settings = CatalogSettings.current()
    author_number = (author_number or "").strip()
    if catalog_settings.call_number_mode == CatalogSettings.CallNumberMode.AUTHOR or author_number:
        return f"{code}/{author_number}" if author_number else code
    return f"{code}/{counter_take(key=f'sequence:{code}')}"


def call_numbers_for(*, clc_codes: Sequence[str]) -> list[str]:
    """call_number_for for many records: one reservation per class for all the records of that
    class (``counter_take(key="sequence:<class>", count=n)``), the sequence numbers handed out
    in the order of the list. Empty class numbers get empty call numbers."""
    codes = [clc_normalise(code) for code in clc_codes]
    if CatalogSettings.current().call_number_mode == CatalogSettings.CallNumberMode.AUTHOR:
        return codes
    wanted: dict[str, int] = {}
    for code in codes:
        if code:
            wanted[code] = wanted.get(code, 0) + 1
    following = {code: counter_take(key=f"sequence:{code}", count=count) for code, count in wanted.items()}
    numbers = []
    for code in codes:
        if not code:
            numbers.append("")
            continue
        numbers.append(f"{code}/{following[code]}")
        following[code] += 1
    return numbers


def _record_check(record: Record, *, classes: dict[str, ClassificationClass | None] | None = None) -> None:
    """The rules every new or changed record meets, one at a time or in an import: a title, a
    valid ISBN (stored as ISBN-13), a class of the CLC, a link for an e-resource, reading levels
    in order. ``classes`` caches resolved class numbers across the records of an import."""
    record.title = (record.title or "").strip()
    if not record.title:
        raise CatalogError(_("A record needs a title."))
    record.isbn = isbn_normalise(record.isbn) if record.isbn else ""
    record.clc_code = clc_normalise(record.clc_code)
    if classes is None:
        record.classification = clc_resolve(record.clc_code)
    else:
        if record.clc_code not in classes:
            classes[record.clc_code] = clc_resolve(record.clc_code)
        record.classification = classes[record.clc_code]
    if record.material_type == Record.MaterialType.E_RESOURCE and not record.link:
        raise CatalogError(_("An e-resource needs its link."))
    if (
        record.reading_level_from
        and record.reading_level_to
        and record.reading_level_from > record.reading_level_to
    ):
        raise CatalogError(_("The first grade of the reading level comes after the last."))


def _record_prepare(
    record: Record, *, contributors: Sequence[tuple[str, str]], author_number: str = ""
) -> None:
    _record_check(record)
    if not record.call_number and record.clc_code:
        record.call_number = call_number_for(clc_code=record.clc_code, author_number=author_number)
    for field, value in record_search_fields(record, [name for name, _role in contributors]).items():
        setattr(record, field, value)
    record.full_clean(exclude=["created_by", "classification"])


_CONTRIBUTOR_ROLES = frozenset(Contributor.Role.values)


def _contributors_clean(contributors: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned = []
    roles = _CONTRIBUTOR_ROLES
    for name, role in contributors:
        name = (name or "").strip()
        if name:
            cleaned.append((name[:100], role if role in roles else Contributor.Role.AUTHOR))
    return cleaned


@transaction.atomic
def record_create(
    *,
    fields: dict,
    contributors: Iterable[tuple[str, str]] = (),
    author_number: str = "",
    user: User | None = None,
) -> Record:
    """A new record. ``fields`` holds the names of RECORD_FIELDS; the ISBN is normalised,
    the class number checked against the CLC, and the call number assigned when empty."""
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"unknown record fields: {sorted(unknown)}")
    contributor_list = _contributors_clean(contributors)
    record = Record(**fields, created_by=user)
    _record_prepare(record, contributors=contributor_list, author_number=author_number)
    record.save()
    Contributor.objects.bulk_create(
        Contributor(record=record, name=name, role=role, position=position)
        for position, (name, role) in enumerate(contributor_list)
    )
    return record


@transaction.atomic
def record_update(
    *,
    record: Record,
    fields: dict,
    contributors: Iterable[tuple[str, str]] | None = None,
    user: User | None = None,
) -> Record:
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"unknown record fields: {sorted(unknown)}")
    record = Record.objects.select_for_update().get(pk=record.pk)
    for name, value in fields.items():
        setattr(record, name, value)
    if contributors is None:
        contributor_list = list(record.contributors.values_list("name", "role"))
    else:
        contributor_list = _contributors_clean(contributors)
        record.contributors.all().delete()
        Contributor.objects.bulk_create(
            Contributor(record=record, name=name, role=role, position=position)
            for position, (name, role) in enumerate(contributor_list)
        )
    _record_prepare(record, contributors=contributor_list)
    record.save()
    return record


def instance_fields_check(instance, *, exclude: list[str]) -> None:
    """The model's own field checks, refused as a CatalogError that names each field."""
    try:
        fields_clean(instance, exclude=exclude)
    except ValidationError as error:
        raise CatalogError(
            "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
        ) from error


@transaction.atomic
def records_create_bulk(
    *,
    items: Sequence[tuple[dict, Iterable[tuple[str, str]]]],
    user: User | None = None,
    classes: dict[str, ClassificationClass | None] | None = None,
) -> list[Record]:
    """record_create for many records at once: each item is ``(fields, contributors)`` as
    record_create takes them. The same rules (a title, a valid ISBN, a class of the CLC, a link
    for an e-resource, call numbers from the class when empty, the search fields), then the
    records and their contributors are inserted in bulk. ``classes`` caches resolved class
    numbers between calls. A refusal raises CatalogError with ``item`` set to the item's index."""
    resolved = {} if classes is None else classes
    records: list[Record] = []
    contributor_lists: list[list[tuple[str, str]]] = []
    now = timezone.now()
    for index, (fields, contributors) in enumerate(items):
        unknown = set(fields) - set(RECORD_FIELDS)
        if unknown:
            raise ValueError(f"unknown record fields: {sorted(unknown)}")
        record = Record(**fields, created_by=user, created_at=now)
        try:
            _record_check(record, classes=resolved)
        except CatalogError as error:
            error.item = index
            raise
        records.append(record)
        contributor_lists.append(_contributors_clean(contributors))
    without_number = [record for record in records if not record.call_number and record.clc_code]
    numbers = call_numbers_for(clc_codes=[record.clc_code for record in without_number])
    for record, number in zip(without_number, numbers, strict=True):
        record.call_number = number
    for index, (record, contributor_list) in enumerate(zip(records, contributor_lists, strict=True)):
        for field, value in record_search_fields(record, [name for name, _role in contributor_list]).items():
            setattr(record, field, value)
        try:
            instance_fields_check(record, exclude=["created_by", "classification"])
        except CatalogError as error:
            error.item = index
            raise
    rows_insert(Record, records)
    rows_insert(
        Contributor,
        [
            Contributor(record=record, name=name, role=role, position=position)
            for record, contributor_list in zip(records, contributor_lists, strict=True)
            for position, (name, role) in enumerate(contributor_list)
        ],
    )
    return records
