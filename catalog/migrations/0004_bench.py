"""The OPAC at a school's full size (measured by benchmarks/bench_opac.py, see README):

- the search fields are derived again for every record: ``search_grams`` now holds the grams
  of the whole search text (every field, whatever the number of authors; and pairs of letters
  and digits, so that two-character terms such as I2 or hl have an index too); ``search_text``
  also holds a field converted to simplified characters one by one where OpenCC's phrases
  convert it otherwise (so that 吒 finds 哪吒), and its ISBN-10 is lower-case like the rest;
- on PostgreSQL, B-tree indexes on the title forms (``varchar_pattern_ops``: equality and
  LIKE 'prefix%') find the records whose title equals or begins with the query, the top
  relevance tiers, without reading every match (catalog.selectors.RelevanceOrderedIds).
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS catalog_record_title_search_pattern "
    "ON catalog_record (title_search varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_record_title_pinyin_pattern "
    "ON catalog_record (title_pinyin varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_record_title_initials_pattern "
    "ON catalog_record (title_initials varchar_pattern_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS catalog_record_title_initials_pattern",
    "DROP INDEX IF EXISTS catalog_record_title_pinyin_pattern",
    "DROP INDEX IF EXISTS catalog_record_title_search_pattern",
]
BATCH = 2000


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


def search_fields_refresh(apps, schema_editor):
    """Derive the search fields again, as catalog.search derives them now."""
    from catalog.search import record_search_fields

    Record = apps.get_model("catalog", "Record")
    Contributor = apps.get_model("catalog", "Contributor")
    last = 0
    while True:
        batch = list(Record.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        names: dict[int, list[str]] = {}
        for record_id, name in (
            Contributor.objects.filter(record__in=batch)
            .order_by("record_id", "position", "pk")
            .values_list("record_id", "name")
        ):
            names.setdefault(record_id, []).append(name)
        changed = []
        for record in batch:
            fields = record_search_fields(record, names.get(record.pk, []))
            if (record.search_text, record.search_grams) != (fields["search_text"], fields["search_grams"]):
                record.search_text, record.search_grams = fields["search_text"], fields["search_grams"]
                changed.append(record)
        Record.objects.bulk_update(changed, ["search_text", "search_grams"], batch_size=500)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_indexes")]

    operations = [
        migrations.RunPython(search_fields_refresh, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
