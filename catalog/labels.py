"""Spine labels (索书号) and barcode labels (条码) for the library's copies, as a PDF on A4 label
sheets (``LabelSheet``: rows × columns, margins, label size and gaps in millimetres).

Two parts, on the toolkit's font and text fitting (library_site.documents.pdf: a Chinese
TrueType font embedded in the PDF, so the labels print the same on any PC):

- the selection: which copies get labels (a list, all copies of a record, a barcode range),
  withdrawn copies left out, at most ``MAX_LABELS`` at once;
- the PDF builder: pure functions that take copies and a sheet and return the PDF's bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdf_canvas

from library_site.documents import pdf
from library_site.documents.exceptions import FontMissing

from .exceptions import CatalogError
from .models import CatalogSettings, Copy, LabelSheet, Record

MAX_LABELS = 2000
KIND_SPINE = LabelSheet.Kind.SPINE
KIND_BARCODE = LabelSheet.Kind.BARCODE

# --- the selection ------------------------------------------------------------------------------

BARCODE_NUMBER = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


@dataclass(frozen=True)
class BarcodeRange:
    """Barcodes from ``first`` to ``last``: one prefix, consecutive numbers."""

    prefix: str
    first: int
    last: int
    width: int  # digits, zero-padded; 0 when the numbers are not padded

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def barcode(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.width}d}"

    def barcodes(self) -> list[str]:
        return [self.barcode(number) for number in range(self.first, self.last + 1)]


def barcode_range_parse(first: str, last: str, *, limit: int = MAX_LABELS) -> BarcodeRange:
    """The range a librarian typed (T0000001 to T0000120). Refuses a range with different
    prefixes or digit counts, one that runs backwards, and one of more than ``limit`` barcodes."""
    first, last = (first or "").strip(), (last or "").strip()
    if not first or not last:
        raise CatalogError(_("Give the first and the last barcode of the range."))
    parts = []
    for barcode in (first, last):
        match = BARCODE_NUMBER.match(barcode)
        if not match:
            raise CatalogError(
                _("%(barcode)s does not end in a number, so it cannot begin or end a range.")
                % {"barcode": barcode}
            )
        parts.append(match)
    start, end = parts
    if start["prefix"] != end["prefix"]:
        raise CatalogError(
            _("%(first)s and %(last)s have different prefixes: a range runs within one prefix.")
            % {"first": first, "last": last}
        )
    padded = start["number"].startswith("0") or end["number"].startswith("0")
    if padded and len(start["number"]) != len(end["number"]):
        raise CatalogError(
            _("%(first)s and %(last)s have different numbers of digits.") % {"first": first, "last": last}
        )
    result = BarcodeRange(
        prefix=start["prefix"],
        first=int(start["number"]),
        last=int(end["number"]),
        width=len(start["number"]) if padded else 0,
    )
    if result.last < result.first:
        raise CatalogError(
            _("The range runs backwards: %(first)s comes after %(last)s. Swap the two barcodes.")
            % {"first": first, "last": last}
        )
    if result.count > limit:
        raise CatalogError(
            _(
                "%(first)s to %(last)s is %(count)s labels, more than %(limit)s at once: print the range in parts."
            )
            % {
                "first": first,
                "last": last,
                "count": number_format(result.count, force_grouping=True),
                "limit": number_format(limit, force_grouping=True),
            }
        )
    return result


@dataclass
class LabelSelection:
    copies: list[Copy]
    withdrawn: int = 0  # copies of the selection left out because they are withdrawn


def _too_many(count: int) -> CatalogError:
    return CatalogError(
        _("%(count)s labels is more than %(limit)s at once: print them in parts.")
        % {
            "count": number_format(count, force_grouping=True),
            "limit": number_format(MAX_LABELS, force_grouping=True),
        }
    )


def _listed(values: Sequence[str], shown: int = 10) -> str:
    text = "、".join(values[:shown])
    if len(values) > shown:
        text += " " + _("and %(count)s more") % {"count": len(values) - shown}
    return text


def labels_select(
    *,
    ids: Iterable[int] | None = None,
    barcodes: Iterable[str] | None = None,
    record: Record | None = None,
    barcode_range: BarcodeRange | None = None,
) -> LabelSelection:
    """The copies to label, with their records, in one query. Give exactly one of: ``ids`` or
    ``barcodes`` (kept in the order given: the order of the pile of books), ``record`` (all its
    copies) or ``barcode_range`` (copies whose barcodes fall in it; numbers never issued are
    skipped), both in barcode order. Withdrawn copies are left out and counted; an empty
    selection is refused with a message that says why."""
    queryset = Copy.objects.select_related("record")
    if ids is not None:
        wanted = list(dict.fromkeys(int(pk) for pk in ids))
        if len(wanted) > MAX_LABELS:
            raise _too_many(len(wanted))
        by_id = queryset.in_bulk(wanted)
        copies = [by_id[pk] for pk in wanted if pk in by_id]
    elif barcodes is not None:
        wanted = list(dict.fromkeys(barcode.strip() for barcode in barcodes if barcode.strip()))
        if len(wanted) > MAX_LABELS:
            raise _too_many(len(wanted))
        by_barcode = {copy.barcode: copy for copy in queryset.filter(barcode__in=wanted)}
        unknown = [barcode for barcode in wanted if barcode not in by_barcode]
        if unknown:
            raise CatalogError(
                _("These barcodes are not in the catalogue: %(barcodes)s. Check them and try again.")
                % {"barcodes": _listed(unknown)}
            )
        copies = [by_barcode[barcode] for barcode in wanted]
    elif record is not None:
        copies = list(queryset.filter(record=record).order_by("barcode"))
        if len(copies) > MAX_LABELS:
            raise _too_many(len(copies))
    elif barcode_range is not None:
        copies = list(queryset.filter(barcode__in=barcode_range.barcodes()).order_by("barcode"))
    else:
        copies = []
    kept = [copy for copy in copies if copy.status != Copy.Status.WITHDRAWN]
    if not kept:
        if copies:
            raise CatalogError(_("The chosen copies are all withdrawn, and withdrawn copies get no labels."))
        if barcode_range is not None:
            raise CatalogError(
                _("No copy has a barcode from %(first)s to %(last)s.")
                % {
                    "first": barcode_range.barcode(barcode_range.first),
                    "last": barcode_range.barcode(barcode_range.last),
                }
            )
        if record is not None:
            raise CatalogError(_("This record has no copies yet: add copies first."))
        raise CatalogError(_("Choose at least one copy."))
    return LabelSelection(copies=kept, withdrawn=len(copies) - len(kept))


# --- the sheet ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLayout:
    """A label sheet in PDF points, origin at the bottom left of the A4 page."""

    rows: int
    columns: int
    top: float
    left: float
    width: float
    height: float
    gap_x: float
    gap_y: float

    @classmethod
    def of(cls, sheet: LabelSheet) -> SheetLayout:
        layout = cls(
            rows=sheet.rows,
            columns=sheet.columns,
            top=float(sheet.margin_top_mm) * mm,
            left=float(sheet.margin_left_mm) * mm,
            width=float(sheet.label_width_mm) * mm,
            height=float(sheet.label_height_mm) * mm,
            gap_x=float(sheet.gap_horizontal_mm) * mm,
            gap_y=float(sheet.gap_vertical_mm) * mm,
        )
        page_width, page_height = A4
        right = layout.left + layout.columns * layout.width + (layout.columns - 1) * layout.gap_x
        bottom = layout.top + layout.rows * layout.height + (layout.rows - 1) * layout.gap_y
        if layout.rows < 1 or layout.columns < 1 or layout.width <= 0 or layout.height <= 0:
            raise CatalogError(
                _("The label sheet %(sheet)s has no labels: check its rows, columns and label size.")
                % {"sheet": sheet.name}
            )
        if right > page_width + 0.01 or bottom > page_height + 0.01:
            raise CatalogError(
                _(
                    "The labels of the sheet %(sheet)s do not fit on A4 (210 × 297 mm): "
                    "check its margins, label size and gaps."
                )
                % {"sheet": sheet.name}
            )
        return layout

    @property
    def per_page(self) -> int:
        return self.rows * self.columns

    def box(self, slot: int) -> tuple[float, float]:
        """The bottom-left corner of the label at ``slot`` (0 at the top left, row by row)."""
        row, column = divmod(slot, self.columns)
        x = self.left + column * (self.width + self.gap_x)
        y = A4[1] - self.top - row * (self.height + self.gap_y) - self.height
        return x, y


def pages_needed(*, count: int, per_page: int, start_position: int = 1) -> int:
    """Pages for ``count`` labels when the first page's labels before ``start_position`` are
    already used (70 labels on a 65-label sheet from position 3: 2 pages)."""
    if count <= 0:
        return 0
    return math.ceil((start_position - 1 + count) / per_page)


def call_number_lines(call_number: str) -> list[str]:
    """A call number as a spine label shows it: the class number over the number after the
    last '/' (I287.45/12 → I287.45 over 12)."""
    call_number = call_number.strip()
    if "/" not in call_number:
        return [call_number]
    head, tail = call_number.rsplit("/", 1)
    return [part for part in (head.strip(), tail.strip()) if part]


# --- the PDF ------------------------------------------------------------------------------------


def _draw_spine(canvas, font: str, x: float, y: float, width: float, height: float, *, lines, library_name):
    """The call number in one or two lines, large and bold, centred; the library's name small
    at the top."""
    pad = min(1.5 * mm, width * 0.06, height * 0.08)
    inner_width = width - 2 * pad
    top = y + height - pad
    centre = x + width / 2
    if library_name:
        name_size = max(4.5, min(6.5, height * 0.11))
        top = pdf.text_line_from_top(
            canvas, font, name_size, library_name, centre=centre, top=top, width=inner_width, spacing=1.25
        )
    available = top - (y + pad)
    line_height = 1.15
    size = min(20.0, available / (len(lines) * line_height))
    for line in lines:
        text_width = pdfmetrics.stringWidth(line, font, 1)
        if text_width:
            # The outline that makes the glyphs bold widens the line by about 0.05 em.
            size = min(size, inner_width / (text_width + 0.05))
    # The block of lines, centred in the space under the name.
    block = size * line_height * (len(lines) - 1) + pdf.text_ascent(font, size) + pdf.text_descent(font, size)
    baseline = top - (available - block) / 2 - pdf.text_ascent(font, size)
    for line in lines:
        pdf.text_bold_centred(canvas, font, size, line, centre, baseline)
        baseline -= size * line_height


def _draw_barcode(canvas, font: str, x: float, y: float, width: float, height: float, *, copy, library_name):
    """The library's name and the title (cut to fit) above a Code 128 barcode, its digits
    under it."""
    pad_x = min(2 * mm, width * 0.05)
    pad_y = min(1.5 * mm, height * 0.06)
    inner_width = width - 2 * pad_x
    centre = x + width / 2
    top = y + height - pad_y
    bottom = y + pad_y
    small = max(4.5, min(6.5, height * 0.085))
    title_size = max(5.0, min(8.0, height * 0.1))
    digits_size = max(5.0, min(9.0, height * 0.11))
    if library_name:
        top = pdf.text_line_from_top(
            canvas, font, small, library_name, centre=centre, top=top, width=inner_width, spacing=1.2
        )
    if copy.record.title:
        top = pdf.text_line_from_top(
            canvas,
            font,
            title_size,
            copy.record.title,
            centre=centre,
            top=top,
            width=inner_width,
            spacing=1.15,
        )
    pdf.text_centred(
        canvas, font, digits_size, copy.barcode, centre, bottom + pdf.text_descent(font, digits_size)
    )
    bottom += (pdf.text_ascent(font, digits_size) + pdf.text_descent(font, digits_size)) * 1.3
    bar_height = min(15 * mm, top - bottom - 0.5 * mm)
    symbol = Code128(copy.barcode, barWidth=1, barHeight=bar_height, humanReadable=False, quiet=False)
    modules = symbol.width
    # Ten modules of quiet zone on each side, inside the label; bars no wider than 0.5 mm.
    symbol.barWidth = min(0.5 * mm, inner_width / (modules + 20))
    bars_width = modules * symbol.barWidth
    symbol.drawOn(canvas, centre - bars_width / 2, bottom + (top - bottom - bar_height) / 2)


def _check_printable(copies: Sequence[Copy], kind: str) -> None:
    not_ascii = [copy.barcode for copy in copies if not copy.barcode.isascii()]
    if kind == KIND_BARCODE and not_ascii:
        raise CatalogError(
            _("These barcodes have characters a Code 128 barcode cannot hold: %(barcodes)s.")
            % {"barcodes": _listed(not_ascii)}
        )
    if kind == KIND_SPINE:
        missing = [copy.barcode for copy in copies if not copy.record.call_number.strip()]
        if missing:
            raise CatalogError(
                _(
                    "These copies have no call number, so they cannot have spine labels: %(barcodes)s. "
                    "Give their records a call number first."
                )
                % {"barcodes": _listed(missing)}
            )


def labels_pdf(
    *,
    copies: Sequence[Copy],
    sheet: LabelSheet,
    kind: str,
    start_position: int = 1,
    library_name: str = "",
    outlines: bool = False,
) -> bytes:
    """One label per copy on ``sheet``, filled row by row from ``start_position`` (1 is the top
    left label of the first page), as PDF bytes with the Chinese font embedded. ``outlines``
    draws each label's edge, for a test print on plain paper. The copies must have their
    records loaded (``select_related("record")``)."""
    if kind not in (KIND_SPINE, KIND_BARCODE):
        raise CatalogError(_("Choose spine labels or barcode labels."))
    if not copies:
        raise CatalogError(_("There are no copies to print labels for."))
    if len(copies) > MAX_LABELS:
        raise _too_many(len(copies))
    layout = SheetLayout.of(sheet)
    if not 1 <= start_position <= layout.per_page:
        raise CatalogError(
            _("The sheet %(sheet)s has %(count)s labels: start at a position from 1 to %(count)s.")
            % {"sheet": sheet.name, "count": layout.per_page}
        )
    _check_printable(copies, kind)
    try:
        font = pdf.label_font()
    except FontMissing as error:
        raise CatalogError(error.message) from error
    output = io.BytesIO()
    canvas = pdf_canvas.Canvas(
        output,
        pagesize=A4,
        pageCompression=1,
        # The font every page starts with: reportlab's default, Helvetica, would be referred to
        # by every page without being embedded.
        initialFontName=font,
        initialFontSize=8,
    )
    canvas.setTitle(str(LabelSheet.Kind(kind).label))
    canvas.setAuthor(library_name)
    canvas.setCreator("School library")
    slot = start_position - 1
    for copy in copies:
        if slot == layout.per_page:
            canvas.showPage()
            slot = 0
        x, y = layout.box(slot)
        if outlines:
            canvas.saveState()
            canvas.setStrokeGray(0.6)
            canvas.setLineWidth(0.3)
            canvas.rect(x, y, layout.width, layout.height, stroke=1, fill=0)
            canvas.restoreState()
        if kind == KIND_SPINE:
            _draw_spine(
                canvas,
                font,
                x,
                y,
                layout.width,
                layout.height,
                lines=call_number_lines(copy.record.call_number),
                library_name=library_name,
            )
        else:
            _draw_barcode(
                canvas, font, x, y, layout.width, layout.height, copy=copy, library_name=library_name
            )
        slot += 1
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def library_name_for_labels() -> str:
    """The name printed on labels: the catalogue settings' library name, else the school's."""
    return CatalogSettings.current().library_name.strip() or settings.SCHOOL_NAME
