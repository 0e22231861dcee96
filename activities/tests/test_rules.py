"""The administrator's pages: notes rules and the activities' settings (administrators only), and
the teachers named to review a class (librarians and administrators)."""

import pytest
from django.urls import reverse

from circulation.tests.factories import SchoolClassFactory

from ..models import ActivitiesSettings, ClassReviewer, NotesRule
from ..selectors.review import class_is_reviewable
from .factories import administrator, librarian, pupil, teacher

pytestmark = pytest.mark.django_db


def test_the_administrator_sets_a_rule_for_a_grade_range(client):
    user = administrator()
    client.force_login(user)

    response = client.post(
        reverse("activities:rule-create"),
        {"name": "高年级", "reader_group": "student", "grade_from": 4, "grade_to": 6, "loans_per_note": 3,
         "min_reflection_chars": 300, "is_active": "on"},
    )  # fmt: skip

    rule = NotesRule.objects.get()
    assert response.status_code == 302
    assert (rule.grade_from, rule.grade_to, rule.loans_per_note, rule.changed_by) == (4, 6, 3, user)


def test_a_rule_with_grades_for_teachers_or_in_the_wrong_order_is_refused(client):
    client.force_login(administrator())

    page = client.post(
        reverse("activities:rule-create"),
        {"name": "错", "reader_group": "student", "grade_from": 5, "grade_to": 2, "loans_per_note": 2,
         "min_reflection_chars": 100},
    ).content.decode()  # fmt: skip

    assert "结束年级不能早于起始年级。" in page
    assert not NotesRule.objects.exists()


def test_the_grade_scale_needs_two_to_nine_grades(client):
    client.force_login(administrator())
    url = reverse("activities:rules")
    fields = {"release_at_month_end": "on", "winners_per_class": 2}

    refused = client.post(url, {**fields, "grade_scale": "优"})
    client.post(url, {**fields, "grade_scale": "A，B、C"})

    assert "请至少给出两个等级" in refused.content.decode()
    assert ActivitiesSettings.current().grades == ["A", "B", "C"]


def test_librarians_teachers_and_pupils_may_not_change_the_rules(client):
    answers = []
    for person in (librarian(), teacher().user, pupil().user):
        client.force_login(person)
        answers.append(client.post(reverse("activities:rules"), {"grade_scale": "甲,乙"}).status_code)

    assert answers == [403, 403, 403]
    assert ActivitiesSettings.current().grade_scale == "优,良,合格,需修改"


def test_a_librarian_names_a_teacher_for_a_class_and_removes_them(client):
    school_class = SchoolClassFactory(grade=6, number=1)
    named = teacher().user
    client.force_login(librarian())

    client.post(reverse("activities:reviewers"), {"school_class": school_class.pk, "teacher": named.pk})
    reviewable = class_is_reviewable(named, school_class.pk)
    again = client.post(
        reverse("activities:reviewers"), {"school_class": school_class.pk, "teacher": named.pk}
    )
    client.post(reverse("activities:reviewer-remove", args=[ClassReviewer.objects.get().pk]))

    assert reviewable is True
    assert "已经负责批阅" in again.content.decode()
    assert not ClassReviewer.objects.exists()
    assert class_is_reviewable(named, school_class.pk) is False


def test_a_teacher_cannot_name_themselves(client):
    school_class = SchoolClassFactory(grade=6, number=2)
    named = teacher().user
    client.force_login(named)

    answer = client.post(
        reverse("activities:reviewers"), {"school_class": school_class.pk, "teacher": named.pk}
    )

    assert answer.status_code == 403
    assert not ClassReviewer.objects.exists()
