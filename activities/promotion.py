"""What the promotion and voice pages add to the lower apps through their registries: the
bulletin and the recommendations on the reader's own page, and the reviews on the OPAC's record
page (registered in apps.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from catalog.registries import RecordPageSection
from circulation.registries import ReaderPageSection

from .selectors.bulletin import POSTS_ON_HOME, posts_current
from .selectors.recommendations import recommendations_for_reader
from .selectors.reviews import record_reviews
from .services.reviews import review_refusal


def bulletin_reader_page_section(reader) -> ReaderPageSection | None:
    posts = posts_current(limit=POSTS_ON_HOME)
    if not posts:
        return None
    return ReaderPageSection(
        title=_("Library bulletin"), text="", template="activities/promotion/_home_bulletin.html",
        context={"posts": posts}, wide=True,
    )  # fmt: skip


def recommendations_reader_page_section(reader) -> ReaderPageSection | None:
    recommendations = recommendations_for_reader(reader)
    if recommendations.grade is None or recommendations.empty:
        return None
    return ReaderPageSection(
        title=_("Recommended for you"), text="", template="activities/promotion/_home_recommendations.html",
        context={"recommendations": recommendations}, wide=True,
    )  # fmt: skip


def reviews_record_page_section(request, record) -> RecordPageSection:
    from .selectors.notes import reader_of_user

    reader = reader_of_user(request.user) if request.user.is_authenticated else None
    context = record_reviews(record.pk)
    context["record"] = record
    context["can_review"] = reader is not None and review_refusal(reader, record) is None
    context["signed_in"] = request.user.is_authenticated
    return RecordPageSection(template="activities/promotion/_record_reviews.html", context=context)
