"""Search text folded for variant characters (异体字, catalog.search.VARIANT_FORMS): records
saved before the folding hold the old search fields, so that 钱锺书 saved then is not found by
钱钟书. Every record's search fields are derived again, in batches, as catalog.search derives
them now (the approach of 0004_bench.search_fields_refresh, for all the derived fields)."""

from django.db import migrations

BATCH = 2000
FIELDS = ("search_text", "search_grams", "title_search", "title_pinyin", "title_initials", "title_sort")


def search_fields_refresh(apps, schema_editor):
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
            if any(getattr(record, name) != fields[name] for name in FIELDS):
                for name in FIELDS:
                    setattr(record, name, fields[name])
                changed.append(record)
        Record.objects.bulk_update(changed, list(FIELDS), batch_size=500)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_contributor_roles")]

    operations = [migrations.RunPython(search_fields_refresh, migrations.RunPython.noop)]
