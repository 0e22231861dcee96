import pytest
from django.db import IntegrityError

from circulation.exceptions import DuplicateIdentifier
from circulation.models import LibraryCard, Reader, SchoolClass
from circulation.services.readers import card_issue, card_number_next, reader_create
from circulation.services.school import school_class_create
from library_site.accounts.models import User
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


def test_a_new_student_gets_an_account_a_role_and_an_active_card():
    school_class = SchoolClassFactory(grade=3, number=2)
    reader = reader_create(
        kind=Reader.Kind.STUDENT, number="2026030201", full_name="林小雨", school_class=school_class
    )
    assert reader.user.username == "2026030201"
    assert reader.user.role_names == {"student"}
    assert not reader.user.has_usable_password()
    cards = list(reader.cards.all())
    assert [(card.number, card.status) for card in cards] == [("R0000001", "active")]


def test_a_number_already_used_is_refused_and_nothing_is_saved():
    ReaderFactory(number="2026030201")
    UserFactory(username="R0000009")
    before = (User.objects.count(), Reader.objects.count(), LibraryCard.objects.count())
    with pytest.raises(DuplicateIdentifier):
        ReaderFactory(number="2026030201")
    with pytest.raises(DuplicateIdentifier):
        ReaderFactory(number="r0000009")  # a user name, whatever its case
    assert (User.objects.count(), Reader.objects.count(), LibraryCard.objects.count()) == before


def test_reissuing_a_card_blocks_the_old_one_at_once():
    reader = ReaderFactory(card_number="R0000001")
    new = card_issue(reader=reader, number="R0000002")
    old = LibraryCard.objects.get(number="R0000001")
    assert old.status == LibraryCard.Status.BLOCKED
    assert old.blocked_at is not None
    assert "R0000002" in old.block_reason
    assert new.status == LibraryCard.Status.ACTIVE
    assert reader.cards.active().get() == new


def test_a_card_number_that_names_somebody_else_is_refused():
    ReaderFactory(number="2026030201")
    other = ReaderFactory()
    with pytest.raises(DuplicateIdentifier):
        card_issue(reader=other, number="2026030201")
    assert other.cards.active().count() == 1


def test_the_database_keeps_one_active_card_per_reader():
    reader = ReaderFactory()
    with pytest.raises(IntegrityError):
        LibraryCard.objects.create(reader=reader, number="X1")


def test_card_numbers_follow_the_sequence():
    ReaderFactory(card_number="R0000041")
    assert card_number_next() == "R0000042"


def test_a_student_needs_a_class():
    with pytest.raises(Exception, match=r"班级|class"):
        reader_create(kind=Reader.Kind.STUDENT, number="2026000001", full_name="无班级", school_class=None)
    assert not Reader.objects.filter(number="2026000001").exists()
    assert not User.objects.filter(username="2026000001").exists()


def test_two_active_classes_cannot_share_grade_and_number():
    school_class_create(grade=3, number=1)
    with pytest.raises(Exception):  # noqa: B017 - full_clean's ValidationError names the constraint
        school_class_create(grade=3, number=1)
    assert SchoolClass.objects.filter(grade=3, number=1).count() == 1


def test_class_names_read_as_the_school_writes_them():
    from django.utils import translation

    school_class = SchoolClassFactory(grade=3, number=2)
    with translation.override("zh-hans"):
        assert school_class.name == "三年级(2)班"
    with translation.override("en"):
        assert school_class.name == "Grade 3 Class 2"
    senior = SchoolClassFactory(grade=10, number=1)
    with translation.override("zh-hans"):
        assert senior.name == "高一(1)班"
