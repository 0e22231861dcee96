"""Reads of the honorary titles: the honour roll, a pupil's honours (for their own page), the
awards of a title and period, and the certificates of a class or grade. Constant queries."""

from __future__ import annotations

from ..models import Honour, HonourTitle


def _honours():
    return Honour.objects.select_related(
        "title", "reader__user", "reader__school_class", "school_class", "revoked_by"
    )


def honour_roll(*, period_label: str = "") -> list[Honour]:
    honours = _honours().filter(revoked_at__isnull=True)
    if period_label:
        honours = honours.filter(period_label=period_label)
    return list(
        honours.order_by(
            "-period_start",
            "title__position",
            "reader__school_class__grade",
            "reader__school_class__number",
            "pk",
        )[:2000]
    )


def reader_honours(reader) -> list[Honour]:
    return list(
        Honour.objects.select_related("title")
        .filter(reader=reader, revoked_at__isnull=True)
        .order_by("-period_start")
    )


def awards_of(title: HonourTitle, period_start) -> list[Honour]:
    return list(_honours().filter(title=title, period_start=period_start).order_by("revoked_at", "pk"))


def certificates_for(
    *, title_id=None, period_label: str = "", class_id=None, grade=None, honour_ids=None
) -> list[Honour]:
    honours = _honours().filter(revoked_at__isnull=True)
    if honour_ids is not None:
        honours = honours.filter(pk__in=honour_ids)
    if title_id:
        honours = honours.filter(title_id=title_id)
    if period_label:
        honours = honours.filter(period_label=period_label)
    if class_id:
        honours = honours.filter(reader__school_class_id=class_id) | honours.filter(school_class_id=class_id)
    if grade:
        honours = honours.filter(reader__school_class__grade=grade) | honours.filter(
            school_class__grade=grade
        )
    return list(
        honours.order_by(
            "reader__school_class__grade", "reader__school_class__number", "reader__number", "pk"
        )
    )


def titles_in_use() -> list[HonourTitle]:
    return list(HonourTitle.objects.filter(is_active=True))
