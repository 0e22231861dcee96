"""The administrator's settings page in the product: the library's name, barcode prefix and
label sheets (the back office answered 403 to the demo administrator)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.labels import library_name_for_labels
from catalog.models import CatalogSettings, LabelSheet
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SETTINGS = {
    "library_name": "实验小学图书馆",
    "barcode_prefix": "SY",
    "barcode_digits": "8",
    "accession_digits": "6",
    "call_number_mode": "sequence",
    "opac_public": "on",
}
SHEET = {
    "name": "A4 书标 5×13",
    "kind": "spine",
    "rows": "13",
    "columns": "5",
    "margin_top_mm": "10",
    "margin_left_mm": "8",
    "label_width_mm": "38",
    "label_height_mm": "21",
    "gap_horizontal_mm": "2",
    "gap_vertical_mm": "0",
}


@pytest.fixture
def admin(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    client.cookies["django_language"] = "en"
    return client


def test_the_administrator_names_the_library_and_its_barcode_prefix(admin):
    assert admin.get(reverse("catalog:settings")).status_code == 200

    response = admin.post(reverse("catalog:settings"), SETTINGS)

    assert response.status_code == 302
    saved = CatalogSettings.current()
    assert (saved.library_name, saved.barcode_prefix, saved.barcode_digits) == ("实验小学图书馆", "SY", 8)
    assert library_name_for_labels() == "实验小学图书馆"  # the labels print it now


def test_bad_settings_are_refused_with_a_message_and_change_nothing(admin):
    before = CatalogSettings.current()
    response = admin.post(reverse("catalog:settings"), {**SETTINGS, "barcode_digits": "40"})

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 12." in response.content.decode()
    after = CatalogSettings.current()
    assert (after.library_name, after.barcode_digits) == (before.library_name, before.barcode_digits)


def test_the_administrator_adds_and_changes_a_label_sheet(admin):
    admin.post(reverse("catalog:label-sheet-create"), SHEET)
    sheet = LabelSheet.objects.get(name="A4 书标 5×13")
    assert (sheet.rows, sheet.columns) == (13, 5)

    admin.post(reverse("catalog:label-sheet-edit", args=[sheet.pk]), {**SHEET, "rows": "12"})
    sheet.refresh_from_db()
    assert sheet.rows == 12
    assert f'data-sheet="{sheet.pk}"' in admin.get(reverse("catalog:settings")).content.decode()

    refused = admin.post(reverse("catalog:label-sheet-edit", args=[sheet.pk]), {**SHEET, "rows": "0"})
    assert refused.status_code == 200
    sheet.refresh_from_db()
    assert sheet.rows == 12


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.LEADER, Role.TEACHER, Role.STUDENT, Role.VOLUNTEER])
def test_everyone_but_the_administrator_is_refused(client, role):
    sheet = LabelSheet.objects.create(**{**SHEET, "rows": 13, "columns": 5})
    client.force_login(user_with_role(role))
    before = CatalogSettings.current().library_name

    assert client.get(reverse("catalog:settings")).status_code == 403
    assert client.post(reverse("catalog:settings"), SETTINGS).status_code == 403
    assert (
        client.post(reverse("catalog:label-sheet-edit", args=[sheet.pk]), {**SHEET, "rows": "2"}).status_code
        == 403
    )
    assert CatalogSettings.current().library_name == before
    sheet.refresh_from_db()
    assert sheet.rows == 13
