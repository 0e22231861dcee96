"""Roster files for the tests, written as a school office would."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook


def roster_xlsx(path: Path, rows, headers=("学号", "姓名", "性别", "班级", "家长联系方式")) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def roster_csv(path: Path, rows, headers=("学号", "姓名", "性别", "班级"), encoding="utf-8-sig") -> Path:
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(handle.getvalue().encode(encoding))
    return path
