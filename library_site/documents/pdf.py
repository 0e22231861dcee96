"""PDF fonts and text fitting, for every PDF the apps print (labels, library cards, slips,
clearance forms, the report to leaders).

The font: a Chinese TrueType font found on the server, embedded in the PDF as a subset, so the
page prints the same on any PC. reportlab's built-in CID fonts (STSong-Light) are never used:
they are not embedded, and a PC without that font prints □ instead of 汉字. ``LABEL_FONT_PATH``
chooses the file (``path:index`` picks a face of a collection); otherwise the fonts Debian
installs are tried, then fontconfig's.

The text: a line cut with an ellipsis to a width, centred, bold without a bold face, and the
ascent and descent a layout needs.
"""

from __future__ import annotations

import os
import re
import subprocess
from threading import Lock

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from .exceptions import FontMissing, FontUnusable

# Chinese TrueType fonts that Debian installs (fonts-wqy-microhei first), tried in this order
# after LABEL_FONT_PATH and before asking fontconfig. "path:index" picks a face of a collection.
SYSTEM_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc:0",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:0",
    "/usr/share/fonts/truetype/arphic/uming.ttc:0",
    "/usr/share/fonts/truetype/arphic/ukai.ttc:0",
)
FC_MATCH = "fc-match"
FC_LIST = "fc-list"
# A font that lacks these cannot print a Chinese label (fontconfig falls back to DejaVu Sans).
CJK_PROBE = "汉字书馆索号"
FONT_SPEC = re.compile(r"^(?P<path>.+?)(?::(?P<index>\d{1,2}))?$")

_fonts: dict[tuple[str, int], str] = {}
_fonts_lock = Lock()


# --- the font -----------------------------------------------------------------------------------


def _font_spec(text: str) -> tuple[str, int]:
    match = FONT_SPEC.match(text.strip())
    return match["path"], int(match["index"] or 0)


def _font_register(path: str, index: int) -> str:
    """Register a TrueType face with reportlab once per process; return its name."""
    key = (os.path.realpath(path), index)
    with _fonts_lock:
        if key in _fonts:
            return _fonts[key]
        if not os.path.isfile(path):
            raise FontUnusable(_("the file does not exist"))
        name = f"LabelFont{len(_fonts) + 1}"
        try:
            font = TTFont(name, path, subfontIndex=index)
        except (TTFError, OSError, ValueError, IndexError) as error:
            # Among others: "postscript outlines are not supported" (OpenType CFF, such as
            # Noto Sans CJK), which reportlab cannot embed.
            raise FontUnusable(str(error)) from error
        if not all(ord(character) in font.face.charToGlyph for character in CJK_PROBE):
            raise FontUnusable(_("the font has no Chinese characters"))
        pdfmetrics.registerFont(font)
        _fonts[key] = name
        return name


def _fontconfig_candidates() -> list[str]:
    """fontconfig's best sans-serif face for Simplified Chinese, then every face it lists for
    Chinese ("path:index" each); nothing when fontconfig is not installed."""
    found: list[str] = []
    commands = (
        [FC_MATCH, "-f", "%{file}:%{index}", "sans:lang=zh-cn"],
        [FC_LIST, "-f", "%{file}:%{index}\n", ":lang=zh-cn"],
    )
    for command in commands:
        try:
            # A fixed command of fontconfig's, no shell and no input from a request.
            result = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            continue
        found += [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return list(dict.fromkeys(found))


def label_font() -> str:
    """The reportlab name of the Chinese font the PDFs are printed with, registered for
    embedding. Raises FontMissing, with what to do, when the server has none."""
    configured = getattr(settings, "LABEL_FONT_PATH", "")
    if configured:
        path, index = _font_spec(configured)
        try:
            return _font_register(path, index)
        except FontUnusable as error:
            raise FontMissing(
                _("The label font set in LABEL_FONT_PATH (%(path)s) cannot be used: %(reason)s.")
                % {"path": configured, "reason": error}
            ) from error
    for candidate in (*SYSTEM_FONT_FILES, *_fontconfig_candidates()):
        try:
            return _font_register(*_font_spec(candidate))
        except FontUnusable:
            continue
    raise FontMissing(
        _(
            "No Chinese TrueType font was found on the server, so labels cannot be printed. "
            "Install one (on Debian or Ubuntu: apt install fonts-wqy-microhei) or set "
            "LABEL_FONT_PATH to a Chinese .ttf or .ttc file."
        )
    )


# --- the text -----------------------------------------------------------------------------------


def text_fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it is at most ``width`` points wide."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    ellipsis = "…"
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle].rstrip() + ellipsis, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ellipsis if low else ""


def text_centred(canvas, font: str, size: float, text: str, x_centre: float, baseline: float) -> None:
    canvas.setFont(font, size)
    canvas.drawCentredString(x_centre, baseline, text)


def text_bold_centred(canvas, font: str, size: float, text: str, x_centre: float, baseline: float) -> None:
    """Bold without a bold face: the glyphs filled and outlined (text render mode 2)."""
    width = pdfmetrics.stringWidth(text, font, size)
    canvas.saveState()
    canvas.setLineWidth(size * 0.045)
    canvas.setLineJoin(1)
    text_object = canvas.beginText(x_centre - width / 2, baseline)
    text_object.setTextRenderMode(2)
    text_object.setFont(font, size)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()


def text_ascent(font: str, size: float) -> float:
    return pdfmetrics.getAscentDescent(font, size)[0]


def text_descent(font: str, size: float) -> float:
    return -pdfmetrics.getAscentDescent(font, size)[1]


def text_line_from_top(
    canvas, font: str, size: float, text: str, *, centre: float, top: float, width: float, spacing: float
) -> float:
    """A centred line of text, cut to the width, hanging from ``top``; returns the new top."""
    text_centred(canvas, font, size, text_fit(text, font, size, width), centre, top - text_ascent(font, size))
    return top - (text_ascent(font, size) + text_descent(font, size)) * spacing
