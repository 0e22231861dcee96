"""How long the labels of a full batch (2,000 copies, the most printed at once) take: the
selection's query and the PDF, for spine and barcode labels.

    .venv/bin/python benchmarks/labels.py                       # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/library .venv/bin/python benchmarks/labels.py

It works in a throwaway test database (test_<name>), made and dropped here; the figures are
printed with the data size and the database.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

COPIES = 2000
RUNS = 3


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run() -> None:
    from catalog import labels
    from catalog.models import CatalogSettings, LabelSheet, Location
    from catalog.services.copies import copies_add
    from catalog.services.records import record_create

    catalog_settings = CatalogSettings.current()
    catalog_settings.library_name = "实验小学图书馆"
    catalog_settings.save()
    location = Location.objects.order_by("position").first()
    titles = [
        "草房子",
        "哈利·波特与魔法石（英汉对照版，附赠阅读指导手册）",
        "西游记",
        "The Very Hungry Caterpillar",
    ]
    for number in range(COPIES // 200):
        record = record_create(
            fields={"title": f"{titles[number % len(titles)]} {number}", "clc_code": "I287.45"},
            contributors=[("曹文轩", "author")],
        )
        copies_add(record=record, count=200, location=location)
    first, last = "T0000001", f"T{COPIES:07d}"
    library_name = labels.library_name_for_labels()
    started = time.perf_counter()
    labels.label_font()  # the font file is read once per process
    font_time = time.perf_counter() - started

    print(f"labels benchmark: {COPIES} copies, database {connection.vendor}, {RUNS} runs each (median)")
    print(f"  finding and reading the font, once per process: {font_time * 1000:.0f} ms")
    for kind, sheet_kind in (("spine", "spine"), ("barcode", "barcode")):
        sheet = LabelSheet.objects.filter(kind=sheet_kind).first()
        select_times, pdf_times, size, pages = [], [], 0, 0
        for _ in range(RUNS):
            started = time.perf_counter()
            selection = labels.labels_select(barcode_range=labels.barcode_range_parse(first, last))
            selected = time.perf_counter()
            data = labels.labels_pdf(
                copies=selection.copies, sheet=sheet, kind=kind, start_position=3, library_name=library_name
            )
            done = time.perf_counter()
            select_times.append(selected - started)
            pdf_times.append(done - selected)
            size = len(data)
            pages = labels.pages_needed(
                count=len(selection.copies), per_page=sheet.rows * sheet.columns, start_position=3
            )
        print(
            f"  {kind:8} on {sheet.name}: {len(selection.copies)} labels, {pages} pages, "
            f"{size / 1024:.0f} KiB; selection {statistics.median(select_times) * 1000:.0f} ms, "
            f"PDF {statistics.median(pdf_times) * 1000:.0f} ms"
        )

    # The whole request, as the page sends it: form, permission, selection, PDF, response.
    from django.test import Client

    from library_site.accounts.models import User
    from library_site.accounts.roles import Role
    from library_site.accounts.services import user_set_roles

    user = User.objects.create_user(username="bench-librarian")  # signed in by force_login
    user_set_roles(user=user, roles=[Role.LIBRARIAN])
    client = Client()
    client.force_login(user)
    sheet = LabelSheet.objects.filter(kind="barcode").first()
    form = {
        "kind": "barcode",
        "sheet": sheet.pk,
        "selection": "range",
        "barcode_from": first,
        "barcode_to": last,
        "start_position": 1,
    }
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.post("/catalog/labels/", form)
        times.append(time.perf_counter() - started)
        assert response["Content-Type"] == "application/pdf", response.content[:500]
    print(f"  POST /catalog/labels/, {COPIES} barcode labels: {statistics.median(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
