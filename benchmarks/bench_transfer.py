"""Import and export of records with their copies: wall time and peak memory.

- import: a generated 50,000-row .xlsx (one row per copy, about two copies per record, realistic
  Chinese rows: valid ISBN-13s, classes from the ClassificationClass table, most barcodes given,
  some left to be numbered) checked and saved by ``manage.py import_records``;
- export: ``manage.py export_records`` of every copy (at least 200,000: generated with
  bulk_create when the database holds fewer) to .xlsx, and to .csv. To export exactly 200,000,
  run it on a small benchmark database, whose copies the import and the top-up bring to 200,000:
  ``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/library_bench_transfer
  BENCH_RECORDS=10000 make bench BENCH=transfer``.

Each runs in a child process; its wall time includes starting Django, and its peak memory is
the child's maximum resident set size, read with ``getrusage(RUSAGE_CHILDREN)`` by a small
launcher process whose only child it is (see ``run_child``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/library python -m benchmarks.bench_transfer

It runs on the configured database (migrated first) and cleans up after itself: the records and
copies it made are deleted and the counters (barcodes, accession and sequence numbers) put back.
Settings (environment): BENCH_IMPORT_ROWS (50000), BENCH_EXPORT_COPIES (200000), BENCH_SEED (1).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from benchmarks.figures import isbn13

ROOT = Path(__file__).resolve().parent.parent
IMPORT_TARGET_SECONDS, IMPORT_TARGET_MB = 60, 300
EXPORT_TARGET_SECONDS, EXPORT_TARGET_MB = 20, 150

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = list(
    "文华明国建平志伟红英丽敏静秀芳军杰涛超勇艳娟霞斌波宁海燕鹏飞玲桂兰晓雪梅春晨阳欣怡子轩浩宇思雨嘉琪"
)
TITLE_HEADS = [
    "小熊",
    "小兔",
    "小狐狸",
    "森林",
    "星星",
    "月亮",
    "太阳",
    "大海",
    "草原",
    "春天",
    "夏天",
    "秋天",
    "冬天",
    "故乡",
    "童年",
    "校园",
    "爷爷",
    "奶奶",
    "妈妈",
    "爸爸",
    "老师",
    "同学",
    "朋友",
    "小树",
    "风筝",
    "雨伞",
    "彩虹",
    "小河",
    "长城",
    "黄河",
    "熊猫",
    "恐龙",
    "机器人",
    "宇宙",
    "地球",
    "海洋",
    "火山",
    "蝴蝶",
    "蜜蜂",
    "小猫",
]
TITLE_TAILS = [
    "的故事",
    "的秘密",
    "的旅行",
    "的梦",
    "去哪儿了",
    "和我",
    "的一天",
    "的奇遇",
    "历险记",
    "的礼物",
    "的歌",
    "的信",
    "的花园",
    "的朋友",
    "成长记",
    "百科",
    "趣味知识",
    "十万个为什么",
    "探秘",
    "日记",
    "的眼睛",
    "的声音",
    "的颜色",
    "的味道",
    "来了",
]
SERIES = [
    "",
    "",
    "",
    "国际大奖小说",
    "中国儿童文学经典",
    "十万个为什么",
    "少儿百科全书",
    "名家名作",
    "语文新课标必读丛书",
]
PUBLISHERS = [
    ("人民文学出版社", "北京"),
    ("少年儿童出版社", "上海"),
    ("江苏凤凰少年儿童出版社", "南京"),
    ("浙江少年儿童出版社", "杭州"),
    ("二十一世纪出版社", "南昌"),
    ("接力出版社", "南宁"),
    ("中国少年儿童出版社", "北京"),
    ("长江少年儿童出版社", "武汉"),
    ("明天出版社", "济南"),
    ("外语教学与研究出版社", "北京"),
]
ROLES = ["著", "著", "著", "编", "主编", "译", "绘"]
SUMMARY = "本书讲述了一个关于成长、友谊与勇气的故事，语言生动，插图精美，适合小学生阅读。"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def record_values(rng: random.Random, number: int, classes: list[str]) -> list:
    """The record's columns of the import layout, for record ``number``."""
    title = rng.choice(TITLE_HEADS) + rng.choice(TITLE_TAILS)
    if rng.random() < 0.3:
        title += f"（第{rng.randint(1, 12)}册）"
    publisher, place = rng.choice(PUBLISHERS)
    authors = [f"{person(rng)} 著"]
    if rng.random() < 0.35:
        authors.append(f"{person(rng)} {rng.choice(ROLES[3:])}")
    year = rng.randint(1995, 2025)
    price = Decimal(rng.randint(1200, 8800)) / 100
    return [
        title,
        "",
        "、".join(authors),
        publisher,
        place,
        year,
        rng.choice(("", "第1版", "第2版")),
        isbn13(number),
        float(price),
        rng.randint(48, 560),
        rng.choice(("21cm", "24cm", "26cm")),
        rng.choice(SERIES),
        "儿童文学；" + rng.choice(("中国", "外国", "科普", "童话")),
        SUMMARY if rng.random() < 0.4 else "",
        rng.choice(classes),
        "",
        "中文",
        "图书",
        rng.choice(("1-3", "3-6", "4-6", "")),
    ]


IMPORT_HEADER = [
    "题名", "副题名", "责任者", "出版社", "出版地", "出版年", "版次", "ISBN", "定价", "页数", "尺寸", "丛书",
    "主题词", "内容简介", "中图法分类号", "索书号", "语种", "文献类型", "适读年级",
    "条码", "财产登记号", "馆藏地点", "书架", "入藏日期", "来源", "捐赠人", "实付价格", "备注",
]  # fmt: skip


def generate_import_file(
    path: Path,
    rows: int,
    *,
    seed: int,
    run: str,
    classes: list[str],
    locations: list[str],
    notes_chars: int = 0,
):
    """A workbook of ``rows`` copies with a title row above the header, as school spreadsheets
    have, and the sheet's size stated, as Excel and WPS write it. Returns the number of rows.
    openpyxl writes every text cell as an inline string, which openpyxl reads back more slowly
    than the shared-string table of a file saved by Excel: the figure errs on the slow side.
    ``notes_chars`` fills the notes column with that many characters (a larger file)."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "馆藏"
    sheet.append(["实验小学图书馆 馆藏登记表（基准测试）"])
    sheet.append(IMPORT_HEADER)
    written = 0
    record_number = 0
    start_day = date(2015, 9, 1)
    while written < rows:
        record_number += 1
        values = record_values(rng, record_number, classes)
        for _copy in range(min(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)), rows - written)):
            written += 1
            given = rng.random() < 0.8
            donated = rng.random() < 0.1
            sheet.append(
                [
                    *values,
                    f"BX{run}{written:07d}" if given else "",
                    f"BA{run}{written:07d}" if given else "",
                    rng.choice(locations),
                    f"{rng.choice('ABCDEFGH')}-{rng.randint(1, 30):02d}",
                    (start_day + timedelta(days=rng.randint(0, 3500))).isoformat(),
                    "捐赠" if donated else "购买",
                    f"{person(rng)}家长" if donated else "",
                    round(values[8] * 0.8, 2),
                    "".join(rng.choice(GIVEN) for _ in range(notes_chars)),
                ]
            )
    workbook.save(path)
    return written


# A small process that runs the command and reports the command's peak memory. The command is
# not started from the benchmark's own process: on Linux a child's maximum resident set size
# counts the memory of the process it was forked from (the high-water mark survives exec), and
# the benchmark itself grows to hundreds of MB while it generates data.
LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'\\nBENCH_PEAK_KB={peak}', flush=True)\n"
    "sys.exit(code)\n"
)


def run_child(arguments: list[str]) -> tuple[float, float, str]:
    """Run ``manage.py`` with these arguments in a child process: its wall time in seconds, its
    peak resident memory in MB (``getrusage(RUSAGE_CHILDREN)`` in a small launcher whose only
    child it is), and its output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        # The project's own manage.py with the arguments of this benchmark.
        child = subprocess.run(  # noqa: S603
            [sys.executable, "-c", LAUNCHER, sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LOG_LEVEL": "WARNING"},
            check=False,
        )
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed ({child.returncode}):\n{text[-3000:]}")
    text, _separator, peak = text.rpartition("BENCH_PEAK_KB=")
    return seconds, int(peak) / 1024, text


def copies_top_up(target: int, *, seed: int, run: str, classes: list[str]) -> int:
    """Add records and copies with bulk_create until the catalogue holds ``target`` copies."""
    from catalog.models import Contributor, Copy, Location, Record

    missing = target - Copy.objects.count()
    if missing <= 0:
        return 0
    rng = random.Random(seed + 1)
    location_ids = list(Location.objects.values_list("pk", flat=True))
    made = 0
    number = 5_000_000
    while made < missing:
        records = []
        plans = []
        while len(records) < 2_000 and made + sum(plans) < missing:
            number += 1
            values = record_values(rng, number, classes)
            records.append(
                Record(
                    title=values[0],
                    publisher=values[3],
                    place=values[4],
                    year=values[5],
                    edition=values[6],
                    isbn=values[7],
                    price=Decimal(str(values[8])),
                    pages=values[9],
                    size=values[10],
                    series=values[11],
                    subjects=values[12],
                    summary=values[13],
                    clc_code=values[14],
                    call_number=f"{values[14]}/{number}",
                    title_search=values[0],
                )
            )
            plans.append(min(rng.choice((1, 2, 2, 3, 4)), missing - made - sum(plans)))
        Record.objects.bulk_create(records, batch_size=1_000)
        Contributor.objects.bulk_create(
            [Contributor(record=record, name=person(rng), role="author") for record in records],
            batch_size=2_000,
        )
        copies = []
        for record, count in zip(records, plans, strict=True):
            for _copy in range(count):
                made += 1
                copies.append(
                    Copy(
                        record=record,
                        barcode=f"BY{run}{made:07d}",
                        accession_number=f"BZ{run}{made:07d}",
                        location_id=rng.choice(location_ids),
                        shelf=f"{rng.choice('ABCDEFGH')}-{rng.randint(1, 30):02d}",
                        price_paid=record.price,
                    )
                )
        Copy.objects.bulk_create(copies, batch_size=2_000)
    return made


def marks_take() -> dict:
    from django.db.models import Max

    from catalog.models import Copy, Counter, Record

    return {
        "record": Record.objects.aggregate(top=Max("pk"))["top"] or 0,
        "copy": Copy.objects.aggregate(top=Max("pk"))["top"] or 0,
        "counters": dict(Counter.objects.values_list("key", "value")),
    }


def clean_up(marks: dict) -> None:
    """Delete what the benchmark made and put the counters back as they were."""
    from django.db import connection, transaction

    from catalog.models import Contributor, Copy, Counter, Record

    # Plain DELETEs: Django's delete() would first load every row to look for dependants, and
    # nothing depends on what the benchmark made.
    with transaction.atomic(), connection.cursor() as cursor:
        for model, column, mark in (
            (Copy, "id", marks["copy"]),
            (Contributor, "record_id", marks["record"]),
            (Record, "id", marks["record"]),
        ):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE {column} > %s", [mark])  # noqa: S608
    for counter in Counter.objects.all():
        if counter.key not in marks["counters"]:
            counter.delete()
        elif counter.value != marks["counters"][counter.key]:
            counter.value = marks["counters"][counter.key]
            counter.save(update_fields=["value"])


def verdict(seconds: float, megabytes: float, target_seconds: float, target_mb: float) -> str:
    ok = seconds <= target_seconds and megabytes <= target_mb
    return f"[{'within' if ok else 'OVER'} the target of {target_seconds} s and {target_mb} MB]"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library_site.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import ClassificationClass, Copy, Location

    import_rows = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
    export_copies = int(os.environ.get("BENCH_EXPORT_COPIES", "200000"))
    seed = int(os.environ.get("BENCH_SEED", "1"))
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    run = "".join(random.Random().choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))
    # The classes a school library uses most: literature (I), culture and education (G),
    # history (K), science (N, O, P, Q), and the rest.
    classes = list(ClassificationClass.objects.filter(level__gte=2).values_list("code", flat=True))
    locations = list(Location.objects.filter(is_active=True).values_list("name", flat=True))
    marks = marks_take()
    try:
        with tempfile.TemporaryDirectory() as folder:
            workbook = Path(folder) / "import.xlsx"
            started = time.perf_counter()
            rows = generate_import_file(
                workbook, import_rows, seed=seed, run=run, classes=classes, locations=locations
            )
            print(
                f"generated {rows} rows in {time.perf_counter() - started:.1f} s "
                f"({workbook.stat().st_size / 1024 / 1024:.1f} MB .xlsx)",
                flush=True,
            )
            seconds, megabytes, output = run_child(["import_records", str(workbook), "-v", "0"])
            print(output.strip().splitlines()[-1])
            print(
                f"import {rows} rows: {seconds:.1f} s, peak {megabytes:.0f} MB ({vendor}) "
                + verdict(seconds, megabytes, IMPORT_TARGET_SECONDS, IMPORT_TARGET_MB),
                flush=True,
            )
            started = time.perf_counter()
            made = copies_top_up(export_copies, seed=seed, run=run, classes=classes)
            if made:
                print(f"generated {made} more copies in {time.perf_counter() - started:.1f} s", flush=True)
            total = Copy.objects.count()
            for extension in (".xlsx", ".csv"):
                target = Path(folder) / f"export{extension}"
                seconds, megabytes, _output = run_child(["export_records", str(target)])
                print(
                    f"export {total} copies to {extension}: {seconds:.1f} s, peak {megabytes:.0f} MB, "
                    f"{target.stat().st_size / 1024 / 1024:.1f} MB file ({vendor}) "
                    + verdict(seconds, megabytes, EXPORT_TARGET_SECONDS, EXPORT_TARGET_MB),
                    flush=True,
                )
    finally:
        started = time.perf_counter()
        clean_up(marks)
        print(f"cleaned up in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
