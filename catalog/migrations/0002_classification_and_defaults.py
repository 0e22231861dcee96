"""The Chinese Library Classification from data/clc.tsv, the library's usual rooms, two A4
label sheets, and the cataloguing settings' one row.

A later revision of clc.tsv comes with a migration of its own that loads it again
(``load_classification`` adds new classes and renames changed ones; it never deletes a class
that records may point to)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "clc.tsv"


def load_classification(apps, schema_editor):
    ClassificationClass = apps.get_model("catalog", "ClassificationClass")
    existing = {item.code: item for item in ClassificationClass.objects.all()}
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    levels: dict[str, int] = {}
    for position, row in enumerate(rows, start=1):
        code, parent_code = row["code"].strip(), row["parent"].strip()
        levels[code] = levels[parent_code] + 1 if parent_code else 1
        values = {
            "name_zh": row["name_zh"].strip(),
            "name_en": row["name_en"].strip(),
            "level": levels[code],
            "position": position * 10,
            "parent": existing[parent_code] if parent_code else None,
        }
        item = existing.get(code)
        if item is None:
            existing[code] = ClassificationClass.objects.create(code=code, **values)
        else:
            for name, value in values.items():
                setattr(item, name, value)
            item.save()


def create_defaults(apps, schema_editor):
    Location = apps.get_model("catalog", "Location")
    LabelSheet = apps.get_model("catalog", "LabelSheet")
    CatalogSettings = apps.get_model("catalog", "CatalogSettings")
    for position, (name, kind) in enumerate(
        [("书库", "stacks"), ("阅览室", "reading_room"), ("期刊室", "periodicals_room")], start=1
    ):
        Location.objects.get_or_create(name=name, defaults={"kind": kind, "position": position})
    LabelSheet.objects.get_or_create(
        name="书脊标签 A4 5×13",
        defaults={
            "kind": "spine",
            "rows": 13,
            "columns": 5,
            "margin_top_mm": 10.7,
            "margin_left_mm": 4.7,
            "label_width_mm": 38.1,
            "label_height_mm": 21.2,
            "gap_horizontal_mm": 2.5,
            "gap_vertical_mm": 0,
        },
    )
    LabelSheet.objects.get_or_create(
        name="条码标签 A4 4×10",
        defaults={
            "kind": "barcode",
            "rows": 10,
            "columns": 4,
            "margin_top_mm": 13.5,
            "margin_left_mm": 4.5,
            "label_width_mm": 48.5,
            "label_height_mm": 27.0,
            "gap_horizontal_mm": 2.0,
            "gap_vertical_mm": 0,
        },
    )
    if not CatalogSettings.objects.exists():
        CatalogSettings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(load_classification, migrations.RunPython.noop),
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
