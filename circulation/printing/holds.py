"""The hold slip (预约取书单) put in a book that a return has kept for a reader: the reader,
their class, the title, the copy's barcode and the day to collect it by. Printed on an 80 mm
receipt printer (a strip as long as it needs) or on A4 (the slip at the top of the page, with
a cutting line), in the labels' embedded Chinese font so it prints the same on any PC."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from catalog.labels import library_name_for_labels
from library_site.dates import date_text
from library_site.documents.exceptions import DocumentError
from library_site.documents.pdf import label_font, text_ascent, text_descent, text_fit

from ..exceptions import CirculationError
from ..models import Hold

PAPERS = ("80mm", "a4")
RECEIPT_WIDTH = 80 * mm
RECEIPT_HEIGHT = 110 * mm
A4_SLIP_HEIGHT = 110 * mm


def hold_slip_lines(hold: Hold) -> list[tuple[float, str]]:
    """The slip's lines, top to bottom, each with its font size."""
    reader = hold.reader
    where = reader.school_class.name if reader.school_class_id else reader.department
    return [
        (9, library_name_for_labels() or _("School library")),
        (15, _("Kept for you")),
        (20, reader.name),
        (12, f"{where} · {_('No.')} {reader.number}" if where else f"{_('No.')} {reader.number}"),
        (11, hold.record.title),
        (10, hold.copy.barcode if hold.copy_id else ""),
        (
            13,
            _("Collect by %(date)s") % {"date": date_text(hold.collect_by) if hold.collect_by else "—"},
        ),
        (8, _("Printed %(date)s") % {"date": date_text(timezone.localdate())}),
    ]


def hold_slip_pdf(*, hold: Hold, paper: str = "80mm") -> bytes:
    """The slip as PDF bytes, on an 80 mm strip or an A4 page."""
    if paper not in PAPERS:
        raise CirculationError(_("Unknown paper: choose 80 mm or A4."))
    if hold.state != Hold.State.READY:
        raise CirculationError(_("This hold is not on the hold shelf: no slip to print."))
    try:
        font = label_font()
    except DocumentError as error:
        raise CirculationError(error.message) from error
    page_size = (RECEIPT_WIDTH, RECEIPT_HEIGHT) if paper == "80mm" else A4
    margin = 5 * mm if paper == "80mm" else 20 * mm
    width = (RECEIPT_WIDTH if paper == "80mm" else A4[0]) - 2 * margin
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(output, pagesize=page_size, pageCompression=1, initialFontName=font)
    canvas.setTitle(_("Hold slip for %(reader)s") % {"reader": hold.reader.name})
    canvas.setCreator("School library")
    centre = page_size[0] / 2
    y = page_size[1] - margin
    for size, text in hold_slip_lines(hold):
        if not text:
            continue
        canvas.setFont(font, size)
        y -= text_ascent(font, size)
        canvas.drawCentredString(centre, y, text_fit(text, font, size, width))
        y -= text_descent(font, size) + size * 0.6
    if paper == "a4":
        canvas.saveState()
        canvas.setStrokeGray(0.6)
        canvas.setDash(3, 3)
        canvas.setLineWidth(0.4)
        bottom = A4[1] - A4_SLIP_HEIGHT
        canvas.line(5 * mm, bottom, A4[0] - 5 * mm, bottom)
        canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return output.getvalue()
