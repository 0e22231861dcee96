"""The toolkit's one base error and its children. Each message says, in the reader's language,
what is wrong and what to do; the apps pass it on with their own errors."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DocumentError(Exception):
    """A document cannot be read or made: the message says why and what to do."""

    default_message = _("This document cannot be read or made.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class FontMissing(DocumentError):
    """The server has no Chinese TrueType font a PDF can embed (or the one set cannot be used)."""


class FontUnusable(DocumentError):
    """One candidate font file cannot print Chinese text; the message is the reason, for the
    refusal that names the file."""


class FileRefused(DocumentError):
    """The file as a whole cannot be imported (unreadable, empty, too large, no header row)."""

    default_message = _("This file cannot be imported.")


class ImageRefused(DocumentError):
    """An uploaded file is not an image of an allowed format, or is too large."""

    default_message = _(
        "The file is not a photo the library can use: send a JPEG, PNG or WebP image of at most 8 MB."
    )
