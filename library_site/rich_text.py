"""Rich text written in the site (bulletin posts, the library's standing pages), sanitised by nh3
(the Ammonia sanitiser) to a short list of tags: whatever else is sent (scripts, styles, event
handlers, ``javascript:`` links) is dropped before it is stored, so a template may show the
stored HTML as it is. Plain text (reviews, suggestions) is never passed through here: templates
escape it."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h3", "h4", "blockquote", "a",
    "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def rich_text_clean(html: str) -> str:
    """The HTML with only the allowed tags and attributes; links get rel="noopener noreferrer"."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
