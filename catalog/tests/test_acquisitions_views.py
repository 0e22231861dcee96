"""The acquisitions pages: who reaches them, what they show, and what they refuse."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from catalog.models import Copy, Delivery, PurchasePlan, PurchasePlanLine
from catalog.resources import plan_lines_read, plan_lines_template
from catalog.services.acquisitions import (
    delivery_receive,
    purchase_plan_approve,
    purchase_plan_create,
    purchase_plan_submit,
)
from library_site.accounts.permissions import capability_required  # noqa: F401 (the pages use it)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.accounts.tests.test_permissions import make_user

from .factories import location_default

pytestmark = pytest.mark.django_db

HEADERS = ["题名", "ISBN", "责任者", "出版社", "数量", "单价", "供应商", "中图法分类号", "学科/专业"]


def xlsx(rows, headers=HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def plan_lines(count: int) -> list[dict]:
    return [
        {
            "title": f"图书{number}",
            "quantity": 2,
            "unit_price": "10",
            "clc_code": "I247.5" if number % 2 else "O13",
            "subject": "语文" if number % 2 else "数学",
        }
        for number in range(count)
    ]


def make_plan(user, *, lines=1, status="draft", leader=None):
    plan = purchase_plan_create(
        name="春季采购", year=2026, term="spring", budget="100000", lines=plan_lines(lines), user=user
    )
    if status in ("submitted", "approved"):
        purchase_plan_submit(plan=plan, user=user)
    if status == "approved":
        purchase_plan_approve(plan=plan, user=leader or UserFactory(roles=[Role.LEADER]))
    return plan


@pytest.fixture
def librarian_user():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def librarian(client, librarian_user):
    client.force_login(librarian_user)
    return client


ROLES = ["administrator", "librarian", "leader", "volunteer", "teacher", "student"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_acquisitions_pages_it_should(client, role, librarian_user):
    plan = make_plan(librarian_user, status="approved")
    delivery = delivery_receive(
        plan=plan,
        lines=[{"plan_line": plan.lines.get().pk, "quantity": 1}],
        location=location_default(),
        supplier="新华书店",
        user=librarian_user,
    )
    client.force_login(make_user(role))
    manage = role in ("administrator", "librarian")
    read = manage or role == "leader"
    pages = {
        reverse("catalog:purchase-plans"): read,
        reverse("catalog:purchase-plan", args=[plan.pk]): read,
        reverse("catalog:purchase-plan-create"): manage,
        reverse("catalog:purchase-plan-receive", args=[plan.pk]): manage,
        reverse("catalog:purchase-plan-template"): manage,
        reverse("catalog:donation-create"): manage,
        reverse("catalog:delivery", args=[delivery.pk]): manage,
        reverse("catalog:acquisition-registers"): manage,
    }
    for url, allowed in pages.items():
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403), f"{role} → {url}"


@pytest.mark.parametrize("role", ["volunteer", "teacher", "student"])
def test_readers_and_volunteers_can_neither_draft_nor_approve_nor_receive(client, role, librarian_user):
    plan = make_plan(librarian_user, status="submitted")
    client.force_login(make_user(role))
    for name, data in (
        ("purchase-plan-decide", {"decision": "approve"}),
        ("purchase-plan-submit", {}),
        ("purchase-plan-receive", {}),
    ):
        assert client.post(reverse(f"catalog:{name}", args=[plan.pk]), data).status_code == 403
    assert client.post(reverse("catalog:purchase-plan-create"), {}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == PurchasePlan.Status.SUBMITTED


def test_a_librarian_is_refused_the_approval_and_a_leader_the_editing(client, librarian_user):
    plan = make_plan(librarian_user, status="submitted")
    client.force_login(librarian_user)
    response = client.post(reverse("catalog:purchase-plan-decide", args=[plan.pk]), {"decision": "approve"})
    assert response.status_code == 403
    client.force_login(UserFactory(roles=[Role.LEADER]))
    assert client.get(reverse("catalog:purchase-plan-edit", args=[plan.pk])).status_code == 403
    page = client.get(reverse("catalog:purchase-plan", args=[plan.pk])).content.decode()
    assert 'data-action="approve"' in page and 'data-action="edit"' not in page
    plan.refresh_from_db()
    assert plan.status == PurchasePlan.Status.SUBMITTED


def test_a_librarian_drafts_a_plan_in_the_formset(librarian):
    data = {
        "name": "2026年秋季采购计划",
        "year": "2026",
        "term": "autumn",
        "budget": "500",
        "notes": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "2000",
        "lines-0-title": "草房子",
        "lines-0-isbn": "9787534665431",
        "lines-0-quantity": "4",
        "lines-0-unit_price": "25",
        "lines-0-clc_code": "I287.45",
        "lines-0-subject": "语文",
        "lines-1-title": "时间简史",
        "lines-1-quantity": "2",
        "lines-1-unit_price": "45.5",
        "lines-1-clc_code": "P159",
    }
    response = librarian.post(reverse("catalog:purchase-plan-create"), data)
    plan = PurchasePlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:purchase-plan", args=[plan.pk])
    assert list(plan.lines.values_list("title", "quantity")) == [("草房子", 4), ("时间简史", 2)]
    page = librarian.get(response["Location"]).content.decode()
    assert 'data-figure="total">¥191.00' in page
    assert 'data-figure="remainder">¥309.00' in page


def test_the_same_plan_form_sent_twice_makes_one_plan(librarian):
    page = librarian.get(reverse("catalog:purchase-plan-create"))
    once = page.context["once"]
    assert f'name="once" value="{once}"' in page.content.decode()
    data = {
        "once": once,
        "name": "2026年秋季采购计划",
        "year": "2026",
        "term": "autumn",
        "budget": "500",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "2000",
        "lines-0-title": "草房子",
        "lines-0-quantity": "4",
        "lines-0-unit_price": "25",
    }
    first = librarian.post(reverse("catalog:purchase-plan-create"), data)
    second = librarian.post(reverse("catalog:purchase-plan-create"), data)
    plan = PurchasePlan.objects.get()
    assert first["Location"] == second["Location"] == reverse("catalog:purchase-plan", args=[plan.pk])
    assert plan.lines.count() == 1


def test_a_wrong_cell_in_the_formset_saves_nothing_and_is_marked(librarian):
    data = {
        "name": "计划",
        "year": "2026",
        "term": "autumn",
        "budget": "500",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-title": "草房子",
        "lines-0-isbn": "9787534665432",
        "lines-0-quantity": "-1",
        "lines-0-unit_price": "25",
    }
    response = librarian.post(reverse("catalog:purchase-plan-create"), data)
    assert response.status_code == 200
    assert PurchasePlan.objects.count() == 0
    assert response.context["formset"].forms[0].errors.keys() == {"isbn", "quantity"}


def test_an_approved_plan_cannot_be_edited_from_its_page(librarian, librarian_user):
    plan = make_plan(librarian_user, status="approved")
    response = librarian.get(reverse("catalog:purchase-plan-edit", args=[plan.pk]))
    assert response.status_code == 302
    assert 'data-action="edit"' not in librarian.get(response["Location"]).content.decode()


def test_the_plan_page_takes_the_same_queries_however_many_lines(
    librarian, librarian_user, django_assert_num_queries
):
    small = make_plan(librarian_user, lines=2)
    large = make_plan(librarian_user, lines=60)
    librarian.get(reverse("catalog:purchase-plan", args=[small.pk]))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        librarian.get(reverse("catalog:purchase-plan", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        response = librarian.get(reverse("catalog:purchase-plan", args=[large.pk]))
    assert len(many) == len(few)
    assert response.content.decode().count("data-line=") == 60
    with django_assert_num_queries(len(few)):
        librarian.get(reverse("catalog:purchase-plan", args=[large.pk]))


def test_the_plans_list_takes_a_constant_number_of_queries(
    librarian, librarian_user, django_assert_max_num_queries
):
    for _number in range(8):
        make_plan(librarian_user, lines=3)
    with django_assert_max_num_queries(8):
        response = librarian.get(reverse("catalog:purchase-plans"))
    assert response.content.decode().count("data-plan=") == 8


def test_lines_import_from_excel_with_chinese_headers(librarian, librarian_user):
    plan = make_plan(librarian_user, lines=0)
    content = xlsx(
        [
            ["草房子", 9787534665431, "曹文轩", "江苏少年儿童出版社", 5, 25, "新华书店", "I287.45", "语文"],
            ["时间简史", "", "霍金", "湖南科技", "2", "¥45.50", "", "P159", "物理"],
            [None, None, None, None, None, None, None, None, None],
        ]
    )
    upload = io.BytesIO(content)
    upload.name = "plan.xlsx"
    response = librarian.post(reverse("catalog:purchase-plan-import", args=[plan.pk]), {"file": upload})
    assert response.status_code == 302
    assert list(plan.lines.values_list("title", "isbn", "quantity", "unit_price", "subject")) == [
        ("草房子", "9787534665431", 5, Decimal("25.00"), "语文"),
        ("时间简史", "", 2, Decimal("45.50"), "物理"),
    ]


def test_a_wrong_row_in_the_file_imports_nothing_and_names_the_rows_in_chinese(librarian, librarian_user):
    plan = make_plan(librarian_user, lines=0)
    content = xlsx(
        [
            ["草房子", "9787534665431", "", "", 5, 25, "", "I287.45", ""],
            ["坏书", "9787534665432", "", "", "三", -2, "", "??", ""],
            ["", "", "", "", 1, 1, "", "", ""],
        ]
    )
    upload = io.BytesIO(content)
    upload.name = "plan.xlsx"
    response = librarian.post(reverse("catalog:purchase-plan-import", args=[plan.pk]), {"file": upload})
    assert response.status_code == 400
    errors = response.context["import_errors"]
    assert any(error.startswith("第 3 行，ISBN：") for error in errors), errors
    assert any(error.startswith("第 3 行，数量：") and "不是整数" in error for error in errors), errors
    assert any(error.startswith("第 3 行，单价：") for error in errors), errors
    assert any(error.startswith("第 3 行，中图法分类号：") for error in errors), errors
    assert any(error.startswith("第 4 行，题名：") for error in errors), errors
    assert PurchasePlanLine.objects.filter(plan=plan).count() == 0
    assert "data-import-errors" in response.content.decode()


def test_a_larger_lines_file_is_read_by_the_worker_then_added_once_by_its_uploader_only(
    librarian, librarian_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.test import Client

    from library_site.system.tasks import upload_preview_task

    settings.UPLOAD_PREVIEW_INLINE_BYTES = 0
    sent = []
    monkeypatch.setattr(
        "library_site.system.tasks.upload_preview_task.delay",
        lambda *args, **kwargs: sent.append((args, kwargs)),
    )
    plan = make_plan(librarian_user, lines=0)
    upload = io.BytesIO(xlsx([["草房子", "9787534665431", "曹文轩", "", 5, 25, "", "I287.45", "语文"]]))
    upload.name = "plan.xlsx"
    url = reverse("catalog:purchase-plan", args=[plan.pk])
    with django_capture_on_commit_callbacks(execute=True):
        librarian.post(reverse("catalog:purchase-plan-import", args=[plan.pk]), {"file": upload})
    assert 'data-preview-state="queued"' in librarian.get(url).content.decode()
    token = librarian.session[f"catalog-plan-import-{plan.pk}"]
    confirm = {"action": "confirm", "token": token}
    librarian.post(reverse("catalog:purchase-plan-import", args=[plan.pk]), confirm)  # too early
    assert plan.lines.count() == 0

    args, kwargs = sent[0]
    upload_preview_task(*args, **kwargs)

    assert librarian.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="upload-preview")["HX-Redirect"] == url
    assert "data-confirm-import" in librarian.get(url).content.decode()
    other = Client()
    other.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    session = other.session
    session[f"catalog-plan-import-{plan.pk}"] = token
    session.save()
    assert "data-confirm-import" not in other.get(url).content.decode()
    other.post(reverse("catalog:purchase-plan-import", args=[plan.pk]), confirm)
    assert plan.lines.count() == 0
    librarian.post(reverse("catalog:purchase-plan-import", args=[plan.pk]), confirm)
    librarian.post(reverse("catalog:purchase-plan-import", args=[plan.pk]), confirm)
    assert list(plan.lines.values_list("title", "quantity", "unit_price")) == [
        ("草房子", 5, Decimal("25.00"))
    ]


def test_a_file_without_the_headers_or_not_excel_is_refused():
    assert "数量" in plan_lines_read(xlsx([["x"]], headers=["书名"])).errors[0]
    assert plan_lines_read(b"not a spreadsheet").errors
    template = openpyxl.load_workbook(io.BytesIO(plan_lines_template())).active
    assert [cell.value for cell in template[1]] == HEADERS


def test_receiving_in_the_page_and_a_double_submit_makes_one_delivery(librarian, librarian_user):
    plan = make_plan(librarian_user, lines=2, status="approved")
    first, second = plan.lines.order_by("position")
    page = librarian.get(reverse("catalog:purchase-plan-receive", args=[plan.pk]))
    token = page.context["form"]["token"].value()
    data = {
        "received_on": "2026-01-05",
        "supplier": "新华书店",
        "invoice_number": "NO.123",
        "location": str(location_default().pk),
        "token": token,
        f"quantity-{first.pk}": "2",
        f"price-{first.pk}": "9.5",
        f"quantity-{second.pk}": "",
    }
    response = librarian.post(reverse("catalog:purchase-plan-receive", args=[plan.pk]), data)
    delivery = Delivery.objects.get()
    assert response["Location"] == reverse("catalog:delivery", args=[delivery.pk])
    again = librarian.post(reverse("catalog:purchase-plan-receive", args=[plan.pk]), data)
    assert again["Location"] == response["Location"]
    assert Delivery.objects.count() == 1
    assert Copy.objects.count() == 2
    assert set(Copy.objects.values_list("price_paid", flat=True)) == {Decimal("9.50")}
    detail = librarian.get(response["Location"]).content.decode()
    assert detail.count("data-delivery-line=") == 1


def test_receiving_more_than_ordered_is_refused_with_a_clear_message(librarian, librarian_user):
    librarian.cookies["django_language"] = "en"
    plan = make_plan(librarian_user, lines=1, status="approved")
    line = plan.lines.get()
    data = {
        "received_on": "2026-01-05",
        "supplier": "新华书店",
        "location": str(location_default().pk),
        "token": "t1",
        f"quantity-{line.pk}": "3",
    }
    response = librarian.post(reverse("catalog:purchase-plan-receive", args=[plan.pk]), data)
    assert response.status_code == 200
    assert "1 more than ordered" in response.content.decode()
    assert Copy.objects.count() == 0
    data[f"surplus-{line.pk}"] = "on"
    librarian.post(reverse("catalog:purchase-plan-receive", args=[plan.pk]), data)
    assert Copy.objects.count() == 3


def test_a_donation_in_the_page(librarian):
    data = {
        "donor": "林小雨",
        "donor_class": "五年级(2)班",
        "received_on": "2026-01-05",
        "location": str(location_default().pk),
        "token": "d1",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-title": "安徒生童话",
        "lines-0-quantity": "2",
        "lines-0-clc_code": "I533.88",
    }
    response = librarian.post(reverse("catalog:donation-create"), data)
    delivery = Delivery.objects.get()
    assert response["Location"] == reverse("catalog:delivery", args=[delivery.pk])
    assert list(Copy.objects.values_list("source", "donor")) == [("donation", "林小雨（五年级(2)班）")] * 2
    registers = librarian.get(reverse("catalog:acquisition-registers")).content.decode()
    assert registers.count("data-donation-row=") == 1 and "林小雨" in registers


def test_editing_a_draft_changes_a_line_and_removes_another(librarian, librarian_user):
    plan = make_plan(librarian_user, lines=2)
    page = librarian.get(reverse("catalog:purchase-plan-edit", args=[plan.pk]))
    formset = page.context["formset"]
    assert formset.initial_form_count() == 2
    data = {
        "name": "春季采购（修订）",
        "year": "2026",
        "term": "spring",
        "budget": "900",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "2",
        "lines-0-title": "图书0",
        "lines-0-quantity": "7",
        "lines-0-unit_price": "10",
        "lines-0-clc_code": "O13",
        "lines-1-title": "图书1",
        "lines-1-quantity": "2",
        "lines-1-unit_price": "10",
        "lines-1-DELETE": "on",
        "lines-2-title": "新增图书",
        "lines-2-quantity": "1",
        "lines-2-unit_price": "3",
    }
    response = librarian.post(reverse("catalog:purchase-plan-edit", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.name == "春季采购（修订）" and plan.budget == Decimal("900")
    assert list(plan.lines.values_list("title", "quantity")) == [("图书0", 7), ("新增图书", 1)]
    assert list(plan.events.values_list("action", flat=True)) == ["drafted", "edited"]
