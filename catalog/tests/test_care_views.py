"""The collection-care pages: who may open them, what they do, and their query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Copy, Location, Repair, Stocktake, StocktakeScan, WriteOffBatch
from catalog.services.care import (
    repair_open,
    stocktake_scan_text,
    stocktake_start,
    write_off_add,
    write_off_create,
    write_off_submit,
)
from catalog.services.copies import copy_set_status
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import RecordFactory, location_default

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_defaults(transactional_db):
    """The classification and rooms of the catalogue's data migration; a transactional test
    empties every table when it ends."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("catalog.migrations.0002_classification_and_defaults")
    migration.load_classification(apps, None)
    migration.create_defaults(apps, None)


PAGES = ["catalog:repairs", "catalog:write-offs", "catalog:weeding", "catalog:stocktakes"]


@pytest.fixture
def librarian_user():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def librarian(client, librarian_user):
    client.force_login(librarian_user)
    return client


@pytest.fixture
def administrator(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    return client


def one_copy(**fields):
    return RecordFactory(copies=1, **fields).copies.get()


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.VOLUNTEER, Role.LEADER])
def test_students_teachers_and_volunteers_are_refused_every_page(client, role, librarian_user):
    copy = one_copy()
    repair = repair_open(copy=copy, damage="破损", reported_by=librarian_user)
    batch = write_off_create(reason=WriteOffBatch.Reason.OUTDATED, user=librarian_user)
    stocktake = stocktake_start(location=location_default(), user=librarian_user)
    client.force_login(UserFactory(roles=[role]))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    for name, args in [
        ("catalog:repair-close", [repair.pk]),
        ("catalog:write-off", [batch.pk]),
        ("catalog:write-off-print", [batch.pk]),
        ("catalog:stocktake", [stocktake.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert (
        client.post(reverse("catalog:repairs"), {"barcode": copy.barcode, "damage": "x"}).status_code == 403
    )
    assert (
        client.post(
            reverse("catalog:stocktake-scan", args=[stocktake.pk]), {"barcode": copy.barcode}
        ).status_code
        == 403
    )
    assert client.post(reverse("catalog:stocktake-confirm", args=[stocktake.pk])).status_code == 403
    assert (
        client.post(reverse("catalog:write-off-decide", args=[batch.pk]), {"decision": "approve"}).status_code
        == 403
    )
    assert Repair.objects.count() == 1
    assert not StocktakeScan.objects.exists()
    assert Stocktake.objects.get().status == Stocktake.Status.OPEN


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_a_librarian_sends_a_copy_to_repair_and_closes_it(librarian):
    copy = one_copy(title="城南旧事")
    response = librarian.post(
        reverse("catalog:repairs"),
        {"barcode": copy.barcode, "damage": "封面脱落", "source": "shelf_check"},
        follow=True,
    )
    assert "城南旧事" in response.content.decode()
    repair = Repair.objects.get()
    librarian.post(reverse("catalog:repair-close", args=[repair.pk]), {"result": "shelved", "notes": "补好"})
    repair.refresh_from_db()
    copy.refresh_from_db()
    assert not repair.is_open
    assert copy.status == Copy.Status.AVAILABLE


def test_an_unknown_barcode_for_repair_says_so(librarian):
    librarian.cookies["django_language"] = "en"
    response = librarian.post(
        reverse("catalog:repairs"), {"barcode": "T404", "damage": "破损", "source": "desk"}
    )
    assert response.status_code == 200
    assert "No copy has the barcode T404" in response.content.decode()
    assert not Repair.objects.exists()


def test_the_librarian_cannot_approve_from_the_page_and_the_administrator_can(
    librarian, librarian_user, client
):
    copy = one_copy(price=Decimal("18.00"))
    batch = write_off_create(reason=WriteOffBatch.Reason.DAMAGED, user=librarian_user)
    librarian.post(reverse("catalog:write-off", args=[batch.pk]), {"action": "add", "barcodes": copy.barcode})
    librarian.post(reverse("catalog:write-off", args=[batch.pk]), {"action": "submit"})
    batch.refresh_from_db()
    assert batch.status == WriteOffBatch.Status.SUBMITTED
    page = librarian.get(reverse("catalog:write-off", args=[batch.pk])).content.decode()
    assert "data-approve" not in page
    assert (
        librarian.post(
            reverse("catalog:write-off-decide", args=[batch.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    copy.refresh_from_db()
    assert copy.status == Copy.Status.AVAILABLE

    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    assert "data-approve" in client.get(reverse("catalog:write-off", args=[batch.pk])).content.decode()
    client.post(reverse("catalog:write-off-decide", args=[batch.pk]), {"decision": "approve"})
    copy.refresh_from_db()
    assert copy.status == Copy.Status.WITHDRAWN
    printed = client.get(reverse("catalog:write-off-print", args=[batch.pk])).content.decode()
    assert printed.count("data-sheet") == 2  # in duplicate: the library and the asset office
    assert printed.count(copy.barcode) == 2
    assert "18.00" in printed


def test_ticked_weeding_candidates_go_into_a_new_batch(librarian):
    old = RecordFactory(title="电脑入门", authors=["张三"], year=2000, clc_code="TP3", copies=2)
    url = reverse("catalog:weeding") + "?criterion=old_in_classes&years=10&classes=TP"
    response = librarian.get(url)
    assert response.content.decode().count("data-candidate=") == 2
    ids = list(old.copies.values_list("pk", flat=True))
    response = librarian.post(url, {"copy": ids[:1], "batch": "new", "reason": "outdated"})
    batch = WriteOffBatch.objects.get()
    assert response["Location"] == reverse("catalog:write-off", args=[batch.pk])
    assert list(batch.items.values_list("copy_id", flat=True)) == ids[:1]


def test_the_weeding_form_asks_for_classes(librarian):
    librarian.cookies["django_language"] = "en"
    response = librarian.get(reverse("catalog:weeding") + "?criterion=old_in_classes&years=10&classes=")
    assert "Give at least one class number." in response.content.decode()


def test_scanning_a_stocktake_answers_in_place(librarian, librarian_user):
    copy = one_copy()
    stocktake = stocktake_start(location=location_default(), user=librarian_user)
    url = reverse("catalog:stocktake-scan", args=[stocktake.pk])
    first = librarian.post(url, {"barcode": copy.barcode}, HTTP_HX_REQUEST="true")
    assert 'data-outcome="here"' in first.content.decode()
    again = librarian.post(url, {"barcode": copy.barcode}, HTTP_HX_REQUEST="true")
    assert 'data-outcome="again"' in again.content.decode()
    unknown = librarian.post(url, {"barcode": "Z123"}, HTTP_HX_REQUEST="true")
    assert 'data-outcome="unknown"' in unknown.content.decode()
    junk = librarian.post(url, {"barcode": "书 名"}, HTTP_HX_REQUEST="true")
    assert 'data-outcome="refused"' in junk.content.decode()
    assert StocktakeScan.objects.count() == 2


def test_a_barcode_file_is_uploaded_and_junk_refused(librarian, librarian_user):
    copy = one_copy()
    stocktake = stocktake_start(location=location_default(), user=librarian_user)
    url = reverse("catalog:stocktake-upload", args=[stocktake.pk])
    librarian.post(url, {"file": SimpleUploadedFile("scan.txt", f"{copy.barcode}\n???\n".encode())})
    assert not StocktakeScan.objects.exists()
    librarian.post(url, {"file": SimpleUploadedFile("scan.txt", f"\ufeff{copy.barcode}\r\nX1\r\n".encode())})
    assert StocktakeScan.objects.count() == 2


def test_confirming_from_the_page_marks_missing_copies_lost_once(librarian, librarian_user):
    present, missing = RecordFactory(copies=2).copies.order_by("barcode")
    stocktake = stocktake_start(location=location_default(), user=librarian_user)
    stocktake_scan_text(stocktake=stocktake, text=present.barcode, user=librarian_user)
    page = librarian.get(reverse("catalog:stocktake", args=[stocktake.pk]) + "?report=1").content.decode()
    assert f'data-row="{missing.barcode}"' in page
    librarian.post(reverse("catalog:stocktake-confirm", args=[stocktake.pk]))
    librarian.post(reverse("catalog:stocktake-confirm", args=[stocktake.pk]))
    missing.refresh_from_db()
    assert missing.status == Copy.Status.LOST
    assert missing.status_changes.count() == 1


def test_list_pages_take_a_constant_number_of_queries(
    librarian, librarian_user, django_assert_max_num_queries
):
    def grow():
        for _ in range(3):
            copy = one_copy()
            repair_open(copy=copy, damage="破损", reported_by=librarian_user)
            other = one_copy()
            batch = write_off_create(reason=WriteOffBatch.Reason.OUTDATED, user=librarian_user)
            write_off_add(batch=batch, copies=[other], user=librarian_user)
            write_off_submit(batch=batch, user=librarian_user)
            stocktake = stocktake_start(location=location_default(), user=librarian_user)
            stocktake_scan_text(
                stocktake=stocktake, text=f"{copy.barcode}\n{other.barcode}", user=librarian_user
            )

    grow()
    batch = WriteOffBatch.objects.first()
    stocktake = Stocktake.objects.first()
    urls = [
        reverse("catalog:repairs"),
        reverse("catalog:write-offs"),
        reverse("catalog:write-off", args=[batch.pk]),
        reverse("catalog:write-off-print", args=[batch.pk]),
        reverse("catalog:stocktakes"),
        reverse("catalog:stocktake", args=[stocktake.pk]) + "?report=1",
        reverse("catalog:weeding") + "?criterion=not_lent&years=1",
    ]
    counts = {}
    for url in urls:
        librarian.get(url)  # warm the session and caches
        with django_assert_max_num_queries(30) as captured:
            assert librarian.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    grow()
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            librarian.get(url)


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_the_report_and_changes_nothing_until_confirm(tmp_path, capsys, catalog_defaults):
    present, missing = RecordFactory(copies=2).copies.order_by("barcode")
    other_location = Location.objects.exclude(pk=location_default().pk).first()
    elsewhere = one_copy()
    Copy.objects.filter(pk=elsewhere.pk).update(location=other_location)
    lent = one_copy()
    copy_set_status(copy=lent, to_status=Copy.Status.ON_LOAN)
    scans = tmp_path / "scans.txt"
    scans.write_text(f"{present.barcode}\n{elsewhere.barcode}\nNOPE1\n", encoding="utf-8")

    call_command("stocktake", "--location", location_default().name, str(scans))
    out = capsys.readouterr().out
    for barcode in (missing.barcode, elsewhere.barcode, lent.barcode, "NOPE1"):
        assert barcode in out
    assert not Stocktake.objects.exists()
    missing.refresh_from_db()
    assert missing.status == Copy.Status.AVAILABLE

    call_command("stocktake", "--location", location_default().name, str(scans), "--confirm")
    missing.refresh_from_db()
    assert missing.status == Copy.Status.LOST
    assert Stocktake.objects.get().status == Stocktake.Status.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_the_command_refuses_a_junk_file_and_an_unknown_location(tmp_path, catalog_defaults):
    from django.core.management.base import CommandError

    scans = tmp_path / "scans.txt"
    scans.write_text("T0000001\n<<junk>>\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("stocktake", "--location", location_default().name, str(scans), "--confirm")
    with pytest.raises(CommandError):
        call_command("stocktake", "--location", "没有这个地方", str(scans))
    assert not Stocktake.objects.exists()
