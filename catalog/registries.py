"""What the catalogue lets a higher app add to it without importing that app (DESIGN: the lower
app offers a registry the higher one fills in ``AppConfig.ready()``).

**Record page sections.** ``section(request, record) -> RecordPageSection | None``: a part of
the OPAC's record page that a higher app keeps (the activities app's reviews and ratings, with
the form to write one), rendered from its own template and context. Called once per page view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordPageSection:
    template: str
    context: dict = field(default_factory=dict)


RecordPageSectionMaker = Callable[..., "RecordPageSection | None"]
_record_page_sections: list[RecordPageSectionMaker] = []


def record_page_section_register(maker: RecordPageSectionMaker) -> RecordPageSectionMaker:
    if maker not in _record_page_sections:
        _record_page_sections.append(maker)
    return maker


def record_page_sections(request, record) -> list[RecordPageSection]:
    sections = []
    for make in _record_page_sections:
        section = make(request, record)
        if section is not None:
            sections.append(section)
    return sections
