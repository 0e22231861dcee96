"""Newspapers and periodicals: identifiers, predicted issues, check-in, claims, binding and the
registers B and C."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from catalog.exceptions import SerialError
from catalog.models import Copy, Location, Record, Serial, SerialIssue, Subscription
from catalog.selectors.serials import issues_missing, serial_register, subscriptions_overview
from catalog.serials import cn_number_clean, issn_clean, issn_from_barcode, issue_dates
from catalog.services.serials import (
    binding_create,
    issue_receive,
    issue_receive_by_code,
    issue_receive_undo,
    issues_claim,
    serial_create,
    subscription_create,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def room(name="期刊室") -> Location:
    return Location.objects.get(name=name)


def periodical(**changes) -> Serial:
    fields = {
        "title": "少年文艺",
        "kind": Serial.Kind.PERIODICAL,
        "frequency": Serial.Frequency.MONTHLY,
        "issn": "1000-0003",
        "cn_number": "CN31-1104/I",
        "publisher": "少年儿童出版社",
        **changes,
    }
    return serial_create(**fields)


def subscribed(serial=None, *, year=2026, location=None, **changes) -> Subscription:
    return subscription_create(
        serial=serial or periodical(),
        location=location or room(),
        year=year,
        copies=changes.pop("copies", 2),
        price=changes.pop("price", Decimal("96.00")),
        supplier="邮局",
    )


# --- identifiers and predicted issues ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0317-8471", "0317-8471"),
        ("03178471", "0317-8471"),
        ("ＩＳＳＮ ０３１７－８４７１", "0317-8471"),
        ("", ""),
    ],
)
def test_an_issn_is_read_as_printed(text, expected):
    assert issn_clean(text) == expected


@pytest.mark.parametrize("text", ["0317-8472", "1234", "ISSN abc"])
def test_a_wrong_issn_is_refused(text):
    assert issn_clean(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("CN 11-1234/G4", "CN11-1234/G4"), ("cn11－1234／g4", "CN11-1234/G4"), ("CN31-1104", "CN31-1104")],
)
def test_a_cn_number_is_read_as_printed(text, expected):
    assert cn_number_clean(text) == expected


def test_a_cn_number_that_is_not_one_is_refused():
    assert cn_number_clean("11-1234") is None


def test_the_cover_barcode_names_the_issn():
    # 977 + 1000000 (the ISSN without its check digit) + price digits 00 + EAN check digit, + add-on 05
    assert issn_from_barcode("977100000000605") == "1000-0003"
    assert issn_from_barcode("9787020002207") is None  # a book's ISBN


@pytest.mark.parametrize(
    ("frequency", "weekdays_only", "count"),
    [
        (Serial.Frequency.DAILY, False, 365),
        (Serial.Frequency.DAILY, True, 261),
        (Serial.Frequency.WEEKLY, False, 52),
        (Serial.Frequency.SEMIMONTHLY, False, 24),
        (Serial.Frequency.MONTHLY, False, 12),
        (Serial.Frequency.BIMONTHLY, False, 6),
        (Serial.Frequency.QUARTERLY, False, 4),
    ],
)
def test_a_frequency_predicts_the_years_issues(frequency, weekdays_only, count):
    days = issue_dates(frequency=frequency, year=2026, weekdays_only=weekdays_only)
    assert len(days) == count
    assert days == sorted(days) and all(day.year == 2026 for day in days)


def test_a_daily_in_a_leap_year_has_366_issues_and_weeklies_come_on_mondays():
    assert len(issue_dates(frequency=Serial.Frequency.DAILY, year=2028)) == 366
    assert {day.weekday() for day in issue_dates(frequency=Serial.Frequency.WEEKLY, year=2026)} == {0}


# --- titles and subscriptions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"issn": "1000-0004"}, "not a valid ISSN"),
        ({"cn_number": "11-1104"}, "not a CN number"),
        ({"issn": "", "cn_number": ""}, "Give the ISSN or the CN number"),
        ({"title": "   "}, "needs its title"),
    ],
)
def test_a_title_with_bad_numbers_is_refused_and_nothing_is_saved(changes, words):
    with pytest.raises(SerialError) as refusal:
        periodical(**changes)
    assert words in str(refusal.value.message)
    assert not Serial.objects.exists()


def test_two_titles_cannot_share_an_issn():
    periodical()
    with pytest.raises(SerialError) as refusal:
        periodical(title="另一本", cn_number="")
    assert "already the number of “少年文艺”" in str(refusal.value.message)
    assert Serial.objects.count() == 1


def test_a_subscription_expects_the_issues_of_its_year():
    subscription = subscribed()
    assert list(subscription.issues.values_list("number", "expected_on"))[:2] == [
        (1, date(2026, 1, 1)),
        (2, date(2026, 2, 1)),
    ]
    assert subscription.issues.count() == 12


def test_the_same_title_twice_for_a_room_and_year_is_refused():
    subscription = subscribed()
    with pytest.raises(SerialError):
        subscribed(subscription.serial)
    assert Subscription.objects.count() == 1 and SerialIssue.objects.count() == 12


def test_a_class_corner_takes_no_subscription():
    corner = Location.objects.create(name="三年级(2)班图书角", kind=Location.Kind.CLASS_CORNER)
    with pytest.raises(SerialError):
        subscribed(location=corner)
    assert not Subscription.objects.exists()


# --- check-in -----------------------------------------------------------------------------------------


def test_checking_an_issue_in_twice_changes_it_once():
    subscription = subscribed()
    first_issue = subscription.issues.get(number=1)
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    issue, done = issue_receive(issue=first_issue, user=librarian, on=date(2026, 1, 3))
    assert done and issue.received_on == date(2026, 1, 3) and issue.received_by == librarian
    again, done_again = issue_receive(issue=first_issue, on=date(2026, 1, 9))
    assert not done_again and again.received_on == date(2026, 1, 3)


def test_a_scan_of_the_cover_checks_in_the_rooms_next_issue():
    subscription = subscribed()
    issue_receive(issue=subscription.issues.get(number=1))
    issue, done = issue_receive_by_code(code="977100000000605", location=room(), on=date(2026, 2, 2))
    assert done and issue.number == 2 and issue.subscription == subscription
    issue, _done = issue_receive_by_code(code="CN 31-1104/I", location=room(), on=date(2026, 3, 2))
    assert issue.number == 3


def test_a_scan_for_a_title_the_room_does_not_take_is_refused():
    subscribed()
    with pytest.raises(SerialError) as refusal:
        issue_receive_by_code(code="1000-0003", location=room("阅览室"), on=date(2026, 2, 2))
    assert "not subscribed for 阅览室 in 2026" in str(refusal.value.message)
    with pytest.raises(SerialError):
        issue_receive_by_code(code="9787020002207", location=room(), on=date(2026, 2, 2))
    assert not SerialIssue.objects.filter(received_on__isnull=False).exists()


def test_missing_issues_are_listed_for_claiming_and_marked_claimed():
    subscription = subscribed()
    issue_receive(issue=subscription.issues.get(number=1))
    missing = issues_missing(on=date(2026, 3, 10))
    assert [issue.number for issue in missing] == [2, 3]  # issue 3 (1 March) is 9 days late
    assert issues_claim(issues=missing, on=date(2026, 3, 10)) == 2
    assert set(subscription.issues.exclude(claimed_on=None).values_list("number", flat=True)) == {2, 3}


# --- binding --------------------------------------------------------------------------------------------


def test_a_run_of_issues_binds_into_a_volume_that_can_be_lent():
    subscription = subscribed()
    for issue in subscription.issues.filter(number__lte=6):
        issue_receive(issue=issue)
    copy = binding_create(subscription=subscription, first=1, last=6, shelf="期刊-1")
    assert copy.location == room() and copy.status == Copy.Status.AVAILABLE and copy.shelf == "期刊-1"
    assert copy.record.material_type == Record.MaterialType.PERIODICAL_VOLUME
    assert copy.record.title == "少年文艺（2026年第1-6期合订本）"
    assert set(copy.bound_issues.values_list("number", flat=True)) == {1, 2, 3, 4, 5, 6}


def test_binding_refuses_issues_not_in_or_already_bound_and_saves_nothing():
    subscription = subscribed()
    for issue in subscription.issues.filter(number__lte=4):
        issue_receive(issue=issue)
    before = (Record.objects.count(), Copy.objects.count())
    with pytest.raises(SerialError) as refusal:
        binding_create(subscription=subscription, first=1, last=6)
    assert "Issues 5、6 have not been checked in" in str(refusal.value.message)
    assert (Record.objects.count(), Copy.objects.count()) == before
    binding_create(subscription=subscription, first=1, last=2)
    with pytest.raises(SerialError) as refusal:
        binding_create(subscription=subscription, first=2, last=4)
    assert "Issues 2 are already bound" in str(refusal.value.message)
    with pytest.raises(SerialError):
        issue_receive_undo(issue=subscription.issues.get(number=1))
    assert subscription.issues.get(number=1).received_on is not None


# --- registers B and C ------------------------------------------------------------------------------------


def test_the_registers_count_each_rooms_issues_in_the_period():
    monthly = subscribed()
    daily = subscribed(
        serial_create(
            title="中国少年报",
            kind=Serial.Kind.NEWSPAPER,
            frequency=Serial.Frequency.WEEKLY,
            cn_number="CN11-0057",
        ),
        location=room("阅览室"),
        copies=1,
        price=Decimal("52.00"),
    )
    for issue in monthly.issues.filter(number__lte=2):
        issue_receive(issue=issue)
    issue_receive(issue=daily.issues.get(number=1))
    periodicals = serial_register(
        kind=Serial.Kind.PERIODICAL, date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)
    )
    assert periodicals == [
        {
            "room": "期刊室",
            "title": "少年文艺",
            "issn": "1000-0003",
            "cn_number": "CN31-1104/I",
            "frequency": "Monthly",
            "year": 2026,
            "copies": 2,
            "price": Decimal("96.00"),
            "supplier": "邮局",
            "expected": 3,
            "received": 2,
            "missing": 1,
        }
    ]
    newspapers = serial_register(
        kind=Serial.Kind.NEWSPAPER, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)
    )
    assert [(row["room"], row["expected"], row["received"]) for row in newspapers] == [("阅览室", 4, 1)]


# --- pages -----------------------------------------------------------------------------------------------


@pytest.fixture
def librarian(client):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.VOLUNTEER, Role.LEADER])
def test_the_pages_refuse_people_without_the_collection_right(client, role):
    subscription = subscribed()
    client.force_login(UserFactory(roles=[role]))
    for url in (
        reverse("catalog:serials"),
        reverse("catalog:serial-create"),
        reverse("catalog:subscription-create"),
        reverse("catalog:subscription", args=[subscription.pk]),
        reverse("catalog:serials-checkin"),
        reverse("catalog:serials-missing"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("catalog:subscription", args=[subscription.pk]),
        {"action": "receive", "issue": subscription.issues.get(number=1).pk},
    )
    assert response.status_code == 403
    assert not SerialIssue.objects.filter(received_on__isnull=False).exists()


def test_a_title_and_its_subscription_are_made_from_the_pages(librarian):
    response = librarian.post(
        reverse("catalog:serial-create"),
        {
            "title": "我们爱科学",
            "kind": "periodical",
            "frequency": "semimonthly",
            "issn": "",
            "cn_number": "cn11-1335/n",
        },
    )
    serial = Serial.objects.get(title="我们爱科学")
    assert serial.cn_number == "CN11-1335/N"
    assert response["Location"] == f"{reverse('catalog:subscription-create')}?serial={serial.pk}"
    response = librarian.post(
        reverse("catalog:subscription-create"),
        {
            "serial": serial.pk,
            "location": room().pk,
            "year": 2026,
            "copies": 3,
            "price": "120.00",
            "supplier": "邮局",
        },
    )
    subscription = Subscription.objects.get(serial=serial)
    assert response["Location"] == reverse("catalog:subscription", args=[subscription.pk])
    assert subscription.issues.count() == 24


def test_a_wrong_issn_on_the_page_says_so_and_saves_nothing(librarian):
    response = librarian.post(
        reverse("catalog:serial-create"),
        {"title": "我们爱科学", "kind": "periodical", "frequency": "monthly", "issn": "1000-0004"},
    )
    assert response.status_code == 200
    assert "This is not a valid ISSN" in response.content.decode()
    assert not Serial.objects.exists()


def test_the_check_in_page_takes_a_scan_in_place(librarian):
    subscription = subscribed(year=timezone.localdate().year)
    response = librarian.post(
        reverse("catalog:serials-checkin"),
        {"location": room().pk, "code": "977100000000605"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "“少年文艺” issue 1 checked in." in page
    assert subscription.issues.get(number=1).received_on == timezone.localdate()
    refused = librarian.post(
        reverse("catalog:serials-checkin"), {"location": room().pk, "code": "   "}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-outcome="refused"' in refused and "Scan the barcode on the cover" in refused


def test_the_subscription_page_checks_in_and_binds(librarian):
    subscription = subscribed()
    for number in (1, 2):
        librarian.post(
            reverse("catalog:subscription", args=[subscription.pk]),
            {"action": "receive", "issue": subscription.issues.get(number=number).pk},
        )
    response = librarian.post(
        reverse("catalog:subscription", args=[subscription.pk]), {"action": "bind", "first": 1, "last": 2}
    )
    copy = Copy.objects.get(record__material_type=Record.MaterialType.PERIODICAL_VOLUME)
    assert response["Location"] == reverse("catalog:record-manage", args=[copy.record_id])
    page = librarian.get(reverse("catalog:subscription", args=[subscription.pk])).content.decode()
    assert page.count('data-state="bound"') == 2 and page.count('data-state="received"') == 0


def test_the_overview_takes_the_same_queries_for_many_subscriptions(librarian, django_assert_max_num_queries):
    subscribed()
    with django_assert_max_num_queries(12) as few:
        librarian.get(reverse("catalog:serials"), {"year": 2026})
    for number in range(8):
        subscription_create(
            serial=serial_create(
                title=f"刊物{number}",
                kind="periodical",
                frequency="monthly",
                cn_number=f"CN11-{1000 + number}",
            ),
            location=room(),
            year=2026,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = librarian.get(reverse("catalog:serials"), {"year": 2026})
    assert response.content.decode().count("data-subscription=") == 9
    assert len(subscriptions_overview(year=2026, on=date(2026, 3, 1))) == 9
