"""The OPAC at a school's full size (measured by benchmarks/bench_opac.py, see README):

- the search fields are derived again for every record: ``search_grams`` now holds the grams
  of the whole search text (every field, whatever the number of authors; and pairs of letters
  and digits, so that two-character terms such as I2 or hl have an index too); ``search_text``
  also holds a field converted to simplified characters one by one where OpenCC's phrases
  convert it otherwise (so that 吒 finds 哪吒), and its ISBN-10 is lower-case like the rest;
- on PostgreSQL the grams' GIN index is on the array of their words instead of a tsvector:
  the same index, but testing one row costs a tenth (no text search parser), which matters
  where PostgreSQL tests rows one by one, and a word matches exactly as stored;
- B-tree indexes on the title forms (``varchar_pattern_ops``: equality and LIKE 'prefix%';
  including title_sort and id, so that they alone give the ids in title order) find the
  records whose title equals or begins with the query, the top relevance tiers, and
  GIN indexes on the title's trigrams and on its characters and pairs of characters (the
  function catalog_short_grams) those whose title holds it,
  without reading every match, and one on (title_sort, id) gives the first records in title
  order from the index alone (catalog.selectors.RelevanceOrderedIds).
"""

from django.db import migrations

OLD_GRAMS_INDEX = (
    "CREATE INDEX IF NOT EXISTS catalog_record_search_grams ON catalog_record "
    "USING gin (to_tsvector('simple', search_grams))"
)
# Every character and pair of characters of a text: the index of a title's short terms.
SHORT_GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_short_grams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT grams.gram), '{}') FROM (
    SELECT substr($1, i, 1) AS gram FROM generate_series(1, char_length($1)) AS i
    UNION ALL SELECT substr($1, i, 2) FROM generate_series(1, char_length($1) - 1) AS i
  ) AS grams
$$"""
CREATE = [
    SHORT_GRAMS_FUNCTION,
    # Whether the title holds the query (relevance tier 1), without reading every match:
    # trigrams for three characters or more, the title's characters and pairs for fewer.
    "CREATE INDEX IF NOT EXISTS catalog_record_title_trgm ON catalog_record USING gin (title_search gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_record_title_short_grams ON catalog_record "
    "USING gin (catalog_short_grams(title_search))",
    "CREATE INDEX IF NOT EXISTS catalog_record_search_gram_words ON catalog_record "
    "USING gin (string_to_array(search_grams, ' '))",
    "CREATE INDEX IF NOT EXISTS catalog_record_title_search_pattern "
    "ON catalog_record (title_search varchar_pattern_ops) INCLUDE (title_sort, id)",
    "CREATE INDEX IF NOT EXISTS catalog_record_title_pinyin_pattern "
    "ON catalog_record (title_pinyin varchar_pattern_ops) INCLUDE (title_sort, id)",
    "CREATE INDEX IF NOT EXISTS catalog_record_title_initials_pattern "
    "ON catalog_record (title_initials varchar_pattern_ops) INCLUDE (title_sort, id)",
    # The first records in title order, read from the index alone.
    "CREATE INDEX IF NOT EXISTS catalog_record_title_order ON catalog_record (title_sort, id)",
]
DROP = [
    "DROP INDEX IF EXISTS catalog_record_title_short_grams",
    "DROP INDEX IF EXISTS catalog_record_title_trgm",
    "DROP FUNCTION IF EXISTS catalog_short_grams(text)",
    "DROP INDEX IF EXISTS catalog_record_title_order",
    "DROP INDEX IF EXISTS catalog_record_title_initials_pattern",
    "DROP INDEX IF EXISTS catalog_record_title_pinyin_pattern",
    "DROP INDEX IF EXISTS catalog_record_title_search_pattern",
    "DROP INDEX IF EXISTS catalog_record_search_gram_words",
]
BATCH = 2000


def postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


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
        # The old grams index goes first, so that deriving the fields again does not update it.
        migrations.RunPython(
            postgresql(["DROP INDEX IF EXISTS catalog_record_search_grams"]), postgresql([OLD_GRAMS_INDEX])
        ),
        migrations.RunPython(search_fields_refresh, migrations.RunPython.noop),
        migrations.RunPython(postgresql(CREATE), postgresql(DROP)),
    ]
