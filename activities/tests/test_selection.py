"""The month's selection: nominations, winners within the quota per class, the published results
(named by class unless names are allowed), the exhibition wall and its poster, and the month's
counts for the statistics."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.tests.factories import SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from ..exceptions import NotReviewer, SelectionRefused
from ..models import ActivitiesSettings, MonthSelection, PupilWork, ReadingNote
from ..selectors.selection import notes_month_counts, selection_candidates, selection_results
from ..services.selection import selection_publish, work_nominate, work_select, work_unselect
from .factories import CardFactory, NoteFactory, at, librarian, pupil, teacher

pytestmark = pytest.mark.django_db
State = PupilWork.State
MARCH = date(2026, 3, 1)


def reviewed(school_class, **fields):
    return NoteFactory(
        reader=pupil(school_class=school_class, **fields.pop("reader_fields", {})),
        state=State.REVIEWED,
        grade="优",
        reviewed_at=at(date(2026, 3, 20)),
        submitted_at=at(date(2026, 3, 10)),
        month=MARCH,
        **fields,
    )


@pytest.fixture
def classes():
    return SchoolClassFactory(grade=4, number=1), SchoolClassFactory(grade=5, number=1)


def test_winners_are_chosen_within_the_quota_per_class(classes):
    first_class, second_class = classes
    user = librarian()
    settings = ActivitiesSettings.current()
    settings.winners_per_class = 1
    settings.save()
    mine, second, other = reviewed(first_class), reviewed(first_class), reviewed(second_class)

    work_select(work=mine, user=user)
    with pytest.raises(SelectionRefused) as error:
        work_select(work=second, user=user)
    work_select(work=other, user=user)

    assert error.value.message == "四年级(1)班本月已有 1 件获奖作品，已达名额上限。"
    assert list(
        ReadingNote.objects.filter(state=State.SELECTED).order_by("pk").values_list("pk", flat=True)
    ) == [
        mine.pk,
        other.pk,
    ]


def test_only_a_librarian_chooses_and_a_teacher_nominates_their_class_only(classes):
    first_class, second_class = classes
    head = teacher()
    first_class.head_teacher = head.user
    first_class.save()
    mine, theirs = reviewed(first_class), reviewed(second_class)

    work_nominate(work=mine, reviewer=head.user)
    with pytest.raises(NotReviewer):
        work_nominate(work=theirs, reviewer=head.user)
    with pytest.raises(NotReviewer):
        work_select(work=mine, user=head.user)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.nominated_by == head.user and theirs.nominated_at is None
    assert (mine.state, theirs.state) == (State.REVIEWED, State.REVIEWED)


def test_the_candidates_list_nominations_first_and_says_who_may_still_be_chosen(
    classes, django_assert_num_queries
):
    first_class, _second = classes
    plain, nominated = reviewed(first_class), reviewed(first_class, nominated_at=timezone.now())
    CardFactory(reader=plain.reader, state=State.REVIEWED, month=MARCH)
    selection_candidates(MARCH)

    with django_assert_num_queries(4):
        page = selection_candidates(MARCH)

    works = page["notes"][0]["works"]
    assert [work.pk for work in works] == [nominated.pk, plain.pk]
    assert [work.may_select for work in works] == [True, True]
    assert len(page["cards"][0]["works"]) == 1


def test_publishing_closes_the_month_releases_the_winners_and_names_only_classes_by_default(classes):
    first_class, _second = classes
    user = librarian()
    winner = reviewed(first_class, reader_fields={"full_name": "林小雨"})
    work_select(work=winner, user=user)

    selection_publish(month=MARCH, user=user)
    results = selection_results(MARCH)
    with pytest.raises(SelectionRefused):
        work_unselect(work=winner, user=user)

    winner.refresh_from_db()
    assert winner.released_at is not None
    assert [work.pupil_label for work in results["notes"][0]["works"]] == ["四年级(1)班"]
    settings = ActivitiesSettings.current()
    settings.names_published = True
    settings.save()
    assert [work.pupil_label for work in selection_results(MARCH)["notes"][0]["works"]] == [
        "四年级(1)班 林小雨"
    ]


def test_results_are_hidden_until_published_and_the_wall_until_switched_on(client, classes):
    first_class, _second = classes
    user = librarian()
    winner = reviewed(first_class)
    work_select(work=winner, user=user)
    results_url = reverse("activities:results", args=["2026-03"])
    wall_url = reverse("activities:wall")
    pupil_user = pupil().user

    client.force_login(pupil_user)
    before = client.get(results_url).status_code
    selection_publish(month=MARCH, user=user)
    after = client.get(results_url)
    client.logout()
    wall_closed = client.get(wall_url).status_code
    settings = ActivitiesSettings.current()
    settings.wall_public = True
    settings.save()
    wall = client.get(wall_url)
    poster = client.get(reverse("activities:wall-poster", args=["2026-03"]))

    assert before == 404
    assert after.status_code == 200 and after.content.decode().count("data-winner") == 1
    assert wall_closed == 404
    assert f'data-wall-note="{winner.pk}"' in wall.content.decode()
    assert poster.status_code == 200 and poster.content.startswith(b"%PDF")


def test_the_librarians_pages_refuse_teachers_volunteers_and_leaders(client, classes):
    first_class, _second = classes
    work = reviewed(first_class)
    answers = []
    for person in (teacher().user, UserFactory(roles=[Role.VOLUNTEER]), UserFactory(roles=[Role.LEADER])):
        client.force_login(person)
        answers.append(client.get(reverse("activities:selection")).status_code)
        answers.append(
            client.post(reverse("activities:selection-choose", args=["note", work.pk])).status_code
        )
        answers.append(client.post(reverse("activities:selection-publish", args=["2026-03"])).status_code)

    work.refresh_from_db()
    assert answers == [403] * 9
    assert work.state == State.REVIEWED
    assert not MonthSelection.objects.exists()


def test_a_librarian_chooses_and_publishes_from_the_page(client, classes):
    first_class, _second = classes
    work = reviewed(first_class)
    client.force_login(librarian())

    page = client.get(reverse("activities:selection-month", args=["2026-03"])).content.decode()
    client.post(reverse("activities:selection-choose", args=["note", work.pk]))
    client.post(reverse("activities:selection-publish", args=["2026-03"]))

    work.refresh_from_db()
    assert f'data-candidate="note-{work.pk}"' in page
    assert work.state == State.SELECTED
    assert MonthSelection.objects.get(month=MARCH).published_at is not None


def test_the_months_counts_for_the_statistics(classes, django_assert_num_queries):
    first_class, _second = classes
    reviewed(first_class)
    NoteFactory(submitted_at=at(date(2026, 3, 5)), month=MARCH, medium=ReadingNote.Medium.PAPER)
    NoteFactory(submitted_at=at(date(2026, 3, 6)), month=MARCH, state=State.SELECTED)
    NoteFactory(submitted_at=at(date(2026, 4, 1)), month=date(2026, 4, 1))
    NoteFactory(state=State.DRAFT)
    CardFactory(submitted_at=at(date(2026, 3, 7)), month=MARCH)

    with django_assert_num_queries(2):
        counts = notes_month_counts(MARCH)

    assert counts == {
        "notes_handed_in": 3,
        "notes_on_paper": 1,
        "notes_reviewed": 1,
        "notes_selected": 1,
        "cards_handed_in": 1,
        "cards_selected": 0,
    }
