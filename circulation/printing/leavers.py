"""The clearance certificate (离校证明) of a leaver as a one-page A4 PDF: the school's name,
the reader's name, class and number, the statement that no books or debts are outstanding,
the day and who issued it. The font and text helpers are the catalogue's labels'
(catalog.labels): the same embedded Chinese font, so it prints the same on any PC. Refused,
with what is still out, while the reader has a book on loan or an unpaid compensation."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph

from catalog.labels import library_name_for_labels
from library_site.dates import date_text
from library_site.documents.exceptions import DocumentError
from library_site.documents.pdf import label_font, text_bold_centred, text_centred, text_fit

from ..exceptions import CirculationError

MARGIN = 25 * mm


def _paragraph(canvas, font: str, size: float, text: str, *, x: float, top: float, width: float) -> float:
    """Wrapped text (Chinese breaks between any two characters) hanging from ``top``; returns
    the new top."""
    style = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.7, wordWrap="CJK")
    paragraph = Paragraph(text, style)
    _width, height = paragraph.wrap(width, A4[1])
    paragraph.drawOn(canvas, x, top - height)
    return top - height


def clearance_certificate_pdf(certificate, *, school: str | None = None) -> bytes:
    """The certificate as PDF bytes, for a ClearanceCertificate recorded by
    ``services.leavers.clearance_certificate_issue`` (which refuses a reader with anything out); its
    reader comes with ``with_display()``."""
    reader = certificate.reader
    today = certificate.issued_on
    issued_by = certificate.issued_by
    try:
        font = label_font()
    except DocumentError as error:
        raise CirculationError(error.message) from error
    school = school if school is not None else library_name_for_labels()
    school = school or _("School library")
    width, height = A4
    centre = width / 2
    inner = width - 2 * MARGIN
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(
        output, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=12
    )
    canvas.setTitle(_("Library clearance certificate"))
    canvas.setAuthor(school)
    canvas.setSubject(reader.number)
    canvas.setCreator("School library")

    # A frame, the school, and the title.
    canvas.setStrokeColorRGB(0.11, 0.33, 0.62)
    canvas.setLineWidth(1.2)
    canvas.rect(
        MARGIN - 8 * mm, MARGIN - 8 * mm, width - 2 * (MARGIN - 8 * mm), height - 2 * (MARGIN - 8 * mm)
    )
    top = height - MARGIN - 12 * mm
    text_centred(canvas, font, 16, text_fit(school, font, 16, inner), centre, top)
    top -= 18 * mm
    canvas.setFillColorRGB(0.11, 0.33, 0.62)
    text_bold_centred(canvas, font, 28, _("Library clearance certificate"), centre, top)
    canvas.setFillColorRGB(0, 0, 0)
    top -= 10 * mm
    text_centred(
        canvas,
        font,
        9,
        _("Certificate No. %(number)s") % {"number": certificate.number},
        centre,
        top,
    )

    # The reader, as a small table.
    top -= 20 * mm
    rows = [
        (_("Reader's name"), reader.name),
        (
            _("Class or department"),
            reader.school_class.name
            if reader.school_class_id
            else (reader.department or reader.get_kind_display()),
        ),
        (_("Student or staff number"), reader.number),
        (_("Reader's status"), reader.get_status_display()),
    ]
    label_x, value_x = MARGIN + 15 * mm, MARGIN + 60 * mm
    canvas.setLineWidth(0.4)
    canvas.setStrokeGray(0.6)
    for label, value in rows:
        canvas.setFont(font, 12)
        canvas.drawString(label_x, top, label)
        canvas.setFont(font, 14)
        canvas.drawString(value_x, top, text_fit(value, font, 14, inner - 60 * mm))
        canvas.line(value_x, top - 2.5 * mm, width - MARGIN - 15 * mm, top - 2.5 * mm)
        top -= 12 * mm

    # The statement.
    top -= 10 * mm
    statement = _(
        "This is to certify that the reader above has returned every book borrowed from the "
        "library and owes it nothing: no books or debts are outstanding as of %(date)s."
    ) % {"date": date_text(today)}
    top = _paragraph(canvas, font, 14, statement, x=MARGIN + 15 * mm, top=top, width=inner - 30 * mm)

    # Who issued it, when, and room for the stamp.
    top -= 30 * mm
    issuer = getattr(issued_by, "display_name", "") or str(issued_by or "")
    canvas.setFont(font, 12)
    right = width - MARGIN - 15 * mm
    canvas.drawRightString(right, top, _("Issued by: %(name)s") % {"name": issuer})
    top -= 9 * mm
    canvas.drawRightString(right, top, _("Date of issue: %(date)s") % {"date": date_text(today)})
    top -= 9 * mm
    canvas.drawRightString(right, top, _("Library (stamp)"))
    canvas.setDash(3, 3)
    canvas.circle(right - 20 * mm, top - 22 * mm, 18 * mm)
    canvas.showPage()
    canvas.save()
    return output.getvalue()
