"""The question bank's .xlsx import (all or nothing, each error with its row and column) and its
export, which imports again as it is."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ..exceptions import BankRefused
from ..models import Question
from ..services.bank import bank_export, bank_header, bank_import
from .factories import librarian, pupil

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """The refusals and pages in English, as the assertions read them (Chinese is the default)."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    translation.activate("en")
    yield
    translation.activate(settings.LANGUAGE_CODE)


GOOD = [
    ["童话", "安徒生", "单选", "《丑小鸭》的作者是谁？", "安徒生", "格林", "王尔德", "", "", "", "A", 5],
    [
        "童话",
        "",
        "多选",
        "哪些是安徒生的童话？",
        "《丑小鸭》",
        "《小红帽》",
        "《海的女儿》",
        "",
        "",
        "",
        "A,C",
        5,
    ],
    ["常识", "", "判断", "《西游记》的作者是吴承恩。", "", "", "", "", "", "", "对", 2],
    ["常识", "", "填空", "《红楼梦》的作者是____。", "", "", "", "", "", "", "曹雪芹|曹霑", 3],
    ["感想", "", "简答", "你最喜欢哪个童话人物？为什么？", "", "", "", "", "", "", "", 10],
]


def workbook(rows, path):
    book = Workbook()
    sheet = book.active
    sheet.append(bank_header())
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_good_file_imports_every_question_with_its_key(tmp_path):
    created = bank_import(path=workbook(GOOD, tmp_path / "bank.xlsx"), by=librarian())
    assert len(created) == 5
    single, multiple, true_false, fill, short = Question.objects.order_by("pk")
    assert (single.kind, single.key, single.options) == ("single", [0], ["安徒生", "格林", "王尔德"])
    assert multiple.key == [0, 2]
    assert true_false.key == [True] and true_false.points == 2
    assert fill.key == ["曹雪芹", "曹霑"]
    assert short.kind == "short"


def test_a_missing_key_and_a_single_option_are_refused_with_row_and_column_and_nothing_is_imported(tmp_path):
    rows = [
        *GOOD,
        ["童话", "", "单选", "只有一个选项？", "甲", "", "", "", "", "", "A", 5],
        ["童话", "", "单选", "没有答案？", "甲", "乙", "", "", "", "", "", 5],
    ]
    with pytest.raises(BankRefused) as refusal:
        bank_import(path=workbook(rows, tmp_path / "bank.xlsx"), by=librarian())
    assert refusal.value.errors == [
        "Row 7, column E (选项A): a choice question needs at least two options.",
        "Row 8, column K (答案): this cell is empty.",
    ]
    assert not Question.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(b"not a workbook at all")
    with pytest.raises(BankRefused, match="not an Excel workbook"):
        bank_import(path=path, by=librarian())


def test_the_export_imports_again_as_it_is(tmp_path):
    bank_import(path=workbook(GOOD, tmp_path / "bank.xlsx"), by=librarian())
    before = list(
        Question.objects.order_by("pk").values_list("kind", "theme", "text", "options", "key", "points")
    )
    out = tmp_path / "export.xlsx"
    with out.open("wb") as target:
        assert bank_export(target) == 5
    Question.objects.all().delete()
    bank_import(path=out, by=librarian())
    after = list(
        Question.objects.order_by("pk").values_list("kind", "theme", "text", "options", "key", "points")
    )
    assert sorted(after, key=str) == sorted(before, key=str)


def test_the_import_page_lists_the_errors_and_a_pupil_cannot_reach_it(client, tmp_path):
    client.force_login(pupil().user)
    assert client.get(reverse("activities:bank")).status_code == 403
    client.force_login(librarian())
    path = workbook([["童话", "", "作文", "题目", "", "", "", "", "", "", "A", 5]], tmp_path / "bad.xlsx")
    upload = SimpleUploadedFile("bad.xlsx", path.read_bytes())
    response = client.post(reverse("activities:bank"), {"file": upload})
    assert response.status_code == 400
    assert "Row 2, column C (题型)" in response.content.decode()
    assert not Question.objects.exists()
    response = client.get(reverse("activities:bank-template"))
    assert response.status_code == 200 and io.BytesIO(response.content).read(2) == b"PK"


# --- through the shared previews (issue 13): a small file at once, a larger one by the worker ---------


def test_a_small_good_file_is_imported_at_once_from_the_page(client, tmp_path):
    client.force_login(librarian())
    upload = SimpleUploadedFile("bank.xlsx", workbook(GOOD, tmp_path / "bank.xlsx").read_bytes())
    response = client.post(reverse("activities:bank"), {"file": upload}, follow=True)
    assert "5 question(s) imported." in response.content.decode()
    assert Question.objects.count() == 5


@pytest.fixture
def sent(monkeypatch, settings):
    settings.UPLOAD_PREVIEW_INLINE_BYTES = 0
    kept = []
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: kept.append((args, kwargs)),
    )
    return kept


def run(task):
    from library_site.system.tasks import upload_preview_task

    args, kwargs = task
    upload_preview_task(*args, **kwargs)


def test_a_larger_file_is_read_by_the_worker_then_imported_once_by_its_uploader_only(
    client, tmp_path, sent, django_capture_on_commit_callbacks
):
    from django.test import Client

    client.force_login(librarian())
    upload = SimpleUploadedFile("bank.xlsx", workbook(GOOD, tmp_path / "bank.xlsx").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activities:bank"), {"file": upload})
    waiting = client.get(reverse("activities:bank")).content.decode()
    assert 'data-preview-state="queued"' in waiting and "data-confirm-import" not in waiting
    token = client.session["activities-bank-import"]
    client.post(reverse("activities:bank"), {"action": "confirm", "token": token})  # too early
    assert not Question.objects.exists()

    run(sent[0])

    poll = client.get(reverse("activities:bank"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="upload-preview")
    assert poll["HX-Redirect"] == reverse("activities:bank")
    page = client.get(reverse("activities:bank")).content.decode()
    assert "The file holds 5 questions, checked" in page and "data-confirm-import" in page

    other = Client()
    other.force_login(librarian())
    session = other.session
    session["activities-bank-import"] = token
    session.save()
    assert "data-confirm-import" not in other.get(reverse("activities:bank")).content.decode()
    other.post(reverse("activities:bank"), {"action": "confirm", "token": token})
    assert not Question.objects.exists()

    client.post(reverse("activities:bank"), {"action": "confirm", "token": token})
    client.post(reverse("activities:bank"), {"action": "confirm", "token": token})
    assert Question.objects.count() == 5


def test_row_errors_found_by_the_worker_are_listed_and_nothing_is_imported(
    client, tmp_path, sent, django_capture_on_commit_callbacks
):
    client.force_login(librarian())
    path = workbook(
        [*GOOD, ["童话", "", "作文", "题目", "", "", "", "", "", "", "A", 5]], tmp_path / "bad.xlsx"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activities:bank"), {"file": SimpleUploadedFile("bad.xlsx", path.read_bytes())})
    run(sent[0])
    response = client.get(reverse("activities:bank"))
    assert response.status_code == 400 and "Row 7, column C (题型)" in response.content.decode()
    assert "activities-bank-import" not in client.session and not Question.objects.exists()
