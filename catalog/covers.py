"""What a list shows for a record's cover: the stored image's address, or a placeholder drawn
as SVG with the title and the colour of its CLC main class (no file needed, so every record has
a cover). ``cover_info`` takes records annotated by ``Record.objects.with_cover_version()``
(``with_display()`` is): no query per row."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

# One colour per CLC main class (A–Z), so that a shelf's placeholders share a colour.
CLASS_COLOURS = {
    "A": "#8c2d19", "B": "#6a4c93", "C": "#1b6ca8", "D": "#b5651d", "E": "#556b2f", "F": "#2a7f62",
    "G": "#c0392b", "H": "#16a085", "I": "#d35400", "J": "#8e44ad", "K": "#7f5539", "N": "#2c3e50",
    "O": "#2980b9", "P": "#34495e", "Q": "#27ae60", "R": "#c2185b", "S": "#689f38", "T": "#455a64",
    "U": "#0097a7", "V": "#5d4037", "X": "#388e3c", "Z": "#616161",
}  # fmt: skip
DEFAULT_COLOUR = "#5b6770"


def class_colour(clc_code: str) -> str:
    return CLASS_COLOURS.get((clc_code or "")[:1].upper(), DEFAULT_COLOUR)


def cover_info(record, *, size: str = "small") -> dict:
    """``url`` of the cover (stored or placeholder), and whether it is a placeholder."""
    version = getattr(record, "cover_version", None)
    if version:
        return {
            "url": reverse("catalog:record-cover", args=[record.pk, size]) + f"?v={version}",
            "placeholder": False,
        }
    return {"url": reverse("catalog:record-cover-placeholder", args=[record.pk]), "placeholder": True}


def placeholder_svg(record) -> str:
    """An SVG cover: the class's colour, the title in lines of eight characters, the call number."""
    title = record.title or ""
    lines = [title[index : index + 8] for index in range(0, min(len(title), 40), 8)] or [""]
    texts = "".join(
        f'<text x="80" y="{70 + number * 24}" text-anchor="middle" font-size="18" fill="#fff">{escape(line)}</text>'
        for number, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="240" viewBox="0 0 160 240">'
        f'<rect width="160" height="240" rx="6" fill="{class_colour(record.clc_code)}"/>'
        '<rect x="10" y="10" width="140" height="220" rx="4" fill="none" stroke="#fff" stroke-opacity=".5"/>'
        f"{texts}"
        f'<text x="80" y="215" text-anchor="middle" font-size="12" fill="#fff" fill-opacity=".85">'
        f"{escape(record.call_number or record.clc_code or '')}</text></svg>"
    )
