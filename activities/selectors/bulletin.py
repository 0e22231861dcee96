"""What the bulletin and the library's standing pages show: the posts current now (pinned
first), the standing pages, the opening hours from circulation's reading rooms, and the
collection's structure (copies per CLC main class and per location) for a chart with a table."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from catalog.covers import class_colour
from catalog.models import ClassificationClass, Copy, Location
from circulation.models import OpeningHours
from circulation.selectors.rooms import active_rooms

from ..models import BulletinPost, LibraryPage

POSTS_ON_HOME = 4


def posts_current(*, public: bool = False, limit: int | None = None, now=None):
    """The posts shown now: published, not expired, not withdrawn; pinned ones first. The image
    itself is left in the database (``defer``): a page links to it."""
    now = now or timezone.now()
    posts = (
        BulletinPost.objects.filter(publish_at__lte=now, withdrawn_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .defer("image")
        .order_by("-pinned", "-publish_at", "-pk")
    )
    if public:
        posts = posts.filter(is_public=True)
    return list(posts[:limit] if limit else posts)


def posts_for_staff():
    return list(
        BulletinPost.objects.defer("image").select_related("created_by").order_by("-created_at", "-pk")[:200]
    )


def library_pages() -> dict[str, LibraryPage]:
    return {page.key: page for page in LibraryPage.objects.all()}


def opening_hours_table() -> list[dict]:
    """Each active reading room with its current opening hours by day of the week."""
    rooms = list(active_rooms())
    spans: dict[int, dict[int, list[OpeningHours]]] = {}
    for span in OpeningHours.objects.current().filter(room__in=rooms).order_by("weekday", "opens_at"):
        spans.setdefault(span.room_id, {}).setdefault(span.weekday, []).append(span)
    days = OpeningHours.Weekday.choices
    return [
        {
            "room": room,
            "days": [{"label": label, "spans": spans.get(room.pk, {}).get(day, [])} for day, label in days],
        }
        for room in rooms
    ]


def collection_structure() -> dict:
    """Copies on the shelves (not withdrawn nor lost) per CLC main class and per location:
    rows for the tables and the JSON the chart reads, each bar's share for the CSS bars."""
    kept = Copy.objects.exclude(status__in=[Copy.Status.WITHDRAWN, Copy.Status.LOST])
    by_letter: dict[str, int] = {}
    for code, count in (
        kept.values_list("record__clc_code")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("record__clc_code", "count")
    ):
        letter = (code or "?")[:1].upper() or "?"
        by_letter[letter] = by_letter.get(letter, 0) + count
    names = {
        item.code: item.name_zh
        for item in ClassificationClass.objects.filter(level=1).only("code", "name_zh", "name_en")
    }
    total = sum(by_letter.values()) or 1
    classes = [
        {
            "code": letter,
            "name": names.get(letter, ""),
            "copies": count,
            "share": round(100 * count / total, 1),
            "colour": class_colour(letter),
        }
        for letter, count in sorted(by_letter.items())
    ]
    location_counts = dict(
        kept.values_list("location").annotate(count=Count("pk")).order_by().values_list("location", "count")
    )
    locations = [
        {"name": location.name, "copies": location_counts.get(location.pk, 0),
         "share": round(100 * location_counts.get(location.pk, 0) / total, 1)}
        for location in Location.objects.order_by("position", "name")
        if location_counts.get(location.pk)
    ]  # fmt: skip
    return {
        "classes": classes,
        "locations": locations,
        "total": sum(by_letter.values()),
        "chart": {
            "labels": [f"{row['code']} {row['name']}".strip() for row in classes],
            "values": [row["copies"] for row in classes],
            "colours": [row["colour"] for row in classes],
        },
    }
