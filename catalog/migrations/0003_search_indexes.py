"""PostgreSQL indexes for the OPAC (see catalog/search.py). Other databases search the same
columns without them. pg_trgm is a trusted extension: the database's owner may create it."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS catalog_record_search_trgm ON catalog_record USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_record_search_grams ON catalog_record "
    "USING gin (to_tsvector('simple', search_grams))",
]
DROP = [
    "DROP INDEX IF EXISTS catalog_record_search_grams",
    "DROP INDEX IF EXISTS catalog_record_search_trgm",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_classification_and_defaults")]

    operations = [migrations.RunPython(create, drop)]
