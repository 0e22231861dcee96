"""Excerpt cards (文摘卡) printed as a PDF: six cards on an A4 sheet, each with the pupil's name,
class and date, the book and page, the passage and the pupil's thoughts, in the embedded Chinese
font the labels use (``library_site.documents.pdf.label_font``). Text is drawn as text: a pupil's HTML is
printed as the characters they typed."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdf_canvas

from library_site.dates import date_text, month_text
from library_site.documents.pdf import label_font, text_ascent, text_fit

from .models import ExcerptCard

COLUMNS, ROWS = 2, 3
MARGIN = 10 * mm
GAP = 6 * mm
PAD = 4 * mm
MAX_CARDS = 600


def text_wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """The text's lines at most ``width`` points wide, broken between any two characters (as
    Chinese is), at its own line breaks too."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        line = ""
        for char in paragraph:
            if pdfmetrics.stringWidth(line + char, font, size) > width and line:
                lines.append(line)
                line = char.lstrip()
            else:
                line += char
        lines.append(line)
    return lines


def _block(canvas, font, size, text, *, x, top, width, bottom, leading) -> float:
    """Wrapped text from ``top`` down to ``bottom`` at most, the last line cut with an ellipsis
    when the text is longer; returns the new top."""
    lines = text_wrap(text, font, size, width)
    room = max(0, int((top - bottom) // leading))
    if len(lines) > room and room:
        last = lines[room - 1]
        while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines = [*lines[: room - 1], last + "…"]
    canvas.setFont(font, size)
    for line in lines[:room]:
        canvas.drawString(x, top - text_ascent(font, size), line)
        top -= leading
    return top


def _draw_card(canvas, font: str, card: ExcerptCard, x: float, y: float, width: float, height: float) -> None:
    canvas.setLineWidth(0.6)
    canvas.roundRect(x, y, width, height, 3 * mm)
    inner = width - 2 * PAD
    top = y + height - PAD
    canvas.setFont(font, 12)
    canvas.drawString(x + PAD, top - text_ascent(font, 12), _("Excerpt card"))
    reader = card.reader
    who = " · ".join(
        part
        for part in (
            reader.name,
            reader.school_class.name if reader.school_class_id else "",
            date_text(card.submitted_at or card.saved_at),
        )
        if part
    )
    canvas.setFont(font, 8)
    canvas.drawRightString(x + width - PAD, top - text_ascent(font, 8), text_fit(who, font, 8, inner * 0.65))
    top -= 7 * mm
    book = card.record.title if card.record_id else ""
    if card.page:
        book = _("%(title)s, page %(page)s") % {"title": book, "page": card.page}
    canvas.setFont(font, 9)
    canvas.drawString(
        x + PAD, top - text_ascent(font, 9), text_fit(_("Book: %(book)s") % {"book": book}, font, 9, inner)
    )
    top -= 6 * mm
    canvas.line(x + PAD, top + 1.5 * mm, x + width - PAD, top + 1.5 * mm)
    middle = y + height * 0.38
    top = _block(canvas, font, 10, card.passage, x=x + PAD, top=top, width=inner, bottom=middle, leading=13)
    top = min(top, middle) - 1 * mm
    canvas.setFont(font, 9)
    canvas.drawString(x + PAD, top - text_ascent(font, 9), _("My thoughts:"))
    top -= 5 * mm
    _block(canvas, font, 9, card.thoughts, x=x + PAD, top=top, width=inner, bottom=y + PAD, leading=12)


def cards_pdf(cards: Sequence[ExcerptCard]) -> bytes:
    """The cards (with reader, class and record loaded), six to an A4 sheet. Raises
    DocumentError (FontMissing) with what to do when the server has no Chinese font."""
    font = label_font()
    out = io.BytesIO()
    canvas = pdf_canvas.Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Excerpt cards"))
    page_width, page_height = A4
    width = (page_width - 2 * MARGIN - (COLUMNS - 1) * GAP) / COLUMNS
    height = (page_height - 2 * MARGIN - (ROWS - 1) * GAP) / ROWS
    per_page = COLUMNS * ROWS
    for index, card in enumerate(cards[:MAX_CARDS]):
        if index and index % per_page == 0:
            canvas.showPage()
        slot = index % per_page
        column, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN + column * (width + GAP)
        y = page_height - MARGIN - (row + 1) * height - row * GAP
        _draw_card(canvas, font, card, x, y, width, height)
    if not cards:
        canvas.setFont(font, 12)
        canvas.drawString(MARGIN, page_height - MARGIN - 12, _("No excerpt cards to print."))
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def poster_pdf(wall: dict) -> bytes:
    """The exhibition wall's poster: the month's selected notes and cards on A4 sheets, each
    with its pupil (as the results name them), its book, and the text's beginning."""
    font = label_font()
    out = io.BytesIO()
    canvas = pdf_canvas.Canvas(out, pagesize=A4, pageCompression=1)
    page_width, page_height = A4
    month = wall.get("month")
    title = _("The month's best reading notes and excerpt cards")
    if month:
        title = _("%(title)s, %(month)s") % {"title": title, "month": month_text(month)}
    canvas.setTitle(title)
    width = page_width - 2 * MARGIN

    def heading():
        canvas.setFont(font, 18)
        canvas.drawCentredString(page_width / 2, page_height - MARGIN - 18, text_fit(title, font, 18, width))
        return page_height - MARGIN - 32

    top = heading()
    box = 52 * mm
    works = [(work, work.title or work.record.title, work.reflection) for work in wall.get("notes", [])]
    works += [(work, work.record.title, work.passage) for work in wall.get("cards", [])]
    for work, headline, text in works:
        if top - box < MARGIN:
            canvas.showPage()
            top = heading()
        canvas.setLineWidth(0.6)
        canvas.roundRect(MARGIN, top - box, width, box - 2 * mm, 3 * mm)
        inner = width - 2 * PAD
        line_top = top - PAD
        canvas.setFont(font, 12)
        canvas.drawString(
            MARGIN + PAD, line_top - text_ascent(font, 12), text_fit(headline, font, 12, inner * 0.6)
        )
        canvas.setFont(font, 9)
        label = getattr(work, "pupil_label", "")
        canvas.drawRightString(
            MARGIN + width - PAD, line_top - text_ascent(font, 9), text_fit(label, font, 9, inner * 0.4)
        )
        _block(
            canvas,
            font,
            10,
            text,
            x=MARGIN + PAD,
            top=line_top - 7 * mm,
            width=inner,
            bottom=top - box + PAD,
            leading=13,
        )
        top -= box
    if not works:
        canvas.setFont(font, 12)
        canvas.drawString(MARGIN, top - 12, _("No work has been selected yet."))
    canvas.showPage()
    canvas.save()
    return out.getvalue()


# --- class book corners and the service team (issue 18) ------------------------------------


def table_pdf(
    *,
    title: str,
    lines: Sequence[str],
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    footer: Sequence[str] = (),
    landscape: bool = False,
) -> bytes:
    """A titled A4 table (a corner's list for the head teacher to sign, a class's rotation
    share, the weekly rota), with the header repeated on each page and the footer's lines (the
    signatures) after the table. ``widths`` are fractions of the page's width."""
    from reportlab.lib.pagesizes import landscape as turned

    font = label_font()
    size = turned(A4) if landscape else A4
    out = io.BytesIO()
    canvas = pdf_canvas.Canvas(out, pagesize=size, pageCompression=1)
    canvas.setTitle(title)
    page_width, page_height = size
    usable = page_width - 2 * MARGIN
    columns = [usable * fraction for fraction in widths]
    leading = 6.5 * mm

    def header_draw(top: float) -> float:
        canvas.setFont(font, 9)
        x = MARGIN
        for text, width in zip(headers, columns, strict=True):
            canvas.drawString(
                x + 1 * mm, top - text_ascent(font, 9) - 1.5 * mm, text_fit(text, font, 9, width - 2 * mm)
            )
            x += width
        canvas.line(MARGIN, top - leading, MARGIN + usable, top - leading)
        return top - leading

    top = page_height - MARGIN
    canvas.setFont(font, 14)
    canvas.drawString(MARGIN, top - text_ascent(font, 14), text_fit(title, font, 14, usable))
    top -= 9 * mm
    canvas.setFont(font, 9)
    for line in lines:
        canvas.drawString(MARGIN, top - text_ascent(font, 9), text_fit(line, font, 9, usable))
        top -= 5 * mm
    top = header_draw(top - 2 * mm)
    for row in rows:
        if top - leading < MARGIN + 25 * mm:
            canvas.showPage()
            top = header_draw(page_height - MARGIN)
        canvas.setFont(font, 9)
        x = MARGIN
        for text, width in zip(row, columns, strict=True):
            canvas.drawString(
                x + 1 * mm,
                top - text_ascent(font, 9) - 1.5 * mm,
                text_fit(str(text), font, 9, width - 2 * mm),
            )
            x += width
        canvas.setLineWidth(0.3)
        canvas.line(MARGIN, top - leading, MARGIN + usable, top - leading)
        top -= leading
    if not rows:
        canvas.drawString(MARGIN, top - 6 * mm, _("Nothing to list."))
        top -= 8 * mm
    top -= 8 * mm
    canvas.setFont(font, 10)
    for line in footer:
        canvas.drawString(MARGIN, top - text_ascent(font, 10), line)
        top -= 9 * mm
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def copies_headers(last: str) -> list[str]:
    """The columns of a printed list of copies (a corner's list, a rotation's share): number,
    barcode, title, call number, and ``last`` (a remark, a box to tick)."""
    return [
        pgettext("list", "No."),
        pgettext("copy", "Barcode"),
        pgettext("book", "Title"),
        _("Call number"),
        last,
    ]


def corner_sheet_pdf(*, class_name: str, lines: Sequence[str], rows, widths: Sequence[float]) -> bytes:
    """A class book corner's list for the head teacher to check and sign (a batch lent or
    returned, or the corner as it stands): the copies with a remark, and the two signatures."""
    return table_pdf(
        title=_("Class book corner list: %(class)s") % {"class": class_name},
        lines=lines,
        headers=copies_headers(pgettext("list", "Remark")),
        rows=rows,
        widths=widths,
        footer=[
            _("Head teacher's signature: ____________    Date: ____________"),
            _("Librarian: ____________"),
        ],
    )
