"""Uploaded images, checked and made again by Pillow: one format among JPEG, PNG and WebP, at
most ``IMAGE_MAX_BYTES`` and ``IMAGE_MAX_PIXELS`` (a decompression bomb is refused), turned
upright, and saved as JPEG in the sizes asked for, which leaves the metadata (place, camera,
time) behind. The bulletin's images and the catalogue's covers use it."""

from __future__ import annotations

import io
from dataclasses import dataclass

from .exceptions import ImageRefused

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
IMAGE_MAX_BYTES = 8 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def image_prepare(upload, *, sizes: list[tuple[int, int]]) -> list[PreparedImage]:
    """The upload made again as one JPEG per (width, height) box of ``sizes``, each fitted inside
    its box (never enlarged); ``ImageRefused`` when it is not an image the library takes."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if not size or size > IMAGE_MAX_BYTES:
        raise ImageRefused()
    try:
        upload.seek(0)
        raw = upload.read()
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in IMAGE_FORMATS or probe.width * probe.height > IMAGE_MAX_PIXELS:
                raise ImageRefused()
            probe.verify()
        prepared = []
        with Image.open(io.BytesIO(raw)) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            for box in sizes:
                copy = image.copy()
                copy.thumbnail(box)
                out = io.BytesIO()
                copy.save(out, format="JPEG", quality=84, optimize=True)
                prepared.append(PreparedImage(out.getvalue(), copy.width, copy.height))
        return prepared
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ImageRefused() from error
