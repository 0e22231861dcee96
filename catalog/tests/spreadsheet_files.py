"""Real spreadsheet files for the import tests, written with openpyxl and csv."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pytest
from openpyxl import Workbook

HEADER = ["题名", "责任者", "出版社", "出版年", "ISBN", "定价", "中图法分类号", "条码", "馆藏地点", "来源"]


def isbn13(number: int, prefix: str = "97875346") -> str:
    """A valid ISBN-13 with the given 8-digit prefix and a 4-digit number."""
    digits = f"{prefix}{number:04d}"
    total = sum(int(digit) * (1 if index % 2 == 0 else 3) for index, digit in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


GOOD_ROWS = [
    ["草房子", "曹文轩 著", "江苏少年儿童出版社", 2016, isbn13(1), 28, "I287.45", "", "书库", "购买"],
    ["草房子", "曹文轩 著", "江苏少年儿童出版社", 2016, isbn13(1), 28, "I287.45", "", "书库", "购买"],
    ["草房子", "曹文轩 著", "江苏少年儿童出版社", 2016, isbn13(1), 28, "I287.45", "", "阅览室", "购买"],
    [
        "西游记",
        "吴承恩 著",
        "人民文学出版社",
        1980,
        "978-7-02-000220-7",
        47.2,
        "I242.4",
        "X0000101",
        "书库",
        "捐赠",
    ],
    [
        "西游记",
        "吴承恩 著",
        "人民文学出版社",
        1980,
        "978-7-02-000220-7",
        47.2,
        "I242.4",
        "X0000102",
        "书库",
        "购买",
    ],
    [
        "西游记",
        "吴承恩 著",
        "人民文学出版社",
        1980,
        "7-02-000220-X",
        47.2,
        "I242.4",
        "X0000103",
        "书库",
        "购买",
    ],
]


def write_xlsx(path: Path, rows, *, header=HEADER, title: str | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows, *, header=HEADER, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def catalogue_in_database(transactional_db):
    """The classification, the rooms and the settings that migration 0002 made. A transactional
    test empties every table when it ends; the next one gets them back from the migration."""
    from django.apps import apps

    migration = importlib.import_module("catalog.migrations.0002_classification_and_defaults")
    migration.load_classification(apps, None)
    migration.create_defaults(apps, None)
