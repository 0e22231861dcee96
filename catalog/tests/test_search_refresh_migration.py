"""The data migration 0011_search_variant_forms: records saved before search folded variant
characters held search fields in the old folding; after it they are found by either form."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from catalog.models import Record
from catalog.search import record_search_fields
from catalog.selectors.opac import SearchFilters, records_search

from .factories import RecordFactory

pytestmark = pytest.mark.django_db

FIELDS = ("search_text", "search_grams", "title_search", "title_pinyin", "title_initials", "title_sort")


def titles(query):
    return sorted(record.title for record in records_search(SearchFilters(query=query)).records)


def old_folding(record: Record) -> None:
    """The record's search fields as they were saved before variant forms were folded: the
    same derivation with 锺 left as it was."""
    fields = record_search_fields(record, ["钱锺书"])
    stale = {name: fields[name].replace("钟", "锺") for name in FIELDS}
    Record.objects.filter(pk=record.pk).update(**stale)


def test_the_migration_derives_every_records_search_fields_again():
    weicheng = RecordFactory(title="围城", authors=["钱锺书"])
    other = RecordFactory(title="写在人生边上", authors=["钱钟书"])
    untouched = Record.objects.values(*FIELDS).get(pk=other.pk)
    old_folding(weicheng)
    assert titles("钱钟书") == ["写在人生边上"]  # the stale record is missed

    migration = importlib.import_module("catalog.migrations.0011_search_variant_forms")
    migration.BATCH = 1  # several batches, as on a school's catalogue
    try:
        migration.search_fields_refresh(apps, None)
    finally:
        migration.BATCH = 2000

    assert titles("钱钟书") == ["写在人生边上", "围城"]
    assert titles("钱锺书") == ["写在人生边上", "围城"]
    weicheng.refresh_from_db()
    expected = record_search_fields(weicheng, ["钱锺书"])
    assert {name: getattr(weicheng, name) for name in FIELDS} == {name: expected[name] for name in FIELDS}
    assert Record.objects.values(*FIELDS).get(pk=other.pk) == untouched


def test_the_migration_runs_on_an_empty_catalogue():
    importlib.import_module("catalog.migrations.0011_search_variant_forms").search_fields_refresh(apps, None)
    assert Record.objects.count() == 0
