"""A class's overdue slips as a PDF for the head teacher to hand out in class: one slip per
pupil with overdue books, three to an A4 page with cutting lines. Each slip names the pupil and
class, and says for every overdue book the overdue notice's wording (the administrator's
template: the title, the due date and the days overdue). The font is the labels' embedded
Chinese TrueType font (catalog.labels), so the slips print the same on any PC."""

from __future__ import annotations

import io
from datetime import date

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdf_canvas

from catalog.labels import library_name_for_labels
from library_site.dates import date_text
from library_site.documents.exceptions import DocumentError
from library_site.documents.pdf import label_font, text_ascent, text_descent, text_fit

from ..exceptions import CirculationError
from ..models import NoticeTemplate, SchoolClass
from ..selectors.notices import notice_templates

PER_PAGE = 3
MARGIN_X = 15 * mm
SLIP_HEIGHT = A4[1] / PER_PAGE
PAD = 9 * mm
BODY_SIZE = 11
MAX_LINES = 9


def text_wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width``, broken between any two characters (Chinese has no spaces),
    and at the text's own line breaks."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for character in paragraph:
            if line and pdfmetrics.stringWidth(line + character, font, size) > width:
                lines.append(line)
                line = character.lstrip() if character == " " else character
            else:
                line += character
        lines.append(line)
    return lines


def _draw_slip(
    canvas, font: str, top: float, *, slip: dict, school: str, school_class, today, wording
) -> None:
    width = A4[0] - 2 * MARGIN_X
    left = MARGIN_X
    y = top - PAD
    # The school and the slip's title.
    canvas.setFillGray(0.35)
    canvas.setFont(font, 9)
    canvas.drawString(left, y - text_ascent(font, 9), text_fit(school, font, 9, width * 0.6))
    canvas.drawRightString(
        left + width,
        y - text_ascent(font, 9),
        _("Printed %(date)s") % {"date": date_text(today)},
    )
    canvas.setFillGray(0)
    y -= (text_ascent(font, 9) + text_descent(font, 9)) * 1.4
    canvas.setFont(font, 15)
    canvas.drawCentredString(left + width / 2, y - text_ascent(font, 15), _("Overdue library books"))
    y -= (text_ascent(font, 15) + text_descent(font, 15)) * 1.5
    # The pupil.
    reader = slip["reader"]
    canvas.setFont(font, 13)
    canvas.drawString(left, y - text_ascent(font, 13), text_fit(reader.name, font, 13, width * 0.5))
    canvas.setFont(font, 10)
    canvas.drawRightString(
        left + width,
        y - text_ascent(font, 13),
        text_fit(f"{school_class.name} · {_('No.')} {reader.number}", font, 10, width * 0.5),
    )
    y -= (text_ascent(font, 13) + text_descent(font, 13)) * 1.6
    # One paragraph per book, in the overdue notice's wording.
    lines: list[str] = []
    for loan in slip["loans"]:
        _subject, body = wording.render(
            {
                "reader": reader.name,
                "title": loan.copy.record.title,
                "due_date": date_text(loan.due_on),
                "days_overdue": loan.days_overdue,
            }
        )
        lines.extend(text_wrap(body, font, BODY_SIZE, width))
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], _("… and more: ask at the library desk.")]
    canvas.setFont(font, BODY_SIZE)
    step = (text_ascent(font, BODY_SIZE) + text_descent(font, BODY_SIZE)) * 1.35
    for line in lines:
        canvas.drawString(left, y - text_ascent(font, BODY_SIZE), line)
        y -= step
    # A line for the parent's signature at the bottom of the slip.
    bottom = top - SLIP_HEIGHT + PAD
    canvas.setFont(font, 10)
    label = _("Parent's signature:")
    canvas.drawString(left, bottom, label)
    canvas.setLineWidth(0.5)
    start = left + pdfmetrics.stringWidth(label, font, 10) + 2 * mm
    canvas.line(start, bottom - 1, start + 55 * mm, bottom - 1)
    canvas.drawRightString(left + width, bottom, _("Please return the books to the library."))


def class_slips_pdf(*, school_class: SchoolClass, slips: list[dict], today: date) -> bytes:
    """The slips as PDF bytes; refused when no pupil of the class has an overdue book."""
    if not slips:
        raise CirculationError(_("No pupil of %(class)s has an overdue book.") % {"class": school_class.name})
    try:
        font = label_font()
    except DocumentError as error:
        raise CirculationError(error.message) from error
    school = library_name_for_labels() or _("School library")
    wording = notice_templates()[NoticeTemplate.Kind.OVERDUE]
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(
        output, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=10
    )
    canvas.setTitle(_("Overdue slips for %(class)s") % {"class": school_class.name})
    canvas.setAuthor(school)
    canvas.setCreator("School library")
    for index, slip in enumerate(slips):
        slot = index % PER_PAGE
        if index and slot == 0:
            canvas.showPage()
        top = A4[1] - slot * SLIP_HEIGHT
        if slot:
            # The cutting line between two slips.
            canvas.saveState()
            canvas.setStrokeGray(0.6)
            canvas.setDash(3, 3)
            canvas.setLineWidth(0.4)
            canvas.line(5 * mm, top, A4[0] - 5 * mm, top)
            canvas.restoreState()
        _draw_slip(
            canvas,
            font,
            top,
            slip=slip,
            school=school,
            school_class=school_class,
            today=today,
            wording=wording,
        )
    canvas.showPage()
    canvas.save()
    return output.getvalue()
