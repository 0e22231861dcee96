"""The reading room's class timetable printed (阅览编排表): per room, the week as a grid on a
landscape A4 page (days across, periods down, the times beside each period, week A and B in one
cell), and per class, a sheet of slips, one for each class, to hand to the head teachers. In
the labels' embedded Chinese font, so it prints the same on any PC."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from catalog.labels import library_name_for_labels
from library_site.dates import date_text
from library_site.documents.exceptions import DocumentError
from library_site.documents.pdf import label_font, text_fit
from library_site.system.templatetags.punctuation import bracketed

from ..exceptions import CirculationError
from ..models import RoomTimetable, TimetableSlot
from ..selectors.timetables import timetable_class_rows, timetable_grid

MARGIN = 12 * mm


def _font() -> str:
    try:
        return label_font()
    except DocumentError as error:
        raise CirculationError(error.message) from error


def _heading(timetable: RoomTimetable) -> str:
    return _("%(room)s · class timetable · %(term)s") % {
        "room": timetable.room.name,
        "term": timetable.term.name,
    }


def _footer(canvas, font: str, timetable: RoomTimetable, width: float) -> None:
    canvas.setFont(font, 8)
    state = (
        _("Published %(date)s") % {"date": date_text(timetable.published_at)}
        if timetable.is_published
        else _("Draft, not published")
    )
    canvas.drawString(
        MARGIN, 8 * mm, f"{state} · {_('Printed %(date)s') % {'date': date_text(timezone.localdate())}}"
    )
    canvas.drawRightString(width - MARGIN, 8 * mm, library_name_for_labels() or _("School library"))


def _cell_text(slot: TimetableSlot, fortnightly: bool) -> str:
    name = slot.school_class.name if slot.school_class_id else "—"
    if not fortnightly:
        return name
    return _("%(week)s: %(class)s") % {"week": slot.get_week_display(), "class": name}


def timetable_room_pdf(timetable: RoomTimetable) -> bytes:
    """The room's week as a grid on a landscape A4 page (more pages when it has many periods)."""
    font = _font()
    grid = timetable_grid(timetable)
    page = landscape(A4)
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(output, pagesize=page, pageCompression=1, initialFontName=font)
    canvas.setTitle(_heading(timetable))
    canvas.setCreator("School library")
    width, height = page
    days = grid["days"]
    time_column = 32 * mm
    column = (width - 2 * MARGIN - time_column) / max(len(days), 1)
    lines_a_cell = 2 if grid["fortnightly"] else 1
    row_height = (7 + 5 * lines_a_cell) * mm

    def page_start() -> float:
        canvas.setFont(font, 16)
        canvas.drawCentredString(
            width / 2, height - MARGIN - 4 * mm, text_fit(_heading(timetable), font, 16, width - 2 * MARGIN)
        )
        top = height - MARGIN - 14 * mm
        canvas.setFont(font, 10)
        canvas.setFillGray(0.9)
        canvas.rect(MARGIN, top - 8 * mm, width - 2 * MARGIN, 8 * mm, stroke=0, fill=1)
        canvas.setFillGray(0)
        canvas.drawString(MARGIN + 2 * mm, top - 5.5 * mm, _("Period"))
        for index, day in enumerate(days):
            x = MARGIN + time_column + index * column
            canvas.drawCentredString(x + column / 2, top - 5.5 * mm, str(day["name"]))
        return top - 8 * mm

    y = page_start()
    for row in grid["rows"]:
        if y - row_height < 16 * mm:
            _footer(canvas, font, timetable, width)
            canvas.showPage()
            y = page_start()
        first = next((cell["slots"][0] for cell in row["cells"] if cell["slots"]), None)
        canvas.setLineWidth(0.4)
        canvas.rect(MARGIN, y - row_height, width - 2 * MARGIN, row_height, stroke=1, fill=0)
        canvas.setFont(font, 10)
        canvas.drawString(MARGIN + 2 * mm, y - 5.5 * mm, _("Period %(number)s") % {"number": row["period"]})
        if first is not None:
            canvas.setFont(font, 8)
            canvas.drawString(MARGIN + 2 * mm, y - 10 * mm, f"{first.starts_at:%H:%M}–{first.ends_at:%H:%M}")
        for index, cell in enumerate(row["cells"]):
            x = MARGIN + time_column + index * column
            canvas.line(x, y, x, y - row_height)
            canvas.setFont(font, 10)
            for line, slot in enumerate(cell["slots"]):
                text = text_fit(_cell_text(slot, grid["fortnightly"]), font, 10, column - 3 * mm)
                canvas.drawCentredString(x + column / 2, y - (5.5 + 5 * line) * mm, text)
            if cell["slots"] and not any(slot.starts_at == first.starts_at for slot in cell["slots"]):
                canvas.setFont(font, 7)
                slot = cell["slots"][0]
                canvas.drawCentredString(
                    x + column / 2, y - row_height + 1.5 * mm, f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"
                )
        y -= row_height
    _footer(canvas, font, timetable, width)
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def _class_slip(
    canvas, font: str, timetable: RoomTimetable, rows: list[dict], x: float, top: float, width: float
) -> None:
    school_class = rows[0]["school_class"]
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    canvas.rect(x, top - 60 * mm, width, 60 * mm, stroke=1, fill=0)
    canvas.setDash()
    canvas.setFont(font, 9)
    canvas.drawString(
        x + 4 * mm,
        top - 7 * mm,
        text_fit(library_name_for_labels() or _("School library"), font, 9, width - 8 * mm),
    )
    canvas.setFont(font, 18)
    canvas.drawString(x + 4 * mm, top - 17 * mm, school_class.name)
    canvas.setFont(font, 10)
    head = school_class.head_teacher.display_name if school_class.head_teacher_id else ""
    if head:
        canvas.drawString(x + 4 * mm, top - 24 * mm, _("Head teacher: %(name)s") % {"name": head})
    canvas.drawString(
        x + 4 * mm,
        top - 31 * mm,
        text_fit(f"{timetable.room.name} · {timetable.term.name}", font, 10, width - 8 * mm),
    )
    y = top - 40 * mm
    canvas.setFont(font, 13)
    for row in rows[:3]:
        text = _("%(weekday)s, period %(period)s, %(starts)s–%(ends)s") % {
            "weekday": row["weekday"],
            "period": row["period"],
            "starts": f"{row['starts_at']:%H:%M}",
            "ends": f"{row['ends_at']:%H:%M}",
        }
        if row["week"]:
            text = bracketed(text, row["week"])
        canvas.drawString(x + 4 * mm, y, text_fit(text, font, 13, width - 8 * mm))
        y -= 7 * mm


def timetable_classes_pdf(timetable: RoomTimetable, *, only_class_id: int | None = None) -> bytes:
    """One slip per class (its room, day, period and times), eight to an A4 page; with
    ``only_class_id``, that class's slip alone (the head teacher's own)."""
    font = _font()
    rows = timetable_class_rows(timetable)
    if only_class_id is not None:
        rows = [row for row in rows if row["school_class"].pk == only_class_id]
    by_class: dict[int, list[dict]] = {}
    for row in rows:
        by_class.setdefault(row["school_class"].pk, []).append(row)
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(output, pagesize=A4, pageCompression=1, initialFontName=font)
    canvas.setTitle(_heading(timetable))
    canvas.setCreator("School library")
    width, height = A4
    slip_width = (width - 2 * MARGIN - 6 * mm) / 2
    groups = list(by_class.values())
    if not groups:
        canvas.setFont(font, 12)
        canvas.drawString(MARGIN, height - MARGIN - 10 * mm, _("No class has a period in this timetable."))
    for index, group in enumerate(groups):
        place = index % 8
        if index and place == 0:
            _footer(canvas, font, timetable, width)
            canvas.showPage()
        column, line = place % 2, place // 2
        x = MARGIN + column * (slip_width + 6 * mm)
        top = height - MARGIN - line * 66 * mm
        _class_slip(canvas, font, timetable, group, x, top, slip_width)
    _footer(canvas, font, timetable, width)
    canvas.showPage()
    canvas.save()
    return output.getvalue()
