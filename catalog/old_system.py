"""Moving a school from its old library system: the records with their copies.

金盘, 图创 (Interlib), ILAS, 妙思 and the other systems Chinese schools come from export the
catalogue as CNMARC or MARC21 (ISO 2709 or MARCXML), with each copy in a local holdings field
of the record: CNMARC 905 (and 906), MARC21 852 and 876, Koha 952. A **profile** says which
subfield holds each copy's barcode, accession number, location, call number and price; the
administrator may change any of it for the school's own export (``profile_with``), and the
preview shows what came out before anything is saved.

``records_migrate`` reads the file with the MARC import's reader (catalog/marc.py: encodings,
mapping, the file's own problems), then checks it against the catalogue as a migration must:
a record already there (the same ISBN, or the record its barcodes already belong to, or without
either the same title, publisher and year) is **matched** and only its missing copies are
added, so that a second run of the same file changes nothing. A record with a problem refuses
the whole step: it saves every record and copy, or nothing (one transaction).

The copies of one holdings field are read occurrence by occurrence: the n-th 905 is the n-th
copy, and a value mapped to another field (906 $d, the price) is taken from that field's n-th
occurrence, as the systems (and this catalogue's own MARC export) write them in pairs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pymarc
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .exceptions import CatalogError
from .marc import ADD_COPIES, MarcEntry, MarcReport, _price, marc_check, marc_read
from .models import Copy, Location, Record
from .search import search_normalise
from .services.copies import copies_create_bulk
from .services.records import records_create_bulk

SAVE_BATCH = 500
QUERY_BLOCK = 500

# What a profile maps, in the order the page shows them. The barcode is the one a copy needs.
ITEM_FIELDS = ("barcode", "accession_number", "location", "call_number", "call_number_book", "price")
ITEM_LABELS = {
    "barcode": pgettext_lazy("copy field", "Barcode"),
    "accession_number": pgettext_lazy("copy field", "Accession number"),
    "location": pgettext_lazy("copy field", "Location"),
    "call_number": gettext_lazy("Call number (or its class part)"),
    "call_number_book": gettext_lazy("Book part of the call number"),
    "price": pgettext_lazy("copy field", "Price"),
}
COUNT_LABELS = {
    "records": pgettext_lazy("migration count", "Records"),
    "copies": pgettext_lazy("migration count", "Copies"),
    "readers": pgettext_lazy("migration count", "Readers"),
    "classes": pgettext_lazy("migration count", "Classes"),
    "loans": pgettext_lazy("migration count", "Loans"),
}
STEP_LABELS = {
    "records": pgettext_lazy("migration step", "Records and copies"),
    "readers": pgettext_lazy("migration step", "Readers"),
    "loans": pgettext_lazy("migration step", "Open loans"),
}
SPEC = re.compile(r"^\s*(\d{3})\s*\$?\s*([a-z0-9])\s*$", re.I)


class MigrationRefused(CatalogError):
    default_message = gettext_lazy("The step was refused; nothing was saved.")


@dataclass(frozen=True)
class HoldingsProfile:
    """Where an old system writes its copies: each item field as "TAG$code" ("905$b"), or ""."""

    name: str
    label: str
    barcode: str
    accession_number: str = ""
    location: str = ""
    call_number: str = ""
    call_number_book: str = ""
    price: str = ""

    def mapping(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ITEM_FIELDS}

    def parsed(self) -> dict[str, tuple[str, str]]:
        """Each mapped item field as (tag, code). Assumes ``profile_check`` passed."""
        out = {}
        for name in ITEM_FIELDS:
            match = SPEC.match(getattr(self, name) or "")
            if match:
                out[name] = (match.group(1), match.group(2).lower())
        return out


PROFILES = {
    profile.name: profile
    for profile in (
        HoldingsProfile(
            name="cnmarc",
            label=gettext_lazy("CNMARC with copies in 905/906 (金盘, 图创 Interlib, ILAS, 妙思 and others)"),
            barcode="905$b",
            location="905$c",
            call_number="905$d",
            call_number_book="905$e",
            accession_number="905$f",
            price="906$d",
        ),
        HoldingsProfile(
            name="marc21",
            label=gettext_lazy("MARC21 with copies in 852 and 876"),
            barcode="852$p",
            location="852$b",
            call_number="852$h",
            call_number_book="852$i",
            accession_number="876$a",
            price="876$c",
        ),
        HoldingsProfile(
            name="koha",
            label=gettext_lazy("MARC21 with copies in 952 (Koha)"),
            barcode="952$p",
            location="952$c",
            call_number="952$o",
            accession_number="952$i",
            price="952$g",
        ),
    )
}


def profile_with(name: str, changes: dict[str, str] | None = None) -> HoldingsProfile:
    """The named profile with the administrator's changes (an empty value unmaps a field),
    checked. Raises MigrationRefused naming what is wrong."""
    if name not in PROFILES:
        raise MigrationRefused(
            _("There is no profile “%(name)s”; choose one of %(names)s.")
            % {"name": name, "names": ", ".join(PROFILES)}
        )
    values = PROFILES[name].mapping()
    for key, value in (changes or {}).items():
        if key not in ITEM_FIELDS:
            raise MigrationRefused(
                _("“%(key)s” is not a field of a copy; these are: %(names)s.")
                % {"key": key, "names": ", ".join(ITEM_FIELDS)}
            )
        values[key] = (value or "").strip()
    profile = HoldingsProfile(name=name, label=PROFILES[name].label, **values)
    profile_check(profile)
    return profile


def profile_check(profile: HoldingsProfile) -> None:
    """A mapping that can be read: each field "TAG$code" of a data field (010-999), the barcode
    mapped, and no subfield mapped to two fields of a copy."""
    seen: dict[tuple[str, str], str] = {}
    for name in ITEM_FIELDS:
        value = (getattr(profile, name) or "").strip()
        if not value:
            if name == "barcode":
                raise MigrationRefused(_("The profile must say where the barcode is (for example 905$b)."))
            continue
        match = SPEC.match(value)
        if not match or match.group(1) < "010":
            raise MigrationRefused(
                _("“%(value)s” (%(field)s) is not a field and subfield such as 905$b.")
                % {"value": value, "field": ITEM_LABELS[name]}
            )
        key = (match.group(1), match.group(2).lower())
        if key in seen:
            raise MigrationRefused(
                _("%(tag)s $%(code)s is mapped to both %(first)s and %(second)s; map each to one field only.")
                % {
                    "tag": key[0],
                    "code": key[1],
                    "first": ITEM_LABELS[seen[key]],
                    "second": ITEM_LABELS[name],
                }
            )
        seen[key] = name


def items_reader(profile: HoldingsProfile) -> Callable[[pymarc.Record], list[dict]]:
    """Reads the copies of one record as the profile says: one per occurrence of the barcode's
    field; values of other fields from their occurrence of the same number."""
    parsed = profile.parsed()
    item_tag = parsed["barcode"][0]

    def read(record: pymarc.Record) -> list[dict]:
        occurrences = {tag: record.get_fields(tag) for tag in {tag for tag, _code in parsed.values()}}
        items = []
        for index, _holding in enumerate(occurrences[item_tag]):
            item = {"field": item_tag, "occurrence": index + 1}
            for name, (tag, code) in parsed.items():
                fields = occurrences[tag]
                value = fields[index].get(code) if index < len(fields) else None
                item[name] = " ".join((value or "").split())
            items.append(item)
        return items

    return read


# --- the report -----------------------------------------------------------------------------------


@dataclass
class StepReport:
    """What a step did or would do: counts, and the refused rows (number, what, why)."""

    step: str
    created: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)
    refused: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the file as a whole
    notes: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.refused and not self.problems

    def as_dict(self) -> dict:
        return {
            "step": self.step,
            "created": self.created,
            "matched": self.matched,
            "refused": [list(row) for row in self.refused],
            "problems": self.problems,
            "notes": self.notes,
            "saved": self.saved,
        }


# --- the records step -----------------------------------------------------------------------------


def records_migrate(
    *,
    data: bytes,
    profile: HoldingsProfile,
    location: Location,
    dry_run: bool,
    user=None,
    progress: Callable[[int, int], None] | None = None,
) -> StepReport:
    """Check (``dry_run``) or save the records of an old system's export with their copies: all
    or nothing. A refused file or record is in the report (``problems``, ``refused``) and
    nothing is saved; MigrationRefused when the catalogue refuses a save (nothing is saved)."""
    profile_check(profile)
    report = StepReport(step="records")
    marc = marc_read(data, items=items_reader(profile))
    if marc.refused:
        report.problems = list(marc.problems)
        return report
    if dry_run:
        _records_check(marc, profile, location, report)
        return report
    with transaction.atomic():
        plan = _records_check(marc, profile, location, report)
        if report.ok:
            _records_save(plan, report, location, user, progress)
            report.saved = True
    return report


@dataclass
class _Planned:
    entry: MarcEntry
    record_id: int | None  # the record of the catalogue it matches, or None: a new one
    copies: list[Copy]


def _records_check(marc: MarcReport, profile: HoldingsProfile, location: Location, report: StepReport):
    marc_check(marc, existing=ADD_COPIES, catalogue_barcodes=False)
    entries = marc.entries
    for entry in entries:
        for index, item in enumerate(entry.items, start=1):
            if not item.get("barcode"):
                entry.problems.append(
                    _("Copy %(number)s (field %(tag)s, occurrence %(number)s) has no barcode in %(spec)s.")
                    % {"number": index, "tag": item["field"], "spec": profile.barcode}
                )
    barcodes = [
        item["barcode"] for entry in entries if entry.valid for item in entry.items if item.get("barcode")
    ]
    in_catalogue: dict[str, tuple[int, str]] = {}
    for start in range(0, len(barcodes), QUERY_BLOCK):
        for barcode, record_id, title in Copy.objects.filter(
            barcode__in=barcodes[start : start + QUERY_BLOCK]
        ).values_list("barcode", "record_id", "record__title"):
            in_catalogue[barcode] = (record_id, title)
    accessions = [
        item["accession_number"]
        for entry in entries
        if entry.valid
        for item in entry.items
        if item.get("accession_number") and item["barcode"] not in in_catalogue
    ]
    accession_taken: set[str] = set()
    for start in range(0, len(accessions), QUERY_BLOCK):
        accession_taken |= set(
            Copy.objects.filter(accession_number__in=accessions[start : start + QUERY_BLOCK]).values_list(
                "accession_number", flat=True
            )
        )
    locations = {place.name.casefold(): place for place in Location.objects.filter(is_active=True)}
    unknown_locations: dict[str, int] = {}
    by_description = _description_matches([entry for entry in entries if entry.valid and not entry.items])
    accession_first: dict[str, int] = {}
    plan: list[_Planned] = []
    for entry in entries:
        if not entry.valid:
            continue
        owners = {in_catalogue[item["barcode"]][0] for item in entry.items if item["barcode"] in in_catalogue}
        record_id = entry.existing_pk
        if record_id is None and not entry.fields.get("isbn") and len(owners) == 1:
            # Without an ISBN, the record its copies already belong to, when it has its title
            # (the same file run again).
            owner = next(iter(owners))
            owner_title = next(title for owned, title in in_catalogue.values() if owned == owner)
            if search_normalise(owner_title) == search_normalise(entry.title):
                record_id = owner
        if record_id is None and not entry.items:
            record_id = by_description.get(_description(entry.fields))
        for barcode in sorted(
            item["barcode"]
            for item in entry.items
            if item["barcode"] in in_catalogue and in_catalogue[item["barcode"]][0] != record_id
        ):
            entry.problems.append(
                _(
                    "Barcode %(barcode)s is already a copy of another record of the catalogue (number %(record)s)."
                )
                % {"barcode": barcode, "record": in_catalogue[barcode][0]}
            )
        copies = []
        for item in entry.items:
            if item["barcode"] in in_catalogue:
                continue
            accession = item.get("accession_number", "")
            if accession in accession_taken:
                entry.problems.append(
                    _("Accession number %(number)s is already used by a copy in the catalogue.")
                    % {"number": accession}
                )
            elif accession and accession in accession_first:
                entry.problems.append(
                    _(
                        "Accession number %(number)s is also given to a copy of record %(record)s of this file."
                    )
                    % {"number": accession, "record": accession_first[accession]}
                )
            elif accession:
                accession_first[accession] = entry.number
            place = location
            name = item.get("location", "")
            if name:
                place = locations.get(name.casefold())
                if place is None:
                    unknown_locations[name] = unknown_locations.get(name, 0) + 1
                    place = location
            price = _price(entry, item["price"]) if item.get("price") else None
            copies.append(
                Copy(
                    barcode=item["barcode"],
                    accession_number=accession,
                    location=place,
                    price_paid=price,
                )
            )
        if record_id is None and not entry.fields.get("call_number"):
            call = _item_call_number(entry.items)
            if call:
                entry.fields["call_number"] = call[: Record._meta.get_field("call_number").max_length]
        if entry.valid:
            plan.append(_Planned(entry=entry, record_id=record_id, copies=copies))
    for entry in entries:
        if not entry.valid:
            report.refused.append((entry.number, entry.title or "—", " ".join(entry.problems)))
    for name, count in sorted(unknown_locations.items()):
        report.notes.append(
            _("Location “%(name)s” is not one of the library's: its %(count)s copies go to %(default)s.")
            % {"name": name, "count": count, "default": location.name}
        )
    report.created = {
        "records": sum(1 for item in plan if item.record_id is None),
        "copies": sum(len(item.copies) for item in plan),
    }
    report.matched = {
        "records": sum(1 for item in plan if item.record_id is not None),
        "copies": sum(len(item.entry.items) - len(item.copies) for item in plan),
    }
    return plan


def _item_call_number(items: list[dict]) -> str:
    for item in items:
        class_part, book_part = item.get("call_number", ""), item.get("call_number_book", "")
        if class_part and book_part:
            return f"{class_part}/{book_part}"
        if "/" in class_part:
            return class_part
    return ""


def _description(fields: dict) -> tuple:
    return (fields.get("title", ""), fields.get("publisher", ""), fields.get("year"))


def _description_matches(entries: list[MarcEntry]) -> dict[tuple, int]:
    """Records without ISBN and without copies are matched by title, publisher and year."""
    titles = list({entry.fields.get("title", "") for entry in entries if not entry.existing_pk})
    found: dict[tuple, int] = {}
    for start in range(0, len(titles), QUERY_BLOCK):
        for pk, title, publisher, year in (
            Record.objects.filter(title__in=titles[start : start + QUERY_BLOCK], isbn="")
            .order_by("-pk")
            .values_list("pk", "title", "publisher", "year")
        ):
            found[(title, publisher, year)] = pk
    return found


def _records_save(plan: list[_Planned], report: StepReport, location, user, progress) -> None:
    classes: dict = {}
    total = len(plan)
    for start in range(0, total, SAVE_BATCH):
        batch = plan[start : start + SAVE_BATCH]
        new = [item for item in batch if item.record_id is None]
        try:
            records = records_create_bulk(
                items=[(item.entry.fields, item.entry.contributors) for item in new],
                user=user,
                classes=classes,
            )
        except CatalogError as error:
            entry = new[getattr(error, "item", 0)].entry
            raise MigrationRefused(_refusal(entry, error)) from error
        for item, record in zip(new, records, strict=True):
            item.record_id = record.pk
        copies, owners = [], []
        for item in batch:
            for copy in item.copies:
                copy.record_id = item.record_id
                copies.append(copy)
                owners.append(item.entry)
        if copies:
            try:
                copies_create_bulk(copies=copies, user=user)
            except CatalogError as error:
                raise MigrationRefused(_refusal(owners[getattr(error, "item", 0)], error)) from error
        if progress is not None:
            progress(start + len(batch), total)


def _refusal(entry: MarcEntry, error: CatalogError) -> str:
    return _("Record %(number)s (%(title)s) could not be saved: %(reason)s Nothing was saved.") % {
        "number": entry.number,
        "title": entry.title or "—",
        "reason": error.message,
    }
