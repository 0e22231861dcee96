"""Printable library cards (电脑借书证) as a PDF: credit-card size (85.6 × 54 mm), ten to an A4
sheet (2 × 5), with the school's name, the reader's name and class, and the card number as a
Code 128 barcode. The font and the text helpers are the catalogue's labels' (catalog.labels):
the same embedded Chinese font, so cards print the same on any PC."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from catalog.labels import library_name_for_labels
from library_site.documents.exceptions import DocumentError
from library_site.documents.pdf import label_font, text_ascent, text_centred, text_descent, text_fit
from library_site.documents.pdf import text_line_from_top as _line_from_top

from ..exceptions import CirculationError
from ..models import Reader

CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 54 * mm
COLUMNS, ROWS = 2, 5
GAP_X, GAP_Y = 8 * mm, 3 * mm
PER_PAGE = COLUMNS * ROWS
MAX_CARDS = 2000
LEFT = (A4[0] - COLUMNS * CARD_WIDTH - (COLUMNS - 1) * GAP_X) / 2
TOP = (A4[1] - ROWS * CARD_HEIGHT - (ROWS - 1) * GAP_Y) / 2


def card_box(slot: int) -> tuple[float, float]:
    """The bottom-left corner of the card at ``slot`` (0 at the top left, row by row)."""
    row, column = divmod(slot, COLUMNS)
    x = LEFT + column * (CARD_WIDTH + GAP_X)
    y = A4[1] - TOP - row * (CARD_HEIGHT + GAP_Y) - CARD_HEIGHT
    return x, y


def _draw_card(canvas, font: str, x: float, y: float, *, reader: Reader, number: str, school: str) -> None:
    pad = 3.5 * mm
    inner = CARD_WIDTH - 2 * pad
    centre = x + CARD_WIDTH / 2
    # The cutting line, and a band across the top with the school's name.
    canvas.saveState()
    canvas.setStrokeGray(0.55)
    canvas.setLineWidth(0.4)
    canvas.roundRect(x, y, CARD_WIDTH, CARD_HEIGHT, 3 * mm, stroke=1, fill=0)
    band = 11 * mm
    canvas.setFillColorRGB(0.11, 0.33, 0.62)
    canvas.rect(x + 0.2, y + CARD_HEIGHT - band, CARD_WIDTH - 0.4, band - 0.2, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    top = y + CARD_HEIGHT - 1.8 * mm
    top = _line_from_top(canvas, font, 9.5, school, centre=centre, top=top, width=inner, spacing=1.15)
    _line_from_top(canvas, font, 7.5, _("Library card"), centre=centre, top=top, width=inner, spacing=1.1)
    canvas.restoreState()
    # The reader: name large, class (or department) and number beside.
    top = y + CARD_HEIGHT - band - 2.2 * mm
    name_size = 14
    canvas.setFont(font, name_size)
    canvas.drawString(
        x + pad, top - text_ascent(font, name_size), text_fit(reader.name, font, name_size, inner * 0.55)
    )
    detail = (
        reader.school_class.name
        if reader.school_class_id
        else (reader.department or reader.get_kind_display())
    )
    canvas.setFont(font, 9)
    canvas.drawRightString(
        x + CARD_WIDTH - pad, top - text_ascent(font, 9), text_fit(detail, font, 9, inner * 0.45)
    )
    canvas.setFont(font, 7)
    canvas.drawRightString(
        x + CARD_WIDTH - pad,
        top - text_ascent(font, 9) - 4 * mm,
        text_fit(
            (
                pgettext("library card", "Student number %(number)s")
                if reader.kind == Reader.Kind.STUDENT
                else pgettext("library card", "Staff number %(number)s")
            )
            % {"number": reader.number},
            font,
            7,
            inner * 0.45,
        ),
    )
    # The card number as a barcode, its characters under it.
    bottom = y + 2.5 * mm
    digits = 9
    text_centred(canvas, font, digits, number, centre, bottom + text_descent(font, digits))
    bottom += (text_ascent(font, digits) + text_descent(font, digits)) * 1.25
    bar_height = 12 * mm
    symbol = Code128(number, barWidth=1, barHeight=bar_height, humanReadable=False, quiet=False)
    symbol.barWidth = min(0.42 * mm, inner / (symbol.width + 20))
    symbol.drawOn(canvas, centre - symbol.width * symbol.barWidth / 2, bottom)


def cards_pdf(readers: Sequence[Reader], *, school: str | None = None) -> bytes:
    """One card per reader (their active card), ten to an A4 page, as PDF bytes. The readers
    must come with ``with_display()`` (account, class and active card loaded)."""
    if not readers:
        raise CirculationError(_("There are no readers to print cards for."))
    if len(readers) > MAX_CARDS:
        raise CirculationError(
            _("%(count)s cards is more than %(limit)s at once: print them class by class.")
            % {"count": len(readers), "limit": MAX_CARDS}
        )
    without = [reader.number for reader in readers if not reader.active_cards]
    if without:
        raise CirculationError(
            _("These readers have no valid card: %(numbers)s. Issue them a card first.")
            % {"numbers": "、".join(without[:10])}
        )
    not_ascii = [
        reader.active_cards[0].number for reader in readers if not reader.active_cards[0].number.isascii()
    ]
    if not_ascii:
        raise CirculationError(
            _("These card numbers have characters a Code 128 barcode cannot hold: %(numbers)s.")
            % {"numbers": "、".join(not_ascii[:10])}
        )
    try:
        font = label_font()
    except DocumentError as error:
        raise CirculationError(error.message) from error
    school = school if school is not None else library_name_for_labels()
    school = school or _("School library")
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(
        output, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=8
    )
    canvas.setTitle(_("Library cards"))
    canvas.setAuthor(school)
    canvas.setCreator("School library")
    for index, reader in enumerate(readers):
        slot = index % PER_PAGE
        if index and slot == 0:
            canvas.showPage()
        x, y = card_box(slot)
        _draw_card(canvas, font, x, y, reader=reader, number=reader.active_cards[0].number, school=school)
    canvas.showPage()
    canvas.save()
    return output.getvalue()
