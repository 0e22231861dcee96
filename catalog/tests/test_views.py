import pytest
from django.urls import reverse

from catalog.models import CatalogSettings, Copy, Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import RecordFactory, location_default

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


def test_anonymous_visitors_search_the_catalogue_when_allowed(client):
    RecordFactory(title="西游记", authors=["吴承恩"], copies=1)
    response = client.get(reverse("catalog:opac"), {"q": "xyj"})
    assert response.status_code == 200
    assert "西游记" in response.content.decode()


def test_the_catalogue_can_be_closed_to_anonymous_visitors(client):
    settings = CatalogSettings.current()
    settings.opac_public = False
    settings.save()
    response = client.get(reverse("catalog:opac"), {"q": "xyj"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_title_with_html_is_shown_as_text(client):
    record = RecordFactory(title="<script>alert('x')</script>书")
    page = client.get(reverse("catalog:opac-record", args=[record.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_the_record_page_shows_each_copys_location_shelf_and_status(client):
    record = RecordFactory(title="草房子", clc_code="I287.45", copies=2)
    page = client.get(reverse("catalog:opac-record", args=[record.pk])).content.decode()
    assert page.count("data-copy=") == 2
    assert "书库" in page and "在架可借" in page
    assert "I287.45/1" in page


def test_wrong_filters_are_dropped_with_a_message_not_an_error(client):
    RecordFactory(title="西游记")
    response = client.get(reverse("catalog:opac"), {"q": "西游", "year_from": "abc", "page": "-3"})
    assert response.status_code == 200
    assert "西游记" in response.content.decode()


def test_opensearch_description(client):
    response = client.get(reverse("catalog:opensearch"))
    assert response["Content-Type"] == "application/opensearchdescription+xml"
    assert "/opac/?q={searchTerms}" in response.content.decode()


def test_browsing_classes_counts_records(client):
    RecordFactory(title="西游记", clc_code="I242.4")
    page = client.get(reverse("catalog:opac-class", args=["I"])).content.decode()
    assert 'data-class="I2"' in page


def test_scanning_a_known_isbn_offers_to_add_copies(librarian):
    RecordFactory(title="西游记", isbn="9787020002207")
    page = librarian.get(reverse("catalog:cataloguing"), {"isbn": "978-7-02-000220-7"}).content.decode()
    assert "data-found=" in page and "西游记" in page


def test_scanning_a_new_isbn_opens_the_record_form(librarian):
    response = librarian.get(reverse("catalog:cataloguing"), {"isbn": "7-02-000220-X"})
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:record-create") + "?isbn=9787020002207"


def test_scanning_a_wrong_isbn_says_so(librarian):
    page = librarian.get(reverse("catalog:cataloguing"), {"isbn": "9787020002208"}).content.decode()
    assert 'data-refusal="isbn"' in page


def record_post(**changes):
    data = {
        "token": "t-1",
        "isbn": "9787020002207",
        "title": "西游记",
        "contributors": "吴承恩 著",
        "clc_code": "I242.4",
        "material_type": "book",
        "language": "chi",
        "copies-count": "5",
        "copies-location": str(location_default().pk),
        "copies-source": "purchase",
        "copies-token": "t-1",
    }
    data.update(changes)
    return data


def test_a_contributor_s_role_word_is_read_and_not_kept_in_the_name(librarian):
    librarian.post(
        reverse("catalog:record-create"),
        record_post(title="红楼梦", isbn="9787020002207", contributors="曹雪芹 著\n高鹗 续\n启功 评注"),
    )
    record = Record.objects.get()
    assert list(record.contributors.values_list("name", "role")) == [
        ("曹雪芹", "author"),
        ("高鹗", "continuer"),
        ("启功", "commentator"),
    ]
    assert "高鹗 续" in record.authors_display and "续 著" not in record.authors_display


def test_a_new_book_and_five_copies_in_one_form(librarian):
    response = librarian.post(reverse("catalog:record-create"), record_post())
    record = Record.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:record-manage", args=[record.pk])
    assert record.copies.count() == 5
    assert record.authors_display == "吴承恩 著"


def test_a_double_submitted_form_saves_once(librarian):
    librarian.post(reverse("catalog:record-create"), record_post())
    librarian.post(reverse("catalog:record-create"), record_post())
    assert Record.objects.count() == 1
    assert Copy.objects.count() == 5


def test_likely_duplicates_are_shown_before_saving(librarian):
    RecordFactory(title="西游记", authors=["吴承恩"], isbn="9787020002207")
    response = librarian.post(reverse("catalog:record-create"), record_post(token="t-2"))
    assert response.status_code == 200
    assert "data-duplicates=" in response.content.decode()
    assert Record.objects.count() == 1
    librarian.post(reverse("catalog:record-create"), record_post(token="t-2", confirm_duplicates="1"))
    assert Record.objects.count() == 2


def test_an_invalid_record_is_refused_with_messages_and_nothing_saved(librarian):
    response = librarian.post(
        reverse("catalog:record-create"), record_post(isbn="9787020002208", clc_code="W9", title="")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "不是有效的 ISBN" in page
    assert "中国图书馆分类法" in page
    assert Record.objects.count() == 0 and Copy.objects.count() == 0


def test_adding_copies_to_a_record(librarian):
    record = RecordFactory(copies=1)
    data = {
        "count": "3",
        "location": str(location_default().pk),
        "source": "donation",
        "donor": "三年级(2)班",
        "token": "c-1",
    }
    librarian.post(reverse("catalog:copies-add", args=[record.pk]), data)
    librarian.post(reverse("catalog:copies-add", args=[record.pk]), data)
    assert record.copies.count() == 4
    assert set(record.copies.filter(source="donation").values_list("donor", flat=True)) == {"三年级(2)班"}


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.VOLUNTEER, Role.LEADER])
def test_only_cataloguers_may_catalogue(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("catalog:cataloguing")).status_code == 403
    response = client.post(reverse("catalog:record-create"), record_post())
    assert response.status_code == 403
    assert Record.objects.count() == 0


def test_a_very_common_query_says_more_than_the_limit(client, monkeypatch):
    from catalog.views import opac as opac_views

    monkeypatch.setattr(opac_views, "OPAC_COUNT_LIMIT", 3)
    for number in range(5):
        RecordFactory(title=f"小学生的故事{number}")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("catalog:opac"), {"q": "的"}).content.decode()
    assert "More than 3 records found" in page
    assert page.count("data-record=") == 3
    page = client.get(reverse("catalog:opac"), {"q": "故事3"}).content.decode()
    assert "1 record found" in page
