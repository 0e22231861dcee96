import pytest
from django.urls import reverse

from circulation.services.readers import card_issue
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db
DESK = reverse("circulation:desk")


@pytest.fixture
def librarian_client(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


def test_scanning_a_card_at_the_desk_shows_its_reader(librarian_client):
    reader = ReaderFactory(
        full_name="林小雨", card_number="R0000123", school_class=SchoolClassFactory(grade=3, number=2)
    )
    response = librarian_client.get(DESK, {"q": "R0000123"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page  # a fragment for htmx
    assert "林小雨" in page and "三年级(2)班" in page and reader.number in page


def test_a_blocked_card_is_refused_plainly(librarian_client):
    reader = ReaderFactory(card_number="R0000001")
    card_issue(reader=reader, number="R0000002")
    page = librarian_client.get(DESK, {"q": "R0000001"}).content.decode()
    assert 'data-refusal="card-blocked"' in page
    assert "借书证 R0000001 已停用" in page


def test_an_unknown_scan_says_so(librarian_client):
    page = librarian_client.get(DESK, {"q": "NOPE-999"}).content.decode()
    assert 'data-refusal="not-found"' in page


def test_readers_are_found_by_part_of_the_name(librarian_client):
    ReaderFactory(full_name="林小雨")
    ReaderFactory(full_name="王大山")
    page = librarian_client.get(DESK, {"q": "小雨"}).content.decode()
    assert "林小雨" in page and "王大山" not in page


def test_the_desk_lookup_needs_a_constant_number_of_queries(librarian_client, django_assert_max_num_queries):
    for _ in range(3):
        ReaderFactory(full_name="张同学")
    # The whole page: the search, the menu, the overview, the classes for the class pile and
    # this desk's recent actions.
    with django_assert_max_num_queries(16) as few:
        librarian_client.get(DESK, {"q": "张"})
    for _ in range(15):
        ReaderFactory(full_name="张同学")
    with django_assert_max_num_queries(len(few.captured_queries)):
        librarian_client.get(DESK, {"q": "张"})


def test_a_student_may_not_search_readers(client):
    student = ReaderFactory()
    ReaderFactory(full_name="林小雨")
    client.force_login(student.user)
    response = client.get(DESK, {"q": "林小雨"})
    assert response.status_code == 403
    assert "林小雨" not in response.content.decode()


def test_a_students_home_shows_their_name_class_card_and_honest_empty_lists(client):
    reader = ReaderFactory(
        full_name="林小雨", card_number="R0000123", school_class=SchoolClassFactory(grade=4, number=1)
    )
    client.force_login(reader.user)
    page = client.get(reverse("home")).content.decode()
    assert "林小雨" in page and "四年级(1)班" in page and "R0000123" in page
    assert "您目前没有借阅中的图书" in page
    for section in ("loans", "holds", "history"):  # the notes section is the activities app's
        assert f'data-empty="{section}"' in page


def test_a_student_sees_only_their_own_page(client):
    reader = ReaderFactory(full_name="林小雨")
    other = ReaderFactory(full_name="王大山", card_number="R0000999")
    client.force_login(reader.user)
    page = client.get(reverse("circulation:my-library")).content.decode()
    assert "王大山" not in page and "R0000999" not in page and other.number not in page


def test_a_head_teacher_sees_their_class(client):
    teacher = ReaderFactory(kind="teacher", school_class=None, full_name="陈老师")
    school_class = SchoolClassFactory(grade=5, number=3, head_teacher=teacher.user)
    ReaderFactory(school_class=school_class)
    ReaderFactory(school_class=school_class)
    client.force_login(teacher.user)
    page = client.get(reverse("home")).content.decode()
    assert "五年级(3)班：2 名学生" in page


def test_a_leader_sees_the_school_overview(client):
    ReaderFactory(school_class=SchoolClassFactory(grade=3, number=1))
    ReaderFactory(kind="teacher", school_class=None)
    client.force_login(UserFactory(roles=[Role.LEADER]))
    response = client.get(reverse("home"))
    overview = response.context["overview"]
    assert (overview["students"], overview["teachers"], overview["classes"], overview["with_card"]) == (
        1,
        1,
        1,
        2,
    )
    assert "学校概况" in response.content.decode()


def test_an_account_without_reader_record_is_told_so(client):
    client.force_login(UserFactory(roles=[Role.LEADER]))
    page = client.get(reverse("circulation:my-library")).content.decode()
    assert 'data-empty="no-reader"' in page
