"""Which grades get library cards (R1: grades 3–6 in a primary school) is a lending setting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circulation.forms.policies import CirculationSettingsForm
from circulation.models import CirculationSettings, LibraryCard, Reader
from circulation.policies import card_eligible
from circulation.services.policies import circulation_settings_update
from circulation.services.readers import NewReader, reader_create, readers_create_bulk
from circulation.tests.factories import SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_pupils_of_the_chosen_grades_get_a_card_and_teachers_always_do():
    circulation_settings_update(fields={"card_grades": "3,4,5,6"})
    second = reader_create(
        kind=Reader.Kind.STUDENT,
        number="2026020101",
        full_name="王一",
        school_class=SchoolClassFactory(grade=2),
    )
    third = reader_create(
        kind=Reader.Kind.STUDENT,
        number="2026030101",
        full_name="王三",
        school_class=SchoolClassFactory(grade=3),
    )
    teacher = reader_create(kind=Reader.Kind.TEACHER, number="T900", full_name="李老师")

    assert not second.cards.exists()
    assert third.cards.filter(status=LibraryCard.Status.ACTIVE).count() == 1
    assert teacher.cards.count() == 1
    assert [card_eligible(reader) for reader in (second, third, teacher)] == [False, True, True]


def test_without_chosen_grades_every_pupil_gets_a_card():
    pupil = reader_create(
        kind=Reader.Kind.STUDENT,
        number="2026010101",
        full_name="张一",
        school_class=SchoolClassFactory(grade=1),
    )
    assert pupil.cards.count() == 1


def test_the_roster_s_bulk_creation_follows_the_setting_too():
    circulation_settings_update(fields={"card_grades": "3,4,5,6"})
    first_grade, fourth_grade = SchoolClassFactory(grade=1), SchoolClassFactory(grade=4)
    readers = readers_create_bulk(
        rows=[
            NewReader(
                kind=Reader.Kind.STUDENT, number="2026010199", full_name="甲", school_class=first_grade
            ),
            NewReader(
                kind=Reader.Kind.STUDENT, number="2026040199", full_name="乙", school_class=fourth_grade
            ),
        ]
    )
    assert [Reader.objects.get(pk=reader.pk).cards.count() for reader in readers] == [0, 1]


@pytest.mark.parametrize(
    ("typed", "saved"), [("3-6", "3,4,5,6"), ("6，3、4", "3,4,6"), ("", ""), (" 3 , 4 ", "3,4")]
)
def test_the_setting_is_typed_as_a_list_or_a_range(typed, saved):
    settings = CirculationSettings.current()
    data = {
        **{name: getattr(settings, name) for name in CirculationSettingsForm.Meta.fields},
        "card_grades": typed,
    }
    data["closed_weekdays"] = list(settings.closed_weekdays)
    form = CirculationSettingsForm(data, instance=settings)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["card_grades"] == saved


def test_a_wrong_grade_is_refused_and_the_page_refuses_others(client):
    settings = CirculationSettings.current()
    data = {
        **{name: getattr(settings, name) for name in CirculationSettingsForm.Meta.fields},
        "card_grades": "3-20",
    }
    data["closed_weekdays"] = list(settings.closed_weekdays)
    assert not CirculationSettingsForm(data, instance=settings).is_valid()

    client.force_login(user_with_role(Role.LIBRARIAN))
    assert client.post(reverse("circulation:policy-settings"), data).status_code == 403
    assert CirculationSettings.current().card_grades == ""
