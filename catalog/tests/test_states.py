"""The catalogue's transitions tables (catalog/states.py): for each model with a state, every move
the table does not hold is refused by the guard and by the service that would make it, leaving
the row as it was; and every move the table holds goes through the service that makes it."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone, translation

from catalog.exceptions import (
    AcquisitionRefused,
    CatalogError,
    RepairRefused,
    SerialError,
    StatusChangeRefused,
    StocktakeRefused,
    WriteOffRefused,
)
from catalog.models import (
    Copy,
    CopyStatusChange,
    Location,
    PurchasePlan,
    Repair,
    Serial,
    SerialIssue,
    Stocktake,
    WriteOffBatch,
)
from catalog.services.acquisitions import (
    purchase_plan_approve,
    purchase_plan_create,
    purchase_plan_reject,
    purchase_plan_revise,
    purchase_plan_submit,
)
from catalog.services.care import (
    repair_close,
    repair_open,
    stocktake_cancel,
    stocktake_confirm,
    stocktake_start,
    write_off_add,
    write_off_approve,
    write_off_cancel,
    write_off_create,
    write_off_return,
    write_off_submit,
)
from catalog.services.copies import copy_set_status
from catalog.services.serials import (
    binding_create,
    issue_receive,
    issue_receive_undo,
    serial_create,
    subscription_create,
)
from catalog.states import (
    COPY_STATES,
    ISSUE_STATES,
    PURCHASE_PLAN_STATES,
    REPAIR_STATES,
    STOCKTAKE_STATES,
    WRITE_OFF_STATES,
)
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import RecordFactory, location_default

pytestmark = pytest.mark.django_db

TABLES = [
    (COPY_STATES, StatusChangeRefused),
    (WRITE_OFF_STATES, WriteOffRefused),
    (PURCHASE_PLAN_STATES, AcquisitionRefused),
    (STOCKTAKE_STATES, StocktakeRefused),
    (REPAIR_STATES, RepairRefused),
    (ISSUE_STATES, SerialError),
]


def moves(table):
    return [(str(move.source), str(move.target)) for move in table]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def administrator():
    return UserFactory(roles=[Role.ADMINISTRATOR])


@pytest.fixture
def leader():
    return UserFactory(roles=[Role.LEADER])


# --- every table: the guard refuses what it does not hold -------------------------------------


@pytest.mark.parametrize(
    ("table", "error", "source", "target"),
    [(table, error, source, target) for table, error in TABLES for source, target in table.refused_moves()],
    ids=lambda value: value if isinstance(value, str) else getattr(value, "name", None),
)
def test_the_guard_refuses_every_move_not_in_the_table(table, error, source, target):
    with pytest.raises(error):
        table.check(source, target)
    assert not table.allows(source, target)


@pytest.mark.parametrize(("table", "error"), TABLES, ids=[table.name for table, _error in TABLES])
def test_the_guard_lets_every_move_of_the_table_through(table, error):
    for source, target in moves(table):
        assert table.check(source, target).target == target


def test_the_tables_hold_the_moves_the_library_makes():
    # 22, and the content review of a donated copy (issue 18): to the library, a corner, withdrawn.
    assert len(moves(COPY_STATES)) == 25
    assert {target for source, target in moves(COPY_STATES) if source == "awaiting_review"} == {
        "available",
        "in_class_corner",
        "withdrawn",
    }
    assert set(moves(WRITE_OFF_STATES)) == {
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("submitted", "draft"),
        ("draft", "cancelled"),
    }
    assert set(moves(PURCHASE_PLAN_STATES)) == {
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("submitted", "rejected"),
        ("rejected", "draft"),
    }
    assert set(moves(STOCKTAKE_STATES)) == {("open", "confirmed"), ("open", "cancelled")}
    assert set(moves(REPAIR_STATES)) == {("open", "shelved"), ("open", "written_off")}
    assert set(moves(ISSUE_STATES)) == {
        ("expected", "received"),
        ("received", "expected"),
        ("received", "bound"),
    }


# --- copies: copy_set_status ----------------------------------------------------------------------


def copy_in(status: str) -> Copy:
    (copy,) = RecordFactory(copies=1).copies.all()
    Copy.objects.filter(pk=copy.pk).update(status=status)
    copy.refresh_from_db()
    return copy


@pytest.mark.parametrize(("source", "target"), moves(COPY_STATES))
def test_every_copy_move_of_the_table_goes_through_copy_set_status(source, target, librarian):
    copy = copy_in(source)

    copy_set_status(copy=copy, to_status=target, user=librarian, reason="test")

    copy.refresh_from_db()
    assert copy.status == target
    change = CopyStatusChange.objects.get(copy=copy)
    assert (change.from_status, change.to_status, change.changed_by) == (source, target, librarian)


@pytest.mark.parametrize(("source", "target"), COPY_STATES.refused_moves())
def test_copy_set_status_refuses_every_move_not_in_the_table(source, target, librarian):
    copy = copy_in(source)

    with pytest.raises(StatusChangeRefused) as refused:
        copy_set_status(copy=copy, to_status=target, user=librarian)

    assert "cannot become" in str(refused.value.message)
    copy.refresh_from_db()
    assert copy.status == source
    assert not CopyStatusChange.objects.filter(copy=copy).exists()


# --- write-off batches ----------------------------------------------------------------------------


def batch_in(status: str, librarian) -> WriteOffBatch:
    batch = write_off_create(reason=WriteOffBatch.Reason.OUTDATED, user=librarian)
    write_off_add(batch=batch, copies=list(RecordFactory(copies=1).copies.all()), user=librarian)
    fields = {"status": status}
    if status in (WriteOffBatch.Status.APPROVED, WriteOffBatch.Status.CANCELLED):
        fields |= {"decided_at": timezone.now(), "decided_by": librarian}
    WriteOffBatch.objects.filter(pk=batch.pk).update(**fields)
    batch.refresh_from_db()
    return batch


def write_off_services(librarian, administrator):
    """The service that makes each target state of a batch."""
    return {
        WriteOffBatch.Status.SUBMITTED: lambda batch: write_off_submit(batch=batch, user=librarian),
        WriteOffBatch.Status.APPROVED: lambda batch: write_off_approve(batch=batch, user=administrator),
        WriteOffBatch.Status.DRAFT: lambda batch: write_off_return(
            batch=batch, user=administrator, comment="再查"
        ),
        WriteOffBatch.Status.CANCELLED: lambda batch: write_off_cancel(batch=batch, user=librarian),
    }


@pytest.mark.parametrize(("source", "target"), moves(WRITE_OFF_STATES))
def test_every_write_off_move_goes_through_its_service(source, target, librarian, administrator):
    batch = batch_in(source, librarian)

    write_off_services(librarian, administrator)[target](batch)

    batch.refresh_from_db()
    assert batch.status == target


@pytest.mark.parametrize(
    ("source", "target"),
    WRITE_OFF_STATES.refused_moves(),
)
def test_the_write_off_services_refuse_every_move_not_in_the_table(source, target, librarian, administrator):
    batch = batch_in(source, librarian)

    with pytest.raises(WriteOffRefused) as refused:
        write_off_services(librarian, administrator)[target](batch)

    assert f"Write-off batch {batch.pk} is “{WriteOffBatch.Status(source).label}”" in str(
        refused.value.message
    )
    batch.refresh_from_db()
    assert batch.status == source


# --- purchase plans --------------------------------------------------------------------------------


def plan_in(status: str, librarian) -> PurchasePlan:
    plan = purchase_plan_create(
        name="2026年秋季采购计划",
        year=2026,
        term=PurchasePlan.Term.AUTUMN,
        budget="1000",
        lines=[{"title": "草房子", "quantity": 5, "unit_price": "25.00", "clc_code": "I287.45"}],
        user=librarian,
    )
    PurchasePlan.objects.filter(pk=plan.pk).update(status=status)
    plan.refresh_from_db()
    return plan


def plan_services(librarian, leader):
    return {
        PurchasePlan.Status.SUBMITTED: lambda plan: purchase_plan_submit(plan=plan, user=librarian),
        PurchasePlan.Status.APPROVED: lambda plan: purchase_plan_approve(plan=plan, user=leader),
        PurchasePlan.Status.REJECTED: lambda plan: purchase_plan_reject(
            plan=plan, user=leader, comment="再议"
        ),
        PurchasePlan.Status.DRAFT: lambda plan: purchase_plan_revise(plan=plan, user=librarian),
    }


@pytest.mark.parametrize(("source", "target"), moves(PURCHASE_PLAN_STATES))
def test_every_purchase_plan_move_goes_through_its_service(source, target, librarian, leader):
    plan = plan_in(source, librarian)

    plan_services(librarian, leader)[target](plan)

    plan.refresh_from_db()
    assert plan.status == target


@pytest.mark.parametrize(("source", "target"), PURCHASE_PLAN_STATES.refused_moves())
def test_the_purchase_plan_services_refuse_every_move_not_in_the_table(source, target, librarian, leader):
    plan = plan_in(source, librarian)

    with pytest.raises(AcquisitionRefused) as refused:
        plan_services(librarian, leader)[target](plan)

    assert f"The plan is “{PurchasePlan.Status(source).label}”" in str(refused.value.message)
    plan.refresh_from_db()
    assert plan.status == source
    assert list(plan.events.values_list("action", flat=True)) == ["drafted"]


# --- stocktakes -------------------------------------------------------------------------------------


def stocktake_in(status: str, librarian) -> Stocktake:
    stocktake = stocktake_start(location=location_default(), user=librarian)
    Stocktake.objects.filter(pk=stocktake.pk).update(status=status)
    stocktake.refresh_from_db()
    return stocktake


def stocktake_services(librarian):
    return {
        Stocktake.Status.CONFIRMED: lambda stocktake: stocktake_confirm(stocktake=stocktake, user=librarian),
        Stocktake.Status.CANCELLED: lambda stocktake: stocktake_cancel(stocktake=stocktake, user=librarian),
    }


@pytest.mark.parametrize(("source", "target"), moves(STOCKTAKE_STATES))
def test_every_stocktake_move_goes_through_its_service(source, target, librarian):
    stocktake = stocktake_in(source, librarian)

    stocktake_services(librarian)[target](stocktake)

    stocktake.refresh_from_db()
    assert (stocktake.status, stocktake.confirmed_by) == (target, librarian)


@pytest.mark.parametrize(
    ("source", "target"),
    # No service reopens a stocktake: the moves back to open have no service to refuse them.
    [
        (source, target)
        for source, target in STOCKTAKE_STATES.refused_moves()
        if target != Stocktake.Status.OPEN
    ],
)
def test_the_stocktake_services_refuse_every_move_not_in_the_table(source, target, librarian):
    stocktake = stocktake_in(source, librarian)

    with pytest.raises(StocktakeRefused):
        stocktake_services(librarian)[target](stocktake)

    stocktake.refresh_from_db()
    assert stocktake.status == source


def test_confirming_a_confirmed_stocktake_again_changes_nothing(librarian):
    stocktake = stocktake_in(Stocktake.Status.CONFIRMED, librarian)

    assert stocktake_confirm(stocktake=stocktake, user=librarian) == 0

    stocktake.refresh_from_db()
    assert stocktake.status == Stocktake.Status.CONFIRMED


# --- repairs -------------------------------------------------------------------------------------------


def repair_in(state: str, librarian) -> Repair:
    (copy,) = RecordFactory(copies=1).copies.all()
    repair = repair_open(copy=copy, damage="撕页", reported_by=librarian)
    if state != Repair.State.OPEN:
        repair_close(repair=repair, repaired_by=librarian, result=state)
    repair.refresh_from_db()
    return repair


@pytest.mark.parametrize(("source", "target"), moves(REPAIR_STATES))
def test_every_repair_move_goes_through_repair_close(source, target, librarian):
    repair = repair_in(source, librarian)

    repair_close(repair=repair, repaired_by=librarian, result=target)

    repair.refresh_from_db()
    assert repair.state == target


@pytest.mark.parametrize(
    ("source", "target"),
    [(source, target) for source, target in REPAIR_STATES.refused_moves() if target != Repair.State.OPEN],
)
def test_repair_close_refuses_every_move_not_in_the_table(source, target, librarian):
    repair = repair_in(source, librarian)
    closed_at = repair.closed_at

    with pytest.raises(RepairRefused) as refused:
        repair_close(repair=repair, repaired_by=librarian, result=target)

    assert str(refused.value.message) == "This repair was already closed."
    repair.refresh_from_db()
    assert (repair.state, repair.closed_at) == (source, closed_at)


# --- serial issues ------------------------------------------------------------------------------------


@pytest.fixture
def subscription(librarian):
    serial = serial_create(
        title="少年文艺", kind=Serial.Kind.PERIODICAL, frequency=Serial.Frequency.MONTHLY, issn="1000-0003"
    )
    room = Location.objects.filter(is_active=True).exclude(kind=Location.Kind.CLASS_CORNER).first()
    return subscription_create(serial=serial, location=room, year=2026, user=librarian)


def issue_in(state: str, subscription, librarian) -> SerialIssue:
    issue = subscription.issues.get(number=1)
    if state != SerialIssue.State.EXPECTED:
        issue_receive(issue=issue, user=librarian, on=date(2026, 1, 5))
    if state == SerialIssue.State.BOUND:
        binding_create(subscription=subscription, first=1, last=1, user=librarian)
    issue.refresh_from_db()
    return issue


def issue_services(subscription, librarian):
    return {
        SerialIssue.State.RECEIVED: lambda issue: issue_receive(issue=issue, user=librarian),
        SerialIssue.State.EXPECTED: lambda issue: issue_receive_undo(issue=issue, user=librarian),
        SerialIssue.State.BOUND: lambda issue: binding_create(
            subscription=subscription, first=issue.number, last=issue.number, user=librarian
        ),
    }


@pytest.mark.parametrize(("source", "target"), moves(ISSUE_STATES))
def test_every_issue_move_goes_through_its_service(source, target, subscription, librarian):
    issue = issue_in(source, subscription, librarian)

    issue_services(subscription, librarian)[target](issue)

    issue.refresh_from_db()
    assert issue.state == target


@pytest.mark.parametrize(("source", "target"), ISSUE_STATES.refused_moves())
def test_the_issue_services_refuse_or_leave_alone_every_move_not_in_the_table(
    source, target, subscription, librarian
):
    issue = issue_in(source, subscription, librarian)
    before = (issue.received_on, issue.bound_into_id)

    if target == SerialIssue.State.RECEIVED:
        # A second check-in (a second scan) is not refused: it leaves the issue as it was.
        _issue, done = issue_receive(issue=issue, user=librarian)
        assert done is False
    else:
        with pytest.raises(CatalogError):
            issue_services(subscription, librarian)[target](issue)

    issue.refresh_from_db()
    assert (issue.state, (issue.received_on, issue.bound_into_id)) == (source, before)
