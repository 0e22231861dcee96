"""A record's cover image: uploaded or photographed at cataloguing, checked and resized by
Pillow (library_site/documents/images.py) into two sizes, and replaced as a whole."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from library_site.documents.images import image_prepare

from ..models import Record, RecordCover

COVER_LARGE = (600, 900)
COVER_SMALL = (160, 240)


@transaction.atomic
def cover_set(*, record: Record, upload, user) -> RecordCover:
    """Check the upload (``ImageRefused`` saves nothing) and keep it as the record's cover."""
    large, small = image_prepare(upload, sizes=[COVER_LARGE, COVER_SMALL])
    fields = {
        "large": large.data,
        "large_width": large.width,
        "large_height": large.height,
        "small": small.data,
        "small_width": small.width,
        "small_height": small.height,
        "uploaded_at": timezone.now(),
        "uploaded_by": user,
    }
    updated = RecordCover.objects.filter(record=record).update(version=F("version") + 1, **fields)
    if not updated:
        RecordCover.objects.create(record=record, **fields)
    return RecordCover.objects.get(record=record)
