"""Labels (C5): spine labels with the call number and barcode labels, as a PDF whose Chinese
font is embedded, for the copies a librarian chooses.

The PDFs are checked with poppler's own tools, as a printer driver would read them: pdffonts
(every font embedded, no STSong-Light), pdftotext (the Chinese text is there), pdfinfo (pages).
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from catalog import labels
from catalog.exceptions import CatalogError
from catalog.models import CatalogSettings, Copy, LabelSheet
from catalog.services.copies import copies_add, copy_set_status
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import PASSWORD, UserFactory
from library_site.documents import pdf
from library_site.testing import ARTIFACTS, browser_login

from .factories import RecordFactory, location_default

POPPLER = pytest.mark.skipif(
    not shutil.which("pdffonts"), reason="poppler-utils (pdffonts, pdftotext) is not installed"
)
LIBRARY_NAME = "实验小学图书馆"


# --- helpers ------------------------------------------------------------------------------------


def pdf_file(data: bytes, folder: Path, name: str = "labels.pdf") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def pdf_fonts(path: Path) -> list[dict]:
    """pdffonts' table: one dict per font with its name and whether it is embedded."""
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in output.splitlines()[2:]:
        words = line.split()
        # name, type (one or two words), encoding, emb, sub, uni, object number, generation
        rows.append({"name": words[0], "emb": words[-5], "line": line})
    return rows


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> int:
    output = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", output, re.MULTILINE).group(1))


def assert_fonts_embedded(path: Path) -> None:
    fonts = pdf_fonts(path)
    assert fonts, "the PDF uses no font at all"
    assert [font["emb"] for font in fonts] == ["yes"] * len(fonts), [font["line"] for font in fonts]
    assert any("WenQuanYi" in font["name"] for font in fonts)
    assert not any("STSong" in font["name"] for font in fonts)
    assert b"STSong" not in path.read_bytes()


def spine_sheet() -> LabelSheet:
    return LabelSheet.objects.get(name="书脊标签 A4 5×13")


def barcode_sheet() -> LabelSheet:
    return LabelSheet.objects.get(name="条码标签 A4 4×10")


def copies_of(record) -> list[Copy]:
    return list(Copy.objects.filter(record=record).select_related("record").order_by("barcode"))


@pytest.fixture(autouse=True)
def _language_kept():
    """A request in English leaves English active in this thread (LocaleMiddleware activates
    and does not restore); later tests expect the default language."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def library_name(db):
    catalog_settings = CatalogSettings.current()
    catalog_settings.library_name = LIBRARY_NAME
    catalog_settings.save()
    return LIBRARY_NAME


@pytest.fixture
def librarian(client, db):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


# --- the PDF: fonts and text --------------------------------------------------------------------


@POPPLER
@pytest.mark.django_db
def test_barcode_labels_embed_the_chinese_font_and_extract_as_chinese(tmp_path, library_name):
    record = RecordFactory(title="草房子", clc_code="I287.45", call_number="I287.45/12", copies=2)
    copies = copies_of(record)

    data = labels.labels_pdf(
        copies=copies, sheet=barcode_sheet(), kind="barcode", library_name=labels.library_name_for_labels()
    )

    path = pdf_file(data, tmp_path)
    assert_fonts_embedded(path)
    text = pdf_text(path)
    assert text.count("草房子") == 2
    assert text.count(LIBRARY_NAME) == 2
    assert copies[0].barcode in text and copies[1].barcode in text


@POPPLER
@pytest.mark.django_db
def test_spine_labels_show_the_call_number_in_two_lines(tmp_path, library_name):
    record = RecordFactory(title="草房子", clc_code="I287.45", call_number="I287.45/12", copies=1)

    data = labels.labels_pdf(
        copies=copies_of(record), sheet=spine_sheet(), kind="spine", library_name=LIBRARY_NAME
    )

    path = pdf_file(data, tmp_path)
    assert_fonts_embedded(path)
    lines = [line.strip() for line in pdf_text(path).splitlines() if line.strip()]
    assert lines == [LIBRARY_NAME, "I287.45", "12"]


@POPPLER
@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools (zbarimg) is not installed")
@pytest.mark.django_db
@pytest.mark.parametrize("sheet", [barcode_sheet, spine_sheet], ids=["4x10", "5x13"])
def test_the_printed_barcodes_scan_back_to_the_copies(tmp_path, sheet):
    """The page printed at 300 dpi, read by a barcode reader: every label gives its copy's barcode."""
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=12)
    copies_add(record=record, count=2, location=location_default(), barcodes=["A-2024-0001", "978702000220"])
    copies = copies_of(record)

    data = labels.labels_pdf(copies=copies, sheet=sheet(), kind="barcode", library_name=LIBRARY_NAME)

    path = pdf_file(data, tmp_path)
    subprocess.run(["pdftoppm", "-png", "-r", "300", str(path), str(tmp_path / "page")], check=True)
    scanned = subprocess.run(
        [
            "zbarimg",
            "--quiet",
            "--raw",
            "-Sdisable",
            "-Scode128.enable",
            *map(str, tmp_path.glob("page-*.png")),
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert sorted(scanned) == sorted(copy.barcode for copy in copies)


def test_a_call_number_splits_at_its_last_slash():
    assert labels.call_number_lines("I287.45/12") == ["I287.45", "12"]
    assert labels.call_number_lines(" TP312PY-43/105 ") == ["TP312PY-43", "105"]
    assert labels.call_number_lines("I287.45") == ["I287.45"]


@pytest.mark.django_db
def test_a_copy_without_call_number_gets_no_spine_label():
    record = RecordFactory(title="无分类的书", clc_code="", copies=1)
    with translation.override("en"), pytest.raises(CatalogError) as refused:
        labels.labels_pdf(copies=copies_of(record), sheet=spine_sheet(), kind="spine")
    assert "have no call number" in str(refused.value.message)
    assert copies_of(record)[0].barcode in str(refused.value.message)


# --- the sheet: positions and pages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "start", "pages"),
    [(1, 1, 1), (65, 1, 1), (64, 2, 1), (65, 2, 2), (70, 3, 2), (130, 1, 2), (131, 1, 3), (0, 1, 0)],
)
def test_pages_needed_for_a_selection(count, start, pages):
    assert labels.pages_needed(count=count, per_page=65, start_position=start) == pages


@pytest.mark.django_db
def test_the_third_position_is_the_third_label_of_the_first_row():
    layout = labels.SheetLayout.of(spine_sheet())
    x, y = layout.box(2)
    mm = 72 / 25.4
    assert x == pytest.approx((4.7 + 2 * (38.1 + 2.5)) * mm)
    assert y == pytest.approx((297 - 10.7 - 21.2) * mm)
    # The last label of the sheet: row 13, column 5.
    x, y = layout.box(64)
    assert x == pytest.approx((4.7 + 4 * (38.1 + 2.5)) * mm)
    assert y == pytest.approx((297 - 10.7 - 13 * 21.2) * mm)


@POPPLER
@pytest.mark.django_db
def test_seventy_labels_from_position_three_fill_two_pages(tmp_path):
    record = RecordFactory(title="草房子", clc_code="I287.45", call_number="I287.45/12", copies=70)

    data = labels.labels_pdf(copies=copies_of(record), sheet=spine_sheet(), kind="spine", start_position=3)

    path = pdf_file(data, tmp_path)
    assert pdf_pages(path) == 2
    assert pdf_text(path).count("I287.45") == 70


@POPPLER
@pytest.mark.django_db
def test_barcode_labels_one_per_copy_on_four_by_ten(tmp_path):
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=41)

    data = labels.labels_pdf(copies=copies_of(record), sheet=barcode_sheet(), kind="barcode")

    path = pdf_file(data, tmp_path)
    assert pdf_pages(path) == 2
    assert pdf_text(path).count("草房子") == 41


@pytest.mark.django_db
def test_a_start_position_beyond_the_sheet_is_refused():
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=1)
    with translation.override("en"), pytest.raises(CatalogError) as refused:
        labels.labels_pdf(copies=copies_of(record), sheet=spine_sheet(), kind="spine", start_position=66)
    assert "start at a position from 1 to 65" in str(refused.value.message)


@pytest.mark.django_db
def test_a_sheet_larger_than_a4_is_refused():
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=1)
    sheet = LabelSheet(
        name="太宽",
        kind="spine",
        rows=2,
        columns=6,
        label_width_mm=Decimal("38.1"),
        label_height_mm=Decimal("21.2"),
    )
    with translation.override("en"), pytest.raises(CatalogError) as refused:
        labels.labels_pdf(copies=copies_of(record), sheet=sheet, kind="spine")
    assert "do not fit on A4" in str(refused.value.message)


# --- the font -----------------------------------------------------------------------------------


@POPPLER
@pytest.mark.django_db
def test_label_font_path_chooses_another_face_of_a_collection(tmp_path, settings):
    settings.LABEL_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc:1"
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=1)

    data = labels.labels_pdf(copies=copies_of(record), sheet=barcode_sheet(), kind="barcode")

    fonts = pdf_fonts(pdf_file(data, tmp_path))
    assert len(fonts) == 1
    assert "WenQuanYiMicroHeiMono" in fonts[0]["name"] and fonts[0]["emb"] == "yes"


@pytest.fixture
def no_chinese_font(monkeypatch, settings):
    """A server without any Chinese font: no known file, and fontconfig finds nothing."""
    settings.LABEL_FONT_PATH = ""
    monkeypatch.setattr(pdf, "_fonts", {})
    monkeypatch.setattr(pdf, "SYSTEM_FONT_FILES", ("/nowhere/wqy-microhei.ttc:0",))
    monkeypatch.setattr(pdf, "FC_MATCH", "/nowhere/fc-match")
    monkeypatch.setattr(pdf, "FC_LIST", "/nowhere/fc-list")


# --- the selection ------------------------------------------------------------------------------


def test_a_barcode_range_with_padded_numbers():
    found = labels.barcode_range_parse(" T0000098 ", "T0000102")
    assert (found.prefix, found.first, found.last, found.count) == ("T", 98, 102, 5)
    assert found.barcodes() == ["T0000098", "T0000099", "T0000100", "T0000101", "T0000102"]


def test_a_barcode_range_without_padding():
    found = labels.barcode_range_parse("B9", "B11")
    assert found.barcodes() == ["B9", "B10", "B11"]


def test_a_range_of_exactly_two_thousand_is_allowed():
    assert labels.barcode_range_parse("T0000001", "T0002000").count == 2000


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("T0000010", "T0000001", "The range runs backwards: T0000010 comes after T0000001."),
        ("T0000001", "T0002001", "T0000001 to T0002001 is 2,001 labels, more than 2,000 at once"),
        ("T0000001", "S0000009", "have different prefixes"),
        ("T0000001", "T00000009", "have different numbers of digits"),
        ("T0000001", "TX", "TX does not end in a number"),
        ("", "T0000001", "Give the first and the last barcode"),
    ],
)
def test_a_wrong_barcode_range_is_refused(first, last, message):
    with translation.override("en"), pytest.raises(CatalogError) as refused:
        labels.barcode_range_parse(first, last)
    assert message in str(refused.value.message)


@pytest.mark.django_db
def test_withdrawn_copies_are_left_out():
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=3)
    first, second, third = copies_of(record)
    copy_set_status(copy=second, to_status=Copy.Status.WITHDRAWN, reason="破损")

    for selection in (
        labels.labels_select(record=record),
        labels.labels_select(ids=[first.pk, second.pk, third.pk]),
        labels.labels_select(barcodes=[first.barcode, second.barcode, third.barcode]),
        labels.labels_select(barcode_range=labels.barcode_range_parse(first.barcode, third.barcode)),
    ):
        assert [copy.barcode for copy in selection.copies] == [first.barcode, third.barcode]
        assert selection.withdrawn == 1


@pytest.mark.django_db
def test_a_list_keeps_its_order_and_a_range_skips_numbers_never_issued():
    record = RecordFactory(title="草房子", clc_code="I287.45")
    copies_add(
        record=record, count=3, location=location_default(), barcodes=["T0000005", "T0000001", "T0000009"]
    )

    listed = labels.labels_select(barcodes=["T0000009", "T0000001", "T0000009"])
    ranged = labels.labels_select(barcode_range=labels.barcode_range_parse("T0000001", "T0000006"))

    assert [copy.barcode for copy in listed.copies] == ["T0000009", "T0000001"]
    assert [copy.barcode for copy in ranged.copies] == ["T0000001", "T0000005"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (
            {"barcodes": ["T0000001", "NOPE1", "NOPE2"]},
            "These barcodes are not in the catalogue: NOPE1、NOPE2.",
        ),
        ({"barcodes": []}, "Choose at least one copy."),
        (
            {"barcode_range": labels.BarcodeRange("T", 500, 600, 7)},
            "No copy has a barcode from T0000500 to T0000600.",
        ),
        ({"ids": range(1, 2002)}, "2,001 labels is more than 2,000 at once"),
    ],
)
def test_a_selection_that_prints_nothing_or_too_much_is_refused(selection, message):
    record = RecordFactory(title="草房子", clc_code="I287.45")
    copies_add(record=record, count=1, location=location_default(), barcodes=["T0000001"])
    with translation.override("en"), pytest.raises(CatalogError) as refused:
        labels.labels_select(**selection)
    assert message in str(refused.value.message)


@pytest.mark.django_db
def test_a_selection_of_only_withdrawn_copies_is_refused():
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=1)
    copy_set_status(copy=copies_of(record)[0], to_status=Copy.Status.WITHDRAWN)
    with translation.override("en"), pytest.raises(CatalogError) as refused:
        labels.labels_select(record=record)
    assert "withdrawn copies get no labels" in str(refused.value.message)


# --- the page -----------------------------------------------------------------------------------


def labels_post(**changes) -> dict:
    data = {
        "kind": "spine",
        "sheet": str(spine_sheet().pk),
        "selection": "record",
        "start_position": "1",
    }
    data.update(changes)
    return data


def assert_refused(response, message: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert message in page, page


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.LEADER])
def test_only_cataloguers_print_labels(client, role):
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=1)
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("catalog:labels")).status_code == 403
    response = client.post(reverse("catalog:labels"), labels_post(record=str(record.pk)))
    assert response.status_code == 403
    assert "Content-Disposition" not in response


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("catalog:labels"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_the_record_page_links_to_its_labels(librarian):
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=3)
    page = librarian.get(reverse("catalog:record-manage", args=[record.pk])).content.decode()
    assert f'href="{reverse("catalog:labels")}?record={record.pk}"' in page
    desk = librarian.get(reverse("catalog:cataloguing")).content.decode()
    assert f'href="{reverse("catalog:labels")}"' in desk


@pytest.mark.django_db
def test_a_link_with_a_record_prefills_the_form(librarian):
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=3)
    copy_set_status(copy=copies_of(record)[0], to_status=Copy.Status.WITHDRAWN)
    librarian.cookies["django_language"] = "en"
    response = librarian.get(reverse("catalog:labels"), {"record": record.pk})
    page = response.content.decode()
    assert f'data-chosen-record="{record.pk}"' in page
    assert "草房子" in page and "2 copies to label" in page
    assert 'value="record" id="selection-record" checked' in page
    assert f'name="record" value="{record.pk}"' in page


@pytest.mark.django_db
def test_a_link_with_copies_prefills_their_barcodes(librarian):
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=3)
    first, second, third = copies_of(record)
    response = librarian.get(reverse("catalog:labels"), {"copies": f"{third.pk},{first.pk},x"})
    page = response.content.decode()
    assert f">\n{third.barcode}\n{first.barcode}</textarea>" in page
    assert 'value="copies" id="selection-copies" checked' in page
    assert second.barcode not in page


@POPPLER
@pytest.mark.django_db
def test_printing_a_records_spine_labels_downloads_a_pdf(
    librarian, tmp_path, library_name, django_assert_max_num_queries
):
    record = RecordFactory(title="草房子", clc_code="I287.45", call_number="I287.45/12", copies=60)

    with django_assert_max_num_queries(10):
        response = librarian.post(
            reverse("catalog:labels"), labels_post(record=str(record.pk), start_position="3")
        )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"labels-{timezone.localdate():%Y%m%d}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    path = pdf_file(response.content, tmp_path)
    assert_fonts_embedded(path)
    assert pdf_pages(path) == 1
    text = pdf_text(path)
    assert text.count("I287.45") == 60 and text.count(LIBRARY_NAME) == 60


@POPPLER
@pytest.mark.django_db
def test_printing_barcode_labels_for_a_range(librarian, tmp_path):
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=5)
    first, *_middle, last = copies_of(record)

    response = librarian.post(
        reverse("catalog:labels"),
        labels_post(
            kind="barcode",
            sheet=str(barcode_sheet().pk),
            selection="range",
            barcode_from=first.barcode,
            barcode_to=last.barcode,
            outlines="on",
        ),
    )

    assert response["Content-Type"] == "application/pdf"
    assert pdf_text(pdf_file(response.content, tmp_path)).count("草房子") == 5


@pytest.mark.django_db
def test_an_empty_selection_gets_a_message_and_no_pdf(librarian):
    librarian.cookies["django_language"] = "en"
    response = librarian.post(reverse("catalog:labels"), labels_post(selection="copies", barcodes="  \n "))
    assert_refused(response, "Scan or type the barcodes of the copies to label.")


@pytest.mark.django_db
def test_a_reversed_range_gets_a_message_and_no_pdf(librarian):
    RecordFactory(title="草房子", clc_code="I287.45", copies=3)
    librarian.cookies["django_language"] = "en"
    response = librarian.post(
        reverse("catalog:labels"),
        labels_post(selection="range", barcode_from="T0000003", barcode_to="T0000001"),
    )
    assert_refused(response, "The range runs backwards: T0000003 comes after T0000001.")
    assert 'data-refusal="labels"' in response.content.decode()


@pytest.mark.django_db
def test_a_range_too_long_gets_a_message_and_no_pdf(librarian):
    librarian.cookies["django_language"] = "en"
    response = librarian.post(
        reverse("catalog:labels"),
        labels_post(selection="range", barcode_from="T0000001", barcode_to="T0005000"),
    )
    assert_refused(response, "5,000 labels, more than 2,000 at once")


@pytest.mark.django_db
def test_unknown_barcodes_and_a_wrong_start_get_messages(librarian):
    librarian.cookies["django_language"] = "en"
    response = librarian.post(
        reverse("catalog:labels"), labels_post(selection="copies", barcodes="T9999999", start_position="66")
    )
    assert_refused(response, "start at a position from 1 to 65")
    response = librarian.post(reverse("catalog:labels"), labels_post(selection="copies", barcodes="T9999999"))
    assert_refused(response, "These barcodes are not in the catalogue: T9999999.")


@pytest.mark.django_db
def test_a_record_selection_without_record_gets_a_message(librarian):
    librarian.cookies["django_language"] = "en"
    response = librarian.post(reverse("catalog:labels"), labels_post(record=""))
    assert_refused(response, "No record was chosen")


@pytest.mark.django_db
def test_a_record_that_does_not_exist_gets_a_message(librarian):
    librarian.cookies["django_language"] = "en"
    response = librarian.post(reverse("catalog:labels"), labels_post(record="999999"))
    assert_refused(response, "This record is not in the catalogue.")
    # A link to a record that does not exist opens the form on the list of copies instead.
    page = librarian.get(reverse("catalog:labels"), {"record": "999999"}).content.decode()
    assert "data-chosen-record" not in page
    assert 'value="copies" id="selection-copies" checked' in page


@pytest.mark.django_db
def test_no_chinese_font_is_said_on_the_page(librarian, no_chinese_font):
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=1)
    librarian.cookies["django_language"] = "en"
    response = librarian.post(reverse("catalog:labels"), labels_post(record=str(record.pk)))
    assert_refused(response, "No Chinese TrueType font was found on the server")


# --- in a browser -------------------------------------------------------------------------------


@pytest.fixture
def catalog_defaults(transactional_db):
    """The classification, rooms and label sheets of the catalogue's data migration; a
    transactional test empties every table when it ends."""
    from django.apps import apps

    migration = importlib.import_module("catalog.migrations.0002_classification_and_defaults")
    migration.load_classification(apps, None)
    migration.create_defaults(apps, None)


def download(page, path: Path) -> Path:
    with page.expect_download() as info:
        page.click("[data-download]")
    assert info.value.suggested_filename == f"labels-{timezone.localdate():%Y%m%d}.pdf"
    info.value.save_as(str(path))
    return path


def render_first_page(pdf: Path) -> Path:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(prefix)], check=True)
    return next(pdf.parent.glob(f"{prefix.name}-*1.png"))


@POPPLER
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_librarian_prints_labels_from_the_record_page(page, catalog_defaults):
    UserFactory(username="wanglib", full_name="王馆员", roles=[Role.LIBRARIAN])
    catalog_settings = CatalogSettings.current()
    catalog_settings.library_name = LIBRARY_NAME
    catalog_settings.save()
    RecordFactory(title="西游记", clc_code="I242.4", call_number="I242.4/7", copies=4)
    record = RecordFactory(
        title="草房子", authors=["曹文轩"], clc_code="I287.45", call_number="I287.45/12", copies=12
    )
    RecordFactory(
        title="哈利·波特与魔法石（英汉对照版，附赠阅读指导手册）",
        clc_code="I561.84",
        call_number="I561.84/3",
        copies=6,
    )
    barcodes = sorted(Copy.objects.values_list("barcode", flat=True))
    browser_login(page, "wanglib", PASSWORD)

    # From the record's page to the labels page, the record chosen.
    page.goto(reverse("catalog:record-manage", args=[record.pk]))
    page.click("[data-print-labels]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-chosen-record]").inner_text().startswith("草房子")
    assert page.locator("#selection-record").is_checked()
    page.screenshot(path=str(ARTIFACTS / "labels-form.png"), full_page=True)

    # Spine labels for the record's twelve copies.
    spine = download(page, ARTIFACTS / "labels-spine.pdf")
    assert_fonts_embedded(spine)
    assert pdf_text(spine).count("I287.45") == 12
    render_first_page(spine)

    # Barcode labels for a range of all 22 copies, from the third label of a used sheet, with
    # the outlines of a test print.
    page.check("input[name=kind][value=barcode]")
    assert page.locator("select[name=sheet] option:checked").inner_text() == "条码标签 A4 4×10"
    page.fill("input[name=barcode_from]", barcodes[0])
    page.fill("input[name=barcode_to]", barcodes[-1])
    assert page.locator("#selection-range").is_checked()
    page.fill("input[name=start_position]", "3")
    assert page.locator("[data-sheet-grid] .label-cell.used").count() == 2
    page.check("input[name=outlines]")
    page.screenshot(path=str(ARTIFACTS / "labels-form-range.png"), full_page=True)
    barcode_pdf = download(page, ARTIFACTS / "labels-barcode.pdf")
    assert_fonts_embedded(barcode_pdf)
    assert pdf_pages(barcode_pdf) == 1
    assert pdf_text(barcode_pdf).count(LIBRARY_NAME) == 22
    render_first_page(barcode_pdf)

    # A reversed range: the page says so and nothing is downloaded.
    page.fill("input[name=barcode_from]", barcodes[-1])
    page.fill("input[name=barcode_to]", barcodes[0])
    page.click("[data-download]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-refusal=labels]").is_visible()
    page.screenshot(path=str(ARTIFACTS / "labels-refused.png"), full_page=True)

    # The same page in English.
    page.goto(f"{reverse('catalog:labels')}?record={record.pk}")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Print labels"
    page.screenshot(path=str(ARTIFACTS / "labels-form-en.png"), full_page=True)
