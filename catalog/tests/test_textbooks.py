"""Textbooks: a term's orders by class, deliveries, handovers confirmed by the teacher, what is
still to come before the term, and recycled textbooks collected with their condition."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from catalog.exceptions import TextbookError
from catalog.forms.textbooks import class_numbers_parse
from catalog.models import TextbookDelivery, TextbookHandover, TextbookOrderLine
from catalog.selectors.textbooks import textbook_term_status
from catalog.services.textbooks import (
    textbook_create,
    textbook_delivery_record,
    textbook_handover_collect,
    textbook_handover_confirm,
    textbook_handover_create,
    textbook_order_set,
    textbook_term_create,
)
from library_site.accounts.navigation import menu_keys
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def term():
    return textbook_term_create(
        year=2026, season="autumn", starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 20)
    )


@pytest.fixture
def chinese():
    return textbook_create(title="语文 三年级上册", subject="语文", grade=3, price=Decimal("12.50"))


@pytest.fixture
def science():
    return textbook_create(title="科学 三年级上册", subject="科学", grade=3, is_recycled=True)


@pytest.fixture
def teacher():
    return UserFactory(roles=[Role.TEACHER], full_name="李老师")


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("1-6", [1, 2, 3, 4, 5, 6]), ("1,3,5", [1, 3, 5]), ("２、４", [2, 4]), ("3-1", []), ("甲班", [])],
)
def test_class_numbers_are_read_as_librarians_write_them(text, numbers):
    assert class_numbers_parse(text) == numbers


def test_orders_deliveries_and_handovers_add_up_per_textbook(term, chinese, teacher):
    textbook_order_set(term=term, textbook=chinese, class_numbers=[1, 2, 3], quantity=40)
    textbook_delivery_record(term=term, textbook=chinese, quantity=100)
    handover = textbook_handover_create(
        term=term, textbook=chinese, class_number=2, quantity=40, teacher=teacher
    )
    textbook_handover_confirm(handover=handover, user=teacher)
    (row,) = textbook_term_status(term=term)
    assert {
        key: row[key]
        for key in ("classes", "ordered", "delivered", "handed", "confirmed", "to_come", "in_library")
    } == {
        "classes": 3,
        "ordered": 120,
        "delivered": 100,
        "handed": 40,
        "confirmed": 40,
        "to_come": 20,
        "in_library": 60,
    }
    assert row["grade_name"] == "Grade 3"


def test_ordering_a_class_again_changes_its_quantity(term, chinese):
    textbook_order_set(term=term, textbook=chinese, class_numbers=[1], quantity=40)
    textbook_order_set(term=term, textbook=chinese, class_numbers=[1], quantity=42)
    assert list(TextbookOrderLine.objects.values_list("class_number", "quantity")) == [(1, 42)]


@pytest.mark.parametrize(("numbers", "quantity"), [([], 10), ([1], 0), ([99], 10)])
def test_an_order_without_classes_or_copies_is_refused(term, chinese, numbers, quantity):
    with pytest.raises(TextbookError):
        textbook_order_set(term=term, textbook=chinese, class_numbers=numbers, quantity=quantity)
    assert not TextbookOrderLine.objects.exists()


def test_a_delivery_of_a_textbook_not_ordered_is_refused(term, chinese):
    with pytest.raises(TextbookError) as refusal:
        textbook_delivery_record(term=term, textbook=chinese, quantity=10)
    assert "was not ordered for this term" in str(refusal.value.message)
    assert not TextbookDelivery.objects.exists()


def test_no_more_is_handed_over_than_the_library_has(term, chinese, teacher):
    textbook_order_set(term=term, textbook=chinese, class_numbers=[1, 2], quantity=40)
    textbook_delivery_record(term=term, textbook=chinese, quantity=50)
    textbook_handover_create(term=term, textbook=chinese, class_number=1, quantity=40, teacher=teacher)
    with pytest.raises(TextbookError) as refusal:
        textbook_handover_create(term=term, textbook=chinese, class_number=2, quantity=40, teacher=teacher)
    assert "Only 10 copies" in str(refusal.value.message)
    with pytest.raises(TextbookError):
        textbook_handover_create(term=term, textbook=chinese, class_number=5, quantity=1, teacher=teacher)
    assert TextbookHandover.objects.count() == 1


def test_only_the_receiving_teacher_confirms_and_twice_is_once(term, chinese, teacher):
    textbook_order_set(term=term, textbook=chinese, class_numbers=[1], quantity=40)
    textbook_delivery_record(term=term, textbook=chinese, quantity=40)
    handover = textbook_handover_create(
        term=term, textbook=chinese, class_number=1, quantity=40, teacher=teacher
    )
    with pytest.raises(TextbookError):
        textbook_handover_confirm(handover=handover, user=UserFactory(roles=[Role.TEACHER]))
    first = textbook_handover_confirm(handover=handover, user=teacher).confirmed_at
    assert first is not None
    assert textbook_handover_confirm(handover=handover, user=teacher).confirmed_at == first


def test_recycled_textbooks_are_collected_once_with_their_condition(term, science, chinese, teacher):
    for textbook in (science, chinese):
        textbook_order_set(term=term, textbook=textbook, class_numbers=[1], quantity=40)
        textbook_delivery_record(term=term, textbook=textbook, quantity=40)
    recycled = textbook_handover_create(
        term=term, textbook=science, class_number=1, quantity=40, teacher=teacher
    )
    with pytest.raises(TextbookError):
        textbook_handover_collect(handover=recycled, good=30, worn=8, damaged=5)  # 43 > 40
    collected = textbook_handover_collect(handover=recycled, good=30, worn=6, damaged=2, note="封皮破损")
    assert collected.not_returned == 2 and collected.collected_on is not None
    with pytest.raises(TextbookError):
        textbook_handover_collect(handover=recycled, good=40, worn=0, damaged=0)
    ordinary = textbook_handover_create(
        term=term, textbook=chinese, class_number=1, quantity=40, teacher=teacher
    )
    with pytest.raises(TextbookError):
        textbook_handover_collect(handover=ordinary, good=40, worn=0, damaged=0)
    assert TextbookHandover.objects.get(pk=ordinary.pk).collected_on is None


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def librarian(client):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


def test_the_term_page_orders_receives_and_hands_over(librarian, term, chinese, teacher):
    url = reverse("catalog:textbooks")
    librarian.post(
        url,
        {
            "term": term.pk,
            "action": "order",
            "order-textbook": chinese.pk,
            "order-classes": "1-2",
            "order-quantity": 40,
        },
    )
    page = librarian.get(url, {"term": term.pk}).content.decode()
    assert 'data-to-come="1"' in page and "语文 三年级上册 × 80" in page
    librarian.post(
        url, {"term": term.pk, "action": "delivery", "delivery-textbook": chinese.pk, "delivery-quantity": 80}
    )
    response = librarian.post(
        url,
        {
            "term": term.pk,
            "action": "handover",
            "handover-textbook": chinese.pk,
            "handover-class_number": 2,
            "handover-quantity": 40,
            "handover-teacher": teacher.pk,
        },
    )
    assert response.status_code == 302
    page = librarian.get(url, {"term": term.pk}).content.decode()
    assert "Every textbook ordered for the term has been delivered." in page
    assert "Grade 3 Class 2" in page and "awaiting the teacher" in page


def test_a_refused_handover_says_why_on_the_page(librarian, term, chinese, teacher):
    textbook_order_set(term=term, textbook=chinese, class_numbers=[1], quantity=40)
    response = librarian.post(
        reverse("catalog:textbooks"),
        {
            "term": term.pk,
            "action": "handover",
            "handover-textbook": chinese.pk,
            "handover-class_number": 1,
            "handover-quantity": 5,
            "handover-teacher": teacher.pk,
        },
    )
    assert response.status_code == 200
    assert "Only 0 copies of “语文 三年级上册” are in the library" in response.content.decode()
    assert not TextbookHandover.objects.exists()


def test_a_teacher_confirms_only_their_own_handovers(client, term, chinese, teacher):
    textbook_order_set(term=term, textbook=chinese, class_numbers=[1, 2], quantity=40)
    textbook_delivery_record(term=term, textbook=chinese, quantity=80)
    mine = textbook_handover_create(term=term, textbook=chinese, class_number=1, quantity=40, teacher=teacher)
    other_teacher = UserFactory(roles=[Role.TEACHER])
    theirs = textbook_handover_create(
        term=term, textbook=chinese, class_number=2, quantity=40, teacher=other_teacher
    )
    client.force_login(teacher)
    page = client.get(reverse("catalog:textbooks-mine")).content.decode()
    assert f'data-handover="{mine.pk}"' in page and f'data-handover="{theirs.pk}"' not in page
    assert client.post(reverse("catalog:textbooks-mine"), {"handover": theirs.pk}).status_code == 404
    assert TextbookHandover.objects.get(pk=theirs.pk).confirmed_at is None
    client.post(reverse("catalog:textbooks-mine"), {"handover": mine.pk})
    assert TextbookHandover.objects.get(pk=mine.pk).confirmed_at is not None
    menu = menu_keys(client.get(reverse("home")).context["menu"])
    assert "my-textbooks" in menu


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.VOLUNTEER, Role.LEADER])
def test_the_librarians_pages_refuse_others(client, role, term):
    client.force_login(UserFactory(roles=[role]))
    for url in (
        reverse("catalog:textbooks"),
        reverse("catalog:textbook-create"),
        reverse("catalog:textbook-term-create"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_term_page_takes_the_same_queries_for_more_textbooks(
    librarian, term, teacher, django_assert_max_num_queries
):
    def add(number):
        textbook = textbook_create(title=f"教材{number}", subject="语文", grade=3)
        textbook_order_set(term=term, textbook=textbook, class_numbers=[1, 2], quantity=40)
        textbook_delivery_record(term=term, textbook=textbook, quantity=80)
        textbook_handover_create(term=term, textbook=textbook, class_number=1, quantity=40, teacher=teacher)

    add(0)
    with django_assert_max_num_queries(40) as few:
        librarian.get(reverse("catalog:textbooks"), {"term": term.pk})
    for number in range(1, 6):
        add(number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = librarian.get(reverse("catalog:textbooks"), {"term": term.pk})
    assert response.content.decode().count("data-textbook=") == 6
