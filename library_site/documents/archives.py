"""Zip archives (.xlsx, .docx), for every import: the one check made from the archive's central
directory before anything in it is unpacked or parsed.

An .xlsx or .docx file is a zip: a small upload can unpack to gigabytes (a "zip bomb"), and
parsing what it unpacks to can hold a web worker for minutes. ``archive_check`` reads only the
directory at the end of the file (no entry is decompressed) and refuses, with ``FileRefused``:

- more entries than ``MAX_ENTRIES`` (a workbook has a few dozen);
- declared uncompressed sizes that add up to more than ``MAX_UNPACKED_BYTES``;
- an entry whose declared size is more than ``MAX_RATIO`` times its compressed size (real sheet
  XML compresses 5 to 30 times; a bomb, hundreds or thousands of times), once it is larger than
  ``RATIO_FLOOR`` (a tiny entry may compress a lot and harm nothing).

The declared sizes bind: Python's zipfile stops an entry's output at its declared size and
refuses a CRC mismatch, so a directory that lies about a size cannot unpack more than it says.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from .exceptions import FileRefused

MAX_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024


def archive_check(source: Path | bytes | io.IOBase, *, max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> None:
    """Refuse (``FileRefused``) a zip whose directory promises too much once unpacked (more than
    ``max_unpacked_bytes`` in all, for an import that reads its file in the web request); a file
    that is not a zip at all is refused as damaged. Reads the directory only."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    damaged = _("The file is not a valid .xlsx or .docx file, or it is damaged: save it again and retry.")
    try:
        if isinstance(source, Path):
            with zipfile.ZipFile(source) as archive:
                entries = archive.infolist()
        else:
            position = source.tell()
            try:
                with zipfile.ZipFile(source) as archive:
                    entries = archive.infolist()
            finally:
                source.seek(position)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise FileRefused(damaged) from error
    too_large = _(
        "The file is too large once unpacked (it may be a damaged or a malicious file): split it "
        "into several files, or save it again from Excel or WPS."
    )
    if len(entries) > MAX_ENTRIES:
        raise FileRefused(too_large)
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > max_unpacked_bytes:
            raise FileRefused(too_large)
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise FileRefused(too_large)
