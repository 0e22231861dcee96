"""Purchase plans: drafted by a librarian, approved by a leader, received against; donations;
the purchase and donation registers. A refusal changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from catalog.exceptions import AcquisitionRefused
from catalog.models import Copy, Delivery, PurchasePlan, PurchasePlanEvent, PurchasePlanLine, Record
from catalog.selectors.acquisitions import (
    collection_by_clc_top_class,
    donation_register,
    purchase_plan_page,
    purchase_plan_total,
    purchase_register,
)
from catalog.services.acquisitions import (
    delivery_receive,
    donation_receive,
    purchase_plan_approve,
    purchase_plan_create,
    purchase_plan_lines_add,
    purchase_plan_reject,
    purchase_plan_revise,
    purchase_plan_submit,
    purchase_plan_update,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import RecordFactory, location_default

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def leader():
    return UserFactory(roles=[Role.LEADER])


def line(**changes):
    data = {
        "title": "草房子",
        "isbn": "978-7-5346-6543-1",
        "author": "曹文轩",
        "publisher": "江苏少年儿童出版社",
        "quantity": 5,
        "unit_price": "25.00",
        "supplier": "新华书店",
        "clc_code": "I287.45",
        "subject": "语文",
    }
    return data | changes


def make_plan(user, lines=None, budget="1000"):
    return purchase_plan_create(
        name="2026年秋季采购计划",
        year=2026,
        term=PurchasePlan.Term.AUTUMN,
        budget=budget,
        lines=[line()] if lines is None else lines,
        user=user,
    )


def approved_plan(librarian, leader, lines=None):
    plan = make_plan(librarian, lines)
    purchase_plan_submit(plan=plan, user=librarian)
    return purchase_plan_approve(plan=plan, user=leader, comment="同意")


def state(plan):
    plan.refresh_from_db()
    return (
        plan.status,
        list(plan.lines.values_list("title", "quantity", "unit_price")),
        plan.events.count(),
        Record.objects.count(),
        Copy.objects.count(),
        Delivery.objects.count(),
    )


# --- plans --------------------------------------------------------------------------------------


def test_a_librarian_drafts_a_plan_with_lines_and_the_total_is_their_amounts(librarian):
    plan = make_plan(
        librarian,
        [
            line(),
            line(
                title="数学家的故事",
                isbn="",
                quantity=3,
                unit_price="12.50",
                clc_code="K816.1",
                subject="数学",
            ),
        ],
    )
    assert plan.status == PurchasePlan.Status.DRAFT
    assert purchase_plan_total(plan) == Decimal("162.50")
    first = plan.lines.get(title="草房子")
    assert first.isbn == "9787534665431"  # normalised to ISBN-13
    assert first.clc_code == "I287.45"
    assert list(plan.events.values_list("action", "by")) == [("drafted", librarian.pk)]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"isbn": "978-7-5346-6543-2"}, "ISBN"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -2}, "quantity"),
        ({"unit_price": "-1"}, "negative"),
        ({"unit_price": "abc"}, "not a number"),
        ({"clc_code": "??"}, "Chinese Library Classification"),
        ({"title": "  "}, "title"),
    ],
)
def test_a_wrong_line_refuses_the_whole_plan_and_says_which_line(librarian, bad, message):
    with pytest.raises(AcquisitionRefused) as refusal:
        make_plan(librarian, [line(), line(**bad)])
    assert refusal.value.row == 2
    assert message in str(refusal.value.message)
    assert PurchasePlan.objects.count() == 0
    assert PurchasePlanLine.objects.count() == 0


def test_a_leader_cannot_draft_or_edit_a_plan(librarian, leader):
    with pytest.raises(AcquisitionRefused):
        make_plan(leader)
    plan = make_plan(librarian)
    before = state(plan)
    with pytest.raises(AcquisitionRefused):
        purchase_plan_update(
            plan=plan, name="x", year=2026, term="autumn", budget="1", lines=[line(quantity=99)], user=leader
        )
    with pytest.raises(AcquisitionRefused):
        purchase_plan_submit(plan=plan, user=leader)
    assert state(plan) == before


def test_a_librarian_cannot_approve(librarian):
    plan = make_plan(librarian)
    purchase_plan_submit(plan=plan, user=librarian)
    before = state(plan)
    with pytest.raises(AcquisitionRefused) as refusal:
        purchase_plan_approve(plan=plan, user=librarian)
    assert "Approve purchase plans" in str(refusal.value.message)
    assert state(plan) == before
    assert plan.status == PurchasePlan.Status.SUBMITTED


def test_an_administrator_cannot_approve_either():
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    plan = make_plan(admin)
    purchase_plan_submit(plan=plan, user=admin)
    with pytest.raises(AcquisitionRefused):
        purchase_plan_approve(plan=plan, user=admin)


def test_the_trail_records_who_did_each_step_and_their_comments(librarian, leader):
    plan = make_plan(librarian)
    purchase_plan_submit(plan=plan, user=librarian, comment="请审批")
    purchase_plan_reject(plan=plan, user=leader, comment="语文类太少，请增加")
    purchase_plan_revise(plan=plan, user=librarian)
    purchase_plan_update(
        plan=plan,
        name=plan.name,
        year=2026,
        term="autumn",
        budget="1000",
        lines=[line(), line(title="唐诗三百首", isbn="", clc_code="I222.742", quantity=10, unit_price="18")],
        user=librarian,
    )
    purchase_plan_submit(plan=plan, user=librarian)
    purchase_plan_approve(plan=plan, user=leader, comment="同意")
    trail = list(plan.events.order_by("at", "pk").values_list("action", "by", "comment"))
    assert trail == [
        ("drafted", librarian.pk, ""),
        ("submitted", librarian.pk, "请审批"),
        ("rejected", leader.pk, "语文类太少，请增加"),
        ("revised", librarian.pk, ""),
        ("edited", librarian.pk, ""),
        ("submitted", librarian.pk, ""),
        ("approved", leader.pk, "同意"),
    ]
    plan.refresh_from_db()
    assert plan.status == PurchasePlan.Status.APPROVED
    assert plan.lines.count() == 2


def test_a_submitted_or_approved_plan_is_frozen(librarian, leader):
    plan = make_plan(librarian)
    purchase_plan_submit(plan=plan, user=librarian)
    for status_step in ("submitted", "approved"):
        before = state(plan)
        with pytest.raises(AcquisitionRefused) as refusal:
            purchase_plan_update(
                plan=plan,
                name="改",
                year=2026,
                term="autumn",
                budget="9",
                lines=[line(quantity=1)],
                user=librarian,
            )
        assert "only a draft" in str(refusal.value.message)
        with pytest.raises(AcquisitionRefused):
            purchase_plan_lines_add(plan=plan, lines=[line()], user=librarian)
        with pytest.raises(AcquisitionRefused):
            purchase_plan_submit(plan=plan, user=librarian)
        assert state(plan) == before
        if status_step == "submitted":
            purchase_plan_approve(plan=plan, user=leader)
    with pytest.raises(AcquisitionRefused):
        purchase_plan_reject(plan=plan, user=leader, comment="再议")
    with pytest.raises(AcquisitionRefused):
        purchase_plan_revise(plan=plan, user=librarian)


def test_a_rejection_needs_a_comment(librarian, leader):
    plan = make_plan(librarian)
    purchase_plan_submit(plan=plan, user=librarian)
    before = state(plan)
    with pytest.raises(AcquisitionRefused):
        purchase_plan_reject(plan=plan, user=leader, comment="  ")
    assert state(plan) == before


def test_a_plan_without_lines_or_over_its_budget_is_not_submitted(librarian):
    empty = make_plan(librarian, lines=[])
    with pytest.raises(AcquisitionRefused):
        purchase_plan_submit(plan=empty, user=librarian)
    over = make_plan(librarian, [line(quantity=100)], budget="100")  # 2,500 against 100
    before = state(over)
    with pytest.raises(AcquisitionRefused) as refusal:
        purchase_plan_submit(plan=over, user=librarian)
    assert "2500.00" in str(refusal.value.message)
    assert state(over) == before


def test_imported_lines_are_added_all_or_none(librarian):
    plan = make_plan(librarian)
    with pytest.raises(AcquisitionRefused) as refusal:
        purchase_plan_lines_add(
            plan=plan, lines=[line(title="A", row=2), line(title="B", quantity="x", row=3)], user=librarian
        )
    assert refusal.value.row == 3
    assert plan.lines.count() == 1
    purchase_plan_lines_add(plan=plan, lines=[line(title="A"), line(title="B")], user=librarian)
    assert list(plan.lines.values_list("title", flat=True)) == ["草房子", "A", "B"]
    assert plan.events.last().action == PurchasePlanEvent.Action.IMPORTED


def test_negative_budget_is_refused(librarian):
    with pytest.raises(AcquisitionRefused):
        make_plan(librarian, budget="-5")
    assert PurchasePlan.objects.count() == 0


# --- the plan's page ------------------------------------------------------------------------------


def test_the_plan_page_splits_by_class_and_subject_against_the_collection(librarian):
    RecordFactory(clc_code="I247.5", copies=3)
    RecordFactory(clc_code="O1", copies=1)
    plan = make_plan(
        librarian,
        [
            line(quantity=4, unit_price="10", subject="语文"),
            line(title="高等数学", isbn="", clc_code="O13", quantity=6, unit_price="20", subject="数学"),
            line(title="无类", isbn="", clc_code="", quantity=2, unit_price="5", subject=""),
        ],
    )
    page = purchase_plan_page(plan.pk)
    assert page.total == Decimal("170.00")
    assert page.remainder == Decimal("830.00")
    assert page.volumes == 12
    by_class = {row.key: (row.volumes, row.amount, row.collection) for row in page.by_class}
    assert by_class == {
        "I": (4, Decimal("40.00"), 3),
        "O": (6, Decimal("120.00"), 1),
        "": (2, Decimal("10.00"), 0),
    }
    assert page.by_class[0].label == "I 文学"
    assert {row.key: row.volumes for row in page.by_subject} == {"数学": 6, "语文": 4, "": 2}
    assert collection_by_clc_top_class() == {"I": 3, "O": 1}


# --- receiving ------------------------------------------------------------------------------------


def test_only_an_approved_plan_is_received_against(librarian, leader):
    plan = make_plan(librarian)
    plan_line = plan.lines.get()

    def receive():
        delivery_receive(
            plan=plan,
            lines=[{"plan_line": plan_line.pk, "quantity": 1}],
            location=location_default(),
            supplier="新华书店",
            user=librarian,
        )

    with pytest.raises(AcquisitionRefused) as refusal:
        receive()
    assert "only against an approved plan" in str(refusal.value.message)
    purchase_plan_submit(plan=plan, user=librarian)
    with pytest.raises(AcquisitionRefused):
        receive()
    purchase_plan_reject(plan=plan, user=leader, comment="预算不足")
    with pytest.raises(AcquisitionRefused):
        receive()
    assert Copy.objects.count() == 0 and Delivery.objects.count() == 0


def test_receiving_creates_the_record_and_copies_with_the_price_paid(librarian, leader):
    plan = approved_plan(
        librarian,
        leader,
        [
            line(quantity=5),
            line(title="唐诗三百首", isbn="", clc_code="I222.742", quantity=2, unit_price="18"),
        ],
    )
    first, second = plan.lines.order_by("position")
    day = timezone.localdate() - timedelta(days=1)
    delivery = delivery_receive(
        plan=plan,
        lines=[
            {"plan_line": first.pk, "quantity": 3, "unit_price": "22.50"},
            {"plan_line": second.pk, "quantity": 2},
        ],
        location=location_default(),
        supplier="新华书店",
        invoice_number="FP-001",
        received_on=day,
        user=librarian,
    )
    record = Record.objects.get(isbn="9787534665431")
    assert record.title == "草房子" and record.call_number.startswith("I287.45/")
    assert record.authors_display.startswith("曹文轩")
    copies = list(record.copies.order_by("barcode"))
    assert len(copies) == 3
    assert {(c.source, c.price_paid, c.acquired_on, c.created_by_id) for c in copies} == {
        (Copy.Source.PURCHASE, Decimal("22.50"), day, librarian.pk)
    }
    assert all(copy.barcode and copy.accession_number for copy in copies)
    poems = Record.objects.get(title="唐诗三百首")
    assert list(poems.copies.values_list("price_paid", flat=True)) == [Decimal("18.00")] * 2
    assert sorted(c.barcode for line_ in delivery.lines.all() for c in line_.copies.all()) == sorted(
        Copy.objects.values_list("barcode", flat=True)
    )
    assert purchase_register() == [
        {
            "pk": delivery.pk,
            "received_on": day,
            "supplier": "新华书店",
            "invoice_number": "FP-001",
            "plan_name": "2026年秋季采购计划",
            "titles": 2,
            "volumes": 5,
            "value": Decimal("103.50"),
        }
    ]
    assert plan.events.last().action == PurchasePlanEvent.Action.RECEIVED


def test_a_known_isbn_adds_copies_to_the_existing_record(librarian, leader):
    existing = RecordFactory(title="草房子", isbn="9787534665431", copies=1)
    plan = approved_plan(librarian, leader)
    delivery_receive(
        plan=plan,
        lines=[{"plan_line": plan.lines.get().pk, "quantity": 2}],
        location=location_default(),
        supplier="新华书店",
        user=librarian,
    )
    assert Record.objects.count() == 1
    assert existing.copies.count() == 3


def test_partial_deliveries_add_up_and_more_than_ordered_needs_the_surplus_mark(librarian, leader):
    plan = approved_plan(librarian, leader)  # 5 ordered, no ISBN reuse issues
    plan_line = plan.lines.get()

    def receive(quantity, surplus=False):
        return delivery_receive(
            plan=plan,
            lines=[{"plan_line": plan_line.pk, "quantity": quantity, "surplus": surplus}],
            location=location_default(),
            supplier="新华书店",
            user=librarian,
        )

    receive(3)
    before = state(plan)
    with pytest.raises(AcquisitionRefused) as refusal:
        receive(3)
    assert "1 more than ordered" in str(refusal.value.message)
    assert state(plan) == before
    receive(2)
    receive(1, surplus=True)
    assert Record.objects.count() == 1
    assert Copy.objects.count() == 6
    assert purchase_plan_page(plan.pk).lines[0].received == 6
    assert [row["volumes"] for row in purchase_register()] == [3, 2, 1]


def test_a_second_delivery_of_a_line_without_isbn_uses_the_same_record(librarian, leader):
    plan = approved_plan(librarian, leader, [line(isbn="", quantity=4)])
    plan_line = plan.lines.get()
    for _time in range(2):
        delivery_receive(
            plan=plan,
            lines=[{"plan_line": plan_line.pk, "quantity": 2}],
            location=location_default(),
            supplier="新华书店",
            user=librarian,
        )
    assert Record.objects.count() == 1
    assert Record.objects.get().copies.count() == 4


def test_the_same_delivery_sent_twice_is_received_once(librarian, leader):
    plan = approved_plan(librarian, leader)
    arguments = {
        "plan": plan,
        "lines": [{"plan_line": plan.lines.get().pk, "quantity": 2}],
        "location": location_default(),
        "supplier": "新华书店",
        "token": "abc123",
        "user": librarian,
    }
    first = delivery_receive(**arguments)
    second = delivery_receive(**arguments)
    assert first.pk == second.pk
    assert Copy.objects.count() == 2
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"supplier": ""}, "supplier"),
        ({"received_on": timezone.localdate() + timedelta(days=3)}, "future"),
        ({"lines": []}, "at least one line"),
        ({"lines": [{"plan_line": 999999, "quantity": 1}]}, "not in the plan"),
        ({"quantity": -1}, "quantity"),
        ({"unit_price": "-3"}, "negative"),
    ],
)
def test_a_wrong_delivery_is_refused_and_changes_nothing(librarian, leader, changes, message):
    plan = approved_plan(librarian, leader)
    arguments = {
        "plan": plan,
        "lines": [
            {
                "plan_line": plan.lines.get().pk,
                "quantity": changes.pop("quantity", 1),
                "unit_price": changes.pop("unit_price", None),
            }
        ],
        "location": location_default(),
        "supplier": "新华书店",
        "user": librarian,
    } | changes
    before = state(plan)
    with pytest.raises(AcquisitionRefused) as refusal:
        delivery_receive(**arguments)
    assert message in str(refusal.value.message)
    assert state(plan) == before


def test_a_leader_cannot_receive(librarian, leader):
    plan = approved_plan(librarian, leader)
    with pytest.raises(AcquisitionRefused):
        delivery_receive(
            plan=plan,
            lines=[{"plan_line": plan.lines.get().pk, "quantity": 1}],
            location=location_default(),
            supplier="新华书店",
            user=leader,
        )
    assert Copy.objects.count() == 0


# --- donations ------------------------------------------------------------------------------------


def test_a_pupils_donation_makes_copies_with_the_donor_and_a_register_row(librarian):
    RecordFactory(title="草房子", isbn="9787534665431", copies=1)
    delivery = donation_receive(
        donor="林小雨",
        donor_class="五年级(2)班",
        lines=[
            line(quantity=1, unit_price=""),
            line(title="安徒生童话", isbn="", clc_code="I533.88", quantity=2, unit_price="15"),
        ],
        location=location_default(),
        user=librarian,
    )
    donated = Copy.objects.filter(source=Copy.Source.DONATION)
    assert donated.count() == 3
    assert set(donated.values_list("donor", flat=True)) == {"林小雨（五年级(2)班）"}
    assert Record.objects.count() == 2  # 草房子 was known by its ISBN
    assert donation_register() == [
        {
            "pk": delivery.pk,
            "received_on": timezone.localdate(),
            "donor": "林小雨",
            "donor_class": "五年级(2)班",
            "titles": 2,
            "volumes": 3,
            "value": Decimal("30.00"),
        }
    ]
    assert purchase_register() == []


def test_a_donation_needs_a_donor_and_changes_nothing_otherwise(librarian):
    with pytest.raises(AcquisitionRefused):
        donation_receive(donor=" ", lines=[line()], location=location_default(), user=librarian)
    with pytest.raises(AcquisitionRefused) as refusal:
        donation_receive(
            donor="张老师", lines=[line(), line(quantity=0)], location=location_default(), user=librarian
        )
    assert refusal.value.row == 2
    assert Copy.objects.count() == 0 and Record.objects.count() == 0 and Delivery.objects.count() == 0


def test_the_registers_take_the_dates_given(librarian, leader):
    plan = approved_plan(librarian, leader)
    today = timezone.localdate()
    for days in (10, 5, 0):
        delivery_receive(
            plan=plan,
            lines=[{"plan_line": plan.lines.get().pk, "quantity": 1}],
            location=location_default(),
            supplier="新华书店",
            received_on=today - timedelta(days=days),
            user=librarian,
        )
    rows = purchase_register(today - timedelta(days=6), today - timedelta(days=1))
    assert [row["received_on"] for row in rows] == [today - timedelta(days=5)]
    assert len(purchase_register(None, None)) == 3
