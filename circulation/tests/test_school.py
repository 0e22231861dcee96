"""The staff's pages for classes, readers, cards, the roster and promotion, and the services
behind them."""

import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.models import CatalogSettings
from circulation.exceptions import PromotionRefused, ReasonRequired
from circulation.models import LibraryCard, PasswordSlipBatch, Reader, RosterChange, SchoolClass
from circulation.printing.readers import cards_pdf
from circulation.selectors.readers import reader_list
from circulation.selectors.school import promotion_plan
from circulation.services.readers import card_reissue
from circulation.services.school import grades_promote
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory
from .roster_files import roster_xlsx

pytestmark = pytest.mark.django_db
SCHOOL = "实验小学图书馆"


@pytest.fixture(autouse=True)
def _language_kept():
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def librarian(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


def roles_without_manage_readers():
    return [
        lambda: ReaderFactory().user,
        lambda: ReaderFactory(kind="teacher", school_class=None).user,
        lambda: ReaderFactory(extra_roles=(Role.VOLUNTEER,)).user,
        lambda: UserFactory(roles=[Role.LEADER]),
    ]


# --- classes and readers ---------------------------------------------------------------------------


def test_classes_are_listed_by_grade_with_their_parallel_classes_and_head_teacher(librarian):
    teacher = ReaderFactory(kind="teacher", school_class=None, full_name="周老师")
    SchoolClassFactory(grade=3, number=1, head_teacher=teacher.user)
    SchoolClassFactory(grade=3, number=2)
    SchoolClassFactory(grade=4, number=1)
    page = librarian.get(reverse("circulation:class-list")).content.decode()
    assert page.index("三年级(1)班") < page.index("三年级(2)班") < page.index("四年级(1)班")
    assert "周老师" in page
    assert "2 个平行班" in page or "2 parallel classes" in page


def test_the_head_teacher_of_a_class_is_set_on_its_page(librarian):
    teacher = ReaderFactory(kind="teacher", school_class=None)
    school_class = SchoolClassFactory(grade=3, number=1)
    other = SchoolClassFactory(grade=3, number=2)
    page = librarian.get(reverse("circulation:class-detail", args=[school_class.pk])).content.decode()
    assert other.name in page  # its parallel class
    librarian.post(
        reverse("circulation:class-detail", args=[school_class.pk]), {"head_teacher": teacher.user.pk}
    )
    school_class.refresh_from_db()
    assert school_class.head_teacher == teacher.user


def test_the_reader_list_searches_and_pages_in_constant_queries(librarian, django_assert_max_num_queries):
    school_class = SchoolClassFactory(grade=3, number=1)
    for index in range(60):
        ReaderFactory(number=f"S{index:03d}", school_class=school_class, full_name=f"学生{index:03d}")
    ReaderFactory(number="X001", full_name="林小雨")
    with django_assert_max_num_queries(12):
        page = librarian.get(reverse("circulation:reader-list")).content.decode()
    assert page.count("data-reader=") == 50
    with django_assert_max_num_queries(12):
        page = librarian.get(reverse("circulation:reader-list"), {"page": 2}).content.decode()
    assert page.count("data-reader=") == 11
    page = librarian.get(
        reverse("circulation:reader-list"), {"q": "小雨"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in page and page.count("data-reader=") == 1


def test_a_reader_is_added_with_an_account_and_a_card(librarian):
    school_class = SchoolClassFactory(grade=3, number=2)
    response = librarian.post(
        reverse("circulation:reader-create"),
        {
            "kind": "student",
            "number": "２０２６９９ ",
            "full_name": "新 同学",
            "gender": "F",
            "school_class": school_class.pk,
            "password": "secret-99",
        },
    )
    reader = Reader.objects.get(number="202699")
    # No password is typed for a new reader: their own first password is on a slip
    batch = PasswordSlipBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("circulation:password-slips", args=[batch.pk])
    assert batch.reader_ids == [reader.pk] and batch.state == PasswordSlipBatch.State.READY
    assert not reader.user.check_password("secret-99") and reader.user.password_change_required
    assert reader.cards.get().status == LibraryCard.Status.ACTIVE


def test_a_student_without_a_class_or_a_taken_number_is_refused(librarian):
    existing = ReaderFactory(number="S1")
    before = Reader.objects.count()
    response = librarian.post(
        reverse("circulation:reader-create"), {"kind": "student", "number": "S2", "full_name": "无班"}
    )
    assert response.status_code == 200 and "school_class" in response.context["form"].errors
    response = librarian.post(
        reverse("circulation:reader-create"),
        {
            "kind": "student",
            "number": existing.number,
            "full_name": "撞号",
            "school_class": existing.school_class.pk,
        },
    )
    assert "number" in response.context["form"].errors
    assert Reader.objects.count() == before


def test_a_reader_is_edited(librarian):
    reader = ReaderFactory(full_name="旧名")
    other = SchoolClassFactory(grade=5, number=1)
    librarian.post(
        reverse("circulation:reader-edit", args=[reader.pk]),
        {"full_name": "新名", "school_class": other.pk, "status": "active", "guardian_contact": "139"},
    )
    reader.refresh_from_db()
    assert (reader.user.full_name, reader.school_class, reader.guardian_contact) == ("新名", other, "139")


def test_a_graduate_keeps_their_last_class_when_their_record_is_edited(librarian):
    graduated = SchoolClassFactory(grade=6, number=2, is_active=False)
    reader = ReaderFactory(full_name="毕业生", school_class=graduated)
    Reader.objects.filter(pk=reader.pk).update(status=Reader.Status.GRADUATED)
    page = librarian.get(reverse("circulation:reader-edit", args=[reader.pk]))
    assert f'<option value="{graduated.pk}" selected>' in page.content.decode()
    librarian.post(
        reverse("circulation:reader-edit", args=[reader.pk]),
        {
            "full_name": "毕业生",
            "school_class": graduated.pk,
            "status": "graduated",
            "guardian_contact": "138",
        },
    )
    reader.refresh_from_db()
    assert (reader.school_class, reader.status, reader.guardian_contact) == (graduated, "graduated", "138")
    other = ReaderFactory()
    response = librarian.post(
        reverse("circulation:reader-edit", args=[other.pk]),
        {"full_name": "在校生", "school_class": graduated.pk, "status": "active"},
    )
    assert "school_class" in response.context["form"].errors
    other.refresh_from_db()
    assert other.school_class != graduated


@pytest.mark.parametrize("make_user", roles_without_manage_readers())
def test_people_without_the_right_are_refused_and_change_nothing(client, make_user):
    reader = ReaderFactory(full_name="原名")
    client.force_login(make_user())
    urls = [
        (
            "post",
            reverse("circulation:reader-edit", args=[reader.pk]),
            {"full_name": "改名", "status": "active"},
        ),
        ("post", reverse("circulation:card-reissue", args=[reader.pk]), {"reason": "丢失"}),
        ("get", reverse("circulation:reader-card", args=[reader.pk]), {}),
        ("get", reverse("circulation:class-cards", args=[reader.school_class.pk]), {}),
        ("post", reverse("circulation:promotion"), {"top_grade": 6}),
        ("post", reverse("circulation:roster-confirm"), {"token": "x"}),
    ]
    for method, url, data in urls:
        assert getattr(client, method)(url, data).status_code == 403, url
    reader.refresh_from_db()
    assert reader.user.full_name == "原名"
    assert reader.cards.count() == 1
    assert reader.school_class.grade == 3


# --- cards ------------------------------------------------------------------------------------


def test_reissue_needs_a_reason_and_blocks_the_old_card_at_once(librarian):
    reader = ReaderFactory(card_number="R0000001")
    with pytest.raises(ReasonRequired):
        card_reissue(reader=reader, reason="  ")
    assert reader.cards.get().is_active
    response = librarian.post(reverse("circulation:card-reissue", args=[reader.pk]), {"reason": ""})
    assert response.status_code == 200 and reader.cards.count() == 1
    librarian.post(reverse("circulation:card-reissue", args=[reader.pk]), {"reason": "丢失"})
    old = LibraryCard.objects.get(number="R0000001")
    assert old.status == LibraryCard.Status.BLOCKED
    assert old.block_reason.startswith("丢失")
    assert reader.cards.active().get().number == "R0000002"


def _pdf_text(path):
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_a_class_prints_its_cards_with_name_class_school_and_a_scannable_barcode(librarian, tmp_path):
    settings_row = CatalogSettings.current()
    settings_row.library_name = SCHOOL
    settings_row.save()
    school_class = SchoolClassFactory(grade=3, number=2)
    readers = [
        ReaderFactory(school_class=school_class, full_name=f"林小{name}")
        for name in "一二三四五六七八九十甲乙"
    ]
    response = librarian.get(reverse("circulation:class-cards", args=[school_class.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "cards.pdf"
    path.write_bytes(response.content)
    text = _pdf_text(path)
    assert "林小一" in text and "三年级(2)班" in text and SCHOOL in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in info  # twelve cards, ten to a sheet
    if shutil.which("zbarimg"):
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
        assert sorted(scanned) == sorted(reader.cards.get().number for reader in readers)


def test_cards_are_refused_for_nobody():
    from circulation.exceptions import CirculationError

    with pytest.raises(CirculationError):
        cards_pdf([])


# --- the roster through the pages ----------------------------------------------------------------


def test_the_roster_is_previewed_then_confirmed_once(librarian, tmp_path):
    path = roster_xlsx(
        tmp_path / "名册.xlsx",
        [("S1", "张一", "男", "三年级(2)班", ""), ("S2", "张二", "女", "三年级(2)班", "")],
    )
    with path.open("rb") as handle:
        response = librarian.post(reverse("circulation:roster-upload"), {"file": handle})
    assert response.status_code == 302
    page = librarian.get(reverse("circulation:roster-preview")).content.decode()
    assert 'data-count="new">2<' in page and "三年级(2)班" in page
    assert Reader.objects.count() == 0
    token = librarian.session["circulation-roster"]["token"]
    response = librarian.post(reverse("circulation:roster-confirm"), {"token": token})
    assert response.status_code == 302
    assert Reader.objects.count() == 2 and SchoolClass.objects.count() == 1
    # A second confirmation (a double click) saves nothing more
    librarian.post(reverse("circulation:roster-confirm"), {"token": token})
    assert Reader.objects.count() == 2 and RosterChange.objects.count() == 1


def test_a_roster_with_errors_cannot_be_confirmed(librarian, tmp_path):
    path = roster_xlsx(tmp_path / "名册.xlsx", [("S1", "", "男", "三年纪2班", "")])
    with path.open("rb") as handle:
        librarian.post(reverse("circulation:roster-upload"), {"file": handle})
    page = librarian.get(reverse("circulation:roster-preview")).content.decode()
    assert 'data-error-row="2"' in page
    assert "data-confirm-form" not in page
    token = librarian.session["circulation-roster"]["token"]
    librarian.post(reverse("circulation:roster-confirm"), {"token": token})
    assert Reader.objects.count() == 0 and SchoolClass.objects.count() == 0


@pytest.fixture
def sent(monkeypatch, settings):
    """Every roster is read by the worker; the tasks the page sends are kept here."""
    settings.UPLOAD_PREVIEW_INLINE_BYTES = 0
    kept = []
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: kept.append((args, kwargs)),
    )
    return kept


def test_a_large_roster_is_read_by_the_worker_while_the_page_shows_progress(
    librarian, tmp_path, sent, django_capture_on_commit_callbacks
):
    from library_site.system.tasks import upload_preview_task

    path = roster_xlsx(
        tmp_path / "名册.xlsx", [("S1", "张一", "男", "三年级(2)班", ""), ("S2", "", "女", "三年纪2班", "")]
    )
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        librarian.post(reverse("circulation:roster-upload"), {"file": handle})
    waiting = librarian.get(reverse("circulation:roster-preview")).content.decode()
    assert 'data-preview-state="queued"' in waiting and "data-confirm-form" not in waiting
    token = librarian.session["circulation-roster"]["token"]
    librarian.post(reverse("circulation:roster-confirm"), {"token": token})  # too early: refused
    assert Reader.objects.count() == 0

    args, kwargs = sent[0]
    upload_preview_task(*args, **kwargs)

    page = librarian.get(reverse("circulation:roster-preview")).content.decode()
    assert 'data-error-row="3"' in page and "data-confirm-form" not in page
    other = Client()
    other.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    session = other.session
    session["circulation-roster"] = dict(librarian.session["circulation-roster"])
    session.save()
    assert (
        "data-error-row" not in other.get(reverse("circulation:roster-preview"), follow=True).content.decode()
    )
    other.post(reverse("circulation:roster-confirm"), {"token": token})
    assert Reader.objects.count() == 0 and SchoolClass.objects.count() == 0


def test_a_large_roster_without_errors_is_saved_from_the_kept_file(
    librarian, tmp_path, sent, django_capture_on_commit_callbacks
):
    from library_site.system.tasks import upload_preview_task

    path = roster_xlsx(
        tmp_path / "名册.xlsx",
        [("S1", "张一", "男", "三年级(2)班", ""), ("S2", "张二", "女", "三年级(2)班", "")],
    )
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        librarian.post(reverse("circulation:roster-upload"), {"file": handle})
    args, kwargs = sent[0]
    upload_preview_task(*args, **kwargs)
    assert 'data-count="new">2<' in librarian.get(reverse("circulation:roster-preview")).content.decode()
    token = librarian.session["circulation-roster"]["token"]
    librarian.post(reverse("circulation:roster-confirm"), {"token": token})
    librarian.post(reverse("circulation:roster-confirm"), {"token": token})
    assert Reader.objects.count() == 2 and RosterChange.objects.count() == 1


def test_a_file_that_is_not_a_roster_is_refused_on_upload(librarian, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("hello")
    with path.open("rb") as handle:
        response = librarian.post(reverse("circulation:roster-upload"), {"file": handle})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_the_template_is_downloaded(librarian):
    response = librarian.get(reverse("circulation:roster-template"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


# --- promotion ------------------------------------------------------------------------------------


def test_promotion_moves_every_class_up_and_graduates_the_top_grade():
    sixth = SchoolClassFactory(grade=6, number=1)
    fifth_1 = SchoolClassFactory(grade=5, number=1)
    fifth_2 = SchoolClassFactory(grade=5, number=2)
    leaver = ReaderFactory(school_class=sixth)
    stayer = ReaderFactory(school_class=fifth_1)
    plan = promotion_plan(top_grade=6)
    assert [item["next_name"] for item in plan["moving"]] == [
        SchoolClass(grade=6, number=1).name,
        SchoolClass(grade=6, number=2).name,
    ]
    assert plan["graduates"] == [leaver]
    summary = grades_promote(top_grade=6)
    assert summary["graduates"] == 1 and summary["moved"] == 2
    sixth.refresh_from_db()
    fifth_1.refresh_from_db()
    fifth_2.refresh_from_db()
    leaver.refresh_from_db()
    stayer.refresh_from_db()
    assert (sixth.is_active, sixth.grade) == (False, 6)
    assert (fifth_1.grade, fifth_2.grade) == (6, 6)
    assert leaver.status == Reader.Status.GRADUATED and stayer.status == Reader.Status.ACTIVE
    assert RosterChange.objects.get().kind == RosterChange.Kind.PROMOTION


def test_promotion_without_classes_is_refused_and_bad_top_grades_too():
    with pytest.raises(PromotionRefused):
        promotion_plan(top_grade=6)
    SchoolClassFactory(grade=3, number=1)
    with pytest.raises(PromotionRefused):
        promotion_plan(top_grade=13)


def test_promotion_through_the_page(librarian):
    school_class = SchoolClassFactory(grade=2, number=1)
    page = librarian.get(reverse("circulation:promotion")).content.decode()
    assert "data-promotion-form" in page
    librarian.post(reverse("circulation:promotion"), {"top_grade": 6})
    school_class.refresh_from_db()
    assert school_class.grade == 3


def test_reader_list_selector_finds_by_card_number():
    reader = ReaderFactory(card_number="R0000077")
    assert list(reader_list(query="R0000077")) == [reader]


def test_the_class_pages_take_a_constant_number_of_queries(librarian, django_assert_max_num_queries):
    classes = [SchoolClassFactory(grade=grade, number=number) for grade in (3, 4) for number in (1, 2)]
    for school_class in classes:
        for _index in range(5):
            ReaderFactory(school_class=school_class)
    with django_assert_max_num_queries(8):
        page = librarian.get(reverse("circulation:class-list")).content.decode()
    assert page.count("data-class=") == 4
    with django_assert_max_num_queries(14):
        page = librarian.get(reverse("circulation:class-detail", args=[classes[0].pk])).content.decode()
    assert page.count("data-reader=") == 5


def test_a_roster_larger_than_the_limit_is_refused_on_upload(librarian, tmp_path, monkeypatch):
    from circulation import roster

    monkeypatch.setattr(roster, "MAX_BYTES", 100)
    path = roster_xlsx(tmp_path / "名册.xlsx", [("S1", "张一", "男", "三年级(2)班", "")])
    with path.open("rb") as handle:
        response = librarian.post(reverse("circulation:roster-upload"), {"file": handle})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert Reader.objects.count() == 0
