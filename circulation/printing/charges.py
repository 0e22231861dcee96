"""The receipt (收据) of a payment at the desk: the library, the receipt's number, the reader,
each charge paid (what for, the book, the amount), the total in yuan, how and when it was paid
and who took it. Printed on an 80 mm receipt printer (a strip as long as the charges need) or
on A4 (the receipt at the top of the page, with a cutting line), in the embedded Chinese font
so it prints the same on any PC."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from catalog.labels import library_name_for_labels
from library_site.documents.exceptions import DocumentError
from library_site.documents.pdf import label_font, text_ascent, text_descent, text_fit
from library_site.system.templatetags.punctuation import bracketed

from ..exceptions import CirculationError
from ..models import Payment
from ..money import yuan

PAPERS = ("80mm", "a4")
RECEIPT_WIDTH = 80 * mm


def receipt_lines(
    payment: Payment,
) -> tuple[list[tuple[float, str]], list[tuple[str, str]], list[tuple[float, str]]]:
    """The receipt's head (centred lines with their size), its rows (what for, amount) and
    its foot (centred lines), from a payment read by ``payment_receipt``."""
    reader = payment.reader
    where = reader.school_class.name if reader.school_class_id else reader.department
    taken_at = timezone.localtime(payment.taken_at)
    head = [
        (9, library_name_for_labels() or _("School library")),
        (15, pgettext("printed receipt", "Receipt")),
        (10, _("Receipt No. %(number)s") % {"number": payment.number}),
        (12, reader.name),
        (9, f"{where} · {_('No.')} {reader.number}" if where else f"{_('No.')} {reader.number}"),
    ]
    rows = []
    for charge in payment.charges.all():
        what = charge.get_kind_display()
        if charge.copy_id:
            colon = pgettext("punctuation after a label", ": ")
            what = f"{what}{colon}{bracketed(charge.copy.record.title, charge.copy.barcode)}"
        rows.append((what, yuan(charge.amount)))
    foot = [
        (13, _("Total %(amount)s") % {"amount": yuan(payment.amount)}),
        (
            9,
            _("Paid in %(method)s, %(when)s")
            % {
                "method": payment.method_in_sentence,
                "when": date_format(taken_at, "SHORT_DATETIME_FORMAT"),
            },
        ),
        (9, pgettext("receipt", "Taken by %(name)s") % {"name": payment.taken_by.display_name}),
        (8, _("Keep this receipt.")),
    ]
    return head, rows, foot


def receipt_pdf(*, payment: Payment, paper: str = "80mm") -> bytes:
    """The receipt as PDF bytes, on an 80 mm strip or an A4 page."""
    if paper not in PAPERS:
        raise CirculationError(_("Unknown paper: choose 80 mm or A4."))
    try:
        font = label_font()
    except DocumentError as error:
        raise CirculationError(error.message) from error
    head, rows, foot = receipt_lines(payment)
    margin = 5 * mm if paper == "80mm" else 20 * mm
    paper_width = RECEIPT_WIDTH if paper == "80mm" else A4[0]
    width = (RECEIPT_WIDTH if paper == "80mm" else 100 * mm) - 2 * 5 * mm
    row_size, gap = 9, 9 * 0.6
    needed = (
        sum(text_ascent(font, s) + text_descent(font, s) + s * 0.6 for s, _t in head + foot)
        + len(rows) * (text_ascent(font, row_size) + text_descent(font, row_size) + gap)
        + 12 * mm
    )
    page_size = (RECEIPT_WIDTH, needed + 2 * margin) if paper == "80mm" else A4
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(output, pagesize=page_size, pageCompression=1, initialFontName=font)
    canvas.setTitle(_("Receipt %(number)s") % {"number": payment.number})
    canvas.setCreator("School library")
    centre = paper_width / 2
    left, right = centre - width / 2, centre + width / 2
    y = page_size[1] - margin

    def centred(size: float, text: str) -> None:
        nonlocal y
        canvas.setFont(font, size)
        y -= text_ascent(font, size)
        canvas.drawCentredString(centre, y, text_fit(text, font, size, width))
        y -= text_descent(font, size) + size * 0.6

    def rule() -> None:
        nonlocal y
        canvas.saveState()
        canvas.setStrokeGray(0.5)
        canvas.setLineWidth(0.4)
        canvas.line(left, y, right, y)
        canvas.restoreState()
        y -= 3 * mm

    for size, text in head:
        centred(size, text)
    rule()
    canvas.setFont(font, row_size)
    for what, amount in rows:
        y -= text_ascent(font, row_size)
        amount_width = canvas.stringWidth(amount, font, row_size)
        canvas.drawString(left, y, text_fit(what, font, row_size, width - amount_width - 3 * mm))
        canvas.drawRightString(right, y, amount)
        y -= text_descent(font, row_size) + gap
    rule()
    for size, text in foot:
        centred(size, text)
    if paper == "a4":
        canvas.saveState()
        canvas.setStrokeGray(0.6)
        canvas.setDash(3, 3)
        canvas.setLineWidth(0.4)
        bottom = y - 5 * mm
        canvas.line(5 * mm, bottom, A4[0] - 5 * mm, bottom)
        canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def cash_list_xlsx(target, listing: dict) -> int:
    """The day's cash list (``selectors.charges.cash_list``) as .xlsx: one row per charge paid
    (receipt, time, reader, class, what for, amount, taken by), the day's total below, then the
    charges waived or cancelled. Every text cell goes through ``spreadsheet_safe`` (a title
    beginning with = cannot run as a formula). Returns the rows written."""
    from library_site.documents.sheets import spreadsheet_safe
    from library_site.documents.xlsx import XlsxStreamWriter

    def safe(row):
        return [spreadsheet_safe(value) for value in row]

    header = [
        _("Receipt No."),
        pgettext("time of day", "Time"),
        _("Reader"),
        pgettext("school class", "Class"),
        pgettext("charge", "For"),
        pgettext("book", "Book"),
        _("Amount (yuan)"),
        pgettext("receipt", "Taken by"),
    ]
    rows = [header]
    for payment in listing["payments"]:
        reader = payment.reader
        for charge in payment.charges.all():
            rows.append(
                safe(
                    [
                        payment.number,
                        date_format(timezone.localtime(payment.taken_at), "H:i"),
                        reader.name,
                        reader.school_class.name if reader.school_class_id else reader.department,
                        charge.get_kind_display(),
                        charge.copy.record.title if charge.copy_id else "",
                        charge.amount,
                        payment.taken_by.display_name,
                    ]
                )
            )
    written = len(rows) - 1
    rows.append(["", "", "", "", "", _("Total"), listing["total"], ""])
    waived = [
        _("Waived or cancelled"),
        pgettext("time of day", "Time"),
        _("Reader"),
        pgettext("school class", "Class"),
        pgettext("charge", "For"),
        pgettext("book", "Book"),
        _("Amount (yuan)"),
        _("Reason"),
    ]
    waived_rows = [waived]
    for charge in listing["waived"]:
        reader = charge.reader
        waived_rows.append(
            safe(
                [
                    charge.get_state_display(),
                    date_format(timezone.localtime(charge.closed_at), "H:i"),
                    reader.name,
                    reader.school_class.name if reader.school_class_id else reader.department,
                    charge.get_kind_display(),
                    charge.copy.record.title if charge.copy_id else "",
                    charge.amount,
                    bracketed(
                        charge.close_reason, charge.closed_by.display_name if charge.closed_by_id else ""
                    ),
                ]
            )
        )
    with XlsxStreamWriter(target) as writer:
        writer.add_sheet(
            _("Cash %(day)s") % {"day": listing["day"].isoformat()},
            rows,
            widths=[14, 8, 12, 14, 12, 30, 12, 12],
            header_rows=1,
        )
        writer.add_sheet(
            _("Waived or cancelled"), waived_rows, widths=[14, 8, 12, 14, 12, 30, 12, 30], header_rows=1
        )
    return written
