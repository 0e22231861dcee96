"""A librarian at a browser imports a 1,000-row spreadsheet: uploads it, reads the preview,
confirms, and a pupil finds one of the imported books in the OPAC by its pinyin initials. A file
with errors shows them row by row, and nothing is saved."""

from __future__ import annotations

import random

import pytest

from catalog.models import Copy, Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.testing import ARTIFACTS, browser_login

from .spreadsheet_files import catalogue_in_database, isbn13, write_xlsx  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalogue_in_database"),
]

HEADER = ["题名", "责任者", "出版社", "出版年", "ISBN", "定价", "中图法分类号", "条码", "馆藏地点", "书架"]
HEADS = [
    "小熊",
    "小兔",
    "森林",
    "星星",
    "月亮",
    "大海",
    "草原",
    "春天",
    "秋天",
    "故乡",
    "校园",
    "爷爷",
    "奶奶",
    "风筝",
    "彩虹",
    "熊猫",
    "恐龙",
    "蝴蝶",
]
TAILS = ["的故事", "的秘密", "的旅行", "的一天", "的礼物", "的花园", "的朋友", "成长记", "历险记", "探秘"]
PUBLISHERS = ["少年儿童出版社", "接力出版社", "明天出版社", "二十一世纪出版社"]
CLASSES = ["I287.45", "I287.5", "I287.8", "Z228.1", "G624.2", "N49", "Q95", "K209"]


def thousand_rows() -> list[list]:
    """Records with 1 to 4 copies each, 1,000 rows; the first is 青铜葵花."""
    rng = random.Random(5)
    rows = []
    number = 0
    while len(rows) < 1000:
        number += 1
        if number == 1:
            title, author = "青铜葵花", "曹文轩 著"
        else:
            title, author = (
                f"{rng.choice(HEADS)}{rng.choice(TAILS)}（第{number}册）",
                f"{rng.choice('王李张刘陈')}{rng.choice('文华明静')} 著",
            )
        values = [
            title,
            author,
            rng.choice(PUBLISHERS),
            rng.randint(2000, 2024),
            isbn13(number),
            25.0,
            rng.choice(CLASSES),
        ]
        for _copy in range(min(rng.randint(1, 4), 1000 - len(rows))):
            rows.append([*values, "", rng.choice(["书库", "阅览室"]), f"A-{rng.randint(1, 20):02d}"])
    return rows


def test_a_librarian_imports_a_thousand_rows_and_a_pupil_finds_one_by_pinyin(page, tmp_path):
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    rows = thousand_rows()
    records = len({row[4] for row in rows})
    path = write_xlsx(tmp_path / "新书清单.xlsx", rows, header=HEADER, title="实验小学 2024 年秋季新书")
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/catalog/")
    page.click("[data-link=records-import]")
    page.wait_for_url("**/catalog/import/")
    page.screenshot(path=str(ARTIFACTS / "catalog-import-upload.png"), full_page=True)
    page.set_input_files("input[type=file][name=file]", str(path))
    page.click("form[data-import-form] button[type=submit]")
    page.wait_for_url("**/catalog/import/preview/")

    assert page.locator("[data-count=rows]").inner_text().replace(",", "") == "1000"
    assert page.locator("[data-count=errors]").inner_text() == "0"
    new_records = int(page.locator("[data-count=new_records]").inner_text().replace(",", ""))
    assert page.locator("[data-ready]").is_visible()
    assert page.locator("tr[data-row]").count() == 200  # the first page of the preview
    first = page.locator("tr[data-row='3']")
    assert first.get_attribute("data-fate") == "new" and "青铜葵花" in first.inner_text()
    assert page.locator("tr[data-row='4']").get_attribute("data-fate") in {"same", "new"}
    assert Record.objects.count() == 0  # the preview saved nothing
    page.screenshot(path=str(ARTIFACTS / "catalog-import-preview.png"), full_page=False)

    page.click("[data-confirm-import]")
    page.wait_for_url("**/catalog/import/")
    page.locator(".alert-success").wait_for()
    page.screenshot(path=str(ARTIFACTS / "catalog-import-saved.png"), full_page=False)
    assert Record.objects.count() == new_records == records
    assert Copy.objects.count() == 1000
    assert set(Copy.objects.values_list("location__name", flat=True)) == {"书库", "阅览室"}

    # A pupil, not signed in, finds it by the initials of its pinyin.
    page.context.clear_cookies()
    page.goto("/opac/?q=qtkh")
    record = Record.objects.get(title="青铜葵花")
    page.locator(f"[data-record='{record.pk}']").wait_for()
    assert page.locator("[data-record]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "catalog-import-opac.png"), full_page=False)


def test_a_file_with_errors_shows_each_row_and_saves_nothing_in_english(page, tmp_path):
    UserFactory(username="wanglib", roles=[Role.LIBRARIAN])
    rows = [
        ["草房子", "曹文轩 著", "江苏少年儿童出版社", 2016, isbn13(1), 28, "I287.45", "", "书库", "A-01"],
        ["草房子", "曹文轩 著", "江苏少年儿童出版社", 2016, isbn13(1), 28, "I287.45", "", "阅览室", "A-01"],
        ["<script>alert(1)</script>城南旧事", "林海音 著", "", "去年", "", "", "I287.45", "", "地下室", ""],
        ["=1+1", "佚名", "", 2020, "978-7-5346-0001-0", "", "L123", "", "书库", ""],
        ["西游记", "吴承恩 著", "人民文学出版社", 1980, "9787020002207", 47.2, "I242.4", "", "书库", ""],
    ]
    path = write_xlsx(tmp_path / "有错的清单.xlsx", rows, header=HEADER)
    browser_login(page, "wanglib", PASSWORD)
    page.goto("/catalog/import/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    page.set_input_files("input[type=file][name=file]", str(path))
    page.click("form[data-import-form] button[type=submit]")
    page.wait_for_url("**/catalog/import/preview/")
    assert page.locator("[data-count=errors]").inner_text() == "2"
    assert page.locator("[data-confirm-import]").count() == 0
    bad = page.locator("tr[data-row='4']")
    assert bad.get_attribute("data-fate") == "error"
    assert "Unknown location “地下室”" in bad.inner_text() and "Not a year" in bad.inner_text()
    assert "<script>alert(1)</script>城南旧事" in bad.inner_text()  # shown as text, not run
    assert (
        "not a class of the Chinese Library Classification" in page.locator("tr[data-row='5']").inner_text()
    )
    assert "formula" in page.locator("tr[data-row='5']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "catalog-import-errors-en.png"), full_page=True)
    page.click("[data-show-errors]")
    assert page.locator("tr[data-row]").count() == 2
    page.click("[data-cancel-import]")
    page.wait_for_url("**/catalog/import/")
    assert Record.objects.count() == 0 and Copy.objects.count() == 0

    page.goto("/catalog/export/")
    page.screenshot(path=str(ARTIFACTS / "catalog-export-en.png"), full_page=True)
    with page.expect_download() as download:
        page.click("form[data-export-form] button[type=submit]")
    assert download.value.suggested_filename.endswith(".xlsx")
