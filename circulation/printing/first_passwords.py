"""The first password slips (首次登录密码条) as a PDF: one page (or more) per class, ten slips to
an A4 sheet (2 × 5) to be cut apart and handed out, each with the school, the class, the
reader's name, the name to sign in with and the first password. The text is in the embedded
Chinese font of every PDF here (library_site/documents/pdf.py); the password in Courier, whose
letters and digits cannot be mistaken for each other."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from library_site.documents.exceptions import DocumentError
from library_site.documents.pdf import label_font, text_ascent, text_fit
from library_site.documents.pdf import text_line_from_top as _line_from_top

from ..exceptions import CirculationError

SLIP_WIDTH = 90 * mm
SLIP_HEIGHT = 50 * mm
COLUMNS, ROWS = 2, 5
GAP_X, GAP_Y = 6 * mm, 4 * mm
PER_PAGE = COLUMNS * ROWS
HEADER = 14 * mm
LEFT = (A4[0] - COLUMNS * SLIP_WIDTH - (COLUMNS - 1) * GAP_X) / 2
TOP = (A4[1] - HEADER - ROWS * SLIP_HEIGHT - (ROWS - 1) * GAP_Y) / 2 + HEADER
MONOSPACE_FONT = "Courier-Bold"


@dataclass(frozen=True)
class Slip:
    class_name: str  # the class, or the department / reader type of a teacher
    full_name: str
    username: str
    password: str


def _slip_box(slot: int) -> tuple[float, float]:
    row, column = divmod(slot, COLUMNS)
    x = LEFT + column * (SLIP_WIDTH + GAP_X)
    y = A4[1] - TOP - row * (SLIP_HEIGHT + GAP_Y) - SLIP_HEIGHT
    return x, y


def _draw_slip(canvas, font: str, x: float, y: float, slip: Slip, school: str) -> None:
    pad = 4 * mm
    inner = SLIP_WIDTH - 2 * pad
    canvas.saveState()
    canvas.setStrokeGray(0.5)
    canvas.setDash(3, 2)
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, SLIP_WIDTH, SLIP_HEIGHT, stroke=1, fill=0)
    canvas.restoreState()
    top = y + SLIP_HEIGHT - 3 * mm
    top = _line_from_top(
        canvas,
        font,
        9,
        f"{school} · {_('First password')}",
        centre=x + SLIP_WIDTH / 2,
        top=top,
        width=inner,
        spacing=1.35,
    )
    left = x + pad
    size = 14
    canvas.setFont(font, size)
    canvas.drawString(left, top - text_ascent(font, size), text_fit(slip.full_name, font, size, inner * 0.6))
    canvas.setFont(font, 9)
    canvas.drawRightString(
        x + SLIP_WIDTH - pad, top - text_ascent(font, size), text_fit(slip.class_name, font, 9, inner * 0.38)
    )
    top -= size * 1.45
    rows = ((_("Sign in with"), slip.username, 11), (_("Password"), slip.password, 15))
    for label, value, value_size in rows:
        canvas.setFont(font, 9)
        canvas.drawString(left, top - text_ascent(font, 9) - (value_size - 9) / 2, f"{label}:")
        canvas.setFont(MONOSPACE_FONT, value_size)
        canvas.drawString(left + 24 * mm, top - value_size * 0.8, value)
        top -= value_size * 1.5
    hint = _("Change it at your first sign-in. Keep this slip to yourself.")
    canvas.setFont(font, 7.5)
    canvas.drawString(left, y + 3.5 * mm, text_fit(hint, font, 7.5, inner))


def password_slips_pdf(slips: Sequence[Slip], *, school: str) -> bytes:
    """The slips, class by class (each class from a new page, in the order given), as PDF
    bytes. Nothing is kept: the caller stores the file where only it can read it."""
    if not slips:
        raise CirculationError(_("There are no readers to print first passwords for."))
    try:
        font = label_font()
    except DocumentError as error:
        raise CirculationError(error.message) from error
    school = school or _("School library")
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(
        output, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=8
    )
    canvas.setTitle(_("First passwords"))
    canvas.setAuthor(school)
    canvas.setCreator("School library")
    printed = date_format(timezone.localdate(), "Y-m-d")
    first_page = True
    for class_name, group in groupby(slips, key=lambda slip: slip.class_name):
        group = list(group)
        for start in range(0, len(group), PER_PAGE):
            if not first_page:
                canvas.showPage()
            first_page = False
            heading = _("%(class)s · first passwords · %(count)s readers · printed %(date)s") % {
                "class": class_name,
                "count": len(group),
                "date": printed,
            }
            _line_from_top(
                canvas,
                font,
                11,
                heading,
                centre=A4[0] / 2,
                top=A4[1] - (TOP - HEADER) - 2 * mm,
                width=A4[0] - 2 * LEFT,
                spacing=1.2,
            )
            for slot, slip in enumerate(group[start : start + PER_PAGE]):
                x, y = _slip_box(slot)
                _draw_slip(canvas, font, x, y, slip, school)
    canvas.showPage()
    canvas.save()
    return output.getvalue()
