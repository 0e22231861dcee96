"""Repairs, write-offs and stocktaking: the services and their selectors (C6–C8)."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from catalog.exceptions import CatalogError, RepairRefused, StocktakeRefused, WriteOffRefused
from catalog.models import (
    Copy,
    CopyStatusChange,
    Location,
    Repair,
    Stocktake,
    StocktakeLoss,
    StocktakeScan,
    WriteOffBatch,
    WriteOffItem,
)
from catalog.selectors.care import (
    WeedingCriteria,
    repair_register,
    stocktake_report,
    stocktake_scan_outcome,
    weeding_candidates,
    write_off_register,
)
from catalog.services.care import (
    repair_close,
    repair_open,
    stocktake_confirm,
    stocktake_scan,
    stocktake_scan_text,
    stocktake_start,
    write_off_add,
    write_off_add_barcodes,
    write_off_approve,
    write_off_cancel,
    write_off_create,
    write_off_return,
    write_off_submit,
)
from catalog.services.copies import copy_set_status
from library_site.accounts.roles import Capability, Role
from library_site.accounts.tests.factories import UserFactory

from .factories import RecordFactory, location_default
from .test_care_views import catalog_defaults  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The refusals below are matched in English."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN], full_name="李馆员")


@pytest.fixture
def administrator():
    return UserFactory(roles=[Role.ADMINISTRATOR], full_name="王管理员")


def copies(count=1, **fields):
    record = RecordFactory(copies=count, **fields)
    return list(record.copies.order_by("barcode"))


# --- repairs ------------------------------------------------------------------------------------


def test_a_damaged_copy_goes_to_repair_and_back_on_the_shelf(librarian):
    [copy] = copies(price=Decimal("25.00"))
    repair = repair_open(copy=copy, damage="书脊开裂", reported_by=librarian, source=Repair.Source.DESK)
    copy.refresh_from_db()
    assert copy.status == Copy.Status.IN_REPAIR
    change = CopyStatusChange.objects.get(copy=copy)
    assert (change.to_status, change.changed_by) == (Copy.Status.IN_REPAIR, librarian)
    assert "书脊开裂" in change.reason

    repair_close(repair=repair, repaired_by=librarian, result=Repair.Result.SHELVED, notes="已粘好")
    copy.refresh_from_db()
    repair.refresh_from_db()
    assert copy.status == Copy.Status.AVAILABLE
    assert (repair.result, repair.repaired_by, repair.closed_on) == (
        "shelved",
        librarian,
        timezone.localdate(),
    )
    [row] = repair_register(timezone.localdate(), timezone.localdate())
    assert row["barcode"] == copy.barcode
    assert row["damage"] == "书脊开裂"
    assert row["result"] == "Repaired, back on the shelf"
    assert row["repaired_by"] == "李馆员"


def test_a_copy_on_loan_returned_damaged_goes_straight_to_repair(librarian):
    [copy] = copies()
    copy_set_status(copy=copy, to_status=Copy.Status.ON_LOAN, user=librarian)
    repair_open(copy=copy, damage="水渍", reported_by=librarian, source=Repair.Source.DESK)
    copy.refresh_from_db()
    assert copy.status == Copy.Status.IN_REPAIR


@pytest.mark.parametrize(
    ("damage", "source"), [("", Repair.Source.DESK), ("  ", Repair.Source.DESK), ("破损", "nowhere")]
)
def test_a_repair_without_damage_or_source_is_refused_and_nothing_changes(librarian, damage, source):
    [copy] = copies()
    with pytest.raises(RepairRefused):
        repair_open(copy=copy, damage=damage, reported_by=librarian, source=source)
    copy.refresh_from_db()
    assert copy.status == Copy.Status.AVAILABLE
    assert not Repair.objects.exists()
    assert not CopyStatusChange.objects.exists()


def test_a_copy_already_in_repair_or_withdrawn_cannot_go_to_repair(librarian):
    [copy, withdrawn] = copies(2)
    repair_open(copy=copy, damage="缺页", reported_by=librarian)
    with pytest.raises(RepairRefused, match="already in repair"):
        repair_open(copy=copy, damage="又坏了", reported_by=librarian)
    copy_set_status(copy=withdrawn, to_status=Copy.Status.WITHDRAWN)
    with pytest.raises(RepairRefused):
        repair_open(copy=withdrawn, damage="破损", reported_by=librarian)
    assert Repair.objects.count() == 1


def test_closing_a_repair_twice_or_in_the_future_is_refused(librarian):
    [copy] = copies()
    repair = repair_open(copy=copy, damage="缺页", reported_by=librarian)
    with pytest.raises(RepairRefused):
        repair_close(
            repair=repair,
            repaired_by=librarian,
            result=Repair.Result.SHELVED,
            on=timezone.localdate() + timedelta(days=1),
        )
    repair.refresh_from_db()
    assert repair.is_open
    repair_close(repair=repair, repaired_by=librarian, result=Repair.Result.SHELVED)
    with pytest.raises(RepairRefused, match="already closed"):
        repair_close(repair=repair, repaired_by=librarian, result=Repair.Result.WRITTEN_OFF)
    copy.refresh_from_db()
    assert copy.status == Copy.Status.AVAILABLE
    assert not WriteOffItem.objects.exists()


def test_a_copy_beyond_repair_goes_into_a_draft_batch_and_stays_in_repair(librarian):
    [first, second] = copies(2, price=Decimal("30.00"))
    for copy in (first, second):
        repair = repair_open(copy=copy, damage="严重破损", reported_by=librarian)
        repair_close(repair=repair, repaired_by=librarian, result=Repair.Result.WRITTEN_OFF)
    batch = WriteOffBatch.objects.get()
    assert (batch.status, batch.reason) == (WriteOffBatch.Status.DRAFT, WriteOffBatch.Reason.DAMAGED)
    assert set(batch.items.values_list("copy_id", flat=True)) == {first.pk, second.pk}
    first.refresh_from_db()
    assert first.status == Copy.Status.IN_REPAIR


# --- write-offs ---------------------------------------------------------------------------------


def submitted_batch(librarian, *copy_list, reason=WriteOffBatch.Reason.OUTDATED):
    batch = write_off_create(reason=reason, notes="2026年剔旧", user=librarian)
    write_off_add(batch=batch, copies=list(copy_list), user=librarian)
    return write_off_submit(batch=batch, user=librarian)


def test_an_administrator_approves_a_batch_and_the_copies_are_withdrawn_not_deleted(librarian, administrator):
    priced = copies(2, price=Decimal("20.00"))
    Copy.objects.filter(pk=priced[0].pk).update(price_paid=Decimal("15.50"))
    [lost] = copies(price=Decimal("12.00"))
    copy_set_status(copy=lost, to_status=Copy.Status.LOST)
    batch = submitted_batch(librarian, *priced, lost)
    batch = write_off_approve(batch=batch, user=administrator, comment="同意")
    assert batch.status == WriteOffBatch.Status.APPROVED
    assert batch.decided_by == administrator
    # the price paid, else the record's list price
    assert batch.total_value == Decimal("15.50") + Decimal("20.00") + Decimal("12.00")
    assert Copy.objects.filter(status=Copy.Status.WITHDRAWN).count() == 3
    assert Copy.objects.count() == 3
    assert (
        CopyStatusChange.objects.filter(to_status=Copy.Status.WITHDRAWN, changed_by=administrator).count()
        == 3
    )
    rows = write_off_register(timezone.localdate(), timezone.localdate())
    assert len(rows) == 3
    assert {row["approved_by"] for row in rows} == {"王管理员"}
    assert {row["submitted_by"] for row in rows} == {"李馆员"}
    assert sum(row["value"] for row in rows) == Decimal("47.50")


def test_approving_a_batch_takes_the_same_queries_whatever_its_size(
    librarian, administrator, django_assert_max_num_queries
):
    batch = submitted_batch(librarian, *copies(40))
    administrator.has_perm(Capability.APPROVE_WRITE_OFFS.permission)  # the permissions, cached
    with django_assert_max_num_queries(11):  # was three queries a copy, copy by copy
        write_off_approve(batch=batch, user=administrator)
    assert Copy.objects.filter(status=Copy.Status.WITHDRAWN).count() == 40
    assert (
        CopyStatusChange.objects.filter(to_status=Copy.Status.WITHDRAWN, changed_by=administrator).count()
        == 40
    )


def test_a_librarian_cannot_approve_a_write_off(librarian):
    batch = submitted_batch(librarian, *copies(2))
    with pytest.raises(WriteOffRefused, match="administrator"):
        write_off_approve(batch=batch, user=librarian)
    batch.refresh_from_db()
    assert batch.status == WriteOffBatch.Status.SUBMITTED
    assert batch.decided_by is None
    assert not Copy.objects.filter(status=Copy.Status.WITHDRAWN).exists()
    assert not CopyStatusChange.objects.exists()


def test_a_copy_cannot_be_written_off_twice(librarian, administrator):
    [copy, other] = copies(2)
    batch = submitted_batch(librarian, copy)
    second = write_off_create(reason=WriteOffBatch.Reason.DAMAGED, user=librarian)
    with pytest.raises(WriteOffRefused, match="Already in a write-off batch"):
        write_off_add(batch=second, copies=[other, copy], user=librarian)
    assert not second.items.exists()  # all or none: the other copy was not added either
    write_off_approve(batch=batch, user=administrator)
    with pytest.raises(WriteOffRefused, match="Already withdrawn"):
        write_off_add(batch=second, copies=[copy], user=librarian)
    with pytest.raises(WriteOffRefused):
        write_off_approve(batch=batch, user=administrator)
    assert CopyStatusChange.objects.filter(to_status=Copy.Status.WITHDRAWN).count() == 1


def test_a_copy_on_loan_cannot_join_a_batch(librarian):
    [copy] = copies()
    copy_set_status(copy=copy, to_status=Copy.Status.ON_LOAN)
    batch = write_off_create(reason=WriteOffBatch.Reason.LOST, user=librarian)
    with pytest.raises(WriteOffRefused, match=copy.barcode):
        write_off_add(batch=batch, copies=[copy], user=librarian)
    assert not batch.items.exists()


def test_approval_is_refused_whole_when_a_copy_was_lent_meanwhile(librarian, administrator):
    [first, second] = copies(2)
    batch = submitted_batch(librarian, first, second)
    copy_set_status(copy=second, to_status=Copy.Status.ON_LOAN)
    with pytest.raises(WriteOffRefused, match=second.barcode):
        write_off_approve(batch=batch, user=administrator)
    first.refresh_from_db()
    batch.refresh_from_db()
    assert first.status == Copy.Status.AVAILABLE
    assert batch.status == WriteOffBatch.Status.SUBMITTED


def test_barcodes_with_junk_or_unknown_ones_add_nothing(librarian):
    [copy] = copies()
    batch = write_off_create(reason=WriteOffBatch.Reason.OUTDATED, user=librarian)
    with pytest.raises(WriteOffRefused, match="line 2"):
        write_off_add_barcodes(batch=batch, text=f"{copy.barcode}\n=SUM(A1)\n", user=librarian)
    with pytest.raises(WriteOffRefused, match="T9999999"):
        write_off_add_barcodes(batch=batch, text=f"{copy.barcode}\nT9999999", user=librarian)
    assert not batch.items.exists()
    write_off_add_barcodes(batch=batch, text=f" {copy.barcode} \n\n{copy.barcode}", user=librarian)
    assert batch.items.count() == 1


def test_a_submitted_batch_cannot_change_until_sent_back(librarian, administrator):
    [first, second] = copies(2)
    batch = submitted_batch(librarian, first)
    with pytest.raises(WriteOffRefused):
        write_off_add(batch=batch, copies=[second], user=librarian)
    with pytest.raises(WriteOffRefused):
        write_off_return(batch=batch, user=administrator, comment="")
    write_off_return(batch=batch, user=administrator, comment="请核对价格")
    write_off_add(batch=batch, copies=[second], user=librarian)
    batch.refresh_from_db()
    assert (batch.status, batch.decision_comment) == (WriteOffBatch.Status.DRAFT, "请核对价格")
    assert batch.items.count() == 2


def test_an_empty_batch_cannot_be_submitted_and_a_cancelled_one_frees_its_copies(librarian):
    batch = write_off_create(reason=WriteOffBatch.Reason.TRANSFERRED, user=librarian)
    with pytest.raises(WriteOffRefused):
        write_off_submit(batch=batch, user=librarian)
    [copy] = copies()
    write_off_add(batch=batch, copies=[copy], user=librarian)
    write_off_cancel(batch=batch, user=librarian)
    other = write_off_create(reason=WriteOffBatch.Reason.TRANSFERRED, user=librarian)
    write_off_add(batch=other, copies=[copy], user=librarian)
    assert WriteOffItem.objects.filter(copy=copy).count() == 2  # the cancelled line is kept
    with pytest.raises(WriteOffRefused):
        write_off_create(reason="because", user=librarian)


# --- weeding ------------------------------------------------------------------------------------


def test_weeding_proposes_copies_not_lent_for_n_years(librarian):
    today = timezone.localdate()
    [old_unlent, old_lent_recently, old_lent_long_ago, new] = copies(4)
    Copy.objects.filter(pk__in=[old_unlent.pk, old_lent_recently.pk, old_lent_long_ago.pk]).update(
        acquired_on=today - timedelta(days=365 * 8)
    )
    copy_set_status(copy=old_lent_recently, to_status=Copy.Status.ON_LOAN)
    copy_set_status(copy=old_lent_recently, to_status=Copy.Status.AVAILABLE)
    copy_set_status(copy=old_lent_long_ago, to_status=Copy.Status.ON_LOAN)
    copy_set_status(copy=old_lent_long_ago, to_status=Copy.Status.AVAILABLE)
    CopyStatusChange.objects.filter(copy=old_lent_long_ago).update(
        changed_at=timezone.now() - timedelta(days=365 * 6)
    )
    found = list(weeding_candidates(WeedingCriteria(criterion=WeedingCriteria.NOT_LENT, years=5)))
    assert {copy.pk for copy in found} == {old_unlent.pk, old_lent_long_ago.pk}
    assert next(copy for copy in found if copy.pk == old_lent_long_ago.pk).last_lent is not None
    # already in a batch: no longer proposed
    batch = write_off_create(reason=WriteOffBatch.Reason.OUTDATED, user=librarian)
    write_off_add(batch=batch, copies=[old_unlent], user=librarian)
    found = weeding_candidates(WeedingCriteria(criterion=WeedingCriteria.NOT_LENT, years=5))
    assert [copy.pk for copy in found] == [old_lent_long_ago.pk]
    assert new.pk not in {copy.pk for copy in found}


def test_weeding_proposes_older_editions_and_old_books_in_chosen_classes():
    old = RecordFactory(title="电脑入门", authors=["张三"], year=2005, clc_code="TP3", copies=1)
    RecordFactory(title="电脑入门", authors=["张三"], year=2020, clc_code="TP3", copies=1)
    RecordFactory(title="电脑入门", authors=["李四"], year=2001, clc_code="TP3", copies=1)  # another author
    fairy_tales = RecordFactory(title="格林童话", authors=["格林"], year=1990, clc_code="I516.8", copies=1)
    found = weeding_candidates(WeedingCriteria(criterion=WeedingCriteria.OLD_EDITIONS))
    assert [copy.record_id for copy in found] == [old.pk]
    found = weeding_candidates(
        WeedingCriteria(criterion=WeedingCriteria.OLD_IN_CLASSES, years=10, classes=["TP"])
    )
    assert {copy.record.year for copy in found} == {2005, 2001}
    assert fairy_tales.pk not in {copy.record_id for copy in found}


def test_weeding_proposes_the_surplus_copies_of_titles_nobody_borrows():
    """Five copies of an unread title: the three newest are kept, the two oldest proposed. A
    title with a copy lent last month, and a title with only three copies, keep all theirs."""
    today = timezone.localdate()
    unread = RecordFactory(title="统计年鉴", copies=5)
    for age, copy in enumerate(unread.copies.order_by("pk")):
        Copy.objects.filter(pk=copy.pk).update(acquired_on=today - timedelta(days=400 * (5 - age)))
    read = RecordFactory(title="哈利·波特", copies=5)
    lent = read.copies.first()
    copy_set_status(copy=lent, to_status=Copy.Status.ON_LOAN)
    copy_set_status(copy=lent, to_status=Copy.Status.AVAILABLE)
    RecordFactory(title="字典", copies=3)
    found = list(weeding_candidates(WeedingCriteria(criterion=WeedingCriteria.SURPLUS, years=2, keep=3)))
    oldest_two = list(unread.copies.order_by("acquired_on").values_list("pk", flat=True)[:2])
    assert sorted(copy.pk for copy in found) == sorted(oldest_two)


# --- stocktaking --------------------------------------------------------------------------------


@pytest.fixture
def shelves():
    """书库 with five copies on shelf A-01 (one of them on loan) and one on B-02; the reading
    room with one copy."""
    stacks = location_default()
    reading_room = Location.objects.exclude(pk=stacks.pk).first()
    here = copies(5)
    Copy.objects.filter(pk__in=[copy.pk for copy in here]).update(shelf="A-01")
    [other_shelf] = copies()
    Copy.objects.filter(pk=other_shelf.pk).update(shelf="B-02")
    [elsewhere] = copies()
    Copy.objects.filter(pk=elsewhere.pk).update(location=reading_room)
    copy_set_status(copy=here[4], to_status=Copy.Status.ON_LOAN)
    return {"stacks": stacks, "here": here, "other_shelf": other_shelf, "elsewhere": elsewhere}


def test_a_stocktake_finds_missing_misplaced_on_loan_and_unknown(shelves, librarian):
    here = shelves["here"]
    stocktake = stocktake_start(
        location=shelves["stacks"], shelf_from="A-01", shelf_to="A-09", user=librarian
    )
    text = "\n".join(
        [here[0].barcode, here[1].barcode, shelves["elsewhere"].barcode, "X0000001", here[0].barcode]
    )
    assert stocktake_scan_text(stocktake=stocktake, text=text, user=librarian) == (4, 4)
    _scan, created = stocktake_scan(
        stocktake=stocktake, barcode=shelves["other_shelf"].barcode, user=librarian
    )
    assert created
    report = stocktake_report(stocktake)
    assert report.scanned == 5
    assert report.expected == 4
    assert [copy.pk for copy in report.missing] == [here[2].pk, here[3].pk]
    assert {copy.pk for copy in report.misplaced} == {shelves["elsewhere"].pk, shelves["other_shelf"].pk}
    assert [(copy.pk, copy.scanned) for copy in report.on_loan] == [(here[4].pk, False)]
    assert report.unknown == ["X0000001"]

    assert stocktake_confirm(stocktake=stocktake, user=librarian) == 2
    assert set(Copy.objects.filter(status=Copy.Status.LOST).values_list("pk", flat=True)) == {
        here[2].pk,
        here[3].pk,
    }
    assert CopyStatusChange.objects.filter(to_status=Copy.Status.LOST, changed_by=librarian).count() == 2
    # a second confirmation changes nothing
    assert stocktake_confirm(stocktake=stocktake, user=librarian) == 0
    assert CopyStatusChange.objects.filter(to_status=Copy.Status.LOST).count() == 2
    assert StocktakeLoss.objects.filter(stocktake=stocktake).count() == 2
    stocktake.refresh_from_db()
    report = stocktake_report(stocktake)
    assert report.missing_count == 2  # as it was when confirmed
    with pytest.raises(StocktakeRefused):
        stocktake_scan(stocktake=stocktake, barcode=here[2].barcode, user=librarian)


def test_a_barcode_file_with_junk_lines_saves_nothing(shelves, librarian):
    stocktake = stocktake_start(location=shelves["stacks"], user=librarian)
    with pytest.raises(StocktakeRefused, match="line 2") as refusal:
        stocktake_scan_text(
            stocktake=stocktake, text=f"{shelves['here'][0].barcode}\n条码 ？？\n", user=librarian
        )
    assert "nothing was saved" in str(refusal.value)
    with pytest.raises(StocktakeRefused):
        stocktake_scan_text(stocktake=stocktake, text="\n\n", user=librarian)
    with pytest.raises(StocktakeRefused):
        stocktake_scan(stocktake=stocktake, barcode="", user=librarian)
    assert not StocktakeScan.objects.exists()


def test_a_shelf_range_backwards_is_refused(shelves):
    with pytest.raises(StocktakeRefused):
        stocktake_start(location=shelves["stacks"], shelf_from="B", shelf_to="A")
    assert not Stocktake.objects.exists()


def test_each_scan_is_answered_with_what_it_found(shelves, librarian):
    here = shelves["here"]
    stocktake = stocktake_start(
        location=shelves["stacks"], shelf_from="A-01", shelf_to="A-09", user=librarian
    )
    copy_set_status(copy=here[3], to_status=Copy.Status.IN_REPAIR)
    answers = {}
    for barcode in (
        here[0].barcode,
        here[3].barcode,
        here[4].barcode,
        shelves["other_shelf"].barcode,
        shelves["elsewhere"].barcode,
        "X0000001",
        here[0].barcode,
    ):
        _scan, created = stocktake_scan(stocktake=stocktake, barcode=barcode, user=librarian)
        outcome, copy = stocktake_scan_outcome(stocktake, barcode, new=created)
        answers.setdefault(barcode, []).append((outcome, copy.pk if copy else None))
    assert answers == {
        here[0].barcode: [("here", here[0].pk), ("again", here[0].pk)],
        here[3].barcode: [("status", here[3].pk)],
        here[4].barcode: [("on_loan", here[4].pk)],
        shelves["other_shelf"].barcode: [("misplaced", shelves["other_shelf"].pk)],
        shelves["elsewhere"].barcode: [("misplaced", shelves["elsewhere"].pk)],
        "X0000001": [("unknown", None)],
    }


def test_a_copy_lent_after_the_scan_is_not_made_lost(shelves, librarian):
    here = shelves["here"]
    stocktake = stocktake_start(
        location=shelves["stacks"], shelf_from="A-01", shelf_to="A-01", user=librarian
    )
    stocktake_scan_text(
        stocktake=stocktake, text="\n".join(copy.barcode for copy in here[:3]), user=librarian
    )
    copy_set_status(copy=here[3], to_status=Copy.Status.ON_LOAN)  # lent meanwhile
    assert stocktake_confirm(stocktake=stocktake, user=librarian) == 0
    here[3].refresh_from_db()
    assert here[3].status == Copy.Status.ON_LOAN


def test_the_report_takes_the_same_queries_whatever_the_size(
    shelves, librarian, django_assert_max_num_queries
):
    stocktake = stocktake_start(location=shelves["stacks"], user=librarian)
    stocktake_scan_text(
        stocktake=stocktake, text="\n".join(copy.barcode for copy in shelves["here"]), user=librarian
    )
    with django_assert_max_num_queries(12):
        stocktake_report(stocktake)
    copies(30)
    with django_assert_max_num_queries(12):
        stocktake_report(stocktake)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent scans need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalog_defaults")
def test_concurrent_scans_of_the_same_barcode_leave_one_row():
    from django.db import connections

    [copy] = copies()
    stocktake = stocktake_start(location=location_default())
    barrier = threading.Barrier(6)
    results, errors = [], []

    def scan():
        try:
            barrier.wait()
            results.append(stocktake_scan(stocktake=stocktake, barcode=copy.barcode)[1])
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False] * 5 + [True]
    assert StocktakeScan.objects.filter(stocktake=stocktake).count() == 1


def test_unknown_barcode_for_repairs_is_refused():
    from catalog.selectors.copies import copy_get_by_barcode

    with pytest.raises(CatalogError, match="T404"):
        copy_get_by_barcode("T404")
