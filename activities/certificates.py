"""Honour certificates (荣誉证书) printed as a PDF: one landscape page per award, A4 or A5, in the
embedded Chinese font every PDF uses (``library_site.documents.pdf.label_font``), a batch for a
class or a grade in one file."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from library_site.dates import date_text
from library_site.documents.pdf import label_font, text_bold_centred, text_centred, text_fit

from .models import Honour

SIZES = {"A4": landscape(A4), "A5": landscape(A5)}
MAX_PAGES = 2000


def period_text(honour) -> str:
    """The period as the certificate says it: a month as the language writes one (2026年12月,
    December 2026), a term by its name."""
    if honour.period == honour.Period.MONTH:
        # In a sentence, not the tables' YEAR_MONTH_FORMAT (2026-12): the language's own words.
        return formats.date_format(honour.period_start, pgettext("date format: a month in a sentence", "F Y"))
    return honour.period_label


def certificates_pdf(honours: Sequence[Honour], *, size: str = "A4", school: str = "") -> bytes:
    font = label_font()
    width, height = SIZES.get(size, SIZES["A4"])
    scale = width / SIZES["A4"][0]
    buffer = io.BytesIO()
    canvas = pdf_canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(_("Honour certificates"))
    school = school or getattr(settings, "SCHOOL_NAME", "")
    for honour in list(honours)[:MAX_PAGES]:
        margin = 14 * mm * scale
        canvas.setLineWidth(3 * scale)
        canvas.setStrokeColorRGB(0.72, 0.1, 0.1)
        canvas.rect(margin, margin, width - 2 * margin, height - 2 * margin)
        canvas.setLineWidth(0.8 * scale)
        canvas.rect(
            margin + 4 * mm * scale,
            margin + 4 * mm * scale,
            width - 2 * margin - 8 * mm * scale,
            height - 2 * margin - 8 * mm * scale,
        )
        canvas.setFillColorRGB(0.72, 0.1, 0.1)
        text_bold_centred(
            canvas, font, 44 * scale, _("Certificate of honour"), width / 2, height - 52 * mm * scale
        )
        canvas.setFillColorRGB(0, 0, 0)
        who = honour.reader.name if honour.reader_id else honour.school_class.name
        if honour.reader_id and honour.reader.school_class_id:
            line = _("%(class)s %(name)s:") % {"class": honour.reader.school_class.name, "name": who}
        else:
            line = _("%(name)s:") % {"name": who}
        canvas.setFont(font, 20 * scale)
        canvas.drawString(
            46 * mm * scale,
            height - 82 * mm * scale,
            text_fit(line, font, 20 * scale, width - 92 * mm * scale),
        )
        body = _("In %(period)s you were awarded the honorary title") % {"period": period_text(honour)}
        text_centred(
            canvas,
            font,
            18 * scale,
            text_fit(body, font, 18 * scale, width - 92 * mm * scale),
            width / 2,
            height - 104 * mm * scale,
        )
        canvas.setFillColorRGB(0.72, 0.1, 0.1)
        text_bold_centred(
            canvas, font, 40 * scale, f"“{honour.title.name}”", width / 2, height - 130 * mm * scale
        )
        canvas.setFillColorRGB(0, 0, 0)
        text_centred(
            canvas,
            font,
            16 * scale,
            _("We hereby award this certificate."),
            width / 2,
            height - 148 * mm * scale,
        )
        canvas.setFont(font, 14 * scale)
        right = width - 46 * mm * scale
        canvas.drawRightString(right, 40 * mm * scale, school or _("School library"))
        canvas.drawRightString(right, 32 * mm * scale, date_text(honour.awarded_at))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
