"""Money (issue 14 point 10): charges recorded when a book is lost, damaged or (when the school
fines) late; paid in cash with a receipt numbered without gaps, waived or cancelled with a
reason by someone with the right; the day's cash list; the block while money is owed; and who
may see what."""

import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from circulation.exceptions import (
    ChargeRefused,
    MoneyOwed,
    PaymentRefused,
    ReasonRequired,
    StateRefused,
    UndoRefused,
    WaiveRefused,
)
from circulation.models import (
    Charge,
    CirculationSettings,
    Compensation,
    DeskAction,
    LoanPolicy,
    Payment,
    ReceiptCounter,
)
from circulation.money import money, money_parse, yuan
from circulation.policies import lending_rules_forget
from circulation.printing.charges import receipt_pdf
from circulation.selectors.charges import cash_list, payment_receipt, reader_charges
from circulation.services.charges import charge_damaged, charge_settle, charges_pay
from circulation.services.leavers import compensation_mark_paid
from circulation.services.loans import loan_checkout, loan_mark_lost, loan_return, loan_undo
from circulation.states import CHARGE_STATES
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.system.submissions import submission_token

from .factories import ReaderFactory, copies_of

pytestmark = pytest.mark.django_db
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.LIBRARIAN], full_name="王老师")


@pytest.fixture
def volunteer():
    return UserFactory(roles=[Role.VOLUNTEER], full_name="李同学")


@pytest.fixture
def pupil():
    return ReaderFactory(full_name="张小明")


def lend(reader, copy, user, today=WEDNESDAY):
    return loan_checkout(reader=reader, copy=copy, user=user, desk="前台", today=today).loan


def lost_charge(reader, user, price="25.80"):
    (copy,) = copies_of("草房子", price=Decimal(price))
    loan_mark_lost(loan=lend(reader, copy, user), user=user, desk="前台")
    return Charge.objects.get(loan__copy=copy)


# --- money ------------------------------------------------------------------------------------


def test_money_is_decimal_with_two_places_and_never_a_float():
    assert money("25.8") == Decimal("25.80") and str(money(Decimal("1.005"))) == "1.01"
    assert yuan(Decimal("51.6")) == "¥51.60"
    with pytest.raises(TypeError):
        money(25.8)
    assert money_parse("¥12.5") == Decimal("12.50")
    assert [money_parse(text) for text in ("0", "-3", "1.234", "abc", "NaN", "", "100000")] == [None] * 7


# --- charges recorded -------------------------------------------------------------------------


def test_a_lost_book_is_charged_its_price_times_the_multiplier_with_the_rule(pupil, staff):
    charge = lost_charge(pupil, staff)
    assert (charge.kind, charge.state, charge.amount) == (
        Charge.Kind.LOST,
        Charge.State.OWED,
        Decimal("51.60"),
    )
    assert charge.reader == pupil and charge.compensation == Compensation.objects.get()
    assert "25.80" in charge.rule and "2" in charge.rule
    audit = DeskAction.objects.get(action=DeskAction.Action.CHARGE)
    assert audit.user == staff and audit.reader == pupil and "¥51.60" in audit.message


def test_a_late_return_is_fined_only_when_the_school_fines(pupil, staff):
    CirculationSettings.objects.update(suspension_days_per_late_day=0)
    lending_rules_forget()
    (copy,) = copies_of("草房子")
    loan = lend(pupil, copy, staff)
    loan_return(copy=copy, user=staff, today=loan.due_on + timedelta(days=3))
    assert not Charge.objects.exists()  # fines off by default (many primary schools do not fine)

    CirculationSettings.objects.update(
        fines_enabled=True,
        fine_per_day=Decimal("0.10"),
        fine_max=Decimal("0.50"),
        suspension_days_per_late_day=0,
    )
    lending_rules_forget()
    (other,) = copies_of("青铜葵花")
    loan = lend(pupil, other, staff, today=loan.due_on + timedelta(days=3))
    result = loan_return(copy=other, user=staff, today=loan.due_on + timedelta(days=9))
    charge = Charge.objects.get()
    assert (charge.kind, charge.amount, charge.loan_id) == (Charge.Kind.LATE, Decimal("0.50"), loan.pk)
    assert "¥0.50" in result.message  # said at the desk, never charged silently
    assert "0.50" in charge.rule


def test_undoing_a_fined_return_cancels_the_fine_but_not_once_paid(pupil, staff):
    CirculationSettings.objects.update(fines_enabled=True, fine_per_day=Decimal("0.20"))
    lending_rules_forget()
    (copy,) = copies_of("草房子")
    loan = lend(pupil, copy, staff, today=timezone.localdate() - timedelta(days=40))
    result = loan_return(copy=copy, user=staff)
    loan_undo(action=result.action, user=staff)
    charge = Charge.objects.get()
    assert charge.state == Charge.State.CANCELLED and charge.close_reason

    result = loan_return(copy=copy, user=staff)
    fine = Charge.objects.get(state=Charge.State.OWED)
    charges_pay(reader=pupil, charge_ids=[fine.pk], user=staff)
    with pytest.raises(UndoRefused):
        loan_undo(action=result.action, user=staff)
    loan.refresh_from_db()
    assert loan.state == "returned"


def test_a_damaged_book_is_charged_its_share_of_the_price_or_what_is_typed(pupil, staff):
    (copy,) = copies_of("草房子", price=Decimal("30.00"))
    lend(pupil, copy, staff)
    loan_return(copy=copy, user=staff, damaged=True)
    charge = charge_damaged(reader=pupil, barcode=copy.barcode, user=staff, note="封面撕破")
    assert (charge.kind, charge.amount, charge.note) == (Charge.Kind.DAMAGED, Decimal("15.00"), "封面撕破")
    with pytest.raises(ChargeRefused):  # once per loan
        charge_damaged(reader=pupil, barcode=copy.barcode, user=staff, amount=Decimal("3"))
    charge_settle(charge=charge, to_state=Charge.State.CANCELLED, user=staff, reason="价格错了")
    again = charge_damaged(reader=pupil, barcode=copy.barcode, user=staff, amount=Decimal("8.5"))
    assert again.amount == Decimal("8.50")


def test_a_damaged_charge_is_refused_for_a_copy_never_lent_to_the_reader(pupil, staff):
    other = ReaderFactory()
    (copy,) = copies_of("草房子", price=Decimal("30.00"))
    lend(other, copy, staff)
    with pytest.raises(ChargeRefused):
        charge_damaged(reader=pupil, barcode=copy.barcode, user=staff)
    with pytest.raises(ChargeRefused):
        charge_damaged(reader=pupil, barcode="NO-SUCH", user=staff)
    assert not Charge.objects.exists()


# --- paid, waived, cancelled --------------------------------------------------------------------


def test_payment_numbers_receipts_without_gaps_and_settles_the_compensation(pupil, staff):
    first, second = lost_charge(pupil, staff), lost_charge(pupil, staff, price="10")
    payment = charges_pay(reader=pupil, charge_ids=[first.pk, second.pk], user=staff, desk="前台")
    year = timezone.localdate().year
    assert (payment.number, payment.sequence, payment.amount) == (f"{year}-000001", 1, Decimal("71.60"))
    assert set(Charge.objects.values_list("state", flat=True)) == {Charge.State.PAID}
    assert Compensation.objects.filter(paid_at__isnull=True).count() == 0
    third = lost_charge(pupil, staff, price="5")
    with pytest.raises(PaymentRefused):  # a refused payment takes no number
        charges_pay(reader=pupil, charge_ids=[first.pk, third.pk], user=staff)
    assert charges_pay(reader=pupil, charge_ids=[third.pk], user=staff).number == f"{year}-000002"
    assert ReceiptCounter.objects.get(year=year).last == 2
    audit = DeskAction.objects.filter(action=DeskAction.Action.PAYMENT).first()
    assert audit.user == staff and audit.reader == pupil and f"{year}-000002" in audit.message


def test_a_rolled_back_payment_gives_its_number_back(pupil, staff):
    charge = lost_charge(pupil, staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        charges_pay(reader=pupil, charge_ids=[charge.pk], user=staff)
        raise RuntimeError("the printer caught fire")
    assert charges_pay(reader=pupil, charge_ids=[charge.pk], user=staff).sequence == 1


def test_another_readers_charge_cannot_be_paid_with_this_one(pupil, staff):
    other = ReaderFactory()
    theirs, mine = lost_charge(other, staff), lost_charge(pupil, staff)
    with pytest.raises(PaymentRefused):
        charges_pay(reader=pupil, charge_ids=[mine.pk, theirs.pk], user=staff)
    assert not Payment.objects.exists() and Charge.objects.filter(state=Charge.State.OWED).count() == 2


def test_a_volunteer_takes_cash_but_cannot_waive_or_cancel(pupil, volunteer, staff):
    charge = lost_charge(pupil, staff)
    for state in (Charge.State.WAIVED, Charge.State.CANCELLED):
        with pytest.raises(WaiveRefused):
            charge_settle(charge=charge, to_state=state, user=volunteer, reason="家里困难")
    charge.refresh_from_db()
    assert charge.state == Charge.State.OWED and not DeskAction.objects.filter(action="waive").exists()
    assert charges_pay(reader=pupil, charge_ids=[charge.pk], user=volunteer).taken_by == volunteer


def test_waiving_needs_a_reason_and_is_audited(pupil, staff):
    charge = lost_charge(pupil, staff)
    with pytest.raises(ReasonRequired):
        charge_settle(charge=charge, to_state=Charge.State.WAIVED, user=staff, reason="  ")
    charge = charge_settle(
        charge=charge, to_state=Charge.State.WAIVED, user=staff, reason="家庭困难，校长同意"
    )
    assert (charge.state, charge.closed_by, charge.close_reason) == (
        Charge.State.WAIVED,
        staff,
        "家庭困难，校长同意",
    )
    audit = DeskAction.objects.get(action=DeskAction.Action.WAIVE)
    assert audit.user == staff and audit.override_reason == "家庭困难，校长同意"
    with pytest.raises(WaiveRefused):  # settled once: no move out of "waived"
        charge_settle(charge=charge, to_state=Charge.State.CANCELLED, user=staff, reason="again")
    with pytest.raises(PaymentRefused):
        charges_pay(reader=pupil, charge_ids=[charge.pk], user=staff)
    assert Charge.objects.count() == 1  # nothing deleted


def test_the_charge_table_allows_only_owed_to_settled():
    assert {(m.source, m.target) for m in CHARGE_STATES} == {
        ("owed", "paid"),
        ("owed", "waived"),
        ("owed", "cancelled"),
    }
    with pytest.raises(StateRefused):
        CHARGE_STATES.check("paid", "owed")


def test_the_leavers_mark_paid_pays_the_charge_with_a_receipt(pupil, staff):
    lost_charge(pupil, staff)
    assert compensation_mark_paid(compensation=Compensation.objects.get(), user=staff) is True
    assert Payment.objects.get().charges.get().state == Charge.State.PAID
    assert compensation_mark_paid(compensation=Compensation.objects.get(), user=staff) is False
    assert Payment.objects.count() == 1


# --- the block ------------------------------------------------------------------------------------


def test_money_owed_blocks_borrowing_when_the_policy_says_so_and_may_be_overridden(pupil, staff):
    lost_charge(pupil, staff)
    (copy,) = copies_of("青铜葵花")
    lend(pupil, copy, staff)  # the policy does not block: lent
    loan_return(copy=copy, user=staff, today=WEDNESDAY)
    LoanPolicy.objects.update(block_on_money_owed=True)
    lending_rules_forget()
    with pytest.raises(MoneyOwed) as refusal:
        lend(pupil, copy, staff)
    assert "¥51.60" in str(refusal.value.message)
    result = loan_checkout(reader=pupil, copy=copy, user=staff, today=WEDNESDAY, override_reason="校长批准")
    assert "¥51.60" in result.message
    loan_return(copy=copy, user=staff, today=WEDNESDAY)
    charges_pay(reader=pupil, charge_ids=Charge.objects.values_list("pk", flat=True), user=staff)
    assert lend(pupil, copy, staff).state == "open"


# --- pages ----------------------------------------------------------------------------------------


def _pay_post(client, reader, charges, token):
    return client.post(
        reverse("circulation:charges-pay", args=[reader.pk]),
        {"charge": [charge.pk for charge in charges], "token": token},
    )


def test_a_double_submitted_payment_charges_once(client, pupil, staff):
    charge = lost_charge(pupil, staff)
    client.force_login(staff)
    token = submission_token()
    first = _pay_post(client, pupil, [charge], token)
    second = _pay_post(client, pupil, [charge], token)
    payment = Payment.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("circulation:payment-receipt", args=[payment.pk])
    assert Payment.objects.count() == 1 and ReceiptCounter.objects.get().last == 1
    # A fresh form for what is paid already is refused, and charges nothing.
    third = _pay_post(client, pupil, [charge], submission_token())
    assert (
        third.url == reverse("circulation:reader-charges", args=[pupil.pk]) and Payment.objects.count() == 1
    )


def test_the_charges_page_pays_waives_and_charges_damage_with_constant_queries(
    client, pupil, staff, django_assert_max_num_queries
):
    for price in ("10", "20", "30"):
        lost_charge(pupil, staff, price=price)
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    with django_assert_max_num_queries(14):
        page = client.get(reverse("circulation:reader-charges", args=[pupil.pk])).content.decode()
    assert "¥120.00" in page and page.count("data-settle=") == 3
    charge = Charge.objects.order_by("pk").first()
    client.post(reverse("circulation:charge-settle", args=[charge.pk]), {"to_state": "waived", "reason": ""})
    charge.refresh_from_db()
    assert charge.state == Charge.State.OWED  # no reason, nothing changed
    response = client.post(
        reverse("circulation:charge-damaged", args=[pupil.pk]), {"barcode": "X", "amount": "-5"}
    )
    assert response.status_code == 400 and "more than zero" in response.content.decode()
    assert Charge.objects.count() == 3


def test_a_volunteer_sees_no_waive_form_and_the_waive_post_is_refused(client, pupil, staff, volunteer):
    charge = lost_charge(pupil, staff)
    client.force_login(volunteer)
    page = client.get(reverse("circulation:reader-charges", args=[pupil.pk])).content.decode()
    assert "data-pay" in page and "data-settle=" not in page
    client.post(reverse("circulation:charge-settle", args=[charge.pk]), {"to_state": "waived", "reason": "x"})
    charge.refresh_from_db()
    assert charge.state == Charge.State.OWED


def test_a_pupil_sees_only_their_own_charges_and_receipts(client, pupil, staff):
    other = ReaderFactory(full_name="李小红")
    mine, theirs = lost_charge(pupil, staff), lost_charge(other, staff, price="9")
    my_payment = charges_pay(reader=pupil, charge_ids=[mine.pk], user=staff)
    their_payment = charges_pay(reader=other, charge_ids=[theirs.pk], user=staff)
    lost_charge(pupil, staff, price="3")
    client.force_login(pupil.user)
    page = client.get(reverse("circulation:my-library")).content.decode()
    assert "¥6.00" in page and my_payment.number in page and their_payment.number not in page
    assert client.get(reverse("circulation:payment-receipt", args=[my_payment.pk])).status_code == 200
    assert client.get(reverse("circulation:payment-receipt", args=[their_payment.pk])).status_code == 404
    assert client.get(reverse("circulation:payment-receipt-pdf", args=[their_payment.pk])).status_code == 404
    assert client.get(reverse("circulation:reader-charges", args=[other.pk])).status_code == 403
    assert client.get(reverse("circulation:cash-list")).status_code == 403
    response = client.post(
        reverse("circulation:charges-pay", args=[pupil.pk]), {"charge": [mine.pk], "token": "t"}
    )
    assert response.status_code == 403


def test_the_receipt_pdf_embeds_the_chinese_font_on_80mm_and_a4(pupil, staff):
    payment = charges_pay(reader=pupil, charge_ids=[lost_charge(pupil, staff).pk], user=staff)
    payment = payment_receipt(payment.pk)
    for paper in ("80mm", "a4"):
        pdf = receipt_pdf(payment=payment, paper=paper)
        assert pdf.startswith(b"%PDF") and b"FontFile2" in pdf
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=receipt_pdf(payment=payment), capture_output=True, check=True
        ).stdout.decode()
        assert payment.number in text and "¥51.60" in text and "草房子" in text


def test_the_cash_list_totals_the_day_and_its_xlsx_escapes_formulas(client, pupil, staff):
    charge = lost_charge(pupil, staff)
    Charge.objects.filter(pk=charge.pk).update()  # the title below is the record's
    charge.copy.record.title = "=HYPERLINK(1)"
    charge.copy.record.save(update_fields=["title"])
    charges_pay(reader=pupil, charge_ids=[charge.pk], user=staff)
    other = lost_charge(pupil, staff, price="1")
    charge_settle(charge=other, to_state=Charge.State.WAIVED, user=staff, reason="赠书")
    listing = cash_list(timezone.localdate())
    assert listing["total"] == Decimal("51.60") and listing["people"][0]["count"] == 1
    assert [c.pk for c in listing["waived"]] == [other.pk]
    assert cash_list(timezone.localdate() - timedelta(days=1))["total"] == Decimal("0.00")
    client.force_login(staff)
    response = client.get(reverse("circulation:cash-list-xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][5] == "'=HYPERLINK(1)" and Decimal(str(rows[1][6])) == Decimal("51.60")
    assert Decimal(str(rows[-1][6])) == Decimal("51.60")
    page = client.get(reverse("circulation:cash-list")).content.decode()
    assert "¥51.60" in page and "赠书" in page
    assert client.get(reverse("circulation:cash-list"), {"day": "2026-13-45"}).status_code == 302


def test_the_reader_story_and_the_desk_panel_show_what_is_owed(client, pupil, staff):
    lost_charge(pupil, staff)
    client.force_login(staff)
    story = client.get(reverse("circulation:reader-detail", args=[pupil.pk])).content.decode()
    assert 'data-story="charges"' in story and "¥51.60" in story
    desk = client.post(reverse("circulation:desk-reader", args=[pupil.pk])).content.decode()
    assert 'data-money-owed="51.60"' in desk
    assert reader_charges(pupil.pk)["owed_total"] == Decimal("51.60")


def test_the_receipt_says_paid_in_cash_in_sentence_case_on_screen_and_on_paper(client, pupil, staff):
    """The method's label is a column's word ("Cash"); in a sentence it is "Paid in cash, …" in
    English and "现金支付，…" in Chinese, never "Paid in Cash"."""
    payment = charges_pay(reader=pupil, charge_ids=[lost_charge(pupil, staff).pk], user=staff)
    client.force_login(staff)
    for language, right in (("en", "Paid in cash, "), ("zh-hans", "现金支付，")):
        client.cookies["django_language"] = language
        page = client.get(reverse("circulation:payment-receipt", args=[payment.pk])).content.decode()
        assert right in page and "Paid in Cash" not in page, language
    with translation.override("en"):
        text = subprocess.run(
            ["pdftotext", "-", "-"],
            input=receipt_pdf(payment=payment_receipt(payment.pk)),
            capture_output=True,
            check=True,
        ).stdout.decode()
    assert "Paid in cash, " in " ".join(text.split()) and "Paid in Cash" not in text
